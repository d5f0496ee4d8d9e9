"""Compare: one unchanged PyNN script on several targets, and what each chip changes.

Each target runs the script in its own process (NEUROX_TARGET set, the same seed as the
script sets), so a target that refuses the model, crashes or hangs costs only its own
entry: the report holds its error and the others' results. The first target that ran is
the reference of the metrics (put brian2 first). A run counts for a target only if it
ran there, and Ctrl-C keeps a report, marked partial, of the targets that finished.
"""

import contextlib
import json
import math
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

from pyNN.neurox.hardware.chip import load_chip
from pyNN.neurox.targets import board_targets, target_names

from . import metrics
from .capture import paired_trains, recorded
from .registry import METRICS, Span
from .report import write_html

# what a comparison writes in its directory, and all it ever removes there
REPORT_FILES = ("report.json", "report.html")


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


def _check(script, targets, timeout):
    """Refuse, before anything runs, what would give a report without meaning."""
    if not targets:
        raise ValueError("no target to run: name one or more of " + ", ".join(target_names()))
    unknown = [t for t in targets if t not in target_names()]
    if unknown:
        raise ValueError(f"unknown target(s) {', '.join(unknown)}; the targets are: "
                         + ", ".join(target_names()))
    if not (timeout > 0 and math.isfinite(timeout)):  # NaN fails both
        raise ValueError(f"the timeout must be a positive number of seconds, not {timeout:g}")
    if not Path(script).is_file():
        raise ValueError(f"no script {script}")


def _writable(out):
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as error:
        raise ValueError(f"cannot write the report to {out}: {error.strerror or error}") \
            from None


def _claim(out, script):
    """Make `out` this script's: refuse it while it holds another script's report (one
    model's figures beside another's numbers would be read as one report), and remove
    this script's older report, so that no old page outlives a failed or partial run.
    Other files there are left alone."""
    found = [out / name for name in REPORT_FILES if (out / name).exists()]
    if not found:
        return
    try:
        owner = json.loads((out / "report.json").read_text(encoding="utf-8"))["script"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ValueError(f"{out} holds a report not known to be {script}'s: choose another "
                         "directory, or remove its report.json and report.html") from None
    if Path(owner).resolve() != script.resolve():
        raise ValueError(f"{out} holds the report of {owner}: choose another directory, or "
                         "remove its report.json and report.html")
    for path in found:
        path.unlink()


@contextlib.contextmanager
def _held_interrupt():
    """Hold back a Ctrl-C that comes within the block and raise it at the block's end, for
    steps that it would leave half done. Only the main thread receives Ctrl-C (and may set
    its handler): elsewhere there is nothing to hold."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = []
    previous = signal.signal(signal.SIGINT, lambda *_: held.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if held:
        raise KeyboardInterrupt


def _end_group(process):
    """Kill the process group that `process` leads, with all a target started there (what
    it left running, or everything when it overran or was interrupted), and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _failure(status, lines):
    """What ended a target's process that did not exit with status 0."""
    if status < 0:
        try:
            return f"killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"killed by signal {-status}"
    return lines[-1] if lines else f"exited with status {status}"


def run_target(script, target, arguments, data_file, timeout):
    """One target's run of `script` in a fresh process: the captured data (passed through
    `data_file`), or an error. The process leads a new session: a timeout or Ctrl-C ends
    its whole group, and the terminal's Ctrl-C reaches the comparison only, which ends
    the target and writes a partial report. It reads no stdin: a script that asks would
    otherwise wait, unseen, until the timeout."""
    command = [sys.executable, "-m", "pyNN.neurox.validation.capture", str(data_file),
               str(script), *arguments]
    # UTF-8 whatever the locale, so that an error reads in the report as it was written
    env = dict(os.environ, NEUROX_TARGET=target, PYTHONIOENCODING="utf-8")
    with tempfile.TemporaryFile() as log:
        process = None
        try:
            with _held_interrupt():  # a Ctrl-C amid the start would leave the target unowned
                process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL,
                                           stdout=subprocess.DEVNULL, stderr=log,
                                           start_new_session=True)
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"target": target, "error": f"did not finish within {timeout:g} s"}
        finally:
            if process is not None:
                _end_group(process)
        log.seek(0)
        lines = [line for line in log.read().decode("utf-8", "replace").splitlines()
                 if line.strip()]
    if status != 0:
        return {"target": target, "error": _failure(status, lines),
                "log": "\n".join(lines[-30:])}
    if not data_file.exists():
        return {"target": target, "error": "exited (status 0) before its recorded data were "
                "written", "log": "\n".join(lines[-30:])}
    with open(data_file, "rb") as f:
        data = pickle.load(f)
    if data["target"] != target:
        return {"target": target, "error": f"ran on {data['target']}, not on {target}: the "
                "script chooses its target (setup(target=...)); leave it to NEUROX_TARGET so "
                "that each run is the target it is filed under"}
    return data


def compare(script, targets, out, arguments=(), timeout=3600, progress=print):
    """Run `script` on each of `targets`, write out/report.json and out/report.html, and
    return the report (a dict with every number). On Ctrl-C, the report of the targets
    that finished is written, marked partial, and the KeyboardInterrupt raised again."""
    _check(script, targets, timeout)
    out = Path(out)
    _writable(out)
    _claim(out, Path(script))
    names = _named(targets)
    runs, current, partial = {}, None, None
    with tempfile.TemporaryDirectory() as workdir:
        try:
            for number, (current, target) in enumerate(names.items(), 1):
                progress(f"[{number}/{len(names)}] {current}: running {script}")
                run = run_target(script, target, list(arguments),
                                 Path(workdir) / f"run{number}.pkl", timeout)
                runs[current] = run
                progress(f"[{number}/{len(names)}] {current}: " + (
                    f"refused or failed: {run['error']}" if "error" in run
                    else f"done in {run['wall_seconds']:.1f} s"))
        except KeyboardInterrupt:
            partial = {"interrupted": current, "not_run": [n for n in names if n not in runs]}
    with _held_interrupt():  # the report is written whole; a Ctrl-C now is raised after
        report = _report(script, arguments, runs)
        if partial:
            report["partial"] = partial
        (out / "report.json").write_text(json.dumps(_finite(report), indent=1,
                                                    default=_plain), encoding="utf-8")
        write_html(report, runs, out / "report.html")
        progress(("interrupted: partial report " if partial else "report: ")
                 + str(out / "report.html"))
    if partial:
        raise KeyboardInterrupt
    return report


def _report(script, arguments, runs):
    """The report's numbers: each target's entry, and each run against the reference."""
    ran = [name for name, run in runs.items() if "error" not in run]
    reference = ran[0] if ran else None
    report = {"script": str(Path(script).resolve()), "arguments": list(arguments),
              "reference": reference, "targets": {}, "comparisons": {}}
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
