"""DYNAP-SE2 placement: one parameter group per core.

Populations whose bias currents are all equal (their `group`) may share cores; a core
holds neurons of one group only, up to neurons_per_core. Then the board's routing limits
are checked: the cores against the board's chips, each core's distinct source tags (a
CAM entry matches a source's tag) and each neuron's destinations (one SRAM entry per
chip its targets lie on); host inputs come from the board's FPGA and take no core.
"""

from dataclasses import dataclass, field

import numpy as np

from ....errors import ChipLimitError
from ...place import Placement
from ...report import CoreRow, Usage


@dataclass
class GroupCore:
    index: int
    chip: int
    population: int  # the first population on the core
    slices: list = field(default_factory=list)  # (population index, first, stop)
    cams: int = 0  # the most CAM entries a neuron of the core uses
    tags: int = 0  # distinct sources with an entry on the core
    destinations: int = 0  # the most destination chips a neuron of the core uses


class GroupAllocator:
    def __init__(self, chip, formats, network, quantized):
        self.chip = chip
        self.formats = formats
        self.populations = quantized.populations
        self.projections = quantized.projections
        self.labels = {p.index: p.label for p in network.populations}

    def place(self):
        F = self.formats
        groups = {}
        for index, cells in self.populations.items():
            groups.setdefault(cells.group, []).append(index)
        cores, core_of = [], {}
        for members in groups.values():
            room = 0
            for index in members:
                size = self.populations[index].size
                core_of[index] = np.zeros(size, np.int64)
                first = 0
                while first < size:
                    if room == 0:
                        cores.append(GroupCore(len(cores), len(cores) // F.cores_per_chip,
                                               index))
                        room = F.neurons_per_core
                    stop = min(size, first + room)
                    cores[-1].slices.append((index, first, stop))
                    core_of[index][first:stop] = cores[-1].index
                    room -= stop - first
                    first = stop
        if len(cores) > F.cores:
            names = ", ".join(f"'{self.labels[i]}'" for i in self.populations)
            raise ChipLimitError(
                f"{self.chip.title}: the network needs {len(cores)} cores ({len(groups)} "
                f"parameter group(s) of {names}, at most {F.neurons_per_core} neurons a core, "
                f"one group a core); the board has {F.chips} chip(s) of {F.cores_per_chip} "
                f"cores = {F.cores}")
        placement = Placement(cores, core_of)
        self._routing(placement)
        placement.rows = [self._row(core) for core in cores]
        return placement

    def _routing(self, placement):
        """CAM entries, source tags and destinations per core, within the limits."""
        F = self.formats
        cores = placement.cores
        sources, dest_core = [], []
        cams = {index: np.zeros(c.size, np.int64) for index, c in self.populations.items()}
        for q in self.projections:
            used = q.weight > 0
            np.add.at(cams[q.post], q.targets[used], q.weight[used])
            sources.append(q.pre * (1 << 32) + q.sources[used])
            dest_core.append(placement.core_of[q.post][q.targets[used]])
        for core in cores:
            core.cams = int(max(cams[i][a:b].max(initial=0) for i, a, b in core.slices))
        if not sources:
            return
        source, core_index = np.concatenate(sources), np.concatenate(dest_core)
        pairs = np.unique(np.stack([core_index, source]), axis=1)
        tags = np.bincount(pairs[0], minlength=len(cores))
        for core in cores:
            core.tags = int(tags[core.index])
            if core.tags > F.tags_per_core:
                raise ChipLimitError(
                    f"{self.chip.title}: core {core.index} ({self._names(core)}) receives from "
                    f"{core.tags} distinct sources; a core's CAMs tell apart "
                    f"{F.tags_per_core} source tags")
        # destinations: the distinct chips each on-chip source neuron sends to
        on_chip = np.isin(source >> 32, list(self.populations))
        chip_of = core_index[on_chip] // F.cores_per_chip
        routes = np.unique(np.stack([source[on_chip], chip_of]), axis=1)
        if routes.size == 0:
            return
        neurons, counts = np.unique(routes[0], return_counts=True)
        for n, count in zip(neurons, counts):
            population, cell = int(n >> 32), int(n & ((1 << 32) - 1))
            core = cores[placement.core_of[population][cell]]
            core.destinations = max(core.destinations, int(count))
            if count > F.destinations_per_neuron:
                raise ChipLimitError(
                    f"{self.chip.title}: neuron {cell} of population "
                    f"'{self.labels[population]}' sends to {count} chips; a neuron has "
                    f"{F.destinations_per_neuron} destination entries (one per chip)")

    def _names(self, core):
        return ", ".join(f"'{self.labels[i]}' {a}-{b - 1}" for i, a, b in core.slices)

    def _row(self, core):
        F = self.formats
        neurons = sum(b - a for _, a, b in core.slices)
        usage = [Usage("neurons", neurons, F.neurons_per_core),
                 Usage("cams", core.cams, F.cams_per_neuron),
                 Usage("tags", core.tags, F.tags_per_core),
                 Usage("destinations", core.destinations, F.destinations_per_neuron)]
        labels = ", ".join(dict.fromkeys(self.labels[i] for i, _, _ in core.slices))
        cells = ", ".join(f"{a}-{b - 1}" for _, a, b in core.slices)
        synapses = 0
        for q in self.projections:
            for i, a, b in core.slices:
                if q.post == i:
                    synapses += int(np.count_nonzero((q.targets >= a) & (q.targets < b)))
        return CoreRow(core.index, core.chip, labels, cells, synapses, usage)
