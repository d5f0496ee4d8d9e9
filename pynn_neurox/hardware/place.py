"""Place: populations split over cores and chips within every per-core limit.

An allocator places a quantized network; a kind chooses one of these or supplies its own
(as nengo-loihi's allocators do): `CoreAllocator` for many-core chips, `OneCore` for a
chip that is a single core.

With CoreAllocator, each core holds a contiguous slice of one population. A population's slice size
starts at what the compartment limit allows and shrinks until every slice's input
axons, synapse memory and output axons fit; a single neuron that cannot fit on a
core is an error naming it. Host inputs (spike sources) enter as input axons and
take no core.
"""

from dataclasses import dataclass, field

import numpy as np

from ..errors import ChipLimitError
from .chip import ChipFormats, fact
from .report import CoreRow, Usage


# how often CoreAllocator shrinks slices to bring output axons within the limit
_SHRINK_ROUNDS = 64


@dataclass
class Core:
    index: int
    chip: int
    population: int
    first: int  # the population's first neuron on this core
    stop: int
    compartments: int
    input_axons: int = 0
    output_axons: int = 0
    synapse_bits: int = 0
    synapses: int = 0


@dataclass
class Placement:
    cores: list
    core_of: dict  # population index -> core index of each neuron
    rows: list = field(default_factory=list)  # report.CoreRow, one per core

    @property
    def chips(self):
        return (self.cores[-1].chip + 1) if self.cores else 0


def input_numbering(network):
    """Population index -> its first input axon: every cell can send, on-chip cells
    first, then the spike sources (host inputs), each population in order."""
    offset, axons = {}, 0
    for population in (sorted(network.populations, key=lambda p: p.is_source)):
        offset[population.index] = axons
        axons += population.size
    return offset, axons


@dataclass(frozen=True)
class CoreLimits(ChipFormats):
    """What CoreAllocator reads: the per-core and per-chip limits, and the layout of the
    synapse memory (entries of weight, delay and target-index bits, in groups)."""

    compartments_per_core: int = fact("limits")
    input_axons_per_core: int = fact("limits")
    output_axons_per_core: int = fact("limits")
    synapse_bits_per_core: int = fact("limits")
    cores_per_chip: int = fact("limits")
    chips: int = fact("limits")
    weight_mantissa_bits: int = fact("formats")
    group_size: int = fact("synapse_memory")  # synapses in one group of an input axon
    group_header_bits: int = fact("synapse_memory")
    word_bits: int = fact("synapse_memory")
    index_bits: list = fact("synapse_memory")  # the target-index widths on offer


