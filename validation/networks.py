"""Reference networks, written once and run unchanged on every target."""

import numpy as np
from pyNN.random import NumpyRNG, RandomDistribution


def vogels_abbott(sim, kind="CUBA", n=4000, duration=1000.0, seed=20260101,
                  timestep=0.1, delay=0.2, connections=None, **setup_options):
    """The Vogels & Abbott (2005) benchmark network (CUBA or COBA) in PyNN.

    80 % excitatory and 20 % inhibitory cells, 2 % random connectivity, and a
    50 ms kick of excitation to start the self-sustained activity. Returns
    (excitatory, inhibitory, projections); `delay` (ms) is at least one time step,
    for chips whose tick is longer than 0.2 ms; `connections` (name -> list of
    (pre, post) index pairs) rebuilds exactly the same connectivity, so two
    simulators can be compared on identical networks.
    """
    setup_options.setdefault("rng_seed", seed)
    sim.setup(timestep=timestep, min_delay=timestep, **setup_options)
    rng = NumpyRNG(seed=seed)
    n_exc = int(n * 0.8)
    n_inh = n - n_exc
    cell = dict(tau_m=20.0, cm=0.2, v_reset=-60.0, v_thresh=-50.0, tau_refrac=5.0,
                i_offset=0.0)
    # the weights of the original: conductances (nS) times the distance from a mean
    # potential of -60 mV to the reversal potential, for the current-based version
    if kind == "CUBA":
        celltype = sim.IF_curr_exp(tau_syn_E=5.0, tau_syn_I=10.0, v_rest=-49.0, **cell)
        w_exc = 1e-3 * 0.27 * (0.0 + 60.0) * 4000 / n  # nA, scaled to keep the input
        w_inh = 1e-3 * 4.5 * (-80.0 + 60.0) * 4000 / n
    elif kind == "COBA":
        celltype = sim.IF_cond_exp(tau_syn_E=5.0, tau_syn_I=10.0, e_rev_E=0.0, e_rev_I=-80.0,
                                   v_rest=-60.0, **cell)
        w_exc, w_inh = 0.004 * 4000 / n, 0.051 * 4000 / n  # uS
    else:
        raise ValueError(f"kind must be 'CUBA' or 'COBA', not {kind!r}")
    exc = sim.Population(n_exc, celltype, label="excitatory")
    inh = sim.Population(n_inh, celltype, label="inhibitory")
    cells = exc + inh
    cells.initialize(v=RandomDistribution("uniform", (-60.0, -50.0), rng=rng))
    # the kick's Poisson trains are drawn here, so every simulator gets the same input
    draw = np.random.default_rng(seed)
    kick_times = [np.round(np.sort(draw.uniform(1.0, 50.0, draw.poisson(2.5))), 1)
                  for _ in range(n_exc // 20)]
    kick = sim.Population(n_exc // 20, sim.SpikeSourceArray(spike_times=kick_times),
                          label="kick")
    projections = {}
    for name, pre, weight, receptor in (("exc", exc, w_exc, "excitatory"),
                                        ("inh", inh, w_inh, "inhibitory")):
        if connections is None:
            connector = sim.FixedProbabilityConnector(0.02, rng=rng)
        else:
            connector = sim.FromListConnector(connections[name])
        synapse = sim.StaticSynapse(weight=weight, delay=max(delay, timestep))
        projections[name] = sim.Projection(pre, cells, connector, synapse,
                                           receptor_type=receptor, label=name)
    kick_connector = (sim.FixedProbabilityConnector(0.02, rng=rng) if connections is None
                      else sim.FromListConnector(connections["kick"]))
    kick_synapse = sim.StaticSynapse(weight=w_exc * 2, delay=max(delay, timestep))
    projections["kick"] = sim.Projection(kick, exc, kick_connector, kick_synapse,
                                         receptor_type="excitatory", label="kick")
    exc.record("spikes")
    inh.record("spikes")
    return exc, inh, projections


def connection_lists(projections):
    """name -> (pre, post) index pairs of each projection, for `connections=` above."""
    return {name: [(int(i), int(j)) for i, j in
                   np.array(p.get([], format="list", with_address=True), dtype=int)[:, :2]]
            for name, p in projections.items()}


def mean_rate(population, duration):
    """Mean firing rate (Hz) over the cells of a population, from PyNN's spike counts
    (building neo SpikeTrains to count them would cost more than the run for large
    networks)."""
    return population.mean_spike_count() / (duration / 1000.0)


def synfire_chain(sim, groups=8, group_size=10, duration=200.0, seed=20260101,
                  timestep=1.0, **setup_options):
    """A ring of `groups` groups of IF_curr_delta cells, each group all-to-all onto the
    next (delay 1 ms): a volley from an input group starts a wave that circles the ring.
    Small enough for NeuroCoreX (80 cells by default). Returns (cells, input)."""
    setup_options.setdefault("rng_seed", seed)
    sim.setup(timestep=timestep, min_delay=timestep, **setup_options)
    celltype = sim.IF_curr_delta(tau_m=20.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0,
                                 tau_refrac=2.0, cm=1.0, i_offset=0.0)
    cells = sim.Population(groups * group_size, celltype, label="chain")
    draw = np.random.default_rng(seed)
    volley = [[float(t)] for t in 5.0 + np.round(draw.uniform(0, 2, group_size))]
    source = sim.Population(group_size, sim.SpikeSourceArray(spike_times=volley),
                            label="volley")
    weight = 2.5  # mV: 6 of the 10 inputs of a group fire a cell
    sim.Projection(source, cells[:group_size], sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=weight, delay=timestep), label="start")
    for g in range(groups):
        pre = cells[g * group_size:(g + 1) * group_size]
        nxt = (g + 1) % groups
        post = cells[nxt * group_size:(nxt + 1) * group_size]
        sim.Projection(pre, post, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=weight, delay=timestep), label=f"link{g}")
    cells.record("spikes")
    return cells, source


