"""DYNAP-SE2's analog mismatch: drawn per parameter and per neuron from the network's
seed (or setup(mismatch_seed=...)), with rockpool's spread, and off with mismatch=0."""

import numpy as np

from pyNN.neurox.hardware.chips.dynapse2.spread import mismatch_rate_spread
from pyNN.neurox.validation.networks import feedforward

CELL = dict(v_thresh=-50.0, v_reset=-65.0, v_rest=-65.0, tau_m=20.0, tau_refrac=2.0)


def _drawn(sim, n=2000, **setup):
    sim.setup(timestep=1.0, target="dynapse2", **setup)
    sim.Population(n, sim.IF_curr_delta(**CELL), label="cells")
    sim.run(1.0)
    emulator = sim.simulator.state.target._runner.emulator
    parameters = emulator.parameters
    sim.end()
    return parameters


def test_every_parameter_deviates_with_rockpools_spread(sim):
    drawn = _drawn(sim)
    nominal = _drawn(sim, mismatch=0)
    for name in ("Itau_mem", "Ispkthr", "Igain_ampa", "Itau_gaba", "io", "kappa_n", "ut",
                 "c_mem", "vth", "Iref"):
        relative = drawn[name] / nominal[name] - 1
        assert abs(relative.std() - 0.30 / 3) < 0.01, name  # sigma = deviation / sigma_rule
        assert abs(relative.mean()) < 0.01, name
    # the weight currents are not deviated (as DynapSim's weights are not)
    np.testing.assert_array_equal(drawn["Iw_ampa"], nominal["Iw_ampa"])
    assert np.ptp(nominal["Itau_mem"]) == 0


def test_the_seed_draws_the_chip(sim):
    a, b = _drawn(sim, n=10, rng_seed=3), _drawn(sim, n=10, rng_seed=3)
    c = _drawn(sim, n=10, rng_seed=3, mismatch_seed=4)
    np.testing.assert_array_equal(a["Itau_mem"], b["Itau_mem"])
    assert not np.array_equal(a["Itau_mem"], c["Itau_mem"])
    smaller = _drawn(sim, n=2000, mismatch=0.03)
    nominal = _drawn(sim, n=2000, mismatch=0)
    assert abs((smaller["Itau_mem"] / nominal["Itau_mem"] - 1).std() - 0.01) < 0.002


def test_the_rate_spread_over_five_mismatch_seeds(sim):
    """The measurement the docs quote (docs/chips/dynapse2.md): the feed-forward reference
    network, 1 s, mismatch seeds 1-5."""
    spread = mismatch_rate_spread(lambda sim, **setup: feedforward(sim, **setup)[0])
    assert spread.seeds == [1, 2, 3, 4, 5] and len(spread.rates) == 5
    assert spread.reference > 0 and all(r > 0 for r in spread.rates)
    assert len(set(spread.rates)) == 5  # each seed, another chip
    assert 0 < spread.spread < 1 and spread.cell_spread > 0
    off = mismatch_rate_spread(lambda sim, **setup: feedforward(sim, **setup)[0],
                               seeds=(1, 2), mismatch=0)
    assert off.spread == 0 and off.largest_change == 0
    assert "spread" in str(spread) and spread.as_dict()["seeds"] == [1, 2, 3, 4, 5]
