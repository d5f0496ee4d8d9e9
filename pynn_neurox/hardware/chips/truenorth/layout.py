"""Layout: the core each neuron lives on, every core's axons, the copies a neuron's
fan-out needs, each axon's type and each neuron's weight per type.

A TrueNorth core has 256 axons, 256 neurons and a binary crossbar between them; an axon
has one of 4 types and each neuron one signed weight per type, so a neuron sees at most
4 weight values, and the type is the axon's, shared by every neuron on the core it
reaches. A neuron sends every spike to one axon on one core, with one delay. So:

1. Axons. A synapse (source, target, delay) needs an axon on the target's core carrying
   that source with that delay and the synapse's type (4); a second synapse between the
   same pair with the same delay needs a second axon (the crossbar is binary). Synapses
   of one source, delay and type onto neurons of the same core share the axon.
2. Cores. Each population is packed in order into cores, as many neurons as fit: the
   union of their axons within the axon limit, their copies (3) within the neuron limit.
   A neuron whose own fan-in exceeds a core's axons is refused.
3. Copies. Each axon fed by an on-chip neuron is fed by its own copy of that neuron, on
   the neuron's core: same parameters, same crossbar column, same state, so the copies
   fire together (the report counts them). A neuron with no synapse out still has one.
   Packing needs the copies and the copies depend on the packing: the packing is redone
   with the copies found (plus one of slack) until every core's neurons fit. A neuron
   that draws random numbers may not have more than one copy.
4. Types and weights. Each neuron's weights are clustered on their own into at most 4
   values by an optimal 1-D split (dynamic programming over the sorted distinct values,
   weighted by their counts: the best partition of sorted 1-D data into k groups is k
   contiguous runs, so the DP finds the global optimum where k-means finds a local one
   from its start); its weight per type is the rounded mean of a cluster, so the error is
   the least any 4 weights per neuron allow. The type is the axon's, shared by the
   neurons on its core, so a source whose synapses onto one core fall in different
   types gets one axon per type (one more copy each). To keep those few, a neuron's
   clusters take the types of its population's own split into 4 classes (clusters in
   increasing order, as near their classes as the order allows): where weights follow
   the projection, every neuron gives a source the same type. The report gives the
   clustering's error per projection, before rounding.
"""

import itertools
from dataclasses import dataclass, field

import numpy as np

from ....errors import ChipLimitError
from ...quantize import weight_errors

