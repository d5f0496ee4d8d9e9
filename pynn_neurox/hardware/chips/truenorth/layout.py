"""Layout: the core each neuron lives on, every core's axons, the copies a neuron's
fan-out needs, each axon's type and each neuron's weight per type.

A TrueNorth core has 256 axons, 256 neurons and a binary crossbar between them; an axon
has one of 4 types and each neuron one signed weight per type, so a neuron sees at most
4 weight values, and the type is the axon's, shared by every neuron on the core it
reaches. A neuron sends every spike to one axon on one core, with one delay. So:

1. Axons. A synapse (source, target, delay) needs an axon on the target's core carrying
   that source with that delay; a second synapse between the same pair with the same
   delay needs a second axon (the crossbar is binary). Synapses of one source and delay
   onto neurons of the same core share the axon.
2. Cores. Each population is packed in order into cores, as many neurons as fit: the
   union of their axons within the axon limit, their copies (3) within the neuron limit.
   A neuron whose own fan-in exceeds a core's axons is refused.
3. Copies. Each axon fed by an on-chip neuron is fed by its own copy of that neuron, on
   the neuron's core: same parameters, same crossbar column, same state, so the copies
   fire together (the report counts them). A neuron with no synapse out still has one.
   Packing needs the copies and the copies depend on the packing: the packing is redone
   with the copies found until every core's neurons fit.
4. Types and weights (per core). Each axon's mean wanted weight over its synapses is its
   signature. If a core has at most 4 distinct signatures, each is a type. Otherwise the
   signatures (weighted by their synapse counts) are split into 4 by an optimal 1-D
   split (dynamic programming over the sorted values: the best partition of sorted 1-D
   data into k groups is k contiguous runs, so the DP finds the global optimum, where
   k-means only finds a local one from its start), and then, since a neuron's weight
   per type is its own, the types are refined by alternating (each neuron's weight per
   type = the mean of its synapses of that type; each axon to the type whose weights fit
   its synapses best), which never increases the squared error. A neuron's weight per
   type is the rounded mean of its synapses of that type. The report gives the error this
   clustering costs per projection, before and after rounding.
"""

from dataclasses import dataclass, field

import numpy as np

from ....errors import ChipLimitError
from ...quantize import weight_errors

# the packing is redone with the copies it found at most this often
_PACKING_ROUNDS = 50
# alternating refinement of one core's axon types: at most this many passes
_REFINE_ROUNDS = 16
# an axon's signature (its mean wanted weight, chip units) is rounded to these decimals
_SIGNATURE_DECIMALS = 9


@dataclass
class Layout:
    neurons: int  # on-chip (logical) neurons, numbered population by population
    neuron_offset: dict  # population index -> first neuron
    input_offset: dict  # spike source population index -> first host input number
    inputs: int
    home: np.ndarray  # neuron -> core
    core_population: np.ndarray  # per core
    core_first: np.ndarray  # per core, its first neuron and one past its last
    core_stop: np.ndarray
    axon_start: np.ndarray  # core -> its first axon (cores + 1 entries)
    axon_source: np.ndarray  # per axon: the neuron, or neurons + host input number
    axon_delay: np.ndarray
    axon_type: np.ndarray
    projection_start: np.ndarray  # synapses: projection by projection, in their order
    synapse_axon: np.ndarray
    synapse_neuron: np.ndarray
    weights: np.ndarray  # neurons x axon types
    copy_start: np.ndarray  # neuron -> its first copy (neurons + 1 entries)
    copy_axon: np.ndarray  # per copy: the axon it sends to (-1: none)
    copy_delay: np.ndarray
    copy_slot: np.ndarray  # its neuron slot on its core
    clustering: dict = field(default_factory=dict)  # projection label -> relative error

    @property
    def cores(self) -> int:
        return self.core_first.size

    def copies(self) -> np.ndarray:
        return np.diff(self.copy_start)


