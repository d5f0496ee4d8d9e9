"""The NeuroCoreX board path, `setup(target="neurocorex-board")`, against a fake board on
a pseudo-terminal (fakeboard.FakeBoard: the bit-exact emulator behind the board's UART
protocol), at the board's own pace: a tick every 0.96 ms, a byte every 10 us (the
emulator computes a tick in about a sixth of that here, so the fake keeps its clock even
on a busy machine, and the driver's watch on the FIFO by the wall clock holds)."""

import json
import subprocess
import sys
import time

import numpy as np
import pytest
import serial

from pyNN.neurox.errors import (
    ChipLimitError, DeviceError, MappingError, NeuroxError, ProtocolError, SetupError,
)
from pyNN.neurox.hardware.chips.neurocorex import board
from pyNN.neurox.hardware.chips.neurocorex.fakeboard import FakeBoard, resample
from pyNN.neurox.hardware.chips.neurocorex.formats import BOARD
from pyNN.neurox.targets import target_names

CELL = dict(v_thresh=-55.0, v_reset=-65.0, v_rest=-65.0, tau_refrac=2.0)
TIMEOUT = 0.3  # s a silent fake is waited for
SPEED = 1.0


@pytest.fixture
def fake():
    with FakeBoard(speed=SPEED) as board_:
        yield board_


def network(sim, target, rate=80.0, **setup):
    """16 Poisson inputs onto 20 cells: busier than one release per tick, so the stream
    serialises and outgrows the board's FIFO in a few seconds."""
    sim.setup(timestep=1.0, target=target, rng_seed=5, **setup)
    source = sim.Population(16, sim.SpikeSourcePoisson(rate=rate), label="in")
    cells = sim.Population(20, sim.IF_curr_delta(**CELL), label="cells")
    weights = np.random.default_rng(0).uniform(0.0, 4.0, (16, 20))
    projection = sim.Projection(source, cells, sim.AllToAllConnector(),
                                sim.StaticSynapse(weight=weights, delay=1.0), label="ff")
    cells.record("spikes")
    source.record("spikes")
    return source, cells, projection


def trains(population):
    return [np.asarray(t) for t in population.get_data("spikes").segments[0].spiketrains]


def emulated(sim, duration, **kwargs):
    source, cells, projection = network(sim, "neurocorex", **kwargs)
    sim.run(duration)
    result = trains(cells), trains(source), projection.get("weight", format="array")
    streamed = sim.simulator.state.target._runner.emulator.records_sent()
    sim.end()
    return result, streamed


def test_the_board_is_a_target_with_its_own_name():
    assert {"neurocorex", "neurocorex-board"} <= set(target_names())


def test_spikes_weights_and_records_equal_the_emulators(sim, fake):
    (cells_e, source_e, weights_e), records_e = emulated(sim, 3000.0)
    source, cells, projection = network(sim, "neurocorex-board", port=fake.port)
    sim.run(3000.0)
    assert all(np.array_equal(a, b) for a, b in zip(trains(cells), cells_e))
    assert all(np.array_equal(a, b) for a, b in zip(trains(source), source_e))
    assert sum(t.size for t in cells_e) > 1000
    # the weights read back over the UART (command 0x5 and its start byte) are the
    # emulator's, bit for bit
    np.testing.assert_array_equal(projection.get("weight", format="array"), weights_e)
    assert fake.commands[-1] == board.CMD_READ_WEIGHTS
    # the board got the emulator path's records, then the padding to the run's end
    link = sim.simulator.state.target._runner.emulator
    sent = link.records_sent()
    np.testing.assert_array_equal(np.array(fake.records), sent)
    assert len(sent) > 2 * BOARD.input_fifo_depth
    inside = board.release_ticks(records_e) < 3000
    np.testing.assert_array_equal(sent[:np.count_nonzero(inside)], records_e[inside])
    assert set(sent[np.count_nonzero(inside):, 1]) == {sim.get_mapping().program.filler}
    # a FIFO of 1024 records was never overrun, nor left empty before the end
    assert fake.dropped == 0 and fake.violations == []
    assert fake.fifo_peak <= BOARD.input_fifo_depth
    assert link.counters["input_fifo_peak"] <= BOARD.input_fifo_depth
    assert fake.runs == [3002]  # the padding's last record is released in tick 3001
    report = sim.get_mapping().report
    assert report.chip == "ORNL NeuroCoreX (Artix-7 FPGA), the board over its UART"
    assert report.counters["records_sent"] == len(sent)


def test_at_the_boards_own_pace(sim):
    """Real time: a tick every 0.96 ms, each byte 10 us on the line."""
    (cells_e, _, _), _ = emulated(sim, 500.0)
    with FakeBoard(speed=1.0) as fake:
        _, cells, _ = network(sim, "neurocorex-board", port=fake.port)
        start = time.monotonic()
        sim.run(500.0)
        elapsed = time.monotonic() - start
    assert all(np.array_equal(a, b) for a, b in zip(trains(cells), cells_e))
    assert elapsed > 502 * 0.96e-3 and fake.violations == []


