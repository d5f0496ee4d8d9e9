"""Spike sources: statistics of the drawn processes and reproducibility by seed."""

import numpy as np
import pytest
from pyNN.parameters import Sequence


def _trains(sim, celltype, duration, seed=5, cells=200):
    sim.setup(timestep=0.1, rng_seed=seed)
    sources = sim.Population(cells, celltype)
    sources.record("spikes")
    sim.run(duration)
    trains = [np.asarray(t) for t in sources.get_data().segments[0].spiketrains]
    sim.end()
    return trains


def _isis(trains, low, high):
    return np.concatenate([np.diff(t[(t >= low) & (t < high)]) for t in trains])


def test_inhomogeneous_gamma_follows_its_bins(sim):
    # gamma(a, b): mean interval a*b, coefficient of variation 1/sqrt(a)
    celltype = sim.SpikeSourceInhGamma(a=Sequence([1.0, 4.0]), b=Sequence([0.05, 0.0125]),
                                       tbins=Sequence([0.0, 5000.0]))
    trains = _trains(sim, celltype, 10000.0)
    for (low, high), cv in (((0.0, 5000.0), 1.0), ((5000.0, 10000.0), 0.5)):
        isis = _isis(trains, low, high)
        assert isis.mean() == pytest.approx(50.0, rel=0.03)
        assert isis.std() / isis.mean() == pytest.approx(cv, abs=0.05)


def test_inhomogeneous_gamma_respects_start_and_duration(sim):
    celltype = sim.SpikeSourceInhGamma(a=Sequence([2.0]), b=Sequence([0.005]),
                                       tbins=Sequence([0.0]), start=100.0, duration=200.0)
    spikes = np.concatenate(_trains(sim, celltype, 500.0, cells=20))
    assert spikes.size > 100
    assert spikes.min() >= 100.0 and spikes.max() < 300.0


@pytest.mark.parametrize("name, parameters", [
    ("SpikeSourcePoisson", {"rate": 50.0}),
    ("SpikeSourceGamma", {"alpha": 3, "beta": 150.0}),
    ("SpikeSourceInhGamma", {"a": Sequence([2.0]), "b": Sequence([0.01]),
                             "tbins": Sequence([0.0])}),
])
def test_same_seed_same_spikes(sim, name, parameters):
    first = _trains(sim, getattr(sim, name)(**parameters), 500.0, seed=11, cells=10)
    second = _trains(sim, getattr(sim, name)(**parameters), 500.0, seed=11, cells=10)
    other = _trains(sim, getattr(sim, name)(**parameters), 500.0, seed=12, cells=10)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))
