"""The TrueNorth program: every neuron's integer parameters and four weights, every core's
axons with their types, the crossbar, and where each neuron's copies and each host input
send their spikes.

Neurons are the PyNN cells on chip, numbered population by population (so core by
core). A neuron's copies share its parameters, its crossbar column and its state (the
layout makes them only for deterministic neurons), so the crossbar is stored once per
neuron: an axon's synapses name the neuron, and carry the neuron's weight for the axon's
type. Axons are numbered core by core.
"""

from dataclasses import dataclass

import numpy as np

from .quantize import PARAMETERS


@dataclass
class TrueNorthProgram:
    parameters: dict  # name (quantize.PARAMETERS) -> per neuron, int64
    v_initial: np.ndarray
    core: np.ndarray  # per neuron: its core
    slot: np.ndarray  # per neuron: its first copy's neuron slot (its random numbers)
    weights: np.ndarray  # neurons x axon types
    cores: int
    axon_core: np.ndarray  # per axon
    axon_type: np.ndarray
    # the crossbar, by axon: axon_synapse_start[a]:axon_synapse_start[a + 1]
    axon_synapse_start: np.ndarray
    synapse_neuron: np.ndarray
    synapse_weight: np.ndarray  # the neuron's weight for the axon's type
    # each neuron's copies: copy_start[j]:copy_start[j + 1], the axon each sends to
    copy_start: np.ndarray
    copy_axon: np.ndarray  # -1: the copy sends nowhere
    copy_delay: np.ndarray
    # host inputs: input_start[i]:input_start[i + 1], the axons input i drives
    input_start: np.ndarray
    input_axon: np.ndarray
    input_delay: np.ndarray
    neuron_offset: dict  # population index -> first neuron
    input_offset: dict  # spike source population index -> first input number
    synapse_index: dict  # projection index -> its synapses' positions, in its order

    @property
    def neurons(self) -> int:
        return self.v_initial.size

    @property
    def axons(self) -> int:
        return self.axon_core.size


def build_program(layout, populations, projections) -> TrueNorthProgram:
    """The program of a Layout (layout.py) of quantized `populations` (index ->
    TrueNorthCells, in order) and `projections`."""
    cells = list(populations.values())

    def stack(values):
        return np.concatenate(values).astype(np.int64) if values else np.zeros(0, np.int64)

    parameters = {name: stack([q.integers[name] for q in cells]) for name in PARAMETERS}
    # the crossbar by axon; synapses of one axon in the order of their neurons
    order = np.lexsort((layout.synapse_neuron, layout.synapse_axon))
    position = np.empty_like(order)
    position[order] = np.arange(order.size)
    axon = layout.synapse_axon[order]
    neuron = layout.synapse_neuron[order]
    synapse_index = {q.index: position[a:b] for q, a, b in
                     zip(projections, layout.projection_start, layout.projection_start[1:])}
    host = np.flatnonzero(layout.axon_source >= layout.neurons)
    host_input = layout.axon_source[host] - layout.neurons
    by_input = np.argsort(host_input, kind="stable")
    return TrueNorthProgram(
        parameters=parameters, v_initial=stack([q.v_initial for q in cells]),
        core=layout.home, slot=layout.copy_slot[layout.copy_start[:-1]]
        if layout.neurons else np.zeros(0, np.int64),
        weights=layout.weights, cores=layout.cores, axon_core=np.repeat(
            np.arange(layout.cores), np.diff(layout.axon_start)),
        axon_type=layout.axon_type,
        axon_synapse_start=np.searchsorted(axon, np.arange(layout.axon_type.size + 1)),
        synapse_neuron=neuron, synapse_weight=layout.weights[neuron, layout.axon_type[axon]]
        if neuron.size else np.zeros(0, np.int64),
        copy_start=layout.copy_start, copy_axon=layout.copy_axon,
        copy_delay=layout.copy_delay,
        input_start=np.searchsorted(host_input[by_input], np.arange(layout.inputs + 1)),
        input_axon=host[by_input], input_delay=layout.axon_delay[host][by_input],
        neuron_offset=dict(layout.neuron_offset), input_offset=dict(layout.input_offset),
        synapse_index=synapse_index)
