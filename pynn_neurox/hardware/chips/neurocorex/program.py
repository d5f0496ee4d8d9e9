"""The NeuroCoreX program: the board image the quantized network fills, which board
neuron and input address each population's cells got, and each input's delay."""

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


def build_program(chip, formats: NeuroCoreXFormats, network, quantized) -> BoardProgram:
    image = board.BoardImage.blank()
    image.ff_gain, image.leak = quantized.ff_gain, quantized.leak
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
    return BoardProgram(image, neuron_offset, input_offset, input_delay, filler, recurrent)


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
