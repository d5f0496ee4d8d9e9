"""On-chip learning on the Loihi target: golden vectors worked out by hand for the
learning engine (traces, epochs, rounding, clamps), the rule's quantization, refusals by
name, and the pair protocol against the software target."""

from types import SimpleNamespace

import dataclasses

import numpy as np
import pytest
from pyNN import errors

from pyNN.neurox.errors import ChipLimitError
from pyNN.neurox.hardware.chip import load_chip
from pyNN.neurox.hardware.chips.loihi.learning_engine import (LoihiLearning, delivered,
                                                          stochastic_decay, stochastic_round)
from pyNN.neurox.hardware.chips.loihi.formats import LoihiFormats
from pyNN.neurox.hardware.chips.loihi.learning_rule import (LoihiLearningRule, effective_tau,
                                                          scale_and_impulse, tau_ticks)

FORMATS = LoihiFormats.from_description(load_chip("loihi"))


class Draws:
    """A generator stand-in that returns scripted draws, then zeros, to follow the
    rounding by hand."""

    def __init__(self, *values):
        self.values = list(values)

    def integers(self, low, high, size=None):
        shape = size if size is not None else np.shape(high)
        n = int(np.prod(shape))
        out, self.values = self.values[:n], self.values[n:]
        return np.array(out + [0] * (n - len(out)), np.int64).reshape(shape)


# --- traces and rounding -------------------------------------------------------------

def test_trace_decay_golden_sequence():
    # x(tau - 1) = whole * tau + remainder; +1 when the draw (0 <= u < tau) is below it
    # 100*3 = 300 = 75*4 + 0 -> 75 | 75*3 = 225 = 56*4 + 1, u=0 -> 57
    # 57*3 = 171 = 42*4 + 3, u=2 -> 43 | 43*3 = 129 = 32*4 + 1, u=1 -> 32
    trace, rng, seen = np.array([[100]]), Draws(3, 0, 2, 1), []
    for _ in range(4):
        stochastic_decay(trace, np.array([4]), rng)
        seen.append(int(trace[0, 0]))
    assert seen == [75, 57, 43, 32]


def test_trace_decay_is_unbiased_and_stays_between_neighbours():
    trace = np.full((1, 200_000), 75)
    stochastic_decay(trace, np.array([4]), np.random.default_rng(1))
    assert set(np.unique(trace)) == {56, 57}
    # expectation 75 * 3/4 = 56.25; the mean's standard error is 0.433 / sqrt(2e5) = 0.001
    assert trace.mean() == pytest.approx(56.25, abs=0.005)


def test_empty_traces_draw_nothing_and_tau_one_empties():
    trace, rng = np.array([[0, 9]]), Draws(5, 6)
    stochastic_decay(trace, np.array([1]), rng)
    assert trace.tolist() == [[0, 0]] and rng.values == [6]


def test_weight_rounding_golden():
    # 5 steps + 32/128: the draw (0 <= u < 128) below 32 rounds up
    assert stochastic_round(np.array([5 * 128 + 32] * 2), 7, Draws(31, 32)).tolist() == [6, 5]
    # negative: -160 = -2 * 128 + 96, so -2 or -1
    assert stochastic_round(np.array([-160] * 2), 7, Draws(95, 96)).tolist() == [-1, -2]


# --- the learning engine on one synapse ----------------------------------------------

def rule(**changes):
    base = dict(multiplicative=False, impulse_x=64, tau_x=2, impulse_y=64, tau_y=2,
                plus=(3, -2), minus=(1, -1), m_min=0, m_max=255, weight_shift=6)
    return LoihiLearningRule(**{**base, **changes})


def engine(learning_rule, mantissa, rng, epoch_exponent=2):
    """One plastic synapse, input axon 0 onto neuron 0."""
    program = SimpleNamespace(
        rules=[learning_rule], plastic=np.array([0]), plastic_rule=np.array([0]),
        plastic_mantissa=np.array([mantissa]),
        axon_start=np.array([0, 1]), target=np.array([0]), neurons=1)
    formats = dataclasses.replace(FORMATS, epoch_exponent=epoch_exponent)
    weight = np.array([delivered(np.array([mantissa]), learning_rule.weight_shift,
                                 FORMATS.weight_floor_bits)[0]])
    return LoihiLearning(program, weight, rng, formats), weight