def test_learned_recurrent_weights_cannot_be_read_back(sim, fake):
    sim.setup(timestep=1.0, target="neurocorex-board", port=fake.port)
    source = sim.Population(4, sim.SpikeSourceArray(spike_times=[[2.0, 40.0]] * 4))
    cells = sim.Population(4, sim.NeuroCoreXNeuron(vth=512, tref=2))
    sim.Projection(source, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=100.0))
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=5.0, tau_minus=5.0, A_plus=0.1,
                                            A_minus=0.1),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=10.0),
        weight=2.0, delay=1.0)
    learning = sim.Projection(cells, cells, sim.FromListConnector([(0, 2), (1, 3)]), stdp)
    np.testing.assert_array_equal(learning.get("weight", format="list")[0][2], 2.0)
    sim.run(60.0)
    with pytest.raises(MappingError, match="0x5.*FF matrix"):
        learning.get("weight", format="array")


def test_v_is_not_recorded_on_the_board(sim, fake):
    _, cells, _ = network(sim, "neurocorex-board", port=fake.port)
    cells.record("v")
    with pytest.raises(MappingError, match="sends spikes only.*'neurocorex'"):
        sim.run(10.0)


def test_a_run_does_not_continue_on_the_board_but_after_reset(sim, fake):
    (cells_e, _, _), _ = emulated(sim, 200.0)
    _, cells, _ = network(sim, "neurocorex-board", port=fake.port)
    sim.run(200.0)
    with pytest.raises(ChipLimitError, match="cannot continue.*reset"):
        sim.run(100.0)
    sim.reset()
    sim.run(200.0)
    assert all(np.array_equal(a, b) for a, b in zip(trains(cells), cells_e))
    assert len(fake.runs) == 2


def test_a_long_run_is_one_stream_on_the_board(sim, fake, monkeypatch):
    """The emulator path runs a long run in chunks of CHUNK_TICKS; the board cannot
    continue a run, so it gets the whole run as one stream."""
    from pyNN.neurox.hardware import target
    (cells_e, _, _), _ = emulated(sim, 1000.0)
    monkeypatch.setattr(target, "CHUNK_TICKS", 300)
    _, cells, _ = network(sim, "neurocorex-board", port=fake.port)
    sim.run(1000.0)
    assert fake.runs == [1002]
    assert all(np.array_equal(a, b) for a, b in zip(trains(cells), cells_e))


# --- faults: each ends in a clear error, and get_data() keeps what arrived ------------

def failed_run(sim, fake, duration=2000.0):
    _, cells, _ = network(sim, "neurocorex-board", port=fake.port, link_timeout=TIMEOUT)
    with pytest.raises(NeuroxError) as failure:
        sim.run(duration)
    return cells, failure.value


def kept(sim, cells, cells_e, failure):
    """get_data() holds the spikes of the ticks the failure's data cover, the emulator's."""
    ticks = failure.partial.ticks
    assert sim.get_current_time() == ticks * 1.0
    segment = cells.get_data("spikes").segments[0]
    assert all(float(t.t_stop) == ticks for t in segment.spiketrains)
    for got, want in zip(trains(cells), cells_e):
        np.testing.assert_array_equal(got, want[want <= ticks])
    return ticks


def test_no_answer(sim):
    with FakeBoard(speed=SPEED, silent=True) as fake:
        cells, failure = failed_run(sim, fake)
    assert isinstance(failure, DeviceError)
    assert "no answer" in str(failure) and "bitstream" in str(failure)
    assert failure.partial.ticks == 0 and sim.get_current_time() == 0.0
    assert all(t.size == 0 for t in trains(cells))


def test_a_partial_frame(sim):
    (cells_e, _, _), _ = emulated(sim, 2000.0)
    with FakeBoard(speed=SPEED, freeze_after=5000) as fake:  # 4999 bytes after the marker
        cells, failure = failed_run(sim, fake)
    assert isinstance(failure, DeviceError)
    assert "stopped answering: 444 of 2000 ticks arrived, and 32 of the 90 bits of tick 444 " \
        "(a partial frame)" in str(failure)
    assert kept(sim, cells, cells_e, failure) == 444


def test_a_wrong_start_marker(sim):
    with FakeBoard(speed=SPEED, marker=0x00) as fake:
        cells, failure = failed_run(sim, fake)
    assert isinstance(failure, ProtocolError)
    assert "starts with byte 0x00, not the start marker 0xFF" in str(failure)
    assert failure.partial.ticks == 0


def test_the_board_unplugged_mid_run(sim):
    (cells_e, _, _), _ = emulated(sim, 2000.0)
    with FakeBoard(speed=SPEED, unplug_at=700) as fake:
        cells, failure = failed_run(sim, fake)
    assert isinstance(failure, DeviceError) and "unplugged" in str(failure)
    assert 600 < kept(sim, cells, cells_e, failure) <= 700