# the packing is redone with the copies it found at most this often
_PACKING_ROUNDS = 50
# a cluster's mean (chip units) is rounded to these decimals before it is compared
_MEAN_DECIMALS = 9


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
            # one copy of slack for a neuron with several: the next packing moves some
            # of their targets, and without it a packing takes ~4 rounds, not 2
            estimate = np.maximum(estimate, copies + (copies > 1))
        else:
            raise ChipLimitError(f"{self.chip.title}: no packing of the neurons and their "
                                 f"copies into cores of {F.neurons_per_core} neurons was "
                                 f"found in {_PACKING_ROUNDS} rounds")
        self._check_cores()
        self._check_stochastic(copies)
        weights = self._weights()
        layout = Layout(
            neurons=self.n, neuron_offset=self.neuron_offset, input_offset=self.input_offset,
            inputs=self.inputs, home=self.home, core_population=self.core_population,
            core_first=self.core_first, core_stop=self.core_stop, axon_start=self.axon_start,
            axon_source=self.axon_source, axon_delay=self.axon_delay,
            axon_type=self.axon_type,
            projection_start=self.projection_start, synapse_axon=self.synapse_axon,
            synapse_neuron=self.post, weights=weights, **self._copies())
        self._fill_projections(layout)
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
        # the k-th synapse of one (source, delay, target) needs its own axon; one sort by
        # target, then source and delay, finds the repeats and groups the synapses by target
        self.span = F.delay_max + 1
        pair = (self.post * (n + self.inputs) + self.src) * self.span + self.delay
        order = np.argsort(pair, kind="stable")
        ordered = pair[order]
        first = np.r_[True, ordered[1:] != ordered[:-1]] if ordered.size else ordered > 0
        run_start = np.maximum.accumulate(np.where(first, np.arange(ordered.size), 0))
        repeat = np.empty_like(order)
        repeat[order] = np.arange(ordered.size) - run_start
        self.repeats = int(repeat.max()) + 1 if repeat.size else 1
        self.type, self.mean = self._clusters()
        groups = self.formats.axon_types
        self.key = ((self.src * self.span + self.delay) * self.repeats + repeat) * groups \
            + self.type
        self.by_post = order
        self.post_start = np.searchsorted(self.post[order], np.arange(n + 1))

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
        population, first = [], []
        if not hasattr(self, "_key_ids"):  # each neuron's axon keys, compact, by neuron
            keys = self.key[self.by_post]
            if keys.size and keys.max() > 8 * keys.size:
                keys = np.unique(keys, return_inverse=True)[1]
            self._key_ids = keys.astype(np.int64)
        # the core that last took each key (numpy, not sets: no garbage to collect)
        stamp = np.full(int(self._key_ids.max(initial=0)) + 1, -1, np.int64)
        ids, bounds = self._key_ids, self.post_start.tolist()
        estimate = estimate.tolist()
        neurons_limit, axons_limit = F.neurons_per_core, F.axons_per_core
        core_of = []
        core = -1
        for index, q in self.populations.items():
            axons, used = axons_limit + 1, 0  # the first neuron opens a core
            start = self.neuron_offset[index]
            for j in range(start, start + q.size):
                mine = ids[bounds[j]:bounds[j + 1]]
                new = int(np.count_nonzero(stamp[mine] != core)) if core >= 0 else mine.size
                if used + estimate[j] <= neurons_limit and axons + new <= axons_limit:
                    used += estimate[j]
                    axons += new
                else:
                    population.append(index)
                    first.append(j)
                    core += 1
                    axons, used = mine.size, estimate[j]
                stamp[mine] = core
                core_of.append(core)
        home = np.array(core_of, np.int64)
        stop = first[1:] + [self.n]
        self.home = home
        self.core_population = np.array(population, np.int64)
        self.core_first = np.array(first, np.int64)
        self.core_stop = np.array(stop, np.int64)
        self.n_cores = len(first)

    def _axons(self):
        code = self.home[self.post] * (int(self.key.max(initial=0)) + 1) + self.key
        unique, self.synapse_axon = np.unique(code, return_inverse=True)
        core, key = np.divmod(unique, int(self.key.max(initial=0)) + 1)
        key, self.axon_type = np.divmod(key, self.formats.axon_types)
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

    # --- clusters, types and weights -------------------------------------------------

    def _clusters(self):
        """Per synapse: its type, and its cluster's mean (the weight it gets before
        rounding): each neuron's weights split optimally into at most axon_types
        clusters, which take the types of their population's classes."""
        groups = self.formats.axon_types
        n_syn = self.post.size
        if not n_syn:
            return np.zeros(0, np.int64), np.zeros(0)
        constant = self._constant_projections()
        if constant is not None:
            return constant
        # distinct (neuron, weight) pairs, in order; each neuron's rank of its values
        order = np.lexsort((self.wanted, self.post))
        post_s, w_s = self.post[order], self.wanted[order]
        new = np.r_[True, (post_s[1:] != post_s[:-1]) | (w_s[1:] != w_s[:-1])]
        pair = np.cumsum(new) - 1
        pair_post, pair_value = post_s[new], w_s[new]
        pair_count = np.bincount(pair, minlength=pair_post.size)
        first = np.searchsorted(pair_post, np.arange(self.n + 1))
        distinct = np.diff(first)
        rank = np.arange(pair_post.size) - first[pair_post]
        cluster = np.minimum(rank, groups - 1)  # right where a neuron has <= groups values
        for j in np.flatnonzero(distinct > groups):
            mine = slice(first[j], first[j + 1])
            cluster[mine] = optimal_split(pair_value[mine], pair_count[mine], groups)
        # each neuron's clusters: their means, then their types
        cell = pair_post * groups + cluster
        mass = np.bincount(cell, pair_count, minlength=self.n * groups)
        total = np.bincount(cell, pair_count * pair_value, minlength=self.n * groups)
        # rounded, so that a mean of equal values is one value again
        centre = np.round(total / np.maximum(mass, 1), _MEAN_DECIMALS)
        types = self._aligned(centre.reshape(self.n, groups), mass.reshape(self.n, groups))
        pair_type = types[pair_post, cluster]
        syn_type = np.empty(n_syn, np.int64)
        syn_mean = np.empty(n_syn)
        syn_type[order] = pair_type[pair]
        syn_mean[order] = centre[cell][pair]
        return syn_type, syn_mean

    def _constant_projections(self):
        """The types when every projection wants one value and no population more than
        axon_types of them (weights set per projection, the usual PyNN model): a value's
        type is its rank among its population's values, as the general path gives it."""
        groups = self.formats.axon_types
        values = {}
        for q, a, b in zip(self.projections, self.projection_start, self.projection_start[1:]):
            if b > a:
                w = self.wanted[a:b]
                if w.min() != w.max():
                    return None
                values.setdefault(q.post, set()).add(round(float(w[0]), _MEAN_DECIMALS))
        if any(len(v) > groups for v in values.values()):
            return None
        types = np.zeros(self.post.size, np.int64)
        for q, a, b in zip(self.projections, self.projection_start, self.projection_start[1:]):
            if b > a:
                value = round(float(self.wanted[a]), _MEAN_DECIMALS)
                types[a:b] = sorted(values[q.post]).index(value)
        return types, np.round(self.wanted, _MEAN_DECIMALS)

    def _aligned(self, centre, mass):
        """neurons x clusters (clusters in increasing order, those in use first) -> type:
        a population's classes (the optimal split of its neurons' cluster means, weighted
        by their synapses) give each cluster its type; a neuron whose clusters share a
        class takes the increasing types nearest to their classes."""
        groups = self.formats.axon_types
        types = np.tile(np.arange(groups), (self.n, 1))
        used = mass > 0
        for index, q in self.populations.items():
            rows = slice(self.neuron_offset[index], self.neuron_offset[index] + q.size)
            if not used[rows].any():
                continue
            distinct, at = np.unique(centre[rows][used[rows]], return_inverse=True)
            classes = optimal_split(distinct, np.bincount(at, mass[rows][used[rows]]), groups)
            wanted = np.full((q.size, groups), -1)
            wanted[used[rows]] = classes[at]
            ordered = np.all((wanted[:, 1:] > wanted[:, :-1]) | (wanted[:, 1:] < 0), axis=1)
            mine = np.where(ordered[:, np.newaxis] & (wanted >= 0), wanted, types[rows])
            for k in np.flatnonzero(~ordered):
                chosen = wanted[k][wanted[k] >= 0]
                mine[k, :chosen.size] = min(
                    itertools.combinations(range(groups), chosen.size),
                    key=lambda c: int(np.abs(np.array(c) - chosen).sum()))
            types[rows] = mine
        return types

    def _weights(self):
        F, groups = self.formats, self.formats.axon_types
        cell = self.post * groups + self.type
        count = np.bincount(cell, minlength=self.n * groups)
        total = np.bincount(cell, self.wanted, minlength=self.n * groups)
        weights = np.clip(np.rint(total / np.maximum(count, 1)), -F.weight_max, F.weight_max)
        return weights.astype(np.int64).reshape(self.n, groups)

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

    def _fill_projections(self, layout):
        mean = self.mean
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
                    f"TrueNorthNeuron population '{post.label}': neuron {q.targets[bad]} "
                    f"needs more than {self.formats.axon_types} values (one weight per axon "
                    f"type); {wanted[bad]:g} would become {got[bad]}")
