"""Synapse types without an oracle run: release statistics, synaptic state through
Projection.get between runs and after reset, and bad input."""

import numpy as np
import pytest
from pyNN import errors

SPIKES = np.arange(5.0, 2005.0, 5.0)   # 400 spikes, 5 ms apart
CELLS = 60
WEIGHT = 0.001


def _release_counts(sim, synapse_types):
    """Transmitted quanta per spike and synapse, for each synapse type: every synapse
    (one source, one cell) adds WEIGHT per quantum to a conductance that does not decay.
    Seeded, so that the three-standard-error checks give the same answer every time."""
    sim.setup(timestep=0.1, min_delay=0.1, rng_seed=20261128)
    source = sim.Population(CELLS, sim.SpikeSourceArray(spike_times=SPIKES))
    cells = {}
    for name, synapse in synapse_types.items():
        cells[name] = sim.Population(CELLS, sim.IF_cond_exp(tau_syn_E=1e9))
        sim.Projection(source, cells[name], sim.OneToOneConnector(), synapse,
                       receptor_type="excitatory")
        cells[name].record("gsyn_exc")
    sim.run(SPIKES[-1] + 1.0)
    counts = {name: np.asarray(population.get_data().segments[0].filter(
        name="gsyn_exc")[0].magnitude)[-1] / WEIGHT / SPIKES.size
        for name, population in cells.items()}
    sim.end()
    return counts


def test_release_rates_within_three_standard_errors(sim):
    # tau_rec far below the interval between spikes: every site is back before each spike
    cases = {  # name -> (synapse, sites, release probability per site)
        "simple-0.2": (sim.SimpleStochasticSynapse(weight=WEIGHT, p=0.2), 1, 0.2),
        "simple-0.7": (sim.SimpleStochasticSynapse(weight=WEIGHT, p=0.7), 1, 0.7),
        "stochastic-tm": (sim.StochasticTsodyksMarkramSynapse(
            weight=WEIGHT, U=0.35, tau_rec=0.01), 1, 0.35),
        "multiquantal": (sim.MultiQuantalSynapse(weight=WEIGHT, U=0.3, n=5, tau_rec=0.01),
                         5, 0.3),
    }
    counts = _release_counts(sim, {name: case[0] for name, case in cases.items()})
    for name, (_, sites, p) in cases.items():
        trials = CELLS * SPIKES.size
        mean = counts[name].mean()
        standard_error = np.sqrt(sites * p * (1 - p) / trials)
        assert abs(mean - sites * p) < 3 * standard_error, (name, mean, sites * p)
        # whole quanta only
        quanta = counts[name] * SPIKES.size
        np.testing.assert_allclose(quanta, np.round(quanta), atol=1e-3)


def test_depleted_stochastic_synapse_releases_at_the_steady_state_rate(sim):
    """One site, recovery probability r between spikes: it is available at a spike with
    probability r/(1 - (1 - U)(1 - r)), and releases with U times that."""
    U, tau_rec = 0.6, 8.0
    counts = _release_counts(sim, {"tm": sim.StochasticTsodyksMarkramSynapse(
        weight=WEIGHT, U=U, tau_rec=tau_rec)})["tm"]
    r = 1 - np.exp(-5.0 / tau_rec)
    expected = U * r / (1 - (1 - U) * (1 - r))
    # consecutive releases of one synapse are anti-correlated, which only narrows the
    # spread of the mean: the binomial standard error bounds it
    standard_error = np.sqrt(expected * (1 - expected) / (CELLS * SPIKES.size))
    assert abs(counts.mean() - expected) < 3 * standard_error


def _plastic_network(sim):
    sim.setup(timestep=0.1, min_delay=0.1)
    pre = sim.Population(20, sim.SpikeSourcePoisson(rate=40.0))
    post = sim.Population(5, sim.IF_curr_exp())
    drive = sim.Population(5, sim.SpikeSourcePoisson(rate=30.0))
    sim.Projection(drive, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=5.0))
    stdp = sim.STDPMechanism(sim.SpikePairRule(A_plus=0.05, A_minus=0.05),
                             sim.MultiplicativeWeightDependence(w_max=0.1),
                             weight=0.05, delay=1.0)
    tm = sim.TsodyksMarkramSynapse(weight=0.1, U=0.2, tau_facil=100.0)
    return (sim.Projection(pre, post, sim.AllToAllConnector(), stdp, label="stdp"),
            sim.Projection(pre, post, sim.AllToAllConnector(), tm, label="tm"))


