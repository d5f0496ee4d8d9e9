"""The NeuroCoreX mapping: PyNN cells onto the board, inputs as the board's stream, every
check with its message, and hand-worked traces through the emulator."""

import numpy as np
import pytest
from pyNN import errors

from pyNN.neurox.errors import ChipLimitError

CELL = dict(v_thresh=-50.0, v_reset=-65.0, v_rest=-65.0, tau_refrac=2.0, tau_m=20.0)


def feed(sim, times, weight=6.0, cells=3, delay=1.0, celltype=None):
    sim.setup(timestep=1.0, target="neurocorex")
    source = sim.Population(len(times), sim.SpikeSourceArray(spike_times=times), label="in")
    target = sim.Population(cells, celltype or sim.IF_curr_delta(**CELL), label="cells")
    sim.Projection(source, target, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=weight, delay=delay), label="ff")
    target.record(["spikes", "v"])
    return source, target


def test_simultaneous_inputs_are_serialised_and_spikes_come_a_tick_late(sim):
    _, cells = feed(sim, [[5.0, 20.0], [5.0], [5.0], [30.0]])
    sim.run(40.0)
    # v_unit = (15 + 6) / 127 mV; 6 mV is 36 units, so each input adds 36 * v_unit
    step = 36 * 21.0 / 127
    v = np.asarray(cells.get_data().segments[0].filter(name="v")[0])[:, 0]
    # the three inputs of 5 ms are released in ticks 4, 5 and 6 and act one tick later
    # (V at 6 ms holds the first, as in software); V, tested before each tick's input,
    # reaches the threshold in tick 8: spike at 9 ms
    np.testing.assert_allclose(v[:9], [-65.0] * 6 + [-65 + step, -65 + 2 * step,
                                                     -65 + 3 * step])
    trains = cells.get_data().segments[0].spiketrains
    assert [list(np.asarray(t)) for t in trains] == [[9.0]] * 3
    counters = sim.get_mapping().report.counters
    assert counters["events_serialised"] == 2 and counters["max_serialisation_ticks"] == 2
    assert counters["events_released"] == 5


def test_the_board_image_holds_the_quantized_network(sim):
    feed(sim, [[5.0]] * 2, weight=3.0)
    mapping = sim.get_mapping()
    image = mapping.program.image
    v_unit = (15 + 3) / 127
    assert image.ff_gain == 1 and image.leak == 0
    np.testing.assert_array_equal(image.input_weights()[:2, :3], np.rint(3 / v_unit))
    np.testing.assert_array_equal(image.vth[4:7], np.rint(15 / v_unit * 1024))
    np.testing.assert_array_equal(image.tref[4:7], 2)
    notes = " ".join(mapping.report.populations[0].approximations)
    assert "does not leak" in notes and "before this tick's input" in notes


def test_native_neurons_leak_linearly_without_a_floor(sim):
    sim.setup(timestep=1.0, target="neurocorex")
    cells = sim.Population(1, sim.NeuroCoreXNeuron(vth=5000, leak=300), label="native")
    cells.record("v")
    sim.run(5.0)
    v = np.asarray(cells.get_data().segments[0].filter(name="v")[0])[:, 0]
    assert v.tolist() == [0, -300, -600, -900, -1200, -1500]


@pytest.mark.parametrize("build, error, message", [
    (lambda sim: sim.Population(91, sim.IF_curr_delta(**CELL), label="big"),
     ChipLimitError, "91 neurons \\('big'\\); the chip has 90"),
    (lambda sim: sim.Population(97, sim.SpikeSourceArray(), label="wide"),
     ChipLimitError, "97 input cells.*'wide'.*96"),
    (lambda sim: sim.Population(2, sim.IF_curr_exp(), label="exp"),
     errors.NoModelAvailableError, "'exp': cell type IF_curr_exp"),
    (lambda sim: sim.Population(2, sim.IF_curr_delta(i_offset=0.5, **CELL), label="biased"),
     ChipLimitError, "i_offset.*'biased' is 0.5"),
    (lambda sim: sim.Population(1, sim.NeuroCoreXNeuron(vth=200000), label="high"),
     ChipLimitError, "vth of population 'high' is 200000.*131071"),
    (lambda sim: sim.Population(1, sim.NeuroCoreXNeuron(ff_gain=300), label="loud"),
     ChipLimitError, "ff_gain of population 'loud' is 300.*255"),
    (lambda sim: [sim.Population(1, sim.NeuroCoreXNeuron(leak=k)) for k in (1, 2)],
     ChipLimitError, "leak is one value for the whole board.*\\[1.0, 2.0\\]"),
])
def test_population_checks(sim, build, error, message):
    sim.setup(timestep=1.0, target="neurocorex")
    build(sim)
    with pytest.raises(error, match=message):
        sim.get_mapping()


def test_recurrent_projections_of_standard_cells_are_refused(sim):
    _, cells = feed(sim, [[5.0]])
    sim.Projection(cells, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0),
                   label="loop")
    with pytest.raises(errors.NoModelAvailableError, match="'loop'.*never decays"):
        sim.get_mapping()


def test_a_source_with_two_delays_is_refused(sim):
    source, cells = feed(sim, [[5.0]])
    sim.Projection(source, cells, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=1.0, delay=3.0), label="late")
    with pytest.raises(ChipLimitError, match="'late' gives cell 0 of 'in' more than one delay"):
        sim.get_mapping()


