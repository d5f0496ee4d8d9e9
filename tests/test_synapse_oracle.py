"""NEST as the oracle for plastic and short-term synapses.

STDP: a pair protocol, one pre- and one post-synaptic spike per synapse with the
timing at the synapse from -100 to +100 ms, then a late pre-synaptic spike (NEST
applies potentiation only at the next pre-synaptic spike); then Poisson spike trains,
and pre-synaptic cells that are neurons. NEST's synapse, driven by parrot neurons that
repeat the spike times pyNN.neurox produced, must give the same weight changes (within
1e-6; the issue asks for 1 %) for every weight dependence of the pair rule and for the
Vogels-Sprekeler rule, onto a cell that spikes before its synapses act (IF_curr_exp)
and one that spikes after (IF_curr_delta). Parameters are mapped as pyNN.nest maps
them (weights in pA, lambda = A_plus, alpha = A_minus/A_plus).

Tsodyks-Markram: the post-synaptic conductance of each spike of a 20 Hz train through
pyNN.nest (tsodyks_synapse, tau_psc from the cell) and pyNN.neurox.
"""

import numpy as np
import pytest

nest = pytest.importorskip("nest")

DT = 0.1
DELAY = 1.0
W_MAX = 0.01      # nA
W_START = 0.005
LAGS = np.arange(-100.0, 100.1, 5.0)   # post minus pre spike time at the synapse (ms)
T_POST = 150.0    # roughly when the post-synaptic cells spike
T_FLUSH = 1600.0
PAIR = dict(tau_plus=16.8, tau_minus=33.7, A_plus=0.01, A_minus=0.012)
VOGELS = dict(tau=33.7, eta=0.0005, rho=20.0)
# name -> (timing rule, weight dependence and its parameters, NEST model, NEST parameters)
RULES = {
    "additive": ("SpikePairRule", "AdditiveWeightDependence", {},
                 "stdp_synapse", dict(mu_plus=0.0, mu_minus=0.0)),
    "multiplicative": ("SpikePairRule", "MultiplicativeWeightDependence", {},
                       "stdp_synapse", dict(mu_plus=1.0, mu_minus=1.0)),
    "add-pot-mult-dep": ("SpikePairRule", "AdditivePotentiationMultiplicativeDepression", {},
                         "stdp_synapse", dict(mu_plus=0.0, mu_minus=1.0)),
    "gutig": ("SpikePairRule", "GutigWeightDependence", dict(mu_plus=0.3, mu_minus=0.7),
              "stdp_synapse_hom", dict(mu_plus=0.3, mu_minus=0.7)),
    "vogels": ("Vogels2011Rule", "AdditiveWeightDependence", {},
               "vogels_sprekeler_synapse", {}),
}
POSTS = ("IF_curr_exp", "IF_curr_delta")
# the issue asks for 1 %; the arithmetic is NEST's, and a timing error of one step
# would change a weight change by dt/tau = 0.3 %, so the tests ask for far less
TOLERANCE = 1e-6


def _neurox_pairs(sim, fraction):
    """(pre spike stamps per synapse, post stamps per post type, final weights per rule
    and post type) of the pair protocol in pyNN.neurox."""
    local_delay = fraction * DELAY - (1 - fraction) * DELAY   # post minus pre at the synapse
    pre_times = np.round((T_POST + local_delay - LAGS) / DT) * DT
    post_times, weights = _neurox_plasticity(sim, [[t] for t in pre_times], [T_POST - 1.0],
                                             fraction)
    return pre_times, post_times, weights


