"""The DYNAP-SE2 kind: SynSense's mixed-signal chip, four cores of 256 DPI neurons per
chip with one parameter group per core, 64 CAM entries of fan-in per neuron and four
synapse types, emulated as rockpool's DynapSim equations with per-neuron mismatch
(docs/chips/dynapse2.md)."""

from dataclasses import dataclass
from typing import Optional

from ...contract import Accepts, ChipKind, QuantizedNetwork, register_kind
from .allocate import GroupAllocator
from .emulator import DynapSE2Emulator
from .formats import DynapSE2Formats
from .native import DynapSE2Neuron
from .program import build_program, mismatch_sigma
from .quantize import DynapSE2Quantizer


@dataclass
class DynapSE2Network(QuantizedNetwork):
    """The quantized network, the mismatch's relative sigma and the integration step."""

    mismatch: float = 0.0
    mismatch_seed: Optional[int] = None  # setup(mismatch_seed=...): else the network's seed
    dt: float = 1.0  # ms


@register_kind
class DynapSE2Kind(ChipKind):
    name = "dynapse2"
    formats_class = DynapSE2Formats
    accepts = Accepts(cell_types=("IF_curr_delta", "IF_curr_exp", "DynapSE2Neuron"))
    native_cell_types = (DynapSE2Neuron,)

    def quantize(self, network, allowed):
        quantizer = DynapSE2Quantizer(self, network, allowed)
        populations = {p.index: quantizer.population(
            p, [q for q in network.projections if q.post == p.index])
            for p in network.populations if not p.is_source}
        projections = [quantizer.projection(q, populations[q.post])
                       for q in network.projections]
        quantized = DynapSE2Network(populations, projections,
                                    mismatch=mismatch_sigma(network.options, self.formats),
                                    mismatch_seed=network.options.get("mismatch_seed"),
                                    dt=network.timestep)
        # the report lists the lossy steps taken (mapping.py reads quantized.lossy_steps)
        quantized.lossy_steps = [
            f"prune_cams: {c.pruned} CAM entries ({c.pruned_synapses} synapses dropped) into "
            f"population '{c.label}'" for c in populations.values() if c.pruned]
        return quantized

    def allocate(self, network, quantized):
        return GroupAllocator(self.chip, self.formats, network, quantized).place()

    def build_program(self, network, quantized, placement):
        return build_program(network, quantized, placement)

    def emulator(self, program, seed):
        return DynapSE2Emulator(program, self.formats, seed)

    def report_notes(self, quantized):
        mismatch = (f"analog mismatch: every bias and circuit constant of each neuron drawn "
                    f"with relative sigma {quantized.mismatch:.3g} from the network's seed"
                    if quantized.mismatch > 0 else "analog mismatch off (setup(mismatch=0))")
        return ["one parameter group (bias currents) per core; weights are CAM "
                "multiplicities of one weight current per core and synapse type", mismatch]