def synapse_bits(counts, entry_bits, limits):
    """Synapse memory of input axons carrying `counts` synapses each into one core."""
    group = limits.group_size
    full, rest = np.divmod(counts, group)
    word = limits.word_bits

    def words(n):
        return -(-(n * entry_bits + limits.group_header_bits) // word) * word

    return full * words(group) + np.where(rest > 0, words(rest), 0)


class CoreAllocator:
    """Places quantized populations on the cores of chips joined in a mesh; each synapse's
    input axon is its source cell's (input_numbering)."""

    # the report's usage rows: name -> (Core attribute, CoreLimits attribute)
    USAGE = {"compartments": ("compartments", "compartments_per_core"),
             "input_axons": ("input_axons", "input_axons_per_core"),
             "output_axons": ("output_axons", "output_axons_per_core"),
             "synapse_bits": ("synapse_bits", "synapse_bits_per_core")}

    def __init__(self, chip, limits, network, quantized):
        self.chip = chip
        self.limits = limits
        self.populations = quantized.populations  # index -> QuantizedCells (on-chip cells)
        self.projections = quantized.projections
        offset, _ = input_numbering(network)
        self.axon_of = lambda q: offset[q.pre] + q.sources
        self.labels = {p.index: p.label for p in network.populations}
        self._synapses_into = {}
        self._needs_of = {}

    def place(self):
        cap = {index: self.limits.compartments_per_core // q.compartments_per_neuron
               for index, q in self.populations.items()}
        for _ in range(_SHRINK_ROUNDS):
            placement = self._place_with(cap)
            crowded = self._count_output_axons(placement)
            if not crowded:
                self._check_chips(placement)
                placement.rows = [self._row(core) for core in placement.cores]
                return placement
            for population, ratio in crowded.items():
                used = max(c.stop - c.first for c in placement.cores if c.population == population)
                cap[population] = max(1, min(used - 1, int(used * ratio)))
        raise ChipLimitError(f"{self.chip.title}: no placement keeps every core's output "
                             "axons within the limit")

    def _row(self, core):
        usage = [Usage(name, getattr(core, used), getattr(self.limits, limit))
                 for name, (used, limit) in self.USAGE.items()]
        return CoreRow(core.index, core.chip, self.labels[core.population],
                       f"{core.first}-{core.stop - 1}", core.synapses, usage)

    def _place_with(self, cap):
        cores, core_of = [], {}
        for index, population in self.populations.items():
            per_core = self._slice_size(population, min(cap[index], population.size))
            starts = np.arange(0, population.size, per_core)
            first_core = len(cores)
            for k, start in enumerate(starts):
                stop = min(start + per_core, population.size)
                core = len(cores)
                cores.append(Core(core, core // self.limits.cores_per_chip, index, int(start),
                                  int(stop), (stop - start) * population.compartments_per_neuron))
            core_of[index] = first_core + np.arange(population.size) // per_core
            self._fill(cores[first_core:], population, per_core)
        return Placement(cores, core_of)

    def _incoming(self, population):
        """(input axon, target, delay) of every synapse into `population`, cached."""
        if population.index not in self._synapses_into:
            parts = [(self.axon_of(p), p.targets, p.delay) for p in self.projections
                     if p.post == population.index]
            empty = np.zeros(0, np.int64)
            self._synapses_into[population.index] = tuple(
                np.concatenate(x) for x in zip(*parts)) if parts else (empty, empty, empty)
        return self._synapses_into[population.index]

    def _needs(self, population, per_core):
        """Per slice: input axons, synapse bits, synapses (cached: placement asks for
        the same slice sizes again while it shrinks slices for output axons)."""
        key = (population.index, per_core)
        if key not in self._needs_of:
            self._needs_of[key] = self._count_needs(population, per_core)
        return self._needs_of[key]

    def _count_needs(self, population, per_core):
        axons, targets, delays = self._incoming(population)
        slices = -(-population.size // per_core)
        if axons.size == 0:
            zero = np.zeros(slices, np.int64)
            return zero, zero, zero
        slice_of = targets // per_core
        key = slice_of * (int(axons.max()) + 1) + axons
        unique, counts = np.unique(key, return_counts=True)
        owner = unique // (int(axons.max()) + 1)
        index_bits = next(b for b in self.limits.index_bits
                          if 2 ** b >= per_core * population.compartments_per_neuron)
        delay_bits = int(np.ceil(np.log2(delays.max() + 1)))
        entry = self.limits.weight_mantissa_bits + delay_bits + index_bits
        bits = np.bincount(owner, synapse_bits(counts, entry, self.limits), minlength=slices)
        return (np.bincount(owner, minlength=slices), bits.astype(np.int64),
                np.bincount(slice_of, minlength=slices))

    def _fits(self, population, per_core):
        axons, bits, _ = self._needs(population, per_core)
        return (axons.max(initial=0) <= self.limits.input_axons_per_core
                and bits.max(initial=0) <= self.limits.synapse_bits_per_core)

    def _slice_size(self, population, per_core):
        """The largest slice size up to `per_core` whose slices all fit (bisection: smaller
        slices never need more input axons or synapse memory)."""
        if self._fits(population, per_core):
            return per_core
        if not self._fits(population, 1):
            axons, bits, _ = self._needs(population, 1)
            axon_limit = self.limits.input_axons_per_core
            bit_limit = self.limits.synapse_bits_per_core
            worst = int(np.argmax(np.maximum(axons / axon_limit, bits / bit_limit)))
            raise ChipLimitError(
                f"{self.chip.title}: neuron {worst} of population '{population.label}' alone "
                f"needs {axons[worst]} input axons and {bits[worst]} bits of synapse memory; "
                f"a core has {axon_limit} input axons and {bit_limit} bits")
        low, high = 1, per_core  # low fits, high does not
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if self._fits(population, middle) else (low, middle)
        return low

    def _fill(self, cores, population, per_core):
        axons, bits, synapses = self._needs(population, per_core)
        for core, a, b, s in zip(cores, axons, bits, synapses):
            core.input_axons, core.synapse_bits, core.synapses = int(a), int(b), int(s)

    def _count_output_axons(self, placement):
        """Output axons per core (one per neuron and destination core); the populations
        whose cores have too many, with the factor to shrink their slices by."""
        cores = len(placement.cores)
        keys, axons_seen, their_cores = [], [], []
        for p in self.projections:
            if p.pre in placement.core_of:
                axons = self.axon_of(p)
                keys.append(axons * cores + placement.core_of[p.post][p.targets])
                axons_seen.append(axons)
                their_cores.append(placement.core_of[p.pre][p.sources])
        for core in placement.cores:
            core.output_axons = 0
        routes = np.unique(np.concatenate(keys or [np.zeros(0, np.int64)])) // cores
        if routes.size == 0:
            return {}
        axon_core = np.full(int(routes.max()) + 1, -1)
        axon_core[np.concatenate(axons_seen)] = np.concatenate(their_cores)
        per_core = np.bincount(axon_core[routes], minlength=cores)
        limit = self.limits.output_axons_per_core
        crowded = {}
        for core in placement.cores:
            core.output_axons = int(per_core[core.index])
            if core.output_axons > limit:
                crowded[core.population] = min(crowded.get(core.population, 1.0),
                                               limit / core.output_axons)
        return crowded

    def _check_chips(self, placement):
        if placement.chips > self.limits.chips:
            raise ChipLimitError(f"{self.chip.title}: the network needs {placement.chips} "
                                 f"chips; at most {self.limits.chips} can be joined")


@dataclass(frozen=True)
class OneCoreLimits(ChipFormats):
    """What OneCore reads: the cells and the host inputs the one core has room for."""

    neurons: int = fact("limits")
    input_addresses: int = fact("limits")


class OneCore:
    """Places every on-chip cell and every host input on a chip that is a single core."""

    def __init__(self, chip, limits, network, quantized):
        self.chip = chip
        self.limits = limits
        self.network = network
        self.quantized = quantized

    def place(self):
        cells = [p for p in self.network.populations if not p.is_source]
        sources = [p for p in self.network.populations if p.is_source]
        used = {}
        for name, what, items, limit in (
                ("neurons", "neurons", cells, self.limits.neurons),
                ("inputs", "input cells (spike sources)", sources, self.limits.input_addresses)):
            total = used[name] = sum(p.size for p in items)
            if total > limit:
                raise ChipLimitError(
                    f"{self.chip.title}: the network has {total} {what} "
                    f"({', '.join(repr(p.label) for p in items)}); the chip has {limit}")
        synapses = sum(len(q.sources) for q in self.quantized.projections)
        core = Core(0, 0, cells[0].index if cells else -1, 0, used["neurons"], used["neurons"],
                    input_axons=used["inputs"], synapses=synapses)
        row = CoreRow(0, 0, ", ".join(p.label for p in cells) or "-",
                      f"0-{used['neurons'] - 1}", synapses,
                      [Usage("neurons", used["neurons"], self.limits.neurons),
                       Usage("inputs", used["inputs"], self.limits.input_addresses)])
        return Placement([core], {p.index: np.zeros(p.size, int) for p in cells}, [row])
