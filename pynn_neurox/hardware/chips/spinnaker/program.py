"""The SpiNNaker program: every neuron's struct words, grouped by kernel, and every
synapse as a row entry.

Neurons are numbered across populations in the description's order; consecutive
populations that run the same kernel form one group. A synaptic row is sPyNNaker's:
the synapses of one source (input number: neurons first, then the spike sources) onto
one post-synaptic population with one delay stage. Stage 0 rows hold delays 1-16 and are
processed in the tick the spike is sent; stage s rows are re-sent by a delay-extension
core 16 s ticks later and hold the rest of the delay (delay - 16 s, 1-16 ticks).
"""

from dataclasses import dataclass, field

import numpy as np

from .formats import SpiNNakerFormats


@dataclass
class CellGroup:
    kernel: str
    start: int
    stop: int
    words: dict  # name -> raw words of the group's neurons (types x neurons for synapses)


@dataclass
class SpiNNakerProgram:
    neurons: int
    groups: list
    shift: np.ndarray  # synapse types x neurons: the ring-buffer left shifts
    # synapses sorted by row (CSR: row_start[r]:row_start[r + 1])
    row_start: np.ndarray
    row_stage: np.ndarray
    row_plastic: np.ndarray  # rows with plastic synapses
    axon_row_start: np.ndarray  # input axon -> its rows (CSR over rows)
    target: np.ndarray
    stype: np.ndarray
    weight: np.ndarray
    delay: np.ndarray  # the row's part of the delay, 1-16 ticks
    is_plastic: np.ndarray
    neuron_offset: dict
    input_offset: dict
    synapse_index: dict = field(default_factory=dict)  # projection -> its positions
    # STDP: the plastic synapses, their rule, each neuron's post-trace table
    plastic: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    plastic_position: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    plastic_rule: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    rules: list = field(default_factory=list)
    post_rule: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    post_lut: list = field(default_factory=list)

    @property
    def types(self):
        return self.shift.shape[0]


def _groups(populations):
    groups, start = [], 0
    for q in populations.values():
        words = {k: np.asarray(v, np.int64) for k, v in q.words.items()}
        if groups and groups[-1].kernel == q.kernel:
            last = groups[-1]
            last.words = {k: np.concatenate([last.words[k], words[k]], axis=-1)
                          for k in last.words}
            last.stop += q.size
        else:
            groups.append(CellGroup(q.kernel, start, start + q.size, words))
        start += q.size
    return groups


def build_program(populations, projections, input_offset, axons,
                  formats: SpiNNakerFormats) -> SpiNNakerProgram:
    """The program of quantized `populations` (index -> SpiNNakerCells, in order) and
    `projections`; `input_offset` gives every population's first input axon."""
    neuron_offset, start = {}, 0
    for index, q in populations.items():
        neuron_offset[index] = start
        start += q.size
    n = start
    types = max((q.shifts.size for q in populations.values()), default=2)
    shift = np.zeros((types, n), np.int64)
    for index, q in populations.items():
        shift[:, neuron_offset[index]:neuron_offset[index] + q.size] = q.shifts[:, np.newaxis]
    post_id = {index: k for k, index in enumerate(populations)}
    parts = []
    rules, rule_of = [], {}
    for p in projections:
        count = len(p.sources)
        stage = (p.delay - 1) >> formats.delay_bits
        rule = -1
        if p.learning is not None:
            rule = rule_of.setdefault(p.learning.key(), len(rules))
            if rule == len(rules):
                rules.append(p.learning)
        parts.append(((input_offset[p.pre] + p.sources) * len(populations) + post_id[p.post],
                      stage, neuron_offset[p.post] + p.targets, np.full(count, p.channel),
                      p.weight, p.delay - (stage << formats.delay_bits),
                      np.full(count, rule)))
    if parts:
        source, stage, target, stype, weight, delay, rule = (np.concatenate(x)
                                                             for x in zip(*parts))
    else:
        source = stage = target = stype = weight = delay = rule = np.zeros(0, np.int64)
    stages = int(stage.max()) + 1 if stage.size else 1  # the stages present
    key = source * stages + stage
    # numpy's stable sort is a radix sort for 16-bit keys: much faster on large networks
    small = key.size and int(key.max()) <= np.iinfo(np.uint16).max
    order = np.argsort(key.astype(np.uint16) if small else key, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(order.size)
    starts = np.cumsum([0] + [len(p.sources) for p in projections])
    synapse_index = {p.index: position[a:b] for p, a, b in zip(projections, starts, starts[1:])}
    key, rule = key[order], rule[order]
    row_first = np.flatnonzero(np.diff(key, prepend=-1)) if key.size else \
        np.zeros(0, np.int64)
    row_key = key[row_first]
    row_start = np.append(row_first, key.size).astype(np.int64)
    row_axon = row_key // stages // max(len(populations), 1)
    axon_row_start = np.searchsorted(row_axon, np.arange(axons + 1)).astype(np.int64)
    is_plastic = rule >= 0
    row_plastic = np.add.reduceat(is_plastic, row_first) > 0 if key.size else \
        np.zeros(0, bool)
    plastic = np.flatnonzero(is_plastic)
    plastic_position = np.full(key.size, -1, np.int64)
    plastic_position[plastic] = np.arange(plastic.size)
    target = target[order].astype(np.int64)
    post_rule = np.full(n, -1, np.int64)
    post_lut, lut_of = [], {}
    for r, learning in enumerate(rules):
        k = learning.lut_minus.tobytes()
        if k not in lut_of:
            lut_of[k] = len(post_lut)
            post_lut.append(learning.lut_minus)
        post_rule[target[plastic[rule[plastic] == r]]] = lut_of[k]
    return SpiNNakerProgram(
        neurons=n, groups=_groups(populations), shift=shift, row_start=row_start,
        row_stage=(row_key % stages).astype(np.int64), row_plastic=row_plastic,
        axon_row_start=axon_row_start, target=target, stype=stype[order].astype(np.int64),
        weight=weight[order].astype(np.int64), delay=delay[order].astype(np.int64),
        is_plastic=is_plastic, neuron_offset=neuron_offset, input_offset=dict(input_offset),
        synapse_index=synapse_index, plastic=plastic, plastic_position=plastic_position,
        plastic_rule=rule[plastic].astype(np.int64), rules=rules, post_rule=post_rule,
        post_lut=post_lut)