def balanced_network(sim, n_exc=64, n_inh=16, rate=12.0, duration=500.0, seed=20260101,
                     timestep=1.0, **setup_options):
    """A small Brunel-style network with delta synapses: excitatory and inhibitory
    IF_curr_delta cells, 10 % connectivity, inhibition four times excitation (g = 4),
    each cell driven by its own Poisson input. 80 cells by default, for NeuroCoreX.
    Returns (excitatory, inhibitory)."""
    setup_options.setdefault("rng_seed", seed)
    sim.setup(timestep=timestep, min_delay=timestep, **setup_options)
    rng = NumpyRNG(seed=seed)
    celltype = sim.IF_curr_delta(tau_m=20.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0,
                                 tau_refrac=2.0, cm=1.0, i_offset=0.0)
    exc = sim.Population(n_exc, celltype, label="excitatory")
    inh = sim.Population(n_inh, celltype, label="inhibitory")
    cells = exc + inh
    cells.initialize(v=RandomDistribution("uniform", (-65.0, -50.0), rng=rng))
    drive = sim.Population(n_exc + n_inh, sim.SpikeSourcePoisson(rate=rate), label="drive")
    sim.Projection(drive, cells, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=8.0, delay=timestep), label="drive")
    j = 1.5  # mV
    for name, pre, weight, receptor in (("exc", exc, j, "excitatory"),
                                        ("inh", inh, -4 * j, "inhibitory")):
        sim.Projection(pre, cells, sim.FixedProbabilityConnector(0.1, rng=rng),
                       sim.StaticSynapse(weight=weight, delay=timestep),
                       receptor_type=receptor, label=name)
    exc.record("spikes")
    inh.record("spikes")
    return exc, inh


def feedforward(sim, inputs=64, cells=80, rate=10.0, duration=1000.0, seed=20260101,
                timestep=1.0, **setup_options):
    """Input trains (Poisson, drawn here so every target gets the same) onto IF_curr_delta
    cells through random weights, 30 % connectivity: a network every target takes,
    NeuroCoreX included (at most 96 inputs and 90 cells). Returns (cells, inputs)."""
    setup_options.setdefault("rng_seed", seed)
    sim.setup(timestep=timestep, min_delay=timestep, **setup_options)
    draw = np.random.default_rng(seed)
    ticks = int(duration / timestep)
    trains = [np.flatnonzero(draw.random(ticks) < rate * timestep / 1000.0) * timestep
              + timestep for _ in range(inputs)]
    source = sim.Population(inputs, sim.SpikeSourceArray(spike_times=trains), label="inputs")
    celltype = sim.IF_curr_delta(tau_m=20.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0,
                                 tau_refrac=2.0, cm=1.0, i_offset=0.0)
    layer = sim.Population(cells, celltype, label="cells")
    weights = RandomDistribution("uniform", (0.0, 6.0), rng=NumpyRNG(seed=seed))
    sim.Projection(source, layer, sim.FixedProbabilityConnector(0.3, rng=NumpyRNG(seed=seed)),
                   sim.StaticSynapse(weight=weights, delay=timestep), label="feedforward")
    layer.record("spikes")
    source.record("spikes")
    return layer, source