def play(learning, ticks, pre=(), post=()):
    """Ticks 0 .. ticks-1, the axon spiking in the ticks `pre`, the neuron in `post`."""
    for k in range(ticks):
        learning.tick(k, np.array([0] * (k in pre), np.int64),
                      np.array([0] * (k in post), np.int64))


@pytest.mark.parametrize("post_tick", [4, 5, 6, 7])
def test_potentiation_uses_the_trace_at_the_epochs_end(post_tick):
    # tau 2 halves the trace exactly: pre at tick 3 -> x = 64, 32, 16, 8, 4 at ticks 3..7.
    # Epoch 0 (ticks 0-3) ends with x0 and no post trace: dw = 0. Epoch 1 ends at tick 7
    # with y0 = 1: dw = S+ x1 = 3/4 * 4 = 3 steps, wherever the post spike fell in it
    learning, weight = engine(rule(), 100, Draws())
    play(learning, 8, pre=[3], post=[post_tick])
    assert learning.mantissa.tolist() == [103]
    assert weight.tolist() == [103 * 64]


def test_mantissa_below_the_delivered_step_learns_silently():
    # weight exponent -3: the chip adds floor(m * 8 / 64) * 64 = floor(m / 8) * 64, so
    # +3 takes m from 100 to 103 and the weight stays 12 * 64; +6 (S+ = 3/2) to 106: 13 * 64
    for plus, mantissa, added in (((3, -2), 103, 768), ((3, -1), 106, 832)):
        learning, weight = engine(rule(weight_shift=3, plus=plus), 100, Draws())
        assert weight.tolist() == [768]
        play(learning, 8, pre=[3], post=[5])
        assert learning.mantissa.tolist() == [mantissa] and weight.tolist() == [added]


def test_delivered_weights_golden():
    # floor(m 2**shift / 64) * 64, negative mantissas floored too (brian2-loihi)
    m = np.array([100, 255, -100])
    assert delivered(m, 3, FORMATS.weight_floor_bits).tolist() == [768, 1984, -832]
    assert delivered(m, 9, FORMATS.weight_floor_bits).tolist() == [51200, 130560, -51200]


def test_depression_golden():
    # post at tick 3 -> y = 4 at tick 7; pre at tick 5: dw = -S- y1 = -1/2 * 4 = -2
    learning, weight = engine(rule(), 100, Draws())
    play(learning, 8, pre=[5], post=[3])
    assert weight.tolist() == [98 * 64]


def test_pair_in_one_epoch_potentiates_and_depresses():
    # pre at 1 (x = 16 at tick 3), post at 3 (y = 64): 3/4 * 16 - 1/2 * 64 = -20
    learning, _ = engine(rule(), 100, Draws())
    play(learning, 4, pre=[1], post=[3])
    assert learning.mantissa.tolist() == [80]


@pytest.mark.parametrize("draw, expected", [(95, 101), (96, 100)])
def test_fractional_change_is_rounded_stochastically(draw, expected):
    # epochs of 8 ticks; pre at 3, post at 5: at tick 7 x1 = 4 and, with S+ = 3 * 2**-4
    # and no depression, dw = 3/16 * 4 = 96/128 of a step. Six trace draws come first
    # (x at ticks 4-7, y at 6-7; zeros, their remainders are 0), then the weight's
    learning, _ = engine(rule(plus=(3, -4), minus=(0, 0)), 100, Draws(0, 0, 0, 0, 0, 0, draw),
                         epoch_exponent=3)
    play(learning, 8, pre=[3], post=[5])
    assert learning.mantissa.tolist() == [expected]