def test_learned_weights_and_state_between_runs_and_after_reset(sim):
    plastic, tm = _plastic_network(sim)
    assert np.allclose(tm.get("u", format="array"), 0.0)   # PyNN's initial value
    sim.run(200.0)
    learned = plastic.get("weight", format="array")
    u = tm.get("u", format="array")
    assert np.ptp(learned) > 0 and (learned >= 0).all() and (learned <= 0.1).all()
    assert (u > 0.2).any()               # facilitated above U
    sim.run(200.0)
    assert not np.allclose(plastic.get("weight", format="array"), learned)  # learns on
    # setting some weights keeps what the others learned
    before = plastic.get("weight", format="list", with_address=False)
    plastic[0].weight = 0.03
    after = plastic.get("weight", format="list", with_address=False)
    assert after[0] == 0.03 and after[1:] == before[1:]
    # reset: back to the weights as built, except the one set since
    sim.reset()
    weights = plastic.get("weight", format="list", with_address=False)
    assert weights[0] == 0.03 and set(weights[1:]) == {0.05}
    assert np.allclose(tm.get("u", format="array"), 0.0)
    sim.run(50.0)
    assert np.ptp(plastic.get("weight", format="array")) > 0


@pytest.mark.parametrize("in_callback", [False, True])
def test_rule_parameters_set_per_connection_between_and_during_runs(sim, in_callback):
    """Frozen connections (A_plus = A_minus = 0) keep their weight; the others go on
    learning from where they were."""
    plastic, _ = _plastic_network(sim)
    frozen = np.arange(len(plastic)) % 2 == 0
    amplitude = np.where(frozen, 0.0, 0.05)
    seen = {}

    def freeze(t):
        seen["weights"] = plastic.get("weight", format="list", with_address=False)
        for name in ("A_plus", "A_minus"):
            values = np.full((20, 5), np.nan)
            values[plastic._pre_index, plastic._post_index] = amplitude
            plastic.set(**{name: values})
        return 1e9

    if in_callback:
        sim.run(300.0, callbacks=[lambda t: 150.0 if t < 150.0 else freeze(t)])
    else:
        sim.run(150.0)
        freeze(150.0)
        sim.run(150.0)
    after = np.asarray(plastic.get("weight", format="list", with_address=False))
    before = np.asarray(seen["weights"])
    np.testing.assert_array_equal(after[frozen], before[frozen])
    assert (after[~frozen] != before[~frozen]).all()
    assert np.ptp(before) > 0      # had learned before the change


def test_initial_synaptic_state_decays_from_time_zero(sim):
    """A facilitating synapse started at u = 0.9: at the first spike, at time T,
    u = U + 0.9 (1 - U) exp(-T/tau_facil), as in NEST, whether the pre-synaptic cell is
    a spike source or a neuron (which reach the synapse through Brian2 differently)."""
    sim.setup(timestep=0.1, min_delay=0.1)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    neuron = sim.Population(1, sim.IF_curr_exp(tau_syn_E=0.5, tau_refrac=50.0))
    sim.Projection(source, neuron, sim.AllToAllConnector(), sim.StaticSynapse(weight=40.0))
    neuron.record("spikes")
    cells = sim.Population(3, sim.IF_cond_exp(tau_syn_E=1e9))
    synapse = dict(weight=0.01, U=0.1, tau_facil=5.0, delay=1.0)
    for pre, cell, u in ((source, cells[0:1], None), (source, cells[1:2], 0.9),
                         (neuron, cells[2:3], 0.9)):
        projection = sim.Projection(pre, cell, sim.AllToAllConnector(),
                                    sim.TsodyksMarkramSynapse(**synapse))
        if u is not None:
            projection.initialize(u=u)
    cells.record("gsyn_exc")
    sim.run(30.0)
    g = np.asarray(cells.get_data().segments[0].filter(name="gsyn_exc")[0].magnitude)[-1]
    spike = float(neuron.get_data().segments[0].spiketrains[0].magnitude[0])
    u = [0.1, 0.1 + 0.9 * 0.9 * np.exp(-10.0 / 5.0), 0.1 + 0.9 * 0.9 * np.exp(-spike / 5.0)]
    np.testing.assert_allclose(g, 0.01 * np.array(u), rtol=1e-6)


