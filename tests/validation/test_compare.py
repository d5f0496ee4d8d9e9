"""`neurox compare` end to end: report.json's numbers, report.html in a real browser,
and bad input."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pyNN.neurox.validation import models

MODEL = Path(models.__file__).parent / "vogels_abbott_cuba.py"
NEUROX = [sys.executable, "-m", "pyNN.neurox.validation.cli"]


def neurox(*arguments):
    return subprocess.run(NEUROX + list(arguments), capture_output=True, text=True)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    done = neurox("compare", str(MODEL), "--targets", "brian2,brian2,loihi", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "[3/3] loihi: done" in done.stdout
    return out, json.loads((out / "report.json").read_text())


def test_software_against_itself_is_identical(report):
    _, numbers = report
    assert numbers["reference"] == "brian2"
    for population in numbers["comparisons"]["brian2 (2)"].values():
        assert population["raster_mismatch"] == 0.0
        assert population["victor_purpura"] == 0.0
        assert population["van_rossum"] == 0.0
        assert population["coincidence_1ms"] == pytest.approx(1.0)


def test_loihi_against_software_within_tolerances(report):
    _, numbers = report
    loihi = numbers["comparisons"]["loihi"]
    for population in ("excitatory", "inhibitory"):
        metrics = loihi[population]
        # the network is chaotic: spike by spike the runs part within a few hundred ms,
        # so only population statistics are expected to agree
        assert metrics["rates"]["relative_error"] < 0.05
        assert abs(metrics["isi"]["delta_cv"]) < 0.1
        assert metrics["raster_mismatch"] < 0.02
    target = numbers["targets"]["loihi"]
    assert target["mapping"]["cores"] and target["energy"]["microjoules"] > 0
    assert max(p["relative_error"] for p in target["mapping"]["projections"]) < 0.01


def test_report_opens_in_chromium_with_every_plot(report):
    out, _ = report
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "Chromium is part of the test set-up (make test installs it)"
    page = (out / "report.html").as_uri()
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu"]
    dom = subprocess.run(common + ["--virtual-time-budget=5000", "--dump-dom", page],
                         capture_output=True, text=True, timeout=120).stdout
    plots = int(re.search(r'data-plots="(\d+)"', dom).group(1))
    drawn = int(re.search(r'data-drawn="(\d+)"', dom).group(1))
    # rasters of both populations, rates and ISIs, Loihi's weight quantization
    assert plots == drawn == 4
    shot = out / "report.png"
    subprocess.run(common + [f"--screenshot={shot}", "--window-size=1400,3000", page],
                   capture_output=True, timeout=120)
    assert shot.stat().st_size > 50_000


def test_a_target_that_refuses_leaves_the_others(tmp_path):
    script = tmp_path / "model.py"
    script.write_text(
        "import pyNN.neurox as sim\n"
        "sim.setup(timestep=1.0)\n"
        "cells = sim.Population(3, sim.IF_cond_exp(), label='cells')\n"
        "cells.record('spikes')\n"
        "sim.run(10.0)\n"
        "sim.end()\n")
    done = neurox("compare", str(script), "--targets", "brian2,loihi", "--out",
                  str(tmp_path / "out"))
    assert done.returncode == 0
    numbers = json.loads((tmp_path / "out" / "report.json").read_text())
    assert "IF_cond_exp does not map" in numbers["targets"]["loihi"]["error"]
    assert "error" not in numbers["targets"]["brian2"]


def test_bad_input_gets_a_clear_message(tmp_path):
    raising = tmp_path / "raising.py"
    raising.write_text("raise RuntimeError('the model is broken')\n")
    done = neurox("compare", str(raising), "--targets", "brian2", "--out", str(tmp_path))
    assert done.returncode != 0
    assert "RuntimeError: the model is broken" in done.stdout
    assert "no target ran the model" in done.stderr
    done = neurox("compare", str(raising), "--targets", "brian2,truenorth9", "--out",
                  str(tmp_path))
    assert "unknown target(s) truenorth9; the targets are: brian2" in done.stderr
    done = neurox("compare", str(raising), "--out", "/proc/no-such/dir")
    assert "cannot write the report to /proc/no-such/dir" in done.stderr
