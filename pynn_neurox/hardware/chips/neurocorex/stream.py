"""The board emulator fed as a host feeds the board: host spikes become the board's input
stream, released one record per tick, serialising what collides; results come back in
the shared contract's terms.

A spike source's spike at time s dt, through a delay of d ticks, is released in tick
s + d - 1 - input_latency_ticks: it acts on V in tick s + d - 1, so V at time (s + d) dt
holds it, as in NEST and on the software target. The board tests V before adding the
tick's input, so the spike it causes comes one tick later than in software.
"""

import numpy as np

from ....errors import SetupError
from ...contract import ChipEmulator
from . import board
from .emulator import NeuroCoreXEmulator
from .formats import NeuroCoreXFormats
from .program import BoardProgram


class StreamedBoard(ChipEmulator):
    def __init__(self, program: BoardProgram, formats: NeuroCoreXFormats):
        if formats.input_events_per_tick != 1:
            raise SetupError("the board's input stream is encoded for one release per tick "
                             "(board.encode_events); the description says "
                             f"{formats.input_events_per_tick}")
        self.program = program
        self.board = NeuroCoreXEmulator(program.image)
        # a label s is released at s + delay - lead, so labels up to `lead` ticks after a
        # run can be released within it
        self.lead = 1 + formats.input_latency_ticks
        self.input_lookahead = self.lead
        self._pending = np.zeros((0, 2), np.int64)  # (release tick wanted, address)
        self._last_release = -1  # the tick the last queued record will be released at
        self._v_before = self.board.v.copy()
        self._counters = dict(events_late=0, events_serialised=0, max_serialisation_ticks=0)

    @property
    def tick(self) -> int:
        return self.board.tick

    @property
    def counters(self) -> dict:
        return dict(self._counters)

    def _queue(self, labels, addresses, stop):
        """Queue the records to be released before `stop`; later ones wait."""
        delay = self.program.input_delay[addresses]
        used = delay >= 0  # an input with no synapse sends nothing
        events = np.concatenate([self._pending, np.stack(
            [labels[used] + delay[used] - self.lead, addresses[used]], axis=1)])
        events = events[np.lexsort((events[:, 1], events[:, 0]))]
        now = events[:, 0] < stop
        self._pending = events[~now]
        events = events[now]
        if not events.size:
            return
        base = max(self.board.tick, self._last_release + 1)
        requested = np.maximum(events[:, 0], base)
        self._counters["events_late"] += int(np.count_nonzero(events[:, 0] < base))
        encoded = board.encode_events(requested - base, events[:, 1], self.program.filler)
        self.board.queue(encoded.records)
        delays = encoded.delays
        self._counters["events_serialised"] += int(np.count_nonzero(delays))
        self._counters["max_serialisation_ticks"] = max(
            self._counters["max_serialisation_ticks"], int(delays.max()))
        self._last_release = base + int(encoded.release_ticks[-1])

    def run(self, ticks, labels, inputs, record, sample_every):
        first = self.board.tick
        self._queue(np.asarray(labels, np.int64), np.asarray(inputs, np.int64), first + ticks)
        result = self.board.run(ticks, record_v=record is not None)
        for name, value in result.counters.items():
            self._counters[name] = value if name == "events_queued" else \
                self._counters.get(name, 0) + value
        k, neurons = np.nonzero(result.spikes)
        samples = None
        if record is not None:
            before = np.vstack([self._v_before[np.newaxis], result.v[:-1]])
            keep = np.arange(first, first + ticks) % sample_every == 0
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
