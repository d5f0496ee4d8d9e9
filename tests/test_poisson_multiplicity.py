"""Poisson sources give Poisson counts per step, delivered with their multiplicity, as
NEST's poisson_generator (with pyNN.nest's parrot neurons) does: at any rate * dt, and
in a published model, Brunel (2000)'s network, whose external drive is ~2 spikes per step.
"""

import math

import numpy as np
import pytest

DT = 0.1
STEPS = 1000
CELLS = 100
WEIGHT = 1.0  # mV per spike
# a cell that only adds up its inputs: no leak, no threshold within reach
COUNTER = dict(tau_m=1e9, v_rest=0.0, v_reset=0.0, v_thresh=1e9, tau_refrac=0.0)


def _counts(sim, target, spikes_per_step):
    """Spikes per cell and step recorded at the sources: their mean and the share of steps
    without one; and their mean delivered to the cells (the v each cell added up, in
    weights)."""
    options = {} if target == "brian2" else {"allow": ["approximate"]}  # Loihi: no leak
    sim.setup(timestep=DT, target=target, rng_seed=7, **options)
    rate = spikes_per_step / DT * 1000.0
    sources = sim.Population(CELLS, sim.SpikeSourcePoisson(rate=rate), label="sources")
    # Loihi: a threshold low enough for the weight to be at least its 64 units of v
    counter = dict(COUNTER, v_thresh=1e9 if target == "brian2" else 1e4)
    cells = sim.Population(CELLS, sim.IF_curr_delta(**counter), label="counters")
    cells.initialize(v=0.0)
    feed = sim.Projection(sources, cells, sim.OneToOneConnector(),
                          sim.StaticSynapse(weight=WEIGHT, delay=DT), label="feed")
    sources.record("spikes")
    cells.record("v")
    sim.run(STEPS * DT)
    trains = sources.get_data().segments[0].spiketrains
    steps = np.concatenate([np.rint(np.asarray(t) / DT).astype(int) + STEPS * i
                            for i, t in enumerate(trains)])
    per_step = np.bincount(steps, minlength=CELLS * STEPS)
    # the weight the target holds (a chip's is rounded); the last step's spikes act later
    weight = np.asarray(feed.get("weight", format="list", with_address=False))
    v = np.asarray(cells.get_data().segments[0].filter(name="v")[0])
    delivered = (v[-1] / weight).sum()
    return per_step.mean(), np.mean(per_step == 0), delivered / (CELLS * (STEPS - 1))


@pytest.mark.parametrize("target", ["brian2", "loihi"])
@pytest.mark.parametrize("spikes_per_step", [5.0, 1.0, 0.1])
def test_counts_per_step_are_poisson_and_delivered(sim, target, spikes_per_step):
    recorded, silent, delivered = _counts(sim, target, spikes_per_step)
    standard_error = math.sqrt(spikes_per_step / (CELLS * STEPS))
    assert abs(recorded - spikes_per_step) < 3 * standard_error
    assert abs(delivered - spikes_per_step) < 3 * standard_error
    # Poisson, not at most one spike: P(0) = exp(-rate dt) (a Bernoulli draw at 0.1/dt
    # gives 0.9 against 0.905, 5 standard errors away)
    p_silent = math.exp(-spikes_per_step)
    assert abs(silent - p_silent) < 3 * math.sqrt(p_silent * (1 - p_silent) / (CELLS * STEPS))


# --- Brunel (2000), case C (asynchronous irregular), scaled down ----------------------

ORDER = 250  # 1000 excitatory and 250 inhibitory cells
SIMTIME = 1000.0
J, G, ETA, EPSILON, DELAY = 0.1, 5.0, 2.0, 0.1, 1.5
CELL = dict(tau_m=20.0, tau_syn_E=0.1, tau_syn_I=0.1, tau_refrac=2.0, v_rest=0.0,
            v_reset=0.0, v_thresh=20.0, cm=0.001)


def brunel(sim):
    """PyNN's examples/brunel.py (OpenSourceBrain's brunel08.py) at 1/50 of its size and J
    kept at 0.1 mV, so the external drive stays 20 kHz per cell: 2 spikes per step.
    Returns the excitatory and inhibitory mean rates (Hz)."""
    sim.setup(timestep=DT, max_delay=DELAY)
    n_exc, n_inh = 4 * ORDER, ORDER
    c_exc = int(EPSILON * n_exc)
    weight_exc = J / CELL["tau_syn_E"] * 0.00041363506632638  # dV = J at V = 0
    rate = 1000.0 * ETA * CELL["v_thresh"] / (J * c_exc * CELL["tau_m"]) * c_exc
    rng = sim.NumpyRNG(43210987, parallel_safe=True)
    populations = {}
    for name, size in (("E", n_exc), ("I", n_inh)):
        cells = sim.Population(size, sim.IF_curr_alpha(**CELL), label=name)
        cells.initialize(v=sim.RandomDistribution("uniform", low=0.0, high=20.0, rng=rng))
        cells.record("spikes")
        drive = sim.Population(size, sim.SpikeSourcePoisson(rate=rate), label=f"drive {name}")
        sim.Projection(drive, cells, sim.OneToOneConnector(),
                       sim.StaticSynapse(weight=weight_exc, delay=DT),
                       receptor_type="excitatory")
        populations[name] = cells
    connector = sim.FixedProbabilityConnector(EPSILON, rng=rng)
    for pre, receptor, weight in (("E", "excitatory", weight_exc),
                                  ("I", "inhibitory", -G * weight_exc)):
        for post in ("E", "I"):
            sim.Projection(populations[pre], populations[post], connector,
                           sim.StaticSynapse(weight=weight, delay=DELAY),
                           receptor_type=receptor)
    sim.run(SIMTIME)
    rates = [populations[name].mean_spike_count() * 1000.0 / SIMTIME for name in "EI"]
    sim.end()
    return rates


def test_brunel_rates_match_nest(sim):
    import pyNN.nest
    reference = brunel(pyNN.nest)
    rates = brunel(sim)
    assert rates == pytest.approx(reference, rel=0.1), (rates, reference)
