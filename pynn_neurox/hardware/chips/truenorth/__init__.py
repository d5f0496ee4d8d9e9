"""The TrueNorth kind: cores of 256 axons x 256 neurons with a binary crossbar, 4 axon
types, Cassidy et al. 2013's neuron on a 1 ms tick, one target axon per neuron
(docs/chips/truenorth.md)."""

from dataclasses import dataclass

import numpy as np

from ...contract import Accepts, ChipKind, QuantizedNetwork, register_kind
from ...place import Core, Placement
from ...report import CoreRow, Usage
from .emulator import TrueNorthEmulator
from .formats import TrueNorthFormats
from .layout import Layout, LayoutBuilder
from .native import TrueNorthNeuron
from .program import build_program
from .quantize import NATIVE, TrueNorthQuantizer


@dataclass
class TrueNorthNetwork(QuantizedNetwork):
    """The quantized network and its layout on cores (axons, types, copies)."""

    layout: Layout = None


@register_kind
class TrueNorthKind(ChipKind):
    name = "truenorth"
    formats_class = TrueNorthFormats
    accepts = Accepts(cell_types=("IF_curr_delta", "IF_curr_exp", NATIVE))
    native_cell_types = (TrueNorthNeuron,)

    def quantize(self, network, allowed):
        quantizer = TrueNorthQuantizer(self, network, allowed)
        populations = {p.index: quantizer.population(
            p, [q for q in network.projections if q.post == p.index])
            for p in network.populations if not p.is_source}
        projections = [quantizer.projection(q, populations[q.post])
                       for q in network.projections]
        layout = LayoutBuilder(self.chip, self.formats, network, populations,
                               projections).build()
        lossy = [line for q in populations.values() for line in q.lossy_steps]
        return TrueNorthNetwork(populations, projections, lossy_steps=lossy, layout=layout)

    def allocate(self, network, quantized):
        """The cores of the layout (made with the weights: the axon types depend on which
        axons share a core), with their usage of each limit."""
        layout, F = quantized.layout, self.formats
        copies = layout.copies()
        slots = np.bincount(layout.home, copies, minlength=layout.cores).astype(np.int64)
        axons = np.diff(layout.axon_start)
        synapses = np.bincount(layout.home[layout.synapse_neuron], minlength=layout.cores)
        core_of_axon = np.repeat(np.arange(layout.cores), axons)
        pairs = np.unique(core_of_axon * F.axon_types + layout.axon_type)
        types = np.bincount(pairs // F.axon_types, minlength=layout.cores)
        labels = {p.index: p.label for p in network.populations}
        offsets = np.array([layout.neuron_offset[i] for i in layout.core_population.tolist()],
                           np.int64) if layout.cores else np.zeros(0, np.int64)
        firsts = (layout.core_first - offsets).tolist()
        stops = (layout.core_stop - offsets).tolist()
        cores, rows = [], []
        for c, population, first, stop, slot, axon, synapse, used in zip(
                range(layout.cores), layout.core_population.tolist(), firsts, stops,
                slots.tolist(), axons.tolist(), synapses.tolist(), types.tolist()):
            chip = c // F.cores_per_chip
            cores.append(Core(c, chip, population, first, stop, slot, input_axons=axon,
                              output_axons=slot, synapses=synapse))
            rows.append(CoreRow(c, chip, labels[population], f"{first}-{stop - 1}", synapse,
                                [Usage("neurons", slot, F.neurons_per_core),
                                 Usage("axons", axon, F.axons_per_core),
                                 Usage("axon_types", used, F.axon_types)]))
        core_of = {index: layout.home[start:start + quantized.populations[index].size]
                   for index, start in layout.neuron_offset.items()}
        return Placement(cores, core_of, rows)

    def build_program(self, network, quantized, placement):
        return build_program(quantized.layout, quantized.populations, quantized.projections)

    def emulator(self, program, seed):
        return TrueNorthEmulator(program, self.formats, seed)

    def report_notes(self, quantized):
        layout = quantized.layout
        copies = layout.copies()
        notes = [f"fan-out: each neuron sends to one axon; {layout.neurons} neuron(s) use "
                 f"{int(copies.sum())} chip neurons ({int(copies.sum()) - layout.neurons} "
                 f"copies; at most {int(copies.max(initial=0))} for one neuron) on "
                 f"{layout.cores} core(s)"]
        for label, error in layout.clustering.items():
            notes.append(f"axon types of projection '{label}': clustering into "
                         f"{self.formats.axon_types} weights per neuron costs a relative "
                         f"error of {error:.3%} before rounding")
        return notes

    def report_warnings(self, counters):
        saturated = counters.get("v_saturated", 0)
        if not saturated:
            return []
        return [f"v reached the end of its {self.formats.v_bits}-bit range {saturated} "
                "time(s) and was held there (the emulator saturates; what the chip does "
                "there is not in the sources read)"]
