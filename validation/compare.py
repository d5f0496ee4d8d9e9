"""Compare: one unchanged PyNN script on several targets, and what each chip changes.

Each target runs the script in its own process (NEUROX_TARGET set, the same seed as the
script sets), so a target that refuses the model or crashes costs only its own entry;
the report holds its error and the others' results. The first target that ran is the
reference of the metrics (put brian2 first).
"""

import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from pyNN.neurox.hardware.chip import load_chip
from pyNN.neurox.targets import board_targets, target_names

from . import metrics
from .capture import paired_trains, recorded
from .registry import METRICS, Span
from .report import write_html


def compare_runs(reference, other):
    """Every registered metric of `other` against `reference` (captured runs), under the
    metric's name, per population that both recorded spikes of (under its key in
    capture.recorded). A metric that fails holds {"error": ...} in place of its value,
    and costs nothing else."""
    duration = min(reference["duration"], other["duration"])
    span = Span(duration, max(reference["timestep"], other["timestep"]))
    theirs = recorded(other)
    result = {}
    for key, s in recorded(reference).items():
        if key not in theirs:
            continue
        a, b = paired_trains(s, theirs[key], duration)
        entry = {"cells": len(a)}
        for name, metric in METRICS.items():
            try:
                entry[name] = metric(a, b, span)
            except Exception as error:  # a metric's blind spot must not lose the report
                entry[name] = {"error": f"{type(error).__name__}: {error}"}
        result[key] = entry
    return result


def energy_estimate(run):
    """Energy (µJ) from the chip description's published per-operation figures, with
    their sources; None where the description has none."""
    mapping = run.get("mapping")
    if not mapping:
        return None
    chip = board_targets().get(run["target"], run["target"])  # a board: its chip's figures
    published = load_chip(chip).section("published")
    synaptic, update = (published.get("energy_per_synaptic_op_pj"),
                        published.get("energy_per_neuron_update_pj"))
    if not synaptic or not update:
        return {"note": "the chip description has no published per-operation energy"}
    neurons = sum(p["size"] for p in mapping["populations"])
    ticks = run["duration"] / run["timestep"]
    events = mapping["counters"].get("synaptic_events", 0)
    joules = (events * synaptic["value"] + neurons * ticks * update["value"]) * 1e-12
    return {"microjoules": joules * 1e6, "synaptic_events": int(events),
            "neuron_updates": int(neurons * ticks),
            "sources": [synaptic["source"], update["source"]]}


def _named(targets):
    """A name per run: the target, numbered when a target runs more than once (a target
    against itself shows the run-to-run variation, zero for a seeded model)."""
    names = {}
    for target in targets:
        name, k = target, 1
        while name in names:
            k += 1
            name = f"{target} ({k})"
        names[name] = target
    return names


def _writable(out):
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as error:
        raise ValueError(f"cannot write the report to {out}: {error.strerror or error}") \
            from None


def run_target(script, target, arguments, data_file, timeout):
    """One target's run of `script` in a fresh process: the captured data (passed through
    `data_file`), or an error."""
    command = [sys.executable, "-m", "pyNN.neurox.validation.capture", str(data_file),
               str(script), *arguments]
    # UTF-8 whatever the locale, so that an error reads in the report as it was written
    env = dict(os.environ, NEUROX_TARGET=target, PYTHONIOENCODING="utf-8")
    try:
        done = subprocess.run(command, env=env, capture_output=True, encoding="utf-8",
                              errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"target": target, "error": f"did not finish within {timeout} s"}
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        return {"target": target, "error": lines[-1] if lines else
                f"exited with status {done.returncode}", "log": "\n".join(lines[-30:])}
    with open(data_file, "rb") as f:
        return pickle.load(f)


def compare(script, targets, out, arguments=(), timeout=3600, progress=print):
    """Run `script` on each of `targets`, write out/report.json and out/report.html, and
    return the report (a dict with every number)."""
    unknown = [t for t in targets if t not in target_names()]
    if unknown:
        raise ValueError(f"unknown target(s) {', '.join(unknown)}; the targets are: "
                         + ", ".join(target_names()))
    if not Path(script).is_file():
        raise ValueError(f"no script {script}")
    out = Path(out)
    _writable(out)
    runs = {}
    with tempfile.TemporaryDirectory() as workdir:
        for number, (name, target) in enumerate(_named(targets).items(), 1):
            progress(f"[{number}/{len(targets)}] {name}: running {script}")
            runs[name] = run_target(script, target, list(arguments),
                                    Path(workdir) / f"run{number}.pkl", timeout)
            run = runs[name]
            progress(f"[{number}/{len(targets)}] {name}: " + (
                f"refused or failed: {run['error']}" if "error" in run
                else f"done in {run['wall_seconds']:.1f} s"))
    ran = [name for name, run in runs.items() if "error" not in run]
    reference = ran[0] if ran else None
    report = {"script": str(script), "arguments": list(arguments), "reference": reference,
              "targets": {}, "comparisons": {}}
    for target, run in runs.items():
        entry = {k: run[k] for k in ("error", "log") if k in run}
        if "error" not in run:
            entry.update(timestep=run["timestep"], duration=run["duration"],
                         wall_seconds=run["wall_seconds"], mapping=run["mapping"],
                         energy=energy_estimate(run))
        if "task" in run:
            entry["accuracy"] = float(np.mean(run["task"]["predictions"]
                                              == run["task"]["labels"]))
        report["targets"][target] = entry
        if reference and "error" not in run and target != reference:
            report["comparisons"][target] = compare_runs(runs[reference], run)
            if "task" in run and "task" in runs[reference]:
                report["comparisons"][target]["task"] = metrics.task_agreement(
                    run["task"]["labels"], runs[reference]["task"]["predictions"],
                    run["task"]["predictions"])
    (out / "report.json").write_text(json.dumps(_finite(report), indent=1, default=_plain),
                                     encoding="utf-8")
    write_html(report, runs, out / "report.html")
    progress(f"report: {out / 'report.html'}")
    return report


def _finite(value):
    """NaN and infinity as null, so report.json is strict JSON."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON")
