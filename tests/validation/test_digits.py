"""The NeuroCoreX paper's digits task through `neurox compare`: STDP-trained weights
reach 60 % test accuracy on the software target and on the NeuroCoreX model, and the
report gives both with their prediction agreement."""

import json
import subprocess
import sys
from pathlib import Path

from pyNN.neurox.validation import models


def test_digits_on_software_and_neurocorex(tmp_path):
    script = Path(models.__file__).parent / "digits.py"
    done = subprocess.run([sys.executable, "-m", "pyNN.neurox.validation.cli", "compare",
                           str(script), "--targets", "brian2,neurocorex", "--out",
                           str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["targets"]["brian2"]["accuracy"] >= 0.60
    assert report["targets"]["neurocorex"]["accuracy"] >= 0.60
    task = report["comparisons"]["neurocorex"]["task"]
    assert 0.5 < task["prediction_agreement"] <= 1.0
    # the board plays 200-odd input events of an image one per tick
    assert report["targets"]["neurocorex"]["mapping"]["counters"]["events_serialised"] > 10000
    assert "test accuracy" in (tmp_path / "report.html").read_text()
