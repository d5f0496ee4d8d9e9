"""Golden vectors for the SpiNNaker emulator, worked out by hand from sPyNNaker's C code
(the 6.0-era neural_modelling tree) and its host-side conversions: one test per rule.

Raw words are s16.15 (1.0 = 32768). The arithmetic below is plain Python integers:
`a * b >> 15` is GCC's accum multiply on the ARM968 (bits 15..46 of the product, so a
floor, also for negative products), `x * d >> 32` is decay.h decay_s1615.
"""

import math

import numpy as np
import pytest

ONE = 1 << 15


def raw(trace):
    """Recorded v (mV) back to the chip's raw words (exact: raw / 2**15 is a float)."""
    return np.rint(np.asarray(trace, float) * ONE).astype(np.int64).tolist()


def v_of(population, cell=0):
    return np.asarray(population.get_data().segments[0].filter(name="v")[0])[:, cell]


def spikes_of(population, cell=0):
    return np.asarray(population.get_data().segments[0].spiketrains[cell]).tolist()


def test_lif_closed_form_truncates_toward_minus_infinity(sim):
    """neuron_model_lif_impl.c: alpha = I R + V_rest; V = alpha - exp_TC (alpha - V).
    tau_m 20, c_m 1 (R = 20 = 655360), dt 1: exp_TC = round(e**-0.05 2**15) = 31170."""
    sim.setup(timestep=1.0, target="spinnaker")
    cells = sim.Population(2, sim.IF_curr_exp(tau_m=20.0, cm=1.0, v_rest=-65.0,
                                               v_thresh=-40.0, i_offset=[0.5, -0.5]),
                           label="cells")
    cells.record("v")
    sim.run(3.0)
    # i_offset +0.5 (16384): alpha = 16384 * 655360 >> 15 - 2129920 = -1802240
    #   V1 = -1802240 - (31170 * 327680 >> 15) = -1802240 - 311700 = -2113940
    #   V2 = -1802240 - (31170 * 311700 >> 15) = -1802240 - 296499 (296499.30) = -2098739
    assert raw(v_of(cells, 0))[:3] == [-2129920, -2113940, -2098739]
    # i_offset -0.5: alpha = -2457600; V1 = -2457600 + 311700 = -2145900
    #   V2 = -2457600 - (31170 * -311700 >> 15) = -2457600 + 296500 (floor of -296499.30;
    #   a rounding or truncating multiply would give 296499)
    assert raw(v_of(cells, 1))[:3] == [-2129920, -2145900, -2161100]


def test_exponential_synapse_enters_at_init_and_decays_in_u032(sim):
    """One 1 nA synapse from one source: ring-buffer bound 1 * 1.0 * 1 = 1.0, whose
    power 0 is bumped to 1 (2**0 <= 1.0); weight = 1.0 * 2**(15 - 1) = 16384, input =
    16384 << 1 = 32768. synapse_types_exponential_impl.h: isyn += input * init >> 32,
    used in that tick, then isyn = isyn * decay >> 32."""
    sim.setup(timestep=1.0, target="spinnaker")
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[3.0]), label="input")
    cells = sim.Population(1, sim.IF_curr_exp(tau_m=20.0, cm=1.0, v_rest=-65.0,
                                              tau_syn_E=5.0, v_thresh=-40.0), label="cells")
    projection = sim.Projection(source, cells, sim.OneToOneConnector(),
                                sim.StaticSynapse(weight=1.0, delay=1.0))
    cells.record("v")
    sim.run(6.0)
    mapping = sim.get_mapping()
    assert mapping.populations[1].shifts.tolist()[0] == 1
    assert mapping.projections[0].weight.tolist() == [16384]
    init = round(5.0 * (1 - math.exp(-0.2)) * 2 ** 32)  # 3892727437
    decay = round(math.exp(-0.2) * 2 ** 32)  # 3516421809
    v = -65 * ONE
    isyn = (32768 * init) >> 32  # 29699
    expected = [v] * 4  # the spike labelled 3 leaves in tick 2 and arrives in tick 3
    for _ in range(2):
        alpha = (isyn * (20 * ONE) >> 15) - 65 * ONE
        v = alpha - (31170 * (alpha - v) >> 15)
        expected.append(v)
        isyn = (isyn * decay) >> 32  # 24315 after the first tick
    assert raw(v_of(cells))[:6] == expected
    assert projection.get("weight", format="list")[0][2] == 1.0


