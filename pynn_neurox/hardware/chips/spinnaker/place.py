"""Placement as sPyNNaker's partitioner and placer count it: every population, spike
sources included, is split into slices of at most the per-core atoms (neurons_per_core,
array_sources_per_core, poisson_sources_per_core); a source population with a synapse
delayed beyond the neuron core's 16 ticks gets one delay-extension core per slice
(sPyNNaker's DelayExtensionVertex, split like its source). Cores fill the application
cores of each chip in turn, chips a board's, boards the machine's.
"""

import numpy as np

from ....errors import ChipLimitError
from ...place import Core, Placement
from ...report import CoreRow, Usage
from .formats import SpiNNakerFormats


class SpiNNakerAllocator:
    def __init__(self, chip, formats: SpiNNakerFormats, network, quantized):
        self.chip = chip
        self.formats = formats
        self.network = network
        self.quantized = quantized

    def _per_core(self, population):
        F = self.formats
        if population.celltype == "SpikeSourcePoisson":
            return F.poisson_sources_per_core
        if population.celltype == "SpikeSourceArray":
            return F.array_sources_per_core
        return F.neurons_per_core

    def _stages(self):
        """Population index -> the delay-extension stages its synapses need."""
        stages = {}
        for q in self.quantized.projections:
            if q.delay.size:
                need = int(np.max((q.delay - 1) >> self.formats.delay_bits))
                stages[q.pre] = max(stages.get(q.pre, 0), need)
        return stages

    def place(self):
        F = self.formats
        slices = []  # (population, first, stop, per-core limit, delay stages or None)
        for p in self.network.populations:
            per_core = self._per_core(p)
            for first in range(0, p.size, per_core):
                slices.append((p, first, min(first + per_core, p.size), per_core, None))
        for index, stage in sorted(self._stages().items()):
            if stage:
                p = self.network.populations[index]
                per_core = self._per_core(p)
                for first in range(0, p.size, per_core):
                    slices.append((p, first, min(first + per_core, p.size), per_core, stage))
        chips = -(-len(slices) // F.application_cores_per_chip)
        if chips > F.chips:
            counts = {}
            for p, _, _, _, stage in slices:
                label = p.label + (" (delay extension)" if stage else "")
                counts[label] = counts.get(label, 0) + 1
            listed = ", ".join(f"'{label}' {n}" for label, n in counts.items())
            raise ChipLimitError(
                f"{self.chip.title}: the network needs {len(slices)} application cores "
                f"({listed}), {chips} chips of {F.application_cores_per_chip}; the machine "
                f"has {F.boards} board(s) of {F.chips_per_board} chips")
        incoming = self._incoming()
        cores, rows, core_of = [], [], {}
        for k, (p, first, stop, per_core, stage) in enumerate(slices):
            chip = k // F.application_cores_per_chip
            cores.append(Core(k, chip, p.index, first, stop, stop - first))
            synapses = 0
            if stage is None and p.index in incoming:
                synapses = int(np.count_nonzero((incoming[p.index] >= first)
                                                & (incoming[p.index] < stop)))
            if stage is None and not p.is_source:
                core_of.setdefault(p.index, np.zeros(p.size, np.int64))[first:stop] = k
            label = p.label + (" (delay extension)" if stage else "")
            rows.append(CoreRow(k, chip, label, f"{first}-{stop - 1}", synapses,
                                [Usage("atoms", stop - first, per_core),
                                 Usage("delay_stages", stage or 0, F.delay_stages_max)]))
        return Placement(cores, core_of, rows)

    def _incoming(self):
        parts = {}
        for q in self.quantized.projections:
            parts.setdefault(q.post, []).append(q.targets)
        return {k: np.concatenate(v) for k, v in parts.items()}
