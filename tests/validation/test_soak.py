"""Soak: `neurox compare` twenty times in a row on a bundled reference network, with a
target killed, the command interrupted or every target timed out in some runs; each run
must end with a report (complete, or marked partial) and leave no process behind."""

import json
import os
import random
import signal
import subprocess
import threading
import time
import uuid

import pytest
from test_compare_faults import NEUROX, marked_processes

RUNS = 20
TARGETS = ("loihi", "neurocorex")  # the chips: a run of the feed-forward network takes ~3 s


def a_target(mark, command):
    """The id of a live target process of this command (it leads its own group), once one
    runs; None if the command ends first."""
    while command.poll() is None:
        for pid in marked_processes(mark):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    capture = b"pyNN.neurox.validation.capture" in f.read()
                if capture and os.getpgid(pid) == pid:
                    return pid
            except OSError:
                continue
        time.sleep(0.02)
    return None


def inject(fault, mark, command, delay, done):
    """After `delay` s, the fault on the next target that runs: SIGKILL to its process
    group, or Ctrl-C to the command's (as a terminal sends it); `done` says which."""
    time.sleep(delay)
    pid = a_target(mark, command)
    if pid is None:
        return
    try:
        if fault == "kill a target":
            os.killpg(pid, signal.SIGKILL)
        else:
            os.killpg(command.pid, signal.SIGINT)
    except ProcessLookupError:
        return
    done.append(fault)


@pytest.mark.slow
def test_every_run_ends_with_a_report_and_leaves_no_process(tmp_path):
    draw = random.Random(14)
    seen = []
    for run in range(RUNS):
        fault = draw.choice(["none", "kill a target", "ctrl-c", "timeout"])
        mark, out, done = uuid.uuid4().hex, tmp_path / f"run{run}", []
        timeout = "0.2" if fault == "timeout" else "120"
        command = subprocess.Popen(
            NEUROX + ["compare", "feedforward", "--targets", ",".join(TARGETS), "--out",
                      str(out), "--timeout", timeout],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
            env=dict(os.environ, NEUROX_TEST_MARK=mark))
        injector = threading.Thread(target=inject, args=(fault, mark, command,
                                                         draw.uniform(0.0, 2.5), done))
        injected = fault in ("kill a target", "ctrl-c")
        if injected:
            injector.start()
        stderr = command.communicate(timeout=180)[1]
        if injected:
            injector.join()
        where = f"run {run} ({fault}, done: {done}): status {command.returncode}\n{stderr}"
        assert "Traceback" not in stderr, where
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        html = (out / "report.html").read_text(encoding="utf-8")
        entries = set(report["targets"])
        if "partial" in report:
            assert done == ["ctrl-c"] and command.returncode == 130, where
            assert entries | set(report["partial"]["not_run"]) == set(TARGETS), where
            assert "<b>Partial report</b>" in html[:html.index("<h2>")], where
        else:
            # a Ctrl-C that came as the last target ended: a complete report, then 130
            assert entries == set(TARGETS), where
            assert command.returncode == (130 if done == ["ctrl-c"] else
                                          1 if fault == "timeout" else 0), where
        if fault == "timeout":
            assert all("did not finish" in e["error"] for e in report["targets"].values())
        if done == ["kill a target"]:
            assert sum(e.get("error") == "killed by SIGKILL"
                       for e in report["targets"].values()) == 1, where
        assert not marked_processes(mark), where
        seen.append(done[0] if done else "missed" if injected else fault)
    # the draw covers every case: a change of seed or of RUNS should keep it so
    assert {"none", "kill a target", "ctrl-c", "timeout"} <= set(seen), seen
