"""Capture: run an unchanged PyNN script once and keep what it recorded.

    python -m pyNN.neurox.validation.capture OUT.pkl SCRIPT.py [script arguments]

runs SCRIPT as __main__ (the target comes from NEUROX_TARGET, as for any script) and
writes OUT.pkl: every population's recorded spikes and membrane potential, each
projection's weights (the user's, and the chip's where a chip holds them), the chip's
mapping report, and the wall-clock time. The data are taken when the script calls
end(), or when it returns without calling it.
"""

import pickle
import runpy
import sys
import time
from collections import Counter

import numpy as np

# weights kept per projection for the report's histograms
WEIGHT_SAMPLE = 20000

# what a task script reports with record_task(): kept with the captured data
_task = {}


def record_task(labels, predictions):
    """For scripts that solve a task: the true labels and the run's predictions, which
    the comparison turns into accuracy and agreement between targets."""
    _task.update(labels=np.asarray(labels), predictions=np.asarray(predictions))


def _sample(values, rng):
    values = np.asarray(values, float)
    if values.size <= WEIGHT_SAMPLE:
        return values
    return values[np.sort(rng.choice(values.size, WEIGHT_SAMPLE, replace=False))]


def spike_trains(population, cells=None):
    """One sorted spike-time array per recorded cell of a captured population (the first
    `cells` of them, or all)."""
    times, owner = population["spike_times"], population["spike_cells"]
    return [np.sort(times[owner == c]) for c in population["recorded"][:cells]]


def paired_trains(a: dict, b: dict, until: float) -> tuple[list, list]:
    """The spike trains of the cells that both captured populations recorded, in the
    same order, cut at `until` (ms): what a comparison sets side by side."""
    common = np.intersect1d(a["recorded"], b["recorded"])
    return tuple([t[t <= until] for c, t in zip(p["recorded"], spike_trains(p)) if c in common]
                 for p in (a, b))


def recorded(run: dict) -> dict[str, dict]:
    """The populations of a captured run whose spikes were recorded, by a key unique in
    the run, so that runs are compared population by population and none hides another:
    the label, or where labels repeat (or one is "task", the key of the task's results in
    a comparison) the label with the population's index, "cells (population 2)"."""
    labels = Counter(p["label"] for p in run["populations"])
    return {p["label"] if labels[p["label"]] == 1 and p["label"] != "task"
            else f"{p['label']} (population {p['index']})": p
            for p in run["populations"] if "recorded" in p}


def capture(state):
    """What the finished run recorded, as plain numbers (see the module docstring)."""
    target, network = state.target, state.network
    result = {"target": target.name, "timestep": network.timestep, "duration": state.t,
              "populations": [], "projections": [], "mapping": None}
    for population in network.populations:
        entry = {"index": population.index, "label": population.label,
                 "celltype": population.celltype, "size": population.size}
        if "spikes" in population.recorded:
            cells, times = target.spikes(population.index)
            entry.update(recorded=np.asarray(population.recorded["spikes"]),
                         spike_cells=np.asarray(cells), spike_times=np.asarray(times))
        if "v" in population.recorded:
            indices = np.asarray(population.recorded["v"])
            entry.update(v_cells=indices, v=target.signals(population.index, "v", indices))
        result["populations"].append(entry)
    mapping = getattr(target, "mapping", None)
    if mapping is not None:
        result["mapping"] = mapping.report.as_dict()
    for projection in network.projections:
        rng = np.random.default_rng(projection.index)
        entry = {"label": projection.label, "pre": projection.pre, "post": projection.post,
                 "synapses": len(projection)}
        if len(projection):
            picked = _sample(np.arange(len(projection)), rng).astype(int)
            entry["weights"] = np.asarray(projection.weights, float)[picked]
            if mapping is not None:
                chip = target.connection_values(projection.index, "weight")
                entry["chip_weights"] = np.asarray(chip, float)[picked]
        result["projections"].append(entry)
    return result


def run_script(script, arguments):
    """Run `script` with `arguments` as __main__; the captured data, or None if it
    never set up pyNN.neurox."""
    from pyNN.neurox import simulator
    captured = {}

    def hook(state):
        captured["data"] = capture(state)

    simulator.state.end_hooks.append(hook)
    sys.argv = [script, *arguments]
    start = time.perf_counter()
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as stop:  # a script that ends with sys.exit(0) has run
        if stop.code not in (None, 0):
            raise
    state = simulator.state
    if "data" not in captured and state.target is not None and not state.target.closed:
        captured["data"] = capture(state)
    data = captured.get("data")
    if data is not None:
        data["wall_seconds"] = time.perf_counter() - start
        if _task:
            data["task"] = dict(_task)
    return data


def main():
    # run as __main__, this file is a second copy of the module: use the package's,
    # whose record_task() the script calls
    from pyNN.neurox.validation.capture import run_script as run
    out, script, *arguments = sys.argv[1:]
    data = run(script, arguments)
    if data is None:
        sys.exit(f"{script} never ran a pyNN.neurox simulation: nothing to compare")
    with open(out, "wb") as f:
        pickle.dump(data, f)


if __name__ == "__main__":
    main()
