"""What the NeuroCoreX program holds for a board beyond its image: the input stream (the
records a host sends, the same on the emulator path and the board path), fed within the
board's FIFO and padded to a run's end; unused slots kept silent; and the report's
warning when a register wrapped."""

import numpy as np

from pyNN.neurox.hardware.chips.neurocorex import board
from pyNN.neurox.hardware.chips.neurocorex.emulator import NeuroCoreXEmulator
from pyNN.neurox.hardware.chips.neurocorex.formats import BOARD
from pyNN.neurox.hardware.chips.neurocorex.stream import StreamedBoard
from pyNN.neurox.hardware.report import MappingReport

CELL = dict(v_thresh=-55.0, v_reset=-65.0, v_rest=-65.0, tau_refrac=2.0)


def busy_network(sim, sources=16, cells=20, rate=80.0):
    """Poisson inputs busier than one release per tick: the stream serialises them."""
    sim.setup(timestep=1.0, target="neurocorex", rng_seed=5)
    source = sim.Population(sources, sim.SpikeSourcePoisson(rate=rate), label="in")
    target = sim.Population(cells, sim.IF_curr_delta(**CELL), label="cells")
    weights = np.random.default_rng(0).uniform(0.0, 4.0, (sources, cells))
    sim.Projection(source, target, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=weights, delay=1.0), label="ff")
    return source, target


def host_spikes(mapping, ticks):
    labels, cells = mapping.inputs[0].spikes(0, ticks + mapping.program.lead)
    return labels, mapping.program.input_offset[0] + cells


def test_the_stream_keeps_the_fifo_within_its_depth_and_changes_no_spike(sim):
    busy_network(sim)
    mapping = sim.get_mapping()
    ticks = 3000
    labels, addresses = host_spikes(mapping, ticks)
    streamed = StreamedBoard(mapping.program, BOARD)
    k, neurons, _ = streamed.run(ticks, labels, addresses, None, 1)
    sent = streamed.records_sent()
    assert len(sent) > 2 * BOARD.input_fifo_depth
    assert streamed.counters["input_fifo_peak"] == BOARD.input_fifo_depth
    # the same records, queued at once on an emulator with room for them all, release at
    # the ticks the stream says and give the same spikes
    records, releases = mapping.program.input_stream().extend(labels, addresses, ticks, 0)
    # (those serialised past the run's end wait in the host for the next run)
    assert np.count_nonzero(releases < ticks) <= len(sent) < len(records)
    np.testing.assert_array_equal(sent, records[:len(sent)])
    whole = NeuroCoreXEmulator(mapping.program.image)
    whole.queue(records)
    np.testing.assert_array_equal(whole.release_offsets(), releases)
    result = whole.run(ticks)
    np.testing.assert_array_equal(result.releases[:, 0], releases[releases < ticks])
    k2, neurons2 = np.nonzero(result.spikes)
    np.testing.assert_array_equal(k, k2)
    np.testing.assert_array_equal(neurons, neurons2)


def test_a_board_run_is_padded_to_its_end(sim):
    sim.setup(timestep=1.0, target="neurocorex")
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[[3.0], [900.0]]))
    cells = sim.Population(2, sim.IF_curr_delta(**CELL))
    sim.Projection(source, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=5.0))
    program = sim.get_mapping().program
    ticks = 600
    records, releases = program.input_stream().board_run([3, 900], [0, 1], ticks)
    # the spike at 900 ms falls after the run; fillers to the all-zero address bridge
    # the gap after the first and end in a release at tick `ticks` + 1, so the board
    # stops after sending every bit of the run's last tick
    assert releases[-1] == ticks + 1 and np.all(np.diff(releases) > 0)
    assert records[0].tolist() == [3 + 1 - program.lead, 0]
    assert set(records[1:, 1]) == {program.filler}
    assert np.all(records[:, 0] <= board.MAX_DT)
    np.testing.assert_array_equal(board.release_ticks(records), releases)


def test_unused_slots_stay_silent(sim):
    """A random native network with the board-wide leak and recurrent weights: at the
    power-on threshold (512) the unused slots' V is wound round by the leak until they
    fire, from tick 437 on (131072 / 300), and through the shared lateral register those
    phantom spikes change the real neurons' spikes. The program gives them the largest
    threshold."""
    rng = np.random.default_rng(1)
    sim.setup(timestep=1.0, target="neurocorex", rng_seed=3)
    source = sim.Population(16, sim.SpikeSourcePoisson(rate=50.0))
    cells = sim.Population(20, sim.NeuroCoreXNeuron(vth=4000, tref=2, leak=300, ff_gain=1))
    sim.Projection(source, cells, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=rng.integers(0, 8, (16, 20)).astype(float)))
    recurrent = rng.integers(0, 4, (20, 20)).astype(float)
    recurrent[np.arange(1, 20), np.arange(19)] = 0.0  # pre -> pre - 1 is never delivered
    sim.Projection(cells, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=recurrent))
    mapping = sim.get_mapping()
    labels, addresses = host_spikes(mapping, 1000)
    _, neurons, _ = StreamedBoard(mapping.program, BOARD).run(1000, labels, addresses, None, 1)
    assert neurons.size > 1000 and neurons.max() < 20
    unused = np.arange(board.FIRST_SLOT + 20, board.N_SLOTS)
    assert np.all(mapping.program.image.vth[unused] == board.V_MAX)


def test_a_membrane_wrap_is_a_warning_shown_first(sim):
    """IF_curr_delta has no leak on the board: sustained inhibition winds V down until it
    wraps to the top and the cell fires. The report says so before anything else."""
    sim.setup(timestep=1.0, target="neurocorex")
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=np.arange(1.0, 200.0, 2.0)))
    cells = sim.Population(1, sim.IF_curr_delta(**CELL), label="inhibited")
    sim.Projection(source, cells, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=-8.0), receptor_type="inhibitory")
    cells.record("spikes")
    sim.run(200.0)
    report = sim.get_mapping().report
    assert report.counters["membrane_wraps"] > 0
    assert len(report.warnings) == 1 and "membrane_wraps" in report.warnings[0]
    assert len(cells.get_data().segments[0].spiketrains[0]) > 0  # the wrap fires it
    lines = str(report).splitlines()
    assert lines[1].startswith("WARNING: ") and "wrap" in lines[1]
    again = MappingReport.from_dict(report.as_dict())
    assert again.warnings == report.warnings


def test_a_run_without_a_wrap_has_no_warning(sim):
    busy_network(sim, rate=10.0)
    sim.run(200.0)
    report = sim.get_mapping().report
    assert report.counters["membrane_wraps"] == 0 and report.warnings == []
    assert "WARNING" not in str(report)


def test_the_comparison_report_shows_the_warning_first(sim):
    from pyNN.neurox.validation.report import _approximations, _resources
    report = MappingReport("NeuroCoreX", 1.0, counters={"membrane_wraps": 3},
                           notes=["a note"], warnings=["3 membrane updates wrapped"])
    comparison = {"targets": {"neurocorex": {"mapping": report.as_dict()}}}
    assert _approximations(comparison).startswith(
        "<ul><li class=error>neurocorex: warning: 3 membrane updates wrapped</li>")
    assert "<b class=error>warning: 3 membrane updates wrapped</b>" in _resources(comparison)
