"""`neurox compare` under faults (issue 14): every run ends with a report, and a failing
metric costs only its own value."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from pyNN.neurox.validation import registry
from pyNN.neurox.validation.compare import compare

NEUROX = [sys.executable, "-m", "pyNN.neurox.validation.cli"]

# a small network every target takes (8 inputs at 200 Hz onto 10 cells, 100 ms); BODY runs before
# sim.run, with TARGET the target's name
MODEL = """import os, subprocess, sys, time
import pyNN.neurox as sim
from pyNN.neurox.validation.networks import feedforward
TARGET = os.environ["NEUROX_TARGET"]
cells, inputs = feedforward(sim, inputs=8, cells=10, rate=200.0, duration=100.0{setup})
{body}
sim.run(100.0)
sim.end()
"""


def write_model(tmp_path, body="", setup="", name="model.py"):
    script = tmp_path / name
    script.write_text(MODEL.format(body=body, setup=setup), encoding="utf-8")
    return script


def neurox(*arguments, env=None, **options):
    return subprocess.run(NEUROX + [str(a) for a in arguments], capture_output=True,
                          text=True, env=env, **options)


def read(out):
    return (json.loads((out / "report.json").read_text(encoding="utf-8")),
            (out / "report.html").read_text(encoding="utf-8"))


def test_no_metric_fails_on_trains_without_spikes():
    silent = [np.zeros(0)] * 3
    span = registry.Span(100.0, 1.0)
    values = {name: metric(silent, silent, span) for name, metric in registry.METRICS.items()}
    assert values["van_rossum"] == 0.0 and values["victor_purpura"] == 0.0


def recorded_on_loihi_only(report, html):
    assert set(report["comparisons"]["neurocorex"]) == {"inputs", "cells"}
    assert "rasters of &#x27;extra&#x27;" in html


def labels_with_dollars(report, html):
    assert "gain $\\undefined$" in report["comparisons"]["neurocorex"]
    assert "gain $\\undefined$" in html


def one_label_twice(report, html):
    compared = report["comparisons"]["neurocorex"]
    assert {k: v["cells"] for k, v in compared.items()} == {
        "inputs": 8, "cells (population 1)": 10, "cells (population 2)": 5}
    for key in ("cells (population 1)", "cells (population 2)"):
        assert f"rasters of &#x27;{key}&#x27;" in html


def never_spikes(report, html):
    silent = report["comparisons"]["neurocorex"]["silent"]
    assert silent["van_rossum"] == 0.0 and silent["rates"]["rate_other_hz"] == 0.0


PROJECTED = ("sim.Projection(inputs, {0}, sim.AllToAllConnector(), "
             "sim.StaticSynapse(weight=20.0, delay=1.0), label={1!r})\n")

# each model makes today's comparison lose its report; the check reads what it wrote
REPORTS = {
    "a population that never spikes": (
        "silent = sim.Population(4, sim.IF_curr_delta(), label='silent')\n"
        "silent.record('spikes')\n", never_spikes),
    "labels with $ (mathtext)": (
        "gain = sim.Population(3, sim.IF_curr_delta(), label=r'gain $\\undefined$')\n"
        "gain.record('spikes')\n" + PROJECTED.format("gain", r"$\w$ onto gain"),
        labels_with_dollars),
    "a population recorded on one target only": (
        "extra = sim.Population(3, sim.IF_curr_delta(), label='extra')\n"
        "if TARGET == 'loihi':\n    extra.record('spikes')\n", recorded_on_loihi_only),
    "two populations with one label": (
        "more = sim.Population(5, sim.IF_curr_delta(), label='cells')\n"
        "more.record('spikes')\n" + PROJECTED.format("more", "onto more"), one_label_twice),
}


@pytest.mark.parametrize("case", REPORTS)
def test_the_report_is_written(case, tmp_path):
    body, check = REPORTS[case]
    out = tmp_path / "out"
    done = neurox("compare", write_model(tmp_path, body), "--targets", "loihi,neurocorex",
                  "--out", out)
    assert done.returncode == 0, done.stderr
    report, html = read(out)
    assert "error" not in report["targets"]["neurocorex"]
    check(report, html)


def test_an_ascii_locale_still_writes_the_report_as_utf8(tmp_path):
    body = ("cafe = sim.Population(3, sim.IF_curr_delta(), label='café')\n"
            "cafe.record('spikes')\n" + PROJECTED.format("cafe", "onto café") +
            "if TARGET == 'neurocorex':\n    raise RuntimeError('τ is too small')\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LC_") and k not in ("LANG", "PYTHONIOENCODING")}
    # LC_ALL=C alone turns on Python's UTF-8 mode (PEP 540): PYTHONUTF8=0 keeps ASCII
    env.update(LC_ALL="C", PYTHONUTF8="0")
    out = tmp_path / "out"
    done = neurox("compare", write_model(tmp_path, body), "--targets", "loihi,neurocorex,loihi",
                  "--out", out, env=env)
    assert done.returncode == 0, done.stderr
    report, html = read(out)
    assert report["targets"]["neurocorex"]["error"] == "RuntimeError: τ is too small"
    assert "café" in report["comparisons"]["loihi (2)"]
    assert "rasters of &#x27;café&#x27;" in html and "Γ (1 ms)" in html


def test_a_failing_metric_costs_only_its_own_value(tmp_path):
    def fails_on_ten_cells(reference, other):
        if len(reference) == 10:
            raise ArithmeticError("ten cells")
        return 1.0

    registry.register(registry.Metric("fragile", fails_on_ten_cells, {},
                                      (registry.Column("fragile", "fails on ten cells"),)))
    try:
        report = compare(write_model(tmp_path), ["loihi", "loihi"], tmp_path / "out",
                         progress=lambda line: None)
    finally:
        registry.unregister("fragile")
    compared = report["comparisons"]["loihi (2)"]
    assert compared["cells"]["fragile"] == {"error": "ArithmeticError: ten cells"}
    assert compared["inputs"]["fragile"] == 1.0
    assert compared["cells"]["van_rossum"] == 0.0 and compared["inputs"]["van_rossum"] == 0.0
    _, html = read(tmp_path / "out")
    assert "ArithmeticError: ten cells" in html