def test_refractory_period_is_sPyNNakers_ceil(sim):
    """T_refract = ceil(tau_refrac / (ts / 1000.0)) on the exact quotient: 1.0004 ms at
    0.1 ms is ceil(10.004) = 11 ticks, where NEST (and the time grid) first rounds to
    whole microseconds (1000) and gives 10 steps. V is frozen at V_reset for those
    ticks, then a cell driven hard fires at once: one spike every 12 ticks."""
    from pyNN.neurox.hardware.chips.spinnaker.quantize import refractory_ticks
    assert refractory_ticks([1.0004, 2.0, 0.25, 5.0, 0.15], 0.1).tolist() == [11, 20, 3, 50, 2]
    assert refractory_ticks([1.5, 2.0, 0.1], 1.0).tolist() == [2, 2, 1]
    sim.setup(timestep=0.1, target="spinnaker")
    cells = sim.Population(1, sim.IF_curr_exp(tau_refrac=1.0004, i_offset=400.0,
                                              v_reset=-70.0), label="cells")
    cells.record(["spikes", "v"])
    sim.run(5.0)
    times = np.asarray(spikes_of(cells))
    assert np.allclose(np.diff(times), 1.2)
    report = sim.get_mapping().report
    notes = " ".join(report.populations[0].approximations)
    assert "ceil(tau_refrac / dt) = 11 ticks" in notes and "gives 10 steps" in notes
    v = np.asarray(raw(v_of(cells)))
    first = int(round(times[0] / 0.1))  # the sample after the spike's tick
    # frozen for ticks first .. first + 10; tick first + 11 integrates and fires again
    assert (v[first:first + 13] == -70 * ONE).all()


def test_ring_buffer_saturates_at_0xffff_and_counts_each_addition(sim):
    """16 neurons fire together onto one cell, 15 through 1 ms and one through 2 ms.
    The delays differ, so the shift comes from sPyNNaker's statistical bound: 16
    synapses at 30 Hz give 0.48 spikes per tick, bound 0.48 + 5 sqrt(0.48) = 3.94,
    shift 2, weight 1.0 * 2**13 = 8192. Fifteen additions into one entry: 7 * 8192 =
    57344, the 8th reaches 0x10000 and saturates to 0xFFFF, and so does each of the 7
    after it (synapses.c: 8 saturations); the input is 0xFFFF << 2."""
    sim.setup(timestep=1.0, target="spinnaker")
    kick = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]), label="kick")
    pre = sim.Population(16, sim.IF_curr_delta(), label="pre")
    post = sim.Population(1, sim.IF_curr_exp(v_thresh=100.0), label="post")
    sim.Projection(kick, pre, sim.AllToAllConnector(), sim.StaticSynapse(weight=30.0,
                                                                         delay=1.0))
    connections = [(i, 0, 1.0, 1.0 if i < 15 else 2.0) for i in range(16)]
    sim.Projection(pre, post, sim.FromListConnector(connections), sim.StaticSynapse(),
                   label="converge")
    pre.record("spikes")
    sim.run(10.0)
    assert all(spikes_of(pre, i) == [3.0] for i in range(16))
    mapping = sim.get_mapping()
    assert mapping.populations[2].shifts.tolist()[0] == 2
    assert set(mapping.projections[1].weight.tolist()) == {8192}
    assert mapping.report.counters["ring_buffer_saturations"] == 8


