"""`neurox compare` under faults (issue 14): every run ends with a report or a clear refusal,
a failing target or metric costs only its own entry, a run filed under a target ran there,
Ctrl-C keeps a partial report, and no process a target started outlives it."""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid

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


def marked_processes(mark):
    """Ids of the live processes whose environment holds NEUROX_TEST_MARK=mark."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().split(b"\0")
            with open(f"/proc/{entry}/stat", "rb") as f:
                zombie = f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
        except OSError:
            continue
        if f"NEUROX_TEST_MARK={mark}".encode() in environ and not zombie:
            found.append(int(entry))
    return found


@pytest.fixture
def mark():
    """A mark in the environment of the command and every process it starts; whatever is
    still marked at the end is reported and killed."""
    mark = uuid.uuid4().hex
    yield mark
    left = marked_processes(mark)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes outlived the comparison: {left}"


def marked_env(mark, **extra):
    return dict(os.environ, NEUROX_TEST_MARK=mark, **extra)


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


@pytest.mark.parametrize("option, value, message", [
    ("--timeout", "0", "the timeout must be a positive number of seconds, not 0"),
    ("--timeout", "-5", "the timeout must be a positive number of seconds, not -5"),
    ("--timeout", "nan", "the timeout must be a positive number of seconds, not nan"),
    ("--timeout", "inf", "the timeout must be a positive number of seconds, not inf"),
    ("--targets", "", "no target to run"),
    ("--targets", ",", "no target to run"),
])
def test_bad_options_are_refused_before_anything_runs(option, value, message, tmp_path):
    out = tmp_path / "out"
    done = neurox("compare", write_model(tmp_path), option, value, "--out", out)
    assert done.returncode != 0
    assert f"neurox compare: {message}" in done.stderr
    assert "running" not in done.stdout and not (out / "report.json").exists()


def test_a_run_on_another_target_than_its_entry_is_refused(tmp_path):
    # the script picks loihi itself: its "brian2" run would be a second loihi run
    done = neurox("compare", write_model(tmp_path, setup=", target='loihi'"),
                  "--targets", "loihi,brian2,loihi", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    report, _ = read(tmp_path / "out")
    assert report["targets"]["brian2"]["error"] == (
        "ran on loihi, not on brian2: the script chooses its target (setup(target=...)); "
        "leave it to NEUROX_TARGET so that each run is the target it is filed under")
    assert set(report["comparisons"]) == {"loihi (2)"}
    assert "brian2: refused or failed: ran on loihi, not on brian2" in done.stdout


# (the fault on neurocorex, the --timeout, the error kept in its entry)
FAULTS = {
    "an exception": ("raise RuntimeError('neurocorex broke')", 600,
                     "RuntimeError: neurocorex broke"),
    "an exit status": ("sys.exit(3)", 600, "exited with status 3"),
    "a signal": ("os.kill(os.getpid(), 9)", 600, "killed by SIGKILL"),
    "an exit without the data": ("os._exit(0)", 600,
                                 "exited (status 0) before its recorded data were written"),
    # what the hanging target started ends with it (`mark` checks)
    "a hang": ("subprocess.Popen(['sleep', '300']); time.sleep(300)", 8,
               "did not finish within 8 s"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failed_target_names_what_failed_and_the_others_run(fault, tmp_path, mark):
    line, timeout, error = FAULTS[fault]
    body = f"if TARGET == 'neurocorex':\n    {line}\n"
    done = neurox("compare", write_model(tmp_path, body), "--targets", "loihi,neurocorex,loihi",
                  "--timeout", timeout, "--out", tmp_path / "out", env=marked_env(mark))
    assert done.returncode == 0, done.stderr
    report, html = read(tmp_path / "out")
    assert report["targets"]["neurocorex"]["error"] == error
    assert f"[2/3] neurocorex: refused or failed: {error}" in done.stdout
    assert set(report["comparisons"]) == {"loihi (2)"}
    assert set(report["comparisons"]["loihi (2)"]) == {"inputs", "cells"}
    assert error in html


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


def test_a_script_that_reads_stdin_reads_nothing(tmp_path):
    body = "assert sys.stdin.read() == ''\n"
    # the command's own stdin stays open: a target that inherits it waits until its timeout
    with subprocess.Popen(NEUROX + ["compare", str(write_model(tmp_path, body)), "--targets",
                                    "loihi", "--timeout", "20", "--out", str(tmp_path / "out")],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as command:
        assert command.wait(timeout=60) == 0, command.stdout.read()
    assert "error" not in read(tmp_path / "out")[0]["targets"]["loihi"]


def lines_of(stream):
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    return lines


def test_ctrl_c_keeps_a_partial_report_and_exits_130(tmp_path, mark):
    body = ("if TARGET == 'neurocorex':\n"
            "    subprocess.Popen(['sleep', '300'])\n"
            "    time.sleep(300)\n")
    out = tmp_path / "out"
    # a terminal sends Ctrl-C to its foreground process group: the command's
    command = subprocess.Popen(
        NEUROX + ["compare", str(write_model(tmp_path, body)), "--targets",
                  "loihi,neurocorex,loihi", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env=marked_env(mark, PYTHONUNBUFFERED="1"))
    lines, deadline = lines_of(command.stdout), time.monotonic() + 120
    while "[2/3] neurocorex: running" not in lines.get(timeout=deadline - time.monotonic()):
        pass
    time.sleep(2.0)
    os.killpg(command.pid, signal.SIGINT)
    assert command.wait(timeout=60) == 130
    stderr = command.stderr.read()
    assert "Traceback" not in stderr and "interrupted" in stderr
    report, html = read(out)
    assert report["partial"] == {"interrupted": "neurocorex",
                                 "not_run": ["neurocorex", "loihi (2)"]}
    assert list(report["targets"]) == ["loihi"] and "error" not in report["targets"]["loihi"]
    first_screen = html[:html.index("<h2>")]
    assert "<b>Partial report</b>: interrupted while neurocorex ran" in first_screen


OTHER = {"script": "/elsewhere/other_model.py", "targets": {}}


@pytest.mark.parametrize("files, message", [
    ({"report.json": json.dumps(OTHER), "report.html": "other"},
     "holds the report of /elsewhere/other_model.py"),
    ({"report.html": "unknown"}, "holds a report not known to be"),
    ({"report.json": "{not json", "report.html": "unknown"}, "holds a report not known to be"),
])
def test_another_scripts_report_is_never_overwritten(files, message, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name, text in files.items():
        (out / name).write_text(text)
    done = neurox("compare", write_model(tmp_path), "--targets", "loihi", "--out", out)
    assert done.returncode != 0 and message in done.stderr
    assert "running" not in done.stdout
    assert {p.name: p.read_text() for p in out.iterdir()} == files


def test_the_same_scripts_report_is_replaced_and_other_files_kept(tmp_path):
    script, out = write_model(tmp_path), tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text(json.dumps({"script": str(script), "targets": {}}))
    (out / "report.html").write_text("the old page")
    (out / "notes.txt").write_text("mine")
    done = neurox("compare", script, "--targets", "loihi", "--out", out)
    assert done.returncode == 0, done.stderr
    report, html = read(out)
    assert "loihi" in report["targets"] and "the old page" not in html
    assert (out / "notes.txt").read_text() == "mine"
