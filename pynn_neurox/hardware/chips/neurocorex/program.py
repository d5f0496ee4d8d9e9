"""The NeuroCoreX program: the board image the quantized network fills, which board
neuron and input address each population's cells got, each input's delay, and the input
stream: the records a host sends for the host inputs' spikes (the emulator path and the
board path send the same ones)."""

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ....errors import ChipLimitError
from . import board
from .formats import NeuroCoreXFormats


@dataclass
class BoardProgram:
    image: board.BoardImage
    neuron_offset: dict  # population index -> its first board neuron
    input_offset: dict  # spike source's population index -> its first input address
    input_delay: np.ndarray  # per input address, the delay (ticks) of its synapses; -1: none
    filler: Optional[int]  # an input address with an all-zero column, or None
    recurrent: dict  # projection index -> whether it is on the recurrent (AA) path
    lead: int = 1  # a spike labelled s through delay d is released in tick s + d - lead

    def input_stream(self) -> "InputStream":
        """A fresh stream of this program's input records (one per board run or
        emulator)."""
        return InputStream(self)


def build_program(chip, formats: NeuroCoreXFormats, network, quantized) -> BoardProgram:
    image = board.BoardImage.blank()
    image.ff_gain, image.leak = quantized.ff_gain, quantized.leak
    # unused slots get the largest threshold: at the power-on threshold the board-wide
    # leak (or the shared lateral register) winds their V round until they fire, and
    # through the lateral register such phantom spikes reach the real neurons
    image.vth[:] = board.V_MAX
    neuron_offset, start = {}, 0
    for index, q in quantized.populations.items():
        neuron_offset[index] = start
        image.set_threshold(start + np.arange(q.size), q.threshold)
        image.set_refractory(start + np.arange(q.size), q.tref)
        start += q.size
    input_offset, start = {}, 0
    for p in network.populations:
        if p.is_source:
            input_offset[p.index] = start
            start += p.size
    filler = start if start < formats.input_addresses else None
    input_delay = np.full(start, -1)
    recurrent = {}
    for q in quantized.projections:
        recurrent[q.index] = q.pre in quantized.populations
        post = neuron_offset[q.post] + q.targets
        if recurrent[q.index]:
            pre = neuron_offset[q.pre] + q.sources
            image.connect_recurrent(pre, post, q.weight)
            if q.learning_report is not None:
                image.enable_stdp_recurrent(pre, post)
            continue
        addresses = input_offset[q.pre] + q.sources
        _share_delay(chip, network, q, addresses, input_delay)
        image.connect_inputs(addresses, post, q.weight)
    for name, value in quantized.learning.items():
        setattr(image, name, value)
    return BoardProgram(image, neuron_offset, input_offset, input_delay, filler, recurrent,
                        lead=1 + formats.input_latency_ticks)


def _share_delay(chip, network, q, addresses, delays):
    """Record each input address's delay; one address is one column, so one delay."""
    known = delays[addresses]
    conflict = (known >= 0) & (known != q.delay)
    highest = np.full(delays.size, -1)
    np.maximum.at(highest, addresses, q.delay)
    lowest = np.full(delays.size, np.iinfo(np.int64).max)
    np.minimum.at(lowest, addresses, q.delay)
    uneven = (highest >= 0) & (lowest != highest)
    if conflict.any() or uneven.any():
        cell = int(q.sources[np.argmax(conflict)]) if conflict.any() else \
            int(np.argmax(uneven)) - (int(addresses[0]) - int(q.sources[0]))
        raise ChipLimitError(
            f"{chip.title}: projection '{q.label}' gives cell {cell} of "
            f"'{network.populations[q.pre].label}' more than one delay; the board plays an "
            "input to all its targets at once, so a source's synapses share one delay")
    delays[addresses] = q.delay