def _neurox_plasticity(sim, pre_trains, drive_times, fraction):
    """Post-synaptic spike stamps per post type and final weights per rule and post type,
    for pre-synaptic spike trains (each followed by a late spike) and post-synaptic cells
    made to fire once after each drive time."""
    sim.setup(timestep=DT, min_delay=DT)
    pre = sim.Population(len(pre_trains), sim.SpikeSourceArray(
        spike_times=[list(train) + [T_FLUSH] for train in pre_trains]), label="pre")
    driver = sim.Population(1, sim.SpikeSourceArray(spike_times=drive_times))
    posts = {
        "IF_curr_exp": (sim.Population(1, sim.IF_curr_exp(tau_syn_E=0.5, tau_refrac=2.0),
                                       label="exp"), 40.0),
        "IF_curr_delta": (sim.Population(1, sim.IF_curr_delta(tau_refrac=2.0), label="delta"),
                          20.0),
    }
    projections = {}
    for kind, (post, drive) in posts.items():
        post.record("spikes")
        sim.Projection(driver, post, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=drive, delay=1.0))
        for name, (timing, weights, wparams, _, _) in RULES.items():
            rule = getattr(sim, timing)(**(PAIR if timing == "SpikePairRule" else VOGELS))
            dependence = getattr(sim, weights)(w_min=0.0, w_max=W_MAX, **wparams)
            projections[name, kind] = sim.Projection(
                pre, post, sim.AllToAllConnector(),
                sim.STDPMechanism(rule, dependence, weight=W_START, delay=DELAY,
                                  dendritic_delay_fraction=fraction),
                receptor_type="excitatory", label=f"{name}-{kind}")
    sim.run(T_FLUSH + 10.0)
    post_times = {kind: np.asarray(post.get_data().segments[0].spiketrains[0].magnitude)
                  for kind, (post, _) in posts.items()}
    weights = {key: projection.get("weight", format="array")[:, 0]
               for key, projection in projections.items()}
    sim.end()
    return post_times, weights


def _nest_weights(pre_trains, post_times, name):
    """Final weights (nA) of NEST's synapse for each pre-synaptic spike train (each
    followed by the late spike)."""
    timing, _, wparams, model, nest_params = RULES[name]
    nest.ResetKernel()
    nest.set(resolution=DT, print_time=False)
    # a parrot neuron fed by a generator one step earlier repeats each time exactly
    pre_gen = nest.Create("spike_generator", len(pre_trains), params=[
        {"spike_times": list(np.asarray(train) - DT) + [T_FLUSH - DT]} for train in pre_trains])
    pre = nest.Create("parrot_neuron", len(pre_trains))
    nest.Connect(pre_gen, pre, "one_to_one", {"delay": DT})
    post_gen = nest.Create("spike_generator", params={"spike_times": list(post_times - DT)})
    post = nest.Create("parrot_neuron")
    nest.Connect(post_gen, post, syn_spec={"delay": DT})
    if timing == "SpikePairRule":
        post.set(tau_minus=PAIR["tau_minus"])
        spec = dict(tau_plus=PAIR["tau_plus"], **{"lambda": PAIR["A_plus"]},
                    alpha=PAIR["A_minus"] / PAIR["A_plus"], Wmax=1000 * W_MAX, **nest_params)
    else:
        post.set(tau_minus=VOGELS["tau"])
        spec = dict(tau=VOGELS["tau"], eta=1000 * VOGELS["eta"],
                    alpha=2 * VOGELS["rho"] * VOGELS["tau"] / 1000, Wmax=1000 * W_MAX)
    if model.endswith("_hom"):
        nest.SetDefaults(model, spec)
        spec = {}
    # receptor 1 of a parrot neuron ignores the spikes, so only the timing matters
    nest.Connect(pre, post, "all_to_all", dict(synapse_model=model, weight=1000 * W_START,
                                               delay=DELAY, receptor_type=1, **spec))
    nest.Simulate(T_FLUSH + 10.0)
    connections = nest.GetConnections(pre, post, synapse_model=model)
    order = np.argsort(connections.get("source"))
    return np.asarray(connections.get("weight"))[order] / 1000


@pytest.fixture(scope="module")
def dendritic_pairs():
    import pyNN.neurox as sim
    return _neurox_pairs(sim, fraction=1.0)


@pytest.fixture(scope="module", params=[0.0, 0.5])
def split_delay_pairs(request):
    import pyNN.neurox as sim
    return request.param, _neurox_pairs(sim, fraction=request.param)