def test_delay_extension_carries_long_delays(sim):
    """A delay of 40 ticks: stage (40 - 1) >> 4 = 2, so a delay-extension core re-sends
    the spike 32 ticks later into a row with the remaining 8: the jump shows 40 ticks
    after the spike, as on the software target, and the source population gets a
    delay-extension core."""
    def first_change(target):
        sim.setup(timestep=1.0, target=target)
        source = sim.Population(2, sim.SpikeSourceArray(spike_times=[5.0]), label="input")
        cells = sim.Population(2, sim.IF_curr_delta(), label="cells")
        sim.Projection(source, cells, sim.OneToOneConnector(),
                       sim.StaticSynapse(weight=5.0, delay=40.0))
        cells.record("v")
        sim.run(60.0)
        v = v_of(cells)
        mapping = sim.get_mapping() if target != "brian2" else None
        sim.end()
        return int(np.flatnonzero(np.abs(v - v[0]) > 1.0)[0]), mapping

    (tick, mapping), (software, _) = first_change("spinnaker"), first_change("brian2")
    assert tick == software == 45
    rows = mapping.report.cores
    assert [r.population for r in rows] == ["input", "cells", "input (delay extension)"]
    assert rows[2].usage[1].used == 2
    assert mapping.report.counters["delay_extension_spikes"] == 2


def test_a_delta_jump_enters_as_a_current_for_one_tick(sim):
    """input_type_delta.h: the weight times scale_factor = 1000 / ts (1 at dt 1 ms) is
    the tick's current, through the closed form: 8 mV with tau_m 20, c_m 1 at dt 1 is
    a jump of 8 * 20 * (1 - exp_TC / 2**15) mV. Weight: bound 8, shift 4, 8 * 2**11."""
    sim.setup(timestep=1.0, target="spinnaker")
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]), label="input")
    cells = sim.Population(1, sim.IF_curr_delta(tau_m=20.0, cm=1.0, v_rest=-65.0),
                           label="cells")
    sim.Projection(source, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=8.0,
                                                                             delay=1.0))
    cells.record("v")
    sim.run(5.0)
    isyn = (8 * 2 ** 11) << 4  # 262144 = 8.0
    current = isyn * ONE >> 15  # times scale_factor 1.0
    alpha = (current * (20 * ONE) >> 15) - 65 * ONE
    v = alpha - (31170 * (alpha - (-65 * ONE)) >> 15)
    assert raw(v_of(cells))[:4] == [-65 * ONE] * 3 + [v]
    # the next tick decays toward rest: alpha = V_rest, V - exp_TC (V_rest - V) floored
    assert raw(v_of(cells))[4] == -65 * ONE - (31170 * (-65 * ONE - v) >> 15)


def test_alpha_synapse_is_sPyNNakers_shape(sim):
    """synapse_types_alpha_impl.h: on arrival q = input, exp = exp decay + 1 (= 1.0),
    lin = (lin + input dt/tau**2)(1 - 1/exp) = 0: no current in the tick of arrival;
    then lin += q dt/tau**2 and exp decays each tick, the current being lin * exp."""
    sim.setup(timestep=1.0, target="spinnaker")
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]), label="input")
    cells = sim.Population(1, sim.IF_curr_alpha(tau_m=20.0, cm=1.0, tau_syn_E=2.0,
                                                v_rest=-65.0), label="cells")
    sim.Projection(source, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.0,
                                                                             delay=1.0))
    cells.record("v")
    sim.run(6.0)
    k = round(1.0 / 4.0 * ONE)  # dt / tau**2 = 0.25
    decay = round(math.exp(-0.5) * 2 ** 32)
    q = 16384 << 1  # weight 1.0: shift 1, 1.0 * 2**14 << 1 = 1.0
    lin = 0 + (q * k >> 15)  # shaped after the tick of arrival
    exp = (ONE * decay) >> 32
    v = -65 * ONE
    expected = [v, v, v, v]  # arrival in tick 2: no current there, V still at rest
    for _ in range(2):
        current = lin * exp >> 15
        alpha = (current * (20 * ONE) >> 15) - 65 * ONE
        v = alpha - (31170 * (alpha - v) >> 15)
        expected.append(v)
        lin += q * k >> 15
        exp = (exp * decay) >> 32
    assert raw(v_of(cells))[:6] == expected


