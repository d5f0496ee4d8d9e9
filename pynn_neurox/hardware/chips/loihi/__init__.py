"""The Loihi kind: current-based LIF compartments on a mesh of many-core chips, with
on-chip pair STDP as the chip's sum-of-products learning rule."""

from ...contract import Accepts, ChipKind, QuantizedNetwork, register_kind
from ...place import CoreAllocator, input_numbering
from .emulator import LoihiEmulator
from .formats import LoihiFormats
from .learning_rule import TERMS
from .native import LoihiCompartment
from .program import build_program
from .quantize import LoihiQuantizer


@register_kind
class LoihiKind(ChipKind):
    name = "loihi"
    formats_class = LoihiFormats
    accepts = Accepts(
        cell_types=("IF_curr_exp", "IF_curr_delta", "LoihiCompartment"),
        synapse_types=("StaticSynapse", "STDPMechanism"),
        timing_dependences=("SpikePairRule",),
        weight_dependences=tuple(TERMS))
    native_cell_types = (LoihiCompartment,)

    def quantize(self, network, allowed):
        quantizer = LoihiQuantizer(self, network, allowed)
        populations = {p.index: quantizer.population(
            p, [q for q in network.projections if q.post == p.index])
            for p in network.populations if not p.is_source}
        projections = [quantizer.projection(q, populations[q.post])
                       for q in network.projections]
        return QuantizedNetwork(populations, projections, lossy_steps=quantizer.lossy)

    def allocate(self, network, quantized):
        return CoreAllocator(self.chip, self.formats, network, quantized).place()

    def build_program(self, network, quantized, placement):
        input_offset, axons = input_numbering(network)
        return build_program(quantized.populations, quantized.projections, placement,
                             input_offset, axons, self.formats)

    def emulator(self, program, seed):
        return LoihiEmulator(program, self.formats, seed)