def test_a_wrong_baud_rate(sim):
    """The bitstream speaks 115200 baud, the host 1 Mbaud: each side's UART makes garbage
    of the other's bytes."""
    assert resample(b"\x30\x01\x02", 1_000_000, 115_200) != b"\x30\x01\x02"
    with FakeBoard(speed=SPEED, baud=115_200) as fake:
        _, failure = failed_run(sim, fake)
    assert isinstance(failure, (DeviceError, ProtocolError))
    assert "1000000 baud" in str(failure)


def test_a_host_held_up_within_the_fifos_slack_changes_nothing(sim, monkeypatch):
    """Every fifth top-up waits 0.4 s (400 ticks, within the ~960 the FIFO holds ahead):
    the board's spikes are still the emulator's."""
    from pyNN.neurox.hardware.chips.neurocorex import device
    (cells_e, _, _), _ = emulated(sim, 3000.0)
    take, calls = device.FifoFeed.take, []

    def slow_take(feed, tick):
        calls.append(tick)
        if len(calls) % 5 == 0:
            time.sleep(0.4)
        return take(feed, tick)

    monkeypatch.setattr(device.FifoFeed, "take", slow_take)
    with FakeBoard(speed=SPEED) as fake:
        _, cells, _ = network(sim, "neurocorex-board", port=fake.port)
        sim.run(3000.0)
    assert len(calls) > 10 and fake.violations == []
    assert all(np.array_equal(a, b) for a, b in zip(trains(cells), cells_e))


def test_a_host_that_falls_behind(sim, monkeypatch):
    """The host stalls at its first top-up: the board's FIFO runs empty, which would move
    every later input, so the run ends there, keeping the ticks before."""
    from pyNN.neurox.hardware.chips.neurocorex import device
    (cells_e, _, _), _ = emulated(sim, 3000.0)
    take, calls = device.FifoFeed.take, []

    def slow_take(feed, tick):
        calls.append(tick)
        if len(calls) == 2:
            time.sleep(1.0)
        return take(feed, tick)

    monkeypatch.setattr(device.FifoFeed, "take", slow_take)
    with FakeBoard(speed=SPEED) as fake:
        cells, failure = failed_run(sim, fake, 3000.0)
    assert isinstance(failure, DeviceError) and "the host fell behind" in str(failure)
    assert kept(sim, cells, cells_e, failure) > 500


def test_a_busy_port(sim, fake):
    network(sim, "neurocorex-board", port=fake.port)
    with serial.Serial(fake.port, exclusive=True):
        with pytest.raises(DeviceError, match="is busy: another program holds it"):
            sim.run(10.0)


def test_no_port_or_an_absent_one(sim, monkeypatch):
    monkeypatch.delenv("NEUROX_PORT", raising=False)
    network(sim, "neurocorex-board")
    with pytest.raises(SetupError, match="port='/dev/ttyUSB1'.*NEUROX_PORT"):
        sim.run(10.0)
    monkeypatch.setenv("NEUROX_PORT", "/dev/no-such-board")
    network(sim, "neurocorex-board")
    with pytest.raises(DeviceError, match="/dev/no-such-board does not exist"):
        sim.run(10.0)


# --- the comparison, and the digits task ----------------------------------------------

def test_compare_puts_the_emulator_and_the_board_side_by_side(tmp_path, monkeypatch):
    with FakeBoard(speed=SPEED) as fake:
        monkeypatch.setenv("NEUROX_PORT", fake.port)
        done = subprocess.run([sys.executable, "-m", "pyNN.neurox.validation.cli", "compare",
                               "feedforward", "--targets", "neurocorex,neurocorex-board",
                               "--out", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    board_ = report["targets"]["neurocorex-board"]
    assert board_["mapping"]["chip"].endswith("the board over its UART")
    for population in report["comparisons"]["neurocorex-board"].values():
        assert population["raster_mismatch"] == 0.0 and population["victor_purpura"] == 0.0


@pytest.mark.slow
def test_the_digits_task_through_the_board_path(sim, monkeypatch):
    """The NeuroCoreX paper's task (validation/digits.py): weights trained with STDP on
    the software target, then the first 100 test images on the emulator and through the
    pty board at its own pace (25,600 ticks, 25 s): the same spikes, so the same accuracy
    (about 55 s in all)."""
    from pyNN.neurox.validation import digits
    train_images, test_images, train_labels, test_labels = digits.load()
    weights = digits.train(sim, train_images, train_labels)
    images, labels = test_images[:100], test_labels[:100]
    results = {}
    with FakeBoard(speed=SPEED) as fake:
        monkeypatch.setenv("NEUROX_PORT", fake.port)
        for target in ("neurocorex", "neurocorex-board"):
            monkeypatch.setenv("NEUROX_TARGET", target)  # predict() sets up the target
            outputs = digits.predict(sim, weights, images)
            results[target] = (digits.predictions(outputs, len(images)), trains(outputs))
            sim.end()
        assert fake.dropped == 0 and fake.violations == [] and len(fake.runs) == 1
    (emulated_, spikes_e), (board_, spikes_b) = results.values()
    assert all(np.array_equal(a, b) for a, b in zip(spikes_e, spikes_b))
    np.testing.assert_array_equal(board_, emulated_)
    assert (board_ == labels).mean() >= 0.55