def test_native_weights_are_int8(sim):
    feed(sim, [[5.0]], weight=200, celltype=sim.NeuroCoreXNeuron())
    with pytest.raises(ChipLimitError, match="weight \\(int8\\) of projection 'ff' is 200"):
        sim.get_mapping()


def test_sparse_input_gives_the_software_spikes_one_tick_later(sim):
    """With inputs that never collide and never fall in a refractory period, the only
    difference from software is the board's test of V before the tick's input: every
    spike one tick later."""
    rng = np.random.default_rng(3)
    owner = rng.integers(0, 20, 39)  # which input fires at 5, 10, ..., 195 ms
    times = [[5.0 * (k + 1) for k in np.flatnonzero(owner == i)] for i in range(20)]
    weights = rng.uniform(0, 6, (20, 5))
    trains = {}
    for target in ("brian2", "neurocorex"):
        sim.setup(timestep=1.0, target=target)
        source = sim.Population(20, sim.SpikeSourceArray(spike_times=times))
        cells = sim.Population(5, sim.IF_curr_delta(**dict(CELL, tau_m=1e9)))
        sim.Projection(source, cells, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=weights, delay=1.0))
        cells.record("spikes")
        sim.run(200.0)
        trains[target] = [np.asarray(t) for t in cells.get_data().segments[0].spiketrains]
        sim.end()
    assert sum(t.size for t in trains["brian2"]) > 10
    for software, board in zip(trains["brian2"], trains["neurocorex"]):
        np.testing.assert_allclose(board, software + 1.0)


def test_one_sampling_interval_for_the_whole_chip(sim):
    sim.setup(timestep=1.0, target="neurocorex")
    a = sim.Population(1, sim.IF_curr_delta(**CELL))
    b = sim.Population(1, sim.IF_curr_delta(**CELL))
    a.record("v", sampling_interval=1.0)
    b.record("v", sampling_interval=2.0)
    with pytest.raises(ChipLimitError, match="one interval for all populations.*\\[1.0, 2.0\\]"):
        sim.run(5.0)


def learning_pair(sim, pre_time, post_time, weight=0.0, tau=5.0):
    """Neuron 0 -> neuron 1 with the board's rule; each neuron is fired once by its own
    input (a native neuron fires two ticks after its input's time)."""
    sim.setup(timestep=1.0, target="neurocorex")
    drive = sim.Population(2, sim.SpikeSourceArray(spike_times=[[pre_time], [post_time]]))
    cells = sim.Population(2, sim.NeuroCoreXNeuron(vth=512, tref=2), label="cells")
    sim.Projection(drive, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=1))
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=tau, tau_minus=tau, A_plus=0.05,
                                            A_minus=0.04),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=100.0),
        weight=weight, delay=1.0)
    projection = sim.Projection(cells[:1], cells[1:], sim.AllToAllConnector(), stdp,
                                label="learning")
    cells.record("spikes")
    sim.run(40.0)
    spikes = [list(np.asarray(t)) for t in cells.get_data().segments[0].spiketrains]
    return spikes, projection.get("weight", format="array")[0, 0]


def test_board_learning_potentiates_inside_the_window_only(sim):
    # pre at 12 ms, post at 15 ms: inside the 5-tick window, one step of 0.05 * 100
    spikes, weight = learning_pair(sim, 10.0, 13.0)
    assert spikes == [[12.0], [15.0]] and weight == 5
    # post 8 ticks after pre: outside the window, no change
    spikes, weight = learning_pair(sim, 10.0, 18.0)
    assert spikes == [[12.0], [20.0]] and weight == 0


def test_board_learning_depresses_to_its_floor_of_minus_one(sim):
    # post at 12 ms, pre at 14 ms: one step of 0.04 * 100 = 4 down from 0, floored at -1
    spikes, weight = learning_pair(sim, 12.0, 10.0)
    assert spikes == [[14.0], [12.0]] and weight == -1


def test_learning_on_the_input_path_and_two_rules_are_refused(sim):
    sim.setup(timestep=1.0, target="neurocorex")
    drive = sim.Population(2, sim.SpikeSourceArray(spike_times=[[5.0], [6.0]]))
    cells = sim.Population(2, sim.NeuroCoreXNeuron(), label="cells")
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(),
                             weight_dependence=sim.AdditiveWeightDependence(w_max=100.0),
                             weight=1.0)
    sim.Projection(drive, cells, sim.OneToOneConnector(), stdp, label="input learning")
    with pytest.raises(errors.NoModelAvailableError,
                       match="'input learning'.*learning on the input path is not emulated"):
        sim.get_mapping()
    sim.setup(timestep=1.0, target="neurocorex")
    cells = sim.Population(3, sim.NeuroCoreXNeuron(), label="cells")
    for k, tau in enumerate((5.0, 9.0)):
        rule = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_plus=tau),
                                 weight_dependence=sim.AdditiveWeightDependence(w_max=100.0),
                                 weight=1.0)
        sim.Projection(cells[k:k + 1], cells[2:], sim.AllToAllConnector(), rule)
    with pytest.raises(ChipLimitError, match="the learning rule is one for the whole board"):
        sim.get_mapping()


def test_recurrent_delays_other_than_one_tick_are_refused(sim):
    sim.setup(timestep=1.0, target="neurocorex")
    cells = sim.Population(2, sim.NeuroCoreXNeuron(), label="cells")
    sim.Projection(cells[:1], cells[1:], sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=1, delay=3.0), label="slow")
    with pytest.raises(ChipLimitError, match="'slow' has a delay of 3 ms; the board has no "
                                             "programmable delays"):
        sim.get_mapping()
