"""PyNN 0.13.0's examples run unchanged with `neurox` as the simulator and exit 0.

The examples come from the PyNN sdist (fetched by fetch.py, never committed). Five need
software that is neither PyNN nor this backend, and are not run: distrib_example
(mpi4py), nineml_brunel and nrn_artificial_cell (NEURON), nineml_neuron (lib9ML),
simpleRandomNetwork_csa (csa).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fetch import export

NEEDS_OTHER_SOFTWARE = {"distrib_example", "nineml_brunel", "nrn_artificial_cell",
                        "nineml_neuron", "simpleRandomNetwork_csa"}
# examples whose required arguments besides the simulator name are given here
ARGUMENTS = {"VAbenchmarks": [["CUBA"], ["COBA"]]}

CACHE = Path(os.environ.get("NEUROX_CACHE", Path(__file__).parents[2] / ".cache"))
EXAMPLES = export(CACHE) / "examples"


def _cases():
    for path in sorted(EXAMPLES.glob("*.py")):
        if path.stem in NEEDS_OTHER_SOFTWARE:
            continue
        for extra in ARGUMENTS.get(path.stem, [[]]):
            yield pytest.param(path, extra, id="-".join([path.stem] + extra))


@pytest.mark.parametrize("path, extra", _cases())
def test_example_runs(path, extra, tmp_path):
    (tmp_path / "Results").mkdir()  # random_distributions.py saves there without creating it
    result = subprocess.run([sys.executable, str(path), "neurox", *extra], cwd=tmp_path,
                            capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, MPLBACKEND="Agg"))
    assert result.returncode == 0, result.stderr[-3000:]