def test_izhikevich_rk2_midpoint_step(sim):
    """neuron_model_izh_impl.c _rk2_kernel_midpoint with a = 0.02, b = 0.2, v = -70,
    u = -14, no input, h = dt = 1.0; constants as GCC converts them (0.04k = 1310)."""
    sim.setup(timestep=1.0, target="spinnaker")
    cells = sim.Population(1, sim.Izhikevich(), label="cells")
    cells.record("v")
    sim.run(2.0)

    def mul(a, b):
        return a * b >> 15

    a, b, h = round(0.02 * ONE), round(0.2 * ONE), ONE
    v, u = -70 * ONE, -14 * ONE
    c004, c5, c140 = 1310, 5 * ONE, 140 * ONE
    pre = c140 + 0 - u
    alpha = pre + mul(c5 + mul(c004, v), v)
    eta = v + (mul(h, alpha) >> 1)
    beta = mul(mul(h, mul(b, v) - u), a) >> 1
    v1 = v + mul(h, pre - beta + mul(c5 + mul(c004, eta), eta))
    assert raw(v_of(cells))[:2] == [v, v1]


def test_conductance_input_is_shifted_back_before_the_multiply(sim):
    """input_type_conductance.h: g travels as g * 2**10 and is shifted right by 10
    (an arithmetic shift: a floor) before g (E_rev - V)."""
    sim.setup(timestep=1.0, target="spinnaker")
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]), label="input")
    cells = sim.Population(1, sim.IF_cond_exp(tau_m=20.0, cm=1.0, v_rest=-65.0,
                                              e_rev_E=0.0, tau_syn_E=5.0), label="cells")
    sim.Projection(source, cells, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=0.01, delay=1.0))
    cells.record("v")
    sim.run(4.0)
    mapping = sim.get_mapping()
    shift = mapping.populations[1].shifts[0]  # bound 0.01 * 1024 = 10.24: shift 4
    assert shift == 4
    weight = round(0.01 * 1024 * 2 ** (15 - 4))  # 20972
    assert mapping.projections[0].weight.tolist() == [weight]
    init = round(5.0 * (1 - math.exp(-0.2)) * 2 ** 32)
    g = ((weight << 4) * init) >> 32
    current = (g >> 10) * (0 - (-65 * ONE)) >> 15
    alpha = (current * (20 * ONE) >> 15) - 65 * ONE
    v = alpha - (31170 * (alpha - (-65 * ONE)) >> 15)
    assert raw(v_of(cells))[3] == v


@pytest.mark.parametrize("multiplicative", [False, True])
def test_stdp_pair_at_the_second_pre_spike(sim, multiplicative):
    """Pre spikes in ticks 9 and 29, the post cell fires in tick 15 (a 20 mV input),
    delay 1 (dendritic). Ring-buffer bound 2.0 (the rule's w_max) + 20 = 22: shift 5,
    weights in units of 2**-10. At the second pre spike (time 29; previous 9, trace
    2048): potentiation from the post spike at 15 seen at 16: lut+[16 - 9] =
    floor(e**-0.35 2048) = 1443 (times the trace 2048 >> 11); depression from it at
    29 - 16 = 13: lut-[13] = floor(e**-0.65 2048) = 1069.
    additive: A2+ = round(0.1 * 2.0 * 1024) = 205, A2- = round(0.12 * 2.0 * 1024) = 246:
    1024 + (1443 * 205 >> 11) - (1069 * 246 >> 11) = 1024 + 144 - 128 = 1040.
    multiplicative: A2+ = round(0.1 * 1024) = 102, A2- = 123, shift 16 - 6 = 10:
    1024 + ((2048 - 1024) * 102 >> 10) * 1443 >> 11 = 1024 + 102 * 1443 >> 11 = 1095;
    then - ((1095 * 123 >> 10) * 1069 >> 11) = - (131 * 1069 >> 11) = -68: 1027."""
    sim.setup(timestep=1.0, target="spinnaker")
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 30.0]), label="pre")
    drive = sim.Population(1, sim.SpikeSourceArray(spike_times=[15.0]), label="drive")
    post = sim.Population(1, sim.IF_curr_delta(), label="post")
    dependence = (sim.MultiplicativeWeightDependence if multiplicative
                  else sim.AdditiveWeightDependence)(w_min=0.0, w_max=2.0)
    rule = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.1,
                                            A_minus=0.12),
        weight_dependence=dependence, weight=1.0, delay=1.0)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), rule, label="plastic")
    sim.Projection(drive, post, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=20.0, delay=1.0))
    post.record("spikes")
    sim.run(40.0)
    assert spikes_of(post) == [16.0]  # tick 15
    mapping = sim.get_mapping()
    assert mapping.populations[2].shifts.tolist()[0] == 5
    learned = plastic.get("weight", format="list")[0][2]
    assert learned * 1024 == (1027 if multiplicative else 1040)
    row = mapping.report.projections[0].learning
    assert row.integers["lut_plus"] == 154  # ln(2048) * 20 = 152.5: the next even size


