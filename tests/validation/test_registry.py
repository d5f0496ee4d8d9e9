"""The metric registry: a metric registered from outside reaches compare_runs' result,
report.json and report.html's table without any other edit, and leaves with unregister."""

import json

import numpy as np
import pytest

from pyNN.neurox.validation import registry
from pyNN.neurox.validation.compare import compare, compare_runs
from pyNN.neurox.validation.registry import Column, Metric

# the keys of a population's entry today: existing reports and tests read them
KEYS = {"cells", "raster_mismatch", "rates", "isi", "spike_disorder", "latency",
        "coincidence_1ms", "coincidence_2ms", "victor_purpura", "van_rossum", "first_spike"}

TOY = Metric("toy_rate", lambda reference, other, seconds: sum(t.size for t in other) / seconds,
             {"seconds": lambda span: span.duration / 1000.0},
             (Column("toy rate", "spikes per second of the other run, all cells together",
                     unit="Hz"),))

SCRIPT = """import pyNN.neurox as sim
sim.setup(timestep=0.1)
sources = sim.Population(2, sim.SpikeSourceArray(spike_times=[5.0, 15.0]), label="sources")
sources.record("spikes")
sim.run(20.0)
sim.end()
"""


def captured(times):
    """A captured run of one recorded cell spiking at `times` (ms) for 20 ms."""
    return {"duration": 20.0, "timestep": 0.1,
            "populations": [{"label": "cell", "recorded": np.arange(1),
                             "spike_cells": np.zeros(len(times), int),
                             "spike_times": np.array(times)}]}


@pytest.fixture
def toy():
    registry.register(TOY)
    try:
        yield TOY
    finally:
        registry.unregister(TOY.name)


def test_a_registered_metric_reaches_the_result_the_json_and_the_table(toy, tmp_path):
    result = compare_runs(captured([5.0]), captured([5.0, 15.0]))["cell"]
    assert result["toy_rate"] == pytest.approx(100.0)  # 2 spikes in 20 ms
    assert set(result) == KEYS | {"toy_rate"}
    script = tmp_path / "model.py"
    script.write_text(SCRIPT)
    out = tmp_path / "out"
    compare(script, ["brian2", "brian2"], out, progress=lambda _: None)
    numbers = json.loads((out / "report.json").read_text())
    assert numbers["comparisons"]["brian2 (2)"]["sources"]["toy_rate"] == pytest.approx(200.0)
    page = (out / "report.html").read_text()
    assert "<th>toy rate (Hz)</th>" in page
    assert "<b>toy rate (Hz)</b>: spikes per second of the other run" in page
    # registered last, so the last cell of the population's row
    assert "<td>200</td></tr>" in page


def test_names_are_unique_and_unregistering_removes_the_metric():
    registry.register(TOY)
    try:
        for taken in (TOY.name, "rates", "cells"):
            with pytest.raises(ValueError, match=f"the name '{taken}' is taken"):
                registry.register(Metric(taken, TOY.function, TOY.parameters, TOY.columns))
    finally:
        registry.unregister(TOY.name)
    assert set(compare_runs(captured([5.0]), captured([6.0]))["cell"]) == KEYS