class InputStream:
    """The records a host sends the board for a program's host inputs, in the order sent.

    A spike labelled s on an input whose synapses have a delay of d ticks is wanted in
    tick s + d - lead; the board releases at most one record per tick, so events that
    collide are serialised (released at the first free tick after) and counted, and gaps
    longer than one record spans are bridged with filler records to `program.filler`, an
    input address with an all-zero column. A stream sent to an empty FIFO starts counting
    at the tick its first record arrives; while the FIFO holds a record, each release
    follows the last by the record's dt + 1 ticks. `extend` gives every record with the
    tick the board releases it at, which is what a host needs to keep the FIFO within its
    depth and never empty; `pad` ends a board run (the board stops as soon as its FIFO is
    empty after the end marker)."""

    def __init__(self, program: BoardProgram):
        self.program = program
        self._pending = np.zeros((0, 2), np.int64)  # (release tick wanted, address)
        self._last_release = -1  # the tick the last record given will be released at
        self.counters = dict(events_late=0, events_serialised=0, max_serialisation_ticks=0)

    @property
    def last_release(self) -> int:
        return self._last_release

    def extend(self, labels, addresses, stop: int, now: int):
        """The records of the spikes (labels, input addresses; sorted by label) released
        before tick `stop`, with the absolute tick each record is released at (fillers
        included); later ones wait for the next call. `now`: the board's tick when these
        records start to arrive (a stream sent to an empty FIFO counts from there)."""
        labels = np.asarray(labels, np.int64)
        addresses = np.asarray(addresses, np.int64)
        delay = self.program.input_delay[addresses]
        used = delay >= 0  # an input with no synapse sends nothing
        events = np.concatenate([self._pending, np.stack(
            [labels[used] + delay[used] - self.program.lead, addresses[used]], axis=1)])
        events = events[np.lexsort((events[:, 1], events[:, 0]))]
        due = events[:, 0] < stop
        self._pending = events[~due]
        events = events[due]
        if not events.size:
            return np.zeros((0, 2), np.int64), np.zeros(0, np.int64)
        base = max(now, self._last_release + 1)
        requested = np.maximum(events[:, 0], base)
        self.counters["events_late"] += int(np.count_nonzero(events[:, 0] < base))
        encoded = board.encode_events(requested - base, events[:, 1], self.program.filler)
        delays = encoded.delays
        self.counters["events_serialised"] += int(np.count_nonzero(delays))
        self.counters["max_serialisation_ticks"] = max(
            self.counters["max_serialisation_ticks"], int(delays.max()))
        return self._released(encoded.records, base)

    def board_run(self, labels, addresses, ticks: int, chip_title: str = board.BOARD_TITLE):
        """The records of one board run of `ticks` ticks from a board at rest: those
        released in the run (events serialised past its end would act after it), then
        the padding (`pad`). Returns (records, release ticks)."""
        records, releases = self.extend(labels, addresses, ticks, 0)
        inside = releases < ticks
        records, releases = records[inside], releases[inside]
        self._last_release = int(releases[-1]) if releases.size else -1
        padding, padded = self.pad(ticks, 0, chip_title)
        return np.concatenate([records, padding]), np.concatenate([releases, padded])

    def pad(self, stop: int, now: int, chip_title: str = board.BOARD_TITLE):
        """Filler records that make the board release a record in tick `stop` + 1, so
        that a board run covers every tick before `stop` (the board stops after the
        tick in which its FIFO empties, and it sends only whole bytes). Refused when the
        program has no filler address."""
        if self.program.filler is None:
            raise ChipLimitError(
                f"{chip_title}: every input address carries synapses, and a board run "
                "needs one with an all-zero column to pad its input stream to the run's "
                "end; use fewer spike-source cells")
        base = max(now, self._last_release + 1)
        if base > stop + 1:  # serialised events already run the board past it
            return np.zeros((0, 2), np.int64), np.zeros(0, np.int64)
        encoded = board.encode_events([stop + 1 - base], [self.program.filler],
                                      self.program.filler)
        return self._released(encoded.records, base)

    def _released(self, records, base):
        releases = base + board.release_ticks(records)
        self._last_release = int(releases[-1])
        return records, releases