def test_two_spikes_of_a_cell_in_one_tick_add_twice(sim):
    """Host inputs with multiplicity (two spikes of a cell with one label) are two
    packets: two additions into the ring buffer. The source's most spikes per tick (2)
    enter the shift's bound: 2 * 4.0 = 8, shift 4, weight 4 * 2**11 = 8192 each."""
    sim.setup(timestep=1.0, target="spinnaker")
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[3.0, 3.0]), label="input")
    cells = sim.Population(1, sim.IF_curr_delta(tau_m=20.0, cm=1.0, v_rest=-65.0),
                           label="cells")
    sim.Projection(source, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=4.0,
                                                                             delay=1.0))
    cells.record("v")
    sim.run(5.0)
    mapping = sim.get_mapping()
    assert mapping.populations[1].shifts.tolist()[0] == 4
    assert mapping.report.counters["synaptic_events"] == 2
    isyn = 2 * (8192 << 4)  # 8.0
    alpha = (isyn * (20 * ONE) >> 15) - 65 * ONE
    assert raw(v_of(cells))[4] == alpha - (31170 * (alpha + 65 * ONE) >> 15)


def test_stdp_through_a_delay_extension_stage(sim):
    """A plastic synapse of delay 20: stage 1, 4 ticks left. Its row is processed when
    the delay extension re-sends the spike, 16 ticks later, with 4 as the dendritic
    delay (sPyNNaker's rows of later stages): pre spikes of ticks 9 and 29 are processed
    at 25 and 45. The post spike of tick 15 falls in the first row's window (0, 21] and
    potentiates nothing (the row's trace is still 0), then depresses with lut-[25 - 19]
    = floor(e**-0.3 2048) = 1517: 1024 - (1517 * 246 >> 11) = 1024 - 182 = 842; at 45
    it is the last post spike again, lut-[45 - 19] = lut-[26] = 558:
    842 - (558 * 246 >> 11) = 842 - 67 = 775 (additive, A2- = 246 as above)."""
    sim.setup(timestep=1.0, target="spinnaker")
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 30.0]), label="pre")
    drive = sim.Population(1, sim.SpikeSourceArray(spike_times=[15.0]), label="drive")
    post = sim.Population(1, sim.IF_curr_delta(), label="post")
    rule = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.1,
                                            A_minus=0.12),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=2.0), weight=1.0,
        delay=20.0)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), rule, label="plastic")
    sim.Projection(drive, post, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=20.0, delay=1.0))
    post.record("spikes")
    sim.run(60.0)
    assert spikes_of(post) == [16.0]
    assert plastic.get("weight", format="list")[0][2] * 1024 == 775
    assert sim.get_mapping().report.counters["delay_extension_spikes"] == 2