def test_vogels_rule_is_described_as_data(sim):
    sim.setup()
    a = sim.Population(3, sim.IF_cond_exp())
    projection = sim.Projection(a, a, sim.AllToAllConnector(), sim.STDPMechanism(
        sim.Vogels2011Rule(tau=15.0, eta=1e-4, rho=5.0),
        sim.AdditiveWeightDependence(w_max=0.02), weight=0.01, dendritic_delay_fraction=0),
        receptor_type="inhibitory")
    synapse = projection._parts[0][0].synapse
    assert synapse.timing_dependence == "Vogels2011Rule"
    assert synapse.weight_dependence == "AdditiveWeightDependence"
    assert set(synapse.timing_parameters) == {"tau", "eta", "rho"}
    assert set(synapse.weight_parameters) == {"w_min", "w_max"}
    assert (synapse.timing_parameters["rho"] == 5.0).all()
    assert (synapse.parameters["dendritic_delay_fraction"] == 0).all()


# --- bad input --------------------------------------------------------------------------

def _stdp(sim, weight=0.2, w_min=0.0, w_max=1.0, **timing):
    return sim.STDPMechanism(sim.SpikePairRule(**timing),
                             sim.AdditiveWeightDependence(w_min=w_min, w_max=w_max),
                             weight=weight)


@pytest.mark.parametrize("make, receptor, error, message", [
    (lambda sim: _stdp(sim, w_min=0.5, w_max=0.1), "excitatory",
     errors.InvalidParameterValueError, "'w_min' and 'w_max'.*'p'.*0.5 > w_max = 0.1"),
    (lambda sim: _stdp(sim, tau_minus=-2.0), "excitatory",
     errors.InvalidParameterValueError, "'tau_minus'.*'p'.*-2"),
    (lambda sim: sim.STDPMechanism(sim.Vogels2011Rule(tau=-1.0),
                                   sim.AdditiveWeightDependence(), weight=0.1), "excitatory",
     errors.InvalidParameterValueError, "'tau'.*'p'.*-1"),
    (lambda sim: sim.TsodyksMarkramSynapse(tau_rec=-5.0, weight=0.1), "excitatory",
     errors.InvalidParameterValueError, "'tau_rec'.*'p'.*-5"),
    (lambda sim: sim.SimpleStochasticSynapse(p=1.5, weight=0.1), "excitatory",
     errors.InvalidParameterValueError, "'p'.*'p'.*1.5.*\\[0, 1\\]"),
    (lambda sim: sim.StochasticTsodyksMarkramSynapse(U=-0.2, weight=0.1), "excitatory",
     errors.InvalidParameterValueError, "'U'.*'p'.*-0.2"),
    (lambda sim: sim.MultiQuantalSynapse(n=0, weight=0.1), "excitatory",
     errors.InvalidParameterValueError, "'n'.*'p'.*0 .must be a whole number"),
    (lambda sim: _stdp(sim, weight=0.2), "inhibitory",
     errors.InvalidWeightError, "'p'.*'inhibitory'.*weight <= 0.*0.2"),
    (lambda sim: _stdp(sim, w_min=-0.1), "excitatory",
     errors.InvalidWeightError, "'p'.*'excitatory'.*w_min >= 0.*-0.1"),
])
def test_bad_synapse_parameters(sim, make, receptor, error, message):
    sim.setup()
    cells = sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(error, match=message):
        sim.Projection(cells, cells, sim.AllToAllConnector(), make(sim),
                       receptor_type=receptor, label="p")


def test_bad_values_set_later(sim):
    sim.setup()
    cells = sim.Population(2, sim.IF_curr_exp())
    plastic = sim.Projection(cells, cells, sim.AllToAllConnector(), _stdp(sim), label="q")
    with pytest.raises(errors.InvalidParameterValueError, match="'q'.*w_min = 0 > w_max = -1"):
        plastic.set(w_max=-1.0)
    with pytest.raises(errors.InvalidWeightError, match="'q'.*weight >= 0.*-0.3"):
        plastic.set(weight=-0.3)
    stochastic = sim.Projection(cells, cells, sim.AllToAllConnector(),
                                sim.SimpleStochasticSynapse(p=0.5, weight=0.1), label="r")
    with pytest.raises(errors.InvalidParameterValueError, match="'p'.*'r'.*2"):
        stochastic.set(p=2.0)


def test_gap_junctions_are_refused_by_name(sim):
    sim.setup()
    with pytest.raises(errors.NoModelAvailableError, match="ElectricalSynapse"):
        sim.ElectricalSynapse(weight=0.1)
