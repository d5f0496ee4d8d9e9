"""The SpiNNaker kind: sPyNNaker's neuron models in s16.15 on ARM cores, 16-bit weights
into saturating ring buffers, delay-extension cores, and deferred pair STDP
(docs/chips/spinnaker.md)."""

from ...contract import Accepts, ChipKind, QuantizedNetwork, register_kind
from ...host import SpikeArrayInput
from ...place import input_numbering
from .emulator import SpiNNakerEmulator
from .formats import SpiNNakerFormats
from .place import SpiNNakerAllocator
from .program import build_program
from .quantize import KERNELS, SpiNNakerQuantizer, check_one_rule_per_population
from .stdp import WEIGHT_RULES


@register_kind
class SpiNNakerKind(ChipKind):
    name = "spinnaker"
    formats_class = SpiNNakerFormats
    accepts = Accepts(
        cell_types=tuple(KERNELS),
        synapse_types=("StaticSynapse", "STDPMechanism"),
        timing_dependences=("SpikePairRule",),
        weight_dependences=tuple(WEIGHT_RULES))

    def quantize(self, network, allowed):
        check_one_rule_per_population(self.chip, network.projections)
        quantizer = SpiNNakerQuantizer(self, network, allowed)
        for p in network.populations:
            if p.celltype == "SpikeSourceArray":
                played = SpikeArrayInput(p, network.timestep)
                quantizer.host_ticks[p.index] = (played.ticks, played.cells)
        everyone = {p.index: p for p in network.populations}
        populations = {p.index: quantizer.population(
            p, [q for q in network.projections if q.post == p.index], everyone)
            for p in network.populations if not p.is_source}
        projections = [quantizer.projection(q, populations[q.post])
                       for q in network.projections]
        return QuantizedNetwork(populations, projections)

    def allocate(self, network, quantized):
        return SpiNNakerAllocator(self.chip, self.formats, network, quantized).place()

    def build_program(self, network, quantized, placement):
        input_offset, axons = input_numbering(network)
        return build_program(quantized.populations, quantized.projections, input_offset,
                             axons, self.formats)

    def emulator(self, program, seed):
        return SpiNNakerEmulator(program, self.formats, seed)

    def report_notes(self, quantized):
        return [
            "spike sources are played in from the host: SpikeSourcePoisson trains are the "
            "host's draws (sPyNNaker draws them on the source's core); sources take cores "
            "as on the chip",
            "spikes are stamped as NEST stamps them, (k + 1) dt for tick k; sPyNNaker "
            "stamps k dt, and its recorded v lags its spikes by one tick",
        ]