def test_weights_change_only_at_epoch_ends():
    learning, _ = engine(rule(), 100, Draws())
    play(learning, 7, pre=[3], post=[5])  # epoch 1 not over
    assert learning.mantissa.tolist() == [100]
    learning.tick(7, np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert learning.mantissa.tolist() == [103]


@pytest.mark.parametrize("changes, start, expected", [
    (dict(m_max=101), 100, 101),          # +3 stops at w_max's mantissa
    (dict(), 254, 255),                    # ... and at the mantissa's range
    (dict(plus=(7, 9)), 0, 255),          # 7 * 2**9 * 4 saturates the accumulator
])
def test_potentiation_clamps(changes, start, expected):
    learning, _ = engine(rule(**changes), start, Draws())
    play(learning, 8, pre=[3], post=[5])
    assert learning.mantissa.tolist() == [expected]


def test_depression_clamps_at_w_min():
    learning, _ = engine(rule(m_min=99), 100, Draws())
    play(learning, 8, pre=[5], post=[3])
    assert learning.mantissa.tolist() == [99]


def test_multiplicative_golden():
    # x1 = 4 at tick 7: dw = S+ x1 (m_max - m) = 1/8 * 4 * (200 - 100) = 50
    learning, _ = engine(rule(multiplicative=True, plus=(1, -3), m_max=200), 100,
                         Draws())
    play(learning, 8, pre=[3], post=[5])
    assert learning.mantissa.tolist() == [150]
    # depression: y1 = 4, dw = -S- y1 (m - m_min) = -1/8 * 4 * (150 - 100) = -25
    learning, _ = engine(rule(multiplicative=True, minus=(1, -3), m_min=100), 150, Draws())
    play(learning, 8, pre=[5], post=[3])
    assert learning.mantissa.tolist() == [125]


# --- quantization of the rule ----------------------------------------------------------

def test_trace_tau_in_whole_ticks():
    # 1 / (1 - exp(-1/20)) = 20.5: 21 ticks, whose decay 20/21 per tick is tau 20.5 ms
    assert tau_ticks(20.0, 1.0, FORMATS) == 21
    assert effective_tau(21, 1.0) == pytest.approx(20.496, abs=1e-3)
    # 1 / (1 - exp(-0.005)) = 200.5004: 201 ticks
    assert tau_ticks(20.0, 0.1, FORMATS) == 201 and tau_ticks(0.01, 1.0, FORMATS) == 1


@pytest.mark.parametrize("amplitude", [1e-2, 0.3, 1.547, 2.55, 40.0, 3e4])
def test_scale_and_impulse_is_the_nearly_best_with_the_largest_impulse(amplitude):
    mantissa, exponent, impulse, error = scale_and_impulse(amplitude, FORMATS)
    assert 1 <= mantissa <= 7 and -7 <= exponent <= 9 and 1 <= impulse <= 127 // 3
    assert error == pytest.approx(abs(mantissa * 2.0 ** exponent * impulse / amplitude - 1))
    # against every choice, one by one
    errors = {(i, m, e): abs(m * 2.0 ** e * i / amplitude - 1)
              for i in range(1, 43) for m in range(1, 8) for e in range(-7, 10)}
    best = min(errors.values())
    assert error <= best + 2e-3
    assert impulse == max(i for (i, m, e), x in errors.items() if x <= best + 2e-3)
    if 1.0 <= amplitude <= 1e4:
        assert error < 0.01


# --- through PyNN ------------------------------------------------------------------

CELL = dict(tau_m=20.0, cm=0.2, tau_syn_E=5.0, tau_syn_I=5.0, v_rest=-65.0, v_reset=-65.0,
            v_thresh=-50.0, tau_refrac=30.0, i_offset=0.0)


def pair_protocol(sim, target, t_pre, t_kick, n=1, seed=1, weight_dependence=None, **rule):
    """n independent pairs: a pre spike at t_pre on a plastic synapse, and a post spike
    forced by a strong static input sent at t_kick. Returns (post spike times, weights
    before, weights after, projection)."""
    sim.setup(timestep=1.0, target=target, seed=seed)
    pre = sim.Population(n, sim.SpikeSourceArray(spike_times=[t_pre]), label="pre")
    kick = sim.Population(n, sim.SpikeSourceArray(spike_times=[t_kick]), label="kick")
    post = sim.Population(n, sim.IF_curr_exp(**CELL), label="post")
    post.record("spikes")
    timing = dict(tau_plus=20.0, tau_minus=20.0, A_plus=0.1, A_minus=0.12)
    timing.update({k: rule.pop(k) for k in list(rule) if k in timing})
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(**timing),
        weight_dependence=(weight_dependence or sim.AdditiveWeightDependence)(w_min=0.0,
                                                                             w_max=1.0),
        weight=0.5, delay=1.0, **rule)
    projection = sim.Projection(pre, post, sim.OneToOneConnector(), stdp, label="plastic")
    sim.Projection(kick, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=5.0, delay=1.0),
                   label="kick")
    before = projection.get("weight", format="array").diagonal().copy()
    sim.run(60.0)
    spikes = [list(np.asarray(s)) for s in post.get_data().segments[0].spiketrains]
    after = projection.get("weight", format="array").diagonal().copy()
    return spikes, before, after, projection


