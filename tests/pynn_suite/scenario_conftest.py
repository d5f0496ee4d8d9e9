"""Runs PyNN's simulator-independent scenarios on pyNN.neurox (copied in by fetch.py).

The suite hard-codes its simulator list; this conftest replaces the list with
"neurox" before the test modules are imported, and skips the one scenario that
needs multi-compartment neurons, which pyNN.neurox does not model.
"""

import pytest

from . import fixtures

MULTICOMPARTMENT = {"test_scenario5"}


def _neurox_only(*sim_names):
    return pytest.mark.parametrize(
        "sim", [pytest.param(fixtures.LazySimulator("neurox"), id="neurox")])


fixtures.run_with_simulators = _neurox_only


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.originalname in MULTICOMPARTMENT:
            item.add_marker(pytest.mark.skip(
                reason="multi-compartment neurons: pyNN.neurox models point neurons only"))


@pytest.fixture(autouse=True)
def fresh_simulator():
    """Each scenario starts from a clean backend, whatever the previous one left behind."""
    import pyNN.neurox as sim
    sim.setup()
    yield
    sim.end()
