"""The DYNAP-SE2 program: every neuron's bias currents (its core's parameter group),
nominal, before mismatch, and every synapse as CAM entries.

Neurons are numbered in placement order (core by core); a neuron's input number is its
own number, the host inputs follow. Each synapse holds its source's input number, the
target neuron, its synapse type, its CAM entries (multiplicity) and its delay in ticks
less one (a spike labelled s arrives in tick s + that).
"""

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from ....errors import SetupError
from .formats import SYNAPSE_TYPES, DynapSE2Formats
from .quantize import BIASES


@dataclass
class DynapSE2Program:
    biases: dict  # bias name -> per neuron (A)
    native: np.ndarray  # per neuron: v is Vmem (mV), else the current-mode v
    v_initial: np.ndarray  # Imem (A)
    uses: np.ndarray  # synapse types x neurons: has CAM entries of the type
    core: np.ndarray
    # per synapse, sorted by input (CSR: input_start[i]:input_start[i + 1])
    input_start: np.ndarray
    target: np.ndarray
    synapse_type: np.ndarray
    entries: np.ndarray
    delay: np.ndarray
    neuron_offset: dict
    input_offset: dict
    synapse_index: dict = field(default_factory=dict)
    mismatch: float = 0.0  # relative sigma of every parameter, per neuron
    dt: float = 1.0  # ms, the integration step
    mismatch_seed: Optional[int] = None  # the mismatch's own seed, else the network's

    @property
    def neurons(self):
        return self.native.size


def mismatch_sigma(options, formats: DynapSE2Formats) -> float:
    """The relative sigma of the mismatch: setup(mismatch=deviation), the deviation that
    sigma_rule sigma stay within (rockpool's model), by default the chip description's;
    0 switches mismatch off."""
    deviation = options.get("mismatch", formats.mismatch_deviation)
    try:
        deviation = float(deviation)
    except (TypeError, ValueError):
        raise SetupError(f"setup(mismatch={deviation!r}): a fraction >= 0 (the deviation "
                         f"that {formats.mismatch_sigma_rule:g} sigma stay within) or 0 "
                         "for none") from None
    if not np.isfinite(deviation) or deviation < 0:
        raise SetupError(f"setup(mismatch={deviation!r}): a fraction >= 0, or 0 for none")
    return deviation / formats.mismatch_sigma_rule


def build_program(network, quantized, placement) -> DynapSE2Program:
    populations = quantized.populations
    order = []  # (population, first, stop) in placement order
    for core in placement.cores:
        order.extend(core.slices)
    neuron_offset, start = {}, 0
    pieces = {}
    for index, first, stop in order:
        pieces.setdefault(index, []).append((start, first, stop))
        start += stop - first
    neurons = start
    # a population's cells must be contiguous in neuron numbers: the allocator fills
    # cores population by population, so its slices follow one another
    for index, parts in pieces.items():
        neuron_offset[index] = parts[0][0] - parts[0][1]
    input_offset, inputs = dict(neuron_offset), neurons
    for p in network.populations:
        if p.is_source:
            input_offset[p.index] = inputs
            inputs += p.size
    biases = {name: np.zeros(neurons) for name in BIASES}
    native = np.zeros(neurons, bool)
    v_initial = np.zeros(neurons)
    core = np.zeros(neurons, np.int64)
    for index, cells in populations.items():
        s = slice(neuron_offset[index], neuron_offset[index] + cells.size)
        for name in BIASES:
            biases[name][s] = cells.biases[name]
        native[s] = cells.native
        v_initial[s] = cells.v_initial
        core[s] = placement.core_of[index]
    projections = quantized.projections
    uses = np.zeros((len(SYNAPSE_TYPES), neurons), bool)
    parts = []
    for q in projections:
        target = neuron_offset[q.post] + q.targets
        uses[q.channel, target[q.weight > 0]] = True
        parts.append((input_offset[q.pre] + q.sources, target,
                      np.full(len(q.sources), q.channel), q.weight, q.delay))
    if parts:
        source, target, kind, entries, delay = (np.concatenate(x) for x in zip(*parts))
    else:
        source = target = kind = entries = delay = np.zeros(0, np.int64)
    by_input = np.argsort(source, kind="stable")
    position = np.empty_like(by_input)
    position[by_input] = np.arange(by_input.size)
    starts = np.cumsum([0] + [len(q.sources) for q in projections])
    input_start = np.zeros(inputs + 1, np.int64)
    np.cumsum(np.bincount(source, minlength=inputs), out=input_start[1:])
    return DynapSE2Program(
        biases=biases, native=native, v_initial=v_initial, uses=uses, core=core,
        input_start=input_start, target=target[by_input].astype(np.int64),
        synapse_type=kind[by_input].astype(np.int64),
        entries=entries[by_input].astype(np.int64), delay=delay[by_input].astype(np.int64),
        neuron_offset=neuron_offset, input_offset=input_offset,
        synapse_index={q.index: position[a:b] for q, a, b in zip(projections, starts,
                                                                   starts[1:])},
        mismatch=quantized.mismatch, dt=quantized.dt,
        mismatch_seed=quantized.mismatch_seed)
