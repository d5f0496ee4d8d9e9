"""The board emulator fed as a host feeds the board: host spikes become the program's
input stream (program.InputStream), released one record per tick, serialising what
collides, and the records are handed to the emulator's FIFO as a host sends them, never
more than the board's FIFO holds; results come back in the shared contract's terms.

A spike source's spike at time s dt, through a delay of d ticks, is released in tick
s + d - 1 - input_latency_ticks: it acts on V in tick s + d - 1, so V at time (s + d) dt
holds it, as in NEST and on the software target. The board tests V before adding the
tick's input, so the spike it causes comes one tick later than in software.

The board itself, behind its UART, is device.SerialBoard: the same program, the same
records, the same contract.
"""

import numpy as np

from ....errors import SetupError
from ...contract import ChipEmulator
from .emulator import NeuroCoreXEmulator
from .formats import NeuroCoreXFormats
from .program import BoardProgram


class FifoFeed:
    """The records a host has yet to send, with the tick the board releases each. The
    host keeps the board's FIFO within its depth (a record that arrives at a full FIFO is
    dropped) and never lets it run empty while records remain (the FIFO's count of ticks
    pauses while it is empty, which would move every later release): it sends as many
    records as the FIFO has room for, and again when the FIFO is down to half its depth.
    The tick the host goes by is the board's; on the board it is read from the output
    frames that have arrived, which can only lag the board, so the FIFO holds at most
    what the host reckons."""

    def __init__(self, depth: int):
        self.depth = depth
        self._records = np.zeros((0, 2), np.int64)  # not yet sent
        self._releases = np.zeros(0, np.int64)
        self._in_fifo = np.zeros(0, np.int64)  # release ticks of records sent, unreleased
        self.sent = 0
        self.peak = 0  # the most records the FIFO held at the start of a tick

    def add(self, records, releases):
        self._records = np.concatenate([self._records, records])
        self._releases = np.concatenate([self._releases, releases])

    @property
    def unsent(self) -> int:
        return len(self._records)

    def held(self, tick: int) -> int:
        """Records sent and not yet released at the start of `tick`: in the FIFO then."""
        self._in_fifo = self._in_fifo[self._in_fifo >= tick]
        return self._in_fifo.size

    def take(self, tick: int) -> np.ndarray:
        """The records to send at `tick`: as many as the FIFO has room for."""
        held = self.held(tick)
        count = min(self.depth - held, self.unsent)
        if count <= 0:
            return self._records[:0]
        records = self._records[:count]
        self._in_fifo = np.concatenate([self._in_fifo, self._releases[:count]])
        self._records, self._releases = self._records[count:], self._releases[count:]
        self.sent += count
        self.peak = max(self.peak, held + count)
        return records

    def next_top_up(self, tick: int):
        """The first tick at which the FIFO holds half its depth or less (`tick` itself
        when it does already), or None when every record has been sent."""
        if not self.unsent:
            return None
        keep = self.depth // 2
        held = self.held(tick)
        if held <= keep:
            return tick
        return int(np.sort(self._in_fifo)[held - keep - 1]) + 1


class StreamedBoard(ChipEmulator):
    def __init__(self, program: BoardProgram, formats: NeuroCoreXFormats):
        if formats.input_events_per_tick != 1:
            raise SetupError("the board's input stream is encoded for one release per tick "
                             "(board.encode_events); the description says "
                             f"{formats.input_events_per_tick}")
        self.program = program
        self.board = NeuroCoreXEmulator(program.image)
        self.stream = program.input_stream()
        self.feed = FifoFeed(formats.input_fifo_depth)
        # a label s is released at s + delay - lead, so labels up to `lead` ticks after a
        # run can be released within it
        self.input_lookahead = program.lead
        self._v_before = self.board.v.copy()
        self._board_counters = {}
        self._sent = []  # the records handed to the board, in order

    @property
    def tick(self) -> int:
        return self.board.tick

    @property
    def counters(self) -> dict:
        return dict(self.stream.counters, **self._board_counters,
                    input_fifo_peak=self.feed.peak)

    def records_sent(self) -> np.ndarray:
        """Every record handed to the board's FIFO so far, in order."""
        return np.concatenate(self._sent) if self._sent else np.zeros((0, 2), np.int64)

    def run(self, ticks, labels, inputs, record, sample_every):
        first = self.board.tick
        stop = first + ticks
        self.feed.add(*self.stream.extend(labels, inputs, stop, first))
        spikes, v = [], []
        while self.board.tick < stop:
            records = self.feed.take(self.board.tick)
            if records.size:
                self.board.queue(records)
                self._sent.append(records)
            until = self.feed.next_top_up(self.board.tick)
            until = stop if until is None else min(max(until, self.board.tick + 1), stop)
            result = self.board.run(until - self.board.tick, record_v=record is not None)
            spikes.append(result.spikes)
            v.append(result.v)
            for name, value in result.counters.items():
                self._board_counters[name] = value if name == "events_queued" else \
                    self._board_counters.get(name, 0) + value
        raster = np.concatenate(spikes) if spikes else np.zeros((0, 0), bool)
        k, neurons = np.nonzero(raster)
        samples = None
        if record is not None:
            after = np.concatenate(v) if v else np.zeros((0, self.board.v.size), np.int64)
            before = np.vstack([self._v_before[np.newaxis], after[:-1]])
            keep = np.arange(first, stop) % sample_every == 0
            samples = before[keep][:, record]
        self._v_before = self.board.v.copy()
        return first + k, neurons, samples

    def v(self, neurons):
        return self.board.v[neurons]

    def weights(self, projection):
        """The board's weights now: the FF matrix for inputs, the learned AA matrix for
        recurrent paths."""
        image = self.board.learned_image()
        program = self.program
        post = program.neuron_offset[projection.post] + projection.targets
        if program.recurrent[projection.index]:
            pre = program.neuron_offset[projection.pre] + projection.sources
            return image.recurrent_weights()[pre, post].astype(np.int64)
        address = program.input_offset[projection.pre] + projection.sources
        return image.input_weights()[address, post].astype(np.int64)