def optimal_split(values, weights, groups):
    """The partition of sorted `values` (with `weights`) into at most `groups` contiguous
    runs with the least weighted squared error about each run's weighted mean (dynamic
    programming, O(groups n^2)). Returns each value's group, 0..groups-1 in order."""
    x = np.asarray(values, float)
    w = np.asarray(weights, float)
    n = x.size
    if n <= groups:
        return np.arange(n)
    s0 = np.concatenate([[0.0], np.cumsum(w)])
    s1 = np.concatenate([[0.0], np.cumsum(w * x)])
    s2 = np.concatenate([[0.0], np.cumsum(w * x * x)])
    i = np.arange(n + 1)[:, np.newaxis]  # run [i, j)
    j = np.arange(n + 1)[np.newaxis, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        mass = s0[j] - s0[i]
        cost = np.where(j > i, s2[j] - s2[i] - (s1[j] - s1[i]) ** 2 / mass, np.inf)
    cost = np.maximum(cost, 0.0)  # rounding below zero
    best = cost[0].copy()  # best[j]: values [0, j) in one run
    cut = np.zeros((groups, n + 1), np.int64)
    for g in range(1, groups):
        total = best[:, np.newaxis] + cost  # [i, j]: best up to i, then one run [i, j)
        cut[g] = np.argmin(total, axis=0)
        best = total[cut[g], np.arange(n + 1)]
    labels = np.empty(n, np.int64)
    stop = n
    for g in range(groups - 1, -1, -1):
        start = cut[g][stop] if g else 0
        labels[start:stop] = g
        stop = start
    # empty runs (fewer than `groups` needed) leave gaps: number the runs used in order
    return np.unique(labels, return_inverse=True)[1]


def _refine(axon, neuron, wanted, types, groups):
    """Alternating refinement of one core's axon types (axon, neuron: local numbers):
    never increases sum (wanted - weight[neuron, type[axon]])**2."""
    n_axons, n_neurons = types.size, int(neuron.max()) + 1
    for _ in range(_REFINE_ROUNDS):
        g = types[axon]
        cell = neuron * groups + g
        count = np.bincount(cell, minlength=n_neurons * groups)
        total = np.bincount(cell, wanted, minlength=n_neurons * groups)
        used = np.bincount(g, minlength=groups)
        centre = np.bincount(g, wanted, minlength=groups) / np.maximum(used, 1)
        mean = np.where(count > 0, total / np.maximum(count, 1),
                        np.tile(centre, n_neurons)).reshape(n_neurons, groups)
        error = (wanted[:, np.newaxis] - mean[neuron]) ** 2
        cost = np.stack([np.bincount(axon, error[:, t], minlength=n_axons)
                         for t in range(groups)], axis=1)
        cost[:, used == 0] = np.inf
        current = cost[np.arange(n_axons), types]
        better = np.argmin(cost, axis=1)
        # move only where strictly better (ties keep their type: no cycling)
        moved = cost[np.arange(n_axons), better] < current * (1 - 1e-12) - 1e-12
        if not moved.any():
            break
        types = np.where(moved, better, types)
    return types


class LayoutBuilder:
    """Lays out quantized cells (index -> TrueNorthCells) and projections."""

    def __init__(self, chip, formats, network, populations, projections):
        self.chip = chip
        self.formats = formats
        self.network = network
        self.populations = populations
        self.projections = projections
        self.labels = {p.index: p.label for p in network.populations}

    def build(self) -> Layout:
        F = self.formats
        self._number()
        self._synapses()
        self._check_fan_in()
        estimate = np.ones(self.n, np.int64)
        for _ in range(_PACKING_ROUNDS):
            self._pack(estimate)
            self._axons()
            copies = np.bincount(self.axon_source[self.axon_source < self.n],
                                 minlength=self.n)
            self._check_fan_out(copies)
            slots = np.bincount(self.home, np.maximum(copies, 1), minlength=self.n_cores)
            if slots.max(initial=0) <= F.neurons_per_core:
                break
            estimate = np.maximum(estimate, copies)
        else:
            raise ChipLimitError(f"{self.chip.title}: no packing of the neurons and their "
                                 f"copies into cores of {F.neurons_per_core} neurons was "
                                 f"found in {_PACKING_ROUNDS} rounds")
        self._check_cores()
        self._check_stochastic(copies)
        types = self._types()
        weights, mean = self._weights(types)
        layout = Layout(
            neurons=self.n, neuron_offset=self.neuron_offset, input_offset=self.input_offset,
            inputs=self.inputs, home=self.home, core_population=self.core_population,
            core_first=self.core_first, core_stop=self.core_stop, axon_start=self.axon_start,
            axon_source=self.axon_source, axon_delay=self.axon_delay, axon_type=types,
            projection_start=self.projection_start, synapse_axon=self.synapse_axon,
            synapse_neuron=self.post, weights=weights, **self._copies())
        self._fill_projections(layout, mean)
        return layout

    # --- numbering and synapses -------------------------------------------------------

    def _number(self):
        self.neuron_offset, self.n = {}, 0
        for index, q in self.populations.items():
            self.neuron_offset[index] = self.n
            self.n += q.size
        self.input_offset, self.inputs = {}, 0
        for p in self.network.populations:
            if p.is_source:
                self.input_offset[p.index] = self.inputs
                self.inputs += p.size

    def _synapses(self):
        F, n = self.formats, self.n
        parts = []
        for q in self.projections:
            source = (self.neuron_offset[q.pre] + q.sources if q.pre in self.neuron_offset
                      else n + self.input_offset[q.pre] + q.sources)
            parts.append((source, self.neuron_offset[q.post] + q.targets, q.delay, q.wanted))
        self.projection_start = np.cumsum([0] + [len(q.sources) for q in self.projections])
        if parts and self.projection_start[-1]:
            src, post, delay, wanted = (np.concatenate(x) for x in zip(*parts))
        else:
            src = post = delay = np.zeros(0, np.int64)
            wanted = np.zeros(0)
        self.src, self.post = src.astype(np.int64), post.astype(np.int64)
        self.delay, self.wanted = delay.astype(np.int64), wanted.astype(float)
        # the k-th synapse of one (source, delay, target) needs its own axon
        self.span = F.delay_max + 1
        pair = (self.src * self.span + self.delay) * max(n, 1) + self.post
        order = np.argsort(pair, kind="stable")
        ordered = pair[order]
        first = np.r_[True, ordered[1:] != ordered[:-1]] if ordered.size else ordered > 0
        run_start = np.maximum.accumulate(np.where(first, np.arange(ordered.size), 0))
        repeat = np.empty_like(order)
        repeat[order] = np.arange(ordered.size) - run_start
        self.repeats = int(repeat.max()) + 1 if repeat.size else 1
        self.key = (self.src * self.span + self.delay) * self.repeats + repeat
        self.by_post = np.argsort(self.post, kind="stable")
        self.post_start = np.searchsorted(self.post[self.by_post], np.arange(n + 1))

    def _where(self, neuron):
        for index, start in self.neuron_offset.items():
            if start <= neuron < start + self.populations[index].size:
                return f"neuron {neuron - start} of population '{self.labels[index]}'"
        raise AssertionError(neuron)

    def _check_fan_in(self):
        fan_in = np.diff(self.post_start)
        limit = self.formats.axons_per_core
        if fan_in.size and fan_in.max() > limit:
            worst = int(np.argmax(fan_in))
            raise ChipLimitError(
                f"{self.chip.title}: {self._where(worst)} has a fan-in of {fan_in[worst]} "
                f"axons (one per source, delay and repeated connection); a core has {limit} "
                "axons, and one neuron's inputs cannot be split over cores")

    def _check_fan_out(self, copies):
        limit = self.formats.neurons_per_core
        if copies.size and copies.max() > limit:
            worst = int(np.argmax(copies))
            raise ChipLimitError(
                f"{self.chip.title}: {self._where(worst)} sends to {copies[worst]} axons "
                f"(one per target core, delay and repeated connection), each through a copy "
                f"of the neuron on its core; a core has {limit} neurons")

    def _check_stochastic(self, copies):
        """Copies of a neuron that draws random numbers would fire independently."""
        stochastic = np.concatenate([q.stochastic for q in self.populations.values()]) \
            if self.populations else np.zeros(0, bool)
        split = np.flatnonzero(stochastic & (copies > 1))
        if split.size:
            raise ChipLimitError(
                f"{self.chip.title}: {self._where(int(split[0]))} is stochastic and sends to "
                f"{copies[split[0]]} axons; its copies would draw their own random numbers "
                "and fire apart (one target axon per stochastic neuron)")

    # --- packing ----------------------------------------------------------------------

    def _pack(self, estimate):
        F = self.formats
        home = np.empty(self.n, np.int64)
        population, first, stop = [], [], []
        keys = self.key[self.by_post]
        for index, q in self.populations.items():
            axons, used = None, 0
            start = self.neuron_offset[index]
            for j in range(start, start + q.size):
                mine = set(keys[self.post_start[j]:self.post_start[j + 1]].tolist())
                if axons is not None and used + estimate[j] <= F.neurons_per_core \
                        and len(axons) + len(mine - axons) <= F.axons_per_core:
                    axons |= mine
                    used += estimate[j]
                else:
                    population.append(index)
                    first.append(j)
                    stop.append(j)
                    axons, used = mine, estimate[j]
                stop[-1] = j + 1
                home[j] = len(first) - 1
        self.home = home
        self.core_population = np.array(population, np.int64)
        self.core_first = np.array(first, np.int64)
        self.core_stop = np.array(stop, np.int64)
        self.n_cores = len(first)

    def _axons(self):
        code = self.home[self.post] * (int(self.key.max(initial=0)) + 1) + self.key
        unique, self.synapse_axon = np.unique(code, return_inverse=True)
        core, key = np.divmod(unique, int(self.key.max(initial=0)) + 1)
        self.axon_core = core
        self.axon_source = key // self.repeats // self.span
        self.axon_delay = (key // self.repeats) % self.span
        self.axon_start = np.searchsorted(core, np.arange(self.n_cores + 1))

    def _check_cores(self):
        F = self.formats
        if self.n_cores > F.cores:
            per = np.bincount(self.core_population)
            used = ", ".join(f"'{self.labels[i]}' {per[i]}" for i in self.populations)
            raise ChipLimitError(
                f"{self.chip.title}: the network needs {self.n_cores} cores (populations: "
                f"{used}); {F.chips} chip(s) of {F.cores_per_chip} cores hold {F.cores}")

    # --- axon types and weights -------------------------------------------------------

    def _types(self):
        groups = self.formats.axon_types
        axons = self.axon_core.size
        types = np.zeros(axons, np.int64)
        if not axons:
            return types
        count = np.bincount(self.synapse_axon, minlength=axons)
        # rounded, so that a mean of equal values equals them
        signature = np.round(np.bincount(self.synapse_axon, self.wanted, minlength=axons)
                             / np.maximum(count, 1), _SIGNATURE_DECIMALS)
        # distinct (core, signature) pairs, in order; each core's rank of its signatures
        order = np.lexsort((signature, self.axon_core))
        core_s, sig_s = self.axon_core[order], signature[order]
        new = np.r_[True, (core_s[1:] != core_s[:-1]) | (sig_s[1:] != sig_s[:-1])]
        distinct = np.cumsum(new) - 1  # global index of each axon's distinct pair
        pair_core = core_s[new]
        pair_first = np.searchsorted(pair_core, np.arange(self.n_cores))
        rank = distinct - pair_first[core_s]
        types[order] = rank
        per_core = np.bincount(pair_core, minlength=self.n_cores)
        pair_signature = sig_s[new]
        for c in np.flatnonzero(per_core > groups):
            local = slice(self.axon_start[c], self.axon_start[c + 1])
            rank_of_axon = types[local]  # index into the core's sorted signatures
            values = pair_signature[pair_first[c]:pair_first[c] + per_core[c]]
            weights = np.bincount(rank_of_axon, count[local], minlength=values.size)
            types[local] = optimal_split(values, weights, groups)[rank_of_axon]
        syn_core = self.axon_core[self.synapse_axon]
        by_core = np.argsort(syn_core, kind="stable")
        syn_start = np.searchsorted(syn_core[by_core], np.arange(self.n_cores + 1))
        for c in self._inexact_cores(types, groups):
            local = slice(self.axon_start[c], self.axon_start[c + 1])
            syn = by_core[syn_start[c]:syn_start[c + 1]]
            types[local] = _refine(self.synapse_axon[syn] - self.axon_start[c],
                                   self.post[syn] - self.core_first[c], self.wanted[syn],
                                   types[local], groups)
        return types

    def _inexact_cores(self, types, groups):
        """The cores where some neuron's synapses of one type want different values
        (a clustering error before rounding)."""
        cell = self.post * groups + types[self.synapse_axon]
        order = np.lexsort((self.wanted, cell))
        cells, wanted = cell[order], self.wanted[order]
        differ = (cells[1:] == cells[:-1]) & (wanted[1:] != wanted[:-1])
        return np.unique(self.home[cells[1:][differ] // groups])

    def _weights(self, types):
        F, groups = self.formats, self.formats.axon_types
        cell = self.post * groups + types[self.synapse_axon]
        count = np.bincount(cell, minlength=self.n * groups)
        total = np.bincount(cell, self.wanted, minlength=self.n * groups)
        mean = total / np.maximum(count, 1)
        weights = np.clip(np.rint(mean), -F.weight_max, F.weight_max).astype(np.int64)
        return weights.reshape(self.n, groups), mean[cell]

    def _copies(self):
        n = self.n
        fed = np.flatnonzero(self.axon_source < n)  # axons fed by an on-chip neuron
        silent = np.setdiff1d(np.arange(n), self.axon_source[fed])
        neuron = np.concatenate([self.axon_source[fed], silent])
        axon = np.concatenate([fed, np.full(silent.size, -1)])
        delay = np.concatenate([self.axon_delay[fed], np.zeros(silent.size, np.int64)])
        order = np.argsort(neuron, kind="stable")
        neuron, axon, delay = neuron[order], axon[order], delay[order]
        copy_start = np.searchsorted(neuron, np.arange(n + 1))
        # slots: a core's neurons are consecutive, so are their copies
        core_copy_start = copy_start[self.core_first]
        slot = np.arange(neuron.size) - core_copy_start[self.home[neuron]]
        return dict(copy_start=copy_start, copy_axon=axon.astype(np.int64),
                    copy_delay=delay.astype(np.int64), copy_slot=slot.astype(np.int64))

    def _fill_projections(self, layout, mean):
        realized = layout.weights[self.post, layout.axon_type[self.synapse_axon]]
        for q, a, b in zip(self.projections, self.projection_start,
                           self.projection_start[1:]):
            wanted, got = self.wanted[a:b], realized[a:b]
            q.weight = got.astype(np.int64)
            q.errors.update(weight_errors(wanted, got, q.clipped_mask))
            q.errors.setdefault("weight_exponent", 0)
            norm = np.linalg.norm(wanted)
            layout.clustering[q.label] = float(np.linalg.norm(mean[a:b] - wanted) / norm) \
                if norm > 0 else 0.0
            post = self.populations[q.post]
            if post.native and not np.array_equal(got, wanted):
                bad = int(np.flatnonzero(got != wanted)[0])
                raise ChipLimitError(
                    f"{self.chip.title}: weights of projection '{q.label}' onto the native "
                    f"TrueNorthNeuron population '{post.label}' need more than "
                    f"{self.formats.axon_types} values per neuron on its core's axon types: "
                    f"{wanted[bad]:g} onto neuron {q.targets[bad]} would become {got[bad]}")
