"""The wheel contributes pyNN.neurox to PyNN's package and no generic top-level names."""

import importlib.util


def test_backend_importable_as_pynn_neurox():
    import pyNN.neurox as sim
    assert sim.Population.__module__ == "pyNN.neurox.populations"


def test_subpackages_live_under_pynn_neurox():
    assert importlib.util.find_spec("pyNN.neurox.validation") is not None
    assert importlib.util.find_spec("pyNN.neurox.hardware_models") is not None


def test_no_generic_top_level_names():
    for name in ("validation", "hardware_models", "pynn_neurox"):
        spec = importlib.util.find_spec(name)
        assert spec is None or "site-packages" not in (spec.origin or ""), name
