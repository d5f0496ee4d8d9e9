"""The Loihi program: every compartment's integer parameters and every synapse, in the
order of placement, plus which input axon each host input and neuron drives.

Neurons are numbered across populations in placement order (population by population,
so core by core); input axons are the neurons first, then the host inputs. A neuron
whose tau_syn_E and tau_syn_I differ has two input channels (two compartments).
Plastic synapses carry the index of their projection's learning rule; the emulator's
learning rewrites `weight`, the synapse memory, as the chip's learning engine does.
"""

from dataclasses import dataclass, field

import numpy as np

from .formats import LoihiFormats


@dataclass
class LoihiProgram:
    # per neuron
    decay_v: np.ndarray
    decay_u: np.ndarray  # channels x neurons; a neuron without a second channel: decay_max
    threshold: np.ndarray
    bias: np.ndarray
    refractory: np.ndarray
    v_initial: np.ndarray
    vmin: np.ndarray
    vmax: np.ndarray
    core: np.ndarray
    # per synapse, sorted by input axon (CSR: axon_start[a]:axon_start[a + 1])
    axon_start: np.ndarray
    target: np.ndarray
    channel: np.ndarray
    weight: np.ndarray
    delay: np.ndarray
    # population index -> first neuron (on-chip cells); first input axon (every population)
    neuron_offset: dict
    input_offset: dict
    # projection index -> where its synapses are in the arrays above, in its own order
    synapse_index: dict = field(default_factory=dict)
    # learning: the rules (LoihiLearningRule), the plastic synapses and their rule
    rules: list = field(default_factory=list)
    plastic: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    plastic_rule: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    plastic_mantissa: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def neurons(self):
        return self.decay_v.size

    @property
    def channels(self):
        return self.decay_u.shape[0]

    def synapses_of(self, axon):
        """(target, channel, weight, delay) of the synapses of one input axon."""
        s = slice(self.axon_start[axon], self.axon_start[axon + 1])
        return self.target[s], self.channel[s], self.weight[s], self.delay[s]


def build_program(populations, projections, placement, input_offset, axons,
                  formats: LoihiFormats) -> LoihiProgram:
    """The program of quantized `populations` (index -> QuantizedPopulation, in placement
    order) and `projections`; `input_offset` gives every population's first input axon
    and `axons` their number."""
    channels = max((q.compartments_per_neuron for q in populations.values()), default=1)
    neuron_offset, start = {}, 0
    for index, q in populations.items():
        neuron_offset[index] = start
        start += q.size

    def stack(name):
        return np.concatenate([getattr(q, name) for q in populations.values()]) \
            if populations else np.zeros(0, np.int64)

    decay_u = np.full((channels, start), formats.decay_max, np.int64)
    for index, q in populations.items():
        decay_u[:q.compartments_per_neuron, neuron_offset[index]:neuron_offset[index] + q.size] \
            = q.decay_u
    sizes = [q.size for q in populations.values()]
    parts = [(input_offset[p.pre] + p.sources, neuron_offset[p.post] + p.targets,
              np.full(len(p.sources), p.channel), p.weight, p.delay) for p in projections]
    if parts:
        axon, target, channel, weight, delay = (np.concatenate(x) for x in zip(*parts))
    else:
        axon = target = channel = weight = delay = np.zeros(0, np.int64)
    order = np.argsort(axon, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(order.size)
    starts = np.cumsum([0] + [len(p.sources) for p in projections])
    synapse_index = {p.index: position[a:b] for p, a, b in zip(projections, starts, starts[1:])}
    plastic_projections = [p for p in projections if p.learning is not None]
    plastic = [synapse_index[p.index] for p in plastic_projections]
    plastic_rule = [np.full(len(p.sources), r) for r, p in enumerate(plastic_projections)]
    plastic_mantissa = [p.mantissa for p in plastic_projections]
    by_position = np.argsort(np.concatenate(plastic)) if plastic else np.zeros(0, np.int64)

    def in_position_order(parts):
        return np.concatenate(parts)[by_position].astype(np.int64) if parts \
            else np.zeros(0, np.int64)

    axon_start = np.zeros(axons + 1, np.int64)
    np.cumsum(np.bincount(axon, minlength=axons), out=axon_start[1:])
    return LoihiProgram(
        decay_v=stack("decay_v"), decay_u=decay_u, threshold=stack("threshold"),
        bias=stack("bias"), refractory=stack("refractory"), v_initial=stack("v_initial"),
        vmin=np.repeat([q.vmin for q in populations.values()], sizes).astype(np.int64),
        vmax=np.repeat([q.vmax for q in populations.values()], sizes).astype(np.int64),
        core=np.concatenate([placement.core_of[i] for i in populations])
        if populations else np.zeros(0, np.int64),
        axon_start=axon_start, target=target[order].astype(np.int64),
        channel=channel[order].astype(np.int64), weight=weight[order].astype(np.int64),
        delay=delay[order].astype(np.int64), neuron_offset=neuron_offset,
        input_offset=dict(input_offset), synapse_index=synapse_index,
        rules=[p.learning for p in plastic_projections],
        plastic=in_position_order(plastic), plastic_rule=in_position_order(plastic_rule),
        plastic_mantissa=in_position_order(plastic_mantissa))