def test_report_gives_the_rule_its_integers_and_effective_values(sim):
    pair_protocol(sim, "loihi", 10.0, 22.0)
    learning = sim.get_mapping().report.projections[0].learning
    rows = {row.name: row for row in learning.parameters}
    assert learning.epoch_ticks == 4 and learning.integers["tau_x1"] == 21
    assert rows["tau_plus"].effective == pytest.approx(20.496, abs=1e-3)
    for name in ("A_plus", "A_minus"):
        assert rows[name].max_relative_error < 0.01
    text = str(sim.get_mapping().report)
    assert "plastic projection 'plastic'" in text and "A_plus" in text


def test_learned_weights_are_read_back_and_reproducible(sim):
    runs = [pair_protocol(sim, "loihi", 10.0, 22.0, n=20, seed=seed)[2] for seed in (4, 4, 5)]
    sim.end()
    assert np.array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_runs_in_pieces_learn_as_one_run(sim):
    """Host spikes reach the traces a tick before their label, across run boundaries too,
    and a Poisson source is drawn once per tick."""
    def learned(pieces):
        sim.setup(timestep=1.0, target="loihi", seed=9)
        pre = sim.Population(50, sim.SpikeSourcePoisson(rate=50.0), label="pre")
        post = sim.Population(50, sim.IF_curr_exp(tau_refrac=2.0), label="post")
        stdp = sim.STDPMechanism(
            timing_dependence=sim.SpikePairRule(A_plus=0.05, A_minus=0.05),
            weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=1.0),
            weight=0.5, delay=1.0)
        projection = sim.Projection(pre, post, sim.FixedProbabilityConnector(
            0.3, rng=sim.NumpyRNG(seed=2)), stdp)
        for piece in pieces:
            sim.run(piece)
        weights = projection.get("weight", format="array")
        sim.end()
        return weights

    whole = learned([200.0])
    assert np.array_equal(whole, learned([37.0, 100.0, 63.0]), equal_nan=True)
    assert np.nanmax(np.abs(whole - 0.5)) > 0.05  # it learned


def trace_noise(impulse, tau, ticks):
    """Relative standard deviation (an upper bound) of a trace `ticks` ticks after its
    impulse: each tick's stochastic rounding adds a variance of at most 1/4, which the
    later ticks scale by r = 1 - 1/tau."""
    r = 1 - 1 / tau
    variance = 0.25 * (1 - r ** (2 * ticks)) / (1 - r ** 2)
    return np.sqrt(variance) / (impulse * r ** ticks)


@pytest.mark.parametrize("t_pre, t_kick, ticks", [(10.0, 22.0, 14), (32.0, 11.0, 19)],
                         ids=["potentiation", "depression"])
