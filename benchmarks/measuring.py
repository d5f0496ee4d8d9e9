"""What the benchmark scripts share: each measurement in a fresh process (so imports and
Brian2's state never carry over), and neurox's total against an anchor's."""

import json
import subprocess
import sys


def run_in_process(script, *arguments):
    """Run `script --child ARGUMENTS` and return the JSON object it prints last."""
    command = [sys.executable, script, "--child", *map(str, arguments)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def total(result):
    return result["build"] + result["run"] + result["retrieval"]


def compared(total_seconds, ours):
    """How neurox (`ours` seconds) compares with a runner that took `total_seconds`."""
    if total_seconds >= ours:
        return f"{total_seconds / ours:6.2f}x faster"
    return f"{ours / total_seconds:6.2f}x slower"