@pytest.mark.parametrize("post_type", POSTS)
@pytest.mark.parametrize("name", RULES)
def test_stdp_pairs_agree_with_nest(dendritic_pairs, name, post_type):
    pre_times, post_times, weights = dendritic_pairs
    assert post_times[post_type].size == 1
    expected = _nest_weights([[t] for t in pre_times], post_times[post_type], name) - W_START
    change = weights[name, post_type] - W_START
    assert np.abs(expected).max() > 0.01 * W_START     # the protocol does change weights
    np.testing.assert_allclose(change, expected, rtol=TOLERANCE, atol=1e-12 * W_MAX)


def _pair_rule_change(lag, w, name):
    """Hand-computed change of one pair and the late pre-synaptic spike (lag: post minus
    pre at the synapse)."""
    if name == "vogels":   # potentiation whatever the order, depression at each pre spike
        pairing = VOGELS["eta"] * np.exp(-abs(lag) / VOGELS["tau"]) if lag != 0 else 0.0
        return pairing - 2 * VOGELS["eta"] * 2 * VOGELS["rho"] * VOGELS["tau"] / 1000
    _, _, wparams, _, mus = RULES[name]
    if lag > 0:
        grow = ((W_MAX - w) / W_MAX) ** mus["mu_plus"]
        return min(W_MAX * PAIR["A_plus"] * grow * np.exp(-lag / PAIR["tau_plus"]), W_MAX - w)
    if lag < 0:
        shrink = (w / W_MAX) ** mus["mu_minus"]
        return -min(W_MAX * PAIR["A_minus"] * shrink * np.exp(lag / PAIR["tau_minus"]), w)
    return 0.0


@pytest.mark.parametrize("name", RULES)
def test_split_delay_pairs_match_the_rule(split_delay_pairs, name):
    """dendritic_delay_fraction f < 1 (NEST has no such mode): at the synapse the
    pre-synaptic spike is seen (1 - f)*delay after it left, the post-synaptic one
    f*delay after, also from a cell that fires after its synapses act (IF_curr_delta),
    whose spikes reach the synapse in their own step when f = 0."""
    fraction, (pre_times, post_times, weights) = split_delay_pairs
    for post_type in POSTS:
        lags = (post_times[post_type][0] + fraction * DELAY
                - (pre_times + (1 - fraction) * DELAY))
        expected = [_pair_rule_change(lag, W_START, name) for lag in lags]
        np.testing.assert_allclose(weights[name, post_type] - W_START, expected,
                                   rtol=1e-6, atol=1e-12)


@pytest.fixture(scope="module")
def trains():
    """Poisson trains of 20 pre-synaptic cells (20 Hz) and 15 post-synaptic drive times
    at least 10 ms apart, over one second, on the time grid."""
    draw = np.random.default_rng(7)
    pre_trains = [np.unique(np.round(np.sort(draw.uniform(5.0, 1000.0, draw.poisson(20)))
                                     / DT) * DT) for _ in range(20)]
    drive = np.round(np.cumsum(10.0 + draw.exponential(55.0, 15)) / DT) * DT
    import pyNN.neurox as sim
    post_times, weights = _neurox_plasticity(sim, pre_trains, drive, fraction=1.0)
    return pre_trains, post_times, weights


@pytest.mark.parametrize("name", RULES)
def test_stdp_with_spike_trains_agrees_with_nest(trains, name):
    """All-to-all pairing over many spikes of both sides."""
    pre_trains, post_times, weights = trains
    assert post_times["IF_curr_exp"].size == 15
    expected = _nest_weights(pre_trains, post_times["IF_curr_exp"], name)
    assert np.ptp(expected) > 0.01 * W_START
    np.testing.assert_allclose(weights[name, "IF_curr_exp"] - W_START, expected - W_START,
                               rtol=TOLERANCE, atol=1e-12 * W_MAX)


def _driven(sim, celltype, size):
    """Cells made to fire once for each spike of a driver, with the driving weight."""
    if celltype == "IF_curr_exp":
        return sim.Population(size, sim.IF_curr_exp(tau_syn_E=0.5, tau_refrac=2.0)), 40.0
    return sim.Population(size, sim.IF_curr_delta(tau_refrac=2.0)), 20.0