def test_pair_protocol_matches_software(sim, t_pre, t_kick, ticks):
    """200 independent pairs on Loihi against the same pair on brian2.

    The later spike falls in the last tick of a learning epoch, so the epoch adds no
    decay; the trace decays for `ticks` ticks (post spike at 24 ms: pre trace from tick
    9 to 23; post at 13 ms, pre at 32 ms: post trace from 12 to 31). A Loihi change is a
    whole number of weight steps: stochastic rounding picks one of the two steps around
    the change the traces give, and the traces' rounding noise (sigma, bounded in
    trace_noise: 8 % and 10 % here) spreads that change. So: every change within one
    step plus 3 sigma of brian2's; the mean, where the noise averages out, within half a
    step and 3 % (the trace's tau of 20.5 ms for 20 ms makes up to 2.3 % over 19 ticks).
    """
    spikes_sw, before_sw, after_sw, _ = pair_protocol(sim, "brian2", t_pre, t_kick)
    sim.end()
    spikes, before, after, projection = pair_protocol(sim, "loihi", t_pre, t_kick, n=200)
    assert spikes_sw[0] == spikes[0] and max(spikes[0][0], t_pre) % 4 == 0
    mapping = sim.get_mapping()
    rule = mapping.projections[0].learning
    step = 2.0 ** rule.weight_shift / mapping.populations[2].input_per_unit["excitatory"][0]
    change_sw = after_sw[0] - before_sw[0]
    change = after - before
    assert np.allclose(change / step, np.rint(change / step))  # whole steps
    impulse, tau = (rule.impulse_x, rule.tau_x) if change_sw > 0 else (rule.impulse_y,
                                                                       rule.tau_y)
    sigma = trace_noise(impulse, tau, ticks) * abs(change_sw)
    assert np.all(np.abs(change - change_sw) <= step + 3 * sigma)
    assert abs(change.mean() - change_sw) < min(step / 2, 0.03 * abs(change_sw))


# --- refusals ------------------------------------------------------------------------

@pytest.mark.parametrize("build, error, message", [
    (lambda sim: sim.STDPMechanism(timing_dependence=sim.Vogels2011Rule(),
                                   weight_dependence=sim.AdditiveWeightDependence()),
     errors.NoModelAvailableError, "'plastic'.*timing dependence Vogels2011Rule"),
    (lambda sim: sim.STDPMechanism(timing_dependence=sim.SpikePairRule(),
                                   weight_dependence=sim.GutigWeightDependence()),
     errors.NoModelAvailableError, "'plastic'.*weight dependence GutigWeightDependence"),
    (lambda sim: sim.STDPMechanism(timing_dependence=sim.SpikePairRule(),
                                   weight_dependence=sim.AdditiveWeightDependence(),
                                   dendritic_delay_fraction=0.5),
     errors.NoModelAvailableError, "'plastic'.*dendritic_delay_fraction = 0.5"),
    (lambda sim: sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(
            tau_plus=sim.RandomDistribution("uniform", (10.0, 30.0))),
        weight_dependence=sim.AdditiveWeightDependence()),
     errors.NoModelAvailableError, "'plastic'.*tau_plus differs between connections"),
    (lambda sim: sim.STDPMechanism(timing_dependence=sim.SpikePairRule(A_plus=1e-4),
                                   weight_dependence=sim.MultiplicativeWeightDependence()),
     ChipLimitError, "A_plus = 0.0001 of projection 'plastic' is out of the reach"),
])
def test_rules_the_chip_cannot_express_are_refused(sim, build, error, message):
    sim.setup(timestep=1.0, target="loihi")
    pre = sim.Population(4, sim.SpikeSourceArray(spike_times=[2.0]), label="pre")
    post = sim.Population(4, sim.IF_curr_exp(**CELL), label="post")
    sim.Projection(pre, post, sim.AllToAllConnector(), build(sim), label="plastic")
    with pytest.raises(error, match=message):
        sim.get_mapping()


def test_targets_with_different_weight_scales_are_refused(sim):
    sim.setup(timestep=1.0, target="loihi")
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[2.0]), label="pre")
    post = sim.Population(2, sim.IF_curr_exp(**dict(CELL, cm=[0.2, 0.4])), label="post")
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(),
                             weight_dependence=sim.AdditiveWeightDependence())
    sim.Projection(pre, post, sim.AllToAllConnector(), stdp, label="plastic")
    with pytest.raises(errors.NoModelAvailableError,
                       match="projection 'plastic'.*one set of constants per projection"):
        sim.get_mapping()
