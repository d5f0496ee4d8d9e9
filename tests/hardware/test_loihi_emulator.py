"""Golden vectors for the Loihi emulator, worked out by hand from the compartment
update of hardware_facts.md §2.2 (nengo-loihi's emulator): one test per rule."""

import numpy as np
import pytest


def native(sim, n=1, **parameters):
    """One native compartment population on the loihi target, v recorded."""
    sim.setup(timestep=1.0, target="loihi")
    cells = sim.Population(n, sim.LoihiCompartment(**parameters), label="cells")
    cells.record(["spikes", "v"])
    return cells


def v_trace(cells):
    return np.asarray(cells.get_data().segments[0].filter(name="v")[0])[:, 0]


def spike_times(cells, k=0):
    return list(np.asarray(cells.get_data().segments[0].spiketrains[k]))


def test_voltage_decay_rounds_toward_zero(sim):
    # decay_v = 1024: v <- sign(v) floor(|v| * 3072 / 4096)
    cells = native(sim, n=2, decay_v=1024, vth_mant=100000)
    cells.initialize(v=[1000, -1000])
    sim.run(4.0)
    data = np.asarray(cells.get_data().segments[0].filter(name="v")[0])
    assert data[:, 0].tolist() == [1000, 750, 562, 421, 315]
    assert data[:, 1].tolist() == [-1000, -750, -562, -421, -315]


def test_current_decays_with_offset_one(sim):
    # decay_u = 0 still decays u by 4095/4096; v (no decay) sums u, one input of 4096
    cells = native(sim, decay_u=0, decay_v=0, vth_mant=100000)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    sim.Projection(source, cells, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=4096, delay=1.0))
    sim.run(5.0)
    # the spike labelled 1 is sent in tick 0; onto a delta-like compartment the chip's
    # delay is 1 - 1 = 0, so it arrives in tick 1: u = 4096, 4095, 4094, ...
    assert v_trace(cells).tolist() == [0, 0, 4096, 8191, 12285, 16378]


def test_threshold_is_mantissa_times_64_and_strict(sim):
    # bias 320 per tick, no decay: v = 320, 640 (= threshold, no spike), 960 > 640 fires
    cells = native(sim, decay_v=0, vth_mant=10, bias_mant=320)
    sim.run(5.0)
    assert v_trace(cells)[:4].tolist() == [0, 320, 640, 0]
    assert spike_times(cells)[0] == 3.0


def test_refractory_holds_v_at_zero(sim):
    # bias 100, threshold 128: fires on the second tick of charging; refract_delay 3
    # holds v at 0 for the two ticks after the spike
    cells = native(sim, decay_v=0, vth_mant=2, bias_mant=100, refract_delay=3)
    sim.run(12.0)
    assert spike_times(cells) == [2.0, 6.0, 10.0]
    assert v_trace(cells)[:7].tolist() == [0, 100, 0, 0, 0, 100, 0]


def test_delay_in_ticks_and_host_label(sim):
    # a host spike at 5 ms is sent in tick 4; with delay 3 ms (dt 1 ms) onto a delta-like
    # compartment the chip's delay is 2: it enters q in tick 4 + 1 + 2 = 7, v at 8 ms
    cells = native(sim, decay_u=4095, decay_v=0, vth_mant=100000)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    sim.Projection(source, cells, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=640, delay=3.0))
    sim.run(11.0)
    v = v_trace(cells)
    assert v[:8].tolist() == [0] * 8 and v[8:].tolist() == [640] * 4


def test_neuron_spike_reaches_targets_delay_ticks_later(sim):
    sim.setup(timestep=1.0, target="loihi")
    driver = sim.Population(1, sim.LoihiCompartment(decay_v=0, vth_mant=1, bias_mant=65),
                            label="driver")  # fires in tick 0 (v = 65 > 64)
    follower = sim.Population(1, sim.LoihiCompartment(decay_u=4095, decay_v=0,
                                                      vth_mant=100000), label="follower")
    sim.Projection(driver, follower, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=64, delay=2.0))
    driver.record("spikes")
    follower.record("v")
    sim.run(6.0)
    assert spike_times(driver)[:2] == [1.0, 2.0]  # it fires in every tick
    # between neurons the chip's delay is 2 - 1 ticks: the spike of tick 0 arrives
    # in tick 0 + 1 + 1 = 2 (v at 3 ms), the spike of tick 1 in tick 3
    assert v_trace(follower)[:5].tolist() == [0, 0, 0, 64, 128]


def test_input_wraps_at_21_bits_and_current_at_23(sim):
    cells = native(sim, decay_u=4095, decay_v=4095, vth_mant=131071)
    source = sim.Population(5, sim.SpikeSourceArray(spike_times=[1.0]))
    largest = 255 * 2 ** 13  # mantissa 255, exponent 7: 2088960
    sim.Projection(source, cells, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=largest, delay=1.0))
    sim.run(3.0)
    # 5 * 2088960 = 10444800 wraps in 22 bits to 10444800 - 2 * 4194304 = 2056192
    assert v_trace(cells)[2] == 2056192
    assert sim.get_mapping().report.counters["input_wraps"] == 1


def test_weight_exponent_chosen_per_projection(sim):
    cells = native(sim, decay_v=0, vth_mant=100000)
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]))
    projection = sim.Projection(source, cells, sim.AllToAllConnector(),
                                sim.StaticSynapse(weight=100 * 2 ** 8, delay=1.0))
    mapping = sim.get_mapping()
    # the smallest exponent whose mantissa range holds it: 25600 = 200 * 2**(6 + 1)
    assert mapping.projections[0].exponent == 1
    assert mapping.program.weight.tolist() == [25600, 25600]
    np.testing.assert_array_equal(projection.get("weight", format="array"), [[25600], [25600]])


def test_native_weights_must_be_representable(sim):
    cells = native(sim)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    sim.Projection(source, cells, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=100, delay=1.0), label="odd")
    with pytest.raises(ValueError, match="projection 'odd'.*mantissa"):
        sim.get_mapping()