@pytest.mark.parametrize("pre_type", ["IF_curr_exp", "IF_curr_delta"])
def test_stdp_from_spiking_cells_agrees_with_nest(trains, pre_type):
    """Pre-synaptic cells that are neurons (reaching the synapse through Brian2 as
    neurons do, and for IF_curr_delta a step earlier than other sources)."""
    import pyNN.neurox as sim
    drive_trains, _, _ = trains
    sim.setup(timestep=DT, min_delay=DT)
    drive = sim.Population(len(drive_trains), sim.SpikeSourceArray(
        spike_times=[list(train) + [T_FLUSH] for train in drive_trains]))
    pre, pre_weight = _driven(sim, pre_type, len(drive_trains))
    sim.Projection(drive, pre, sim.OneToOneConnector(), sim.StaticSynapse(weight=pre_weight))
    post, post_weight = _driven(sim, "IF_curr_exp", 1)
    driver = sim.Population(1, sim.SpikeSourceArray(spike_times=[150.0, 420.0, 777.0]))
    sim.Projection(driver, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=post_weight))
    plastic = sim.Projection(pre, post, sim.AllToAllConnector(), sim.STDPMechanism(
        sim.SpikePairRule(**PAIR), sim.AdditiveWeightDependence(w_max=W_MAX), weight=W_START,
        delay=DELAY))
    pre.record("spikes")
    post.record("spikes")
    sim.run(T_FLUSH + 10.0)
    # the late spike is NEST's own (see _nest_weights)
    pre_trains = [train.magnitude[train.magnitude < T_FLUSH]
                  for train in pre.get_data().segments[0].spiketrains]
    post_times = np.asarray(post.get_data().segments[0].spiketrains[0].magnitude)
    ours = plastic.get("weight", format="array")[:, 0]
    sim.end()
    assert post_times.size == 3 and sum(t.size for t in pre_trains) > 300
    expected = _nest_weights(pre_trains, post_times, "additive") - W_START
    assert np.ptp(expected) > 0.01 * W_START
    np.testing.assert_allclose(ours - W_START, expected, rtol=TOLERANCE, atol=1e-12 * W_MAX)


# --- Tsodyks-Markram ------------------------------------------------------------------

TRAIN = np.arange(20.0, 520.0, 50.0)   # 20 Hz
TM_CASES = [  # U, tau_rec, tau_facil: depressing, facilitating, pure depression
    (0.5, 100.0, 0.0), (0.1, 50.0, 200.0), (0.8, 400.0, 0.0)]


def _tm_amplitudes(sim, U, tau_rec, tau_facil):
    """Peak synaptic conductance (uS) after each spike of the train (the conductance has
    decayed to nothing before the next spike)."""
    sim.setup(timestep=DT, min_delay=DT)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=TRAIN))
    cell = sim.Population(1, sim.IF_cond_exp(tau_syn_E=3.0))
    sim.Projection(source, cell, sim.AllToAllConnector(),
                   sim.TsodyksMarkramSynapse(weight=0.01, delay=1.0, U=U, tau_rec=tau_rec,
                                             tau_facil=tau_facil),
                   receptor_type="excitatory")
    cell.record("gsyn_exc")
    sim.run(TRAIN[-1] + 20.0)
    trace = np.asarray(cell.get_data().segments[0].filter(name="gsyn_exc")[0].magnitude)[:, 0]
    sim.end()
    steps = np.rint(TRAIN / DT).astype(int)
    return np.array([trace[s:s + 30].max() for s in steps])


@pytest.mark.parametrize("U, tau_rec, tau_facil", TM_CASES)
def test_tsodyks_markram_amplitudes_agree_with_nest(U, tau_rec, tau_facil):
    import pyNN.nest as nest_sim
    import pyNN.neurox as sim
    ours = _tm_amplitudes(sim, U, tau_rec, tau_facil)
    theirs = _tm_amplitudes(nest_sim, U, tau_rec, tau_facil)
    assert ours.min() > 0 and np.ptp(theirs) > 0.05 * theirs.max()  # the dynamics show
    np.testing.assert_allclose(ours, theirs, rtol=TOLERANCE)
