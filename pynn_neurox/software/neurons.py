"""Populations as Brian2 objects: NeuronGroups for cells, SpikeGeneratorGroups for spike
arrays and drawn sources, and the parameters and state the description gives them."""

import numpy as np
from pyNN import errors

from ..timegrid import spike_steps
from .brian import b2, view
from .models import COMMON_EQUATIONS, FIXED_PARAMETERS, brian_name, model_for, refractory_window
from .multiplicity import (CHUNK, COUNT, COUNT_NOW, CountRing, PoissonCounts,
                           ScheduledCounts, next_chunk)
from .sources import InhomogeneousGamma

GENERATORS = ("SpikeSourceArray", "SpikeSourceInhGamma")


def _own_step(code):
    """A Brian2 integration method that is a cell model's own step (CellModel.step):
    Brian2 runs it as the state updater, after its refractoriness bookkeeping."""
    def method(equations, variables=None, method_options=None):
        return code
    return method


def _numeric_parameters(description):
    """Per-cell numeric arrays; array-valued parameters are split into name1..nameK."""
    values = {}
    for name, value in description.parameters.items():
        value = np.asarray(value)
        if value.dtype == object:
            if name == "spike_times":
                continue
            rows = np.array([np.asarray(getattr(v, "value", v), dtype=float) for v in value])
            if rows.ndim == 1:
                values[brian_name(name)] = rows
            for k in range(rows.shape[1] if rows.ndim == 2 else 0):
                values[brian_name(f"{name}{k + 1}")] = rows[:, k]
        else:
            values[brian_name(name)] = value.astype(float)
    values.update({name: np.full(description.size, value)
                   for name, value in FIXED_PARAMETERS.get(description.celltype, {}).items()})
    return values


def _equations(model, parameters):
    return (model.equations + COMMON_EQUATIONS
            + "".join(f"{name} : 1 (constant)\n" for name in parameters
                      if f"\n{name} :" not in "\n" + model.equations))


def state_variable(group, population, variable):
    """The Brian2 name of a recordable of `population`, refused if its group lacks it."""
    name = brian_name(variable)
    if name not in group.variables:
        raise errors.RecordingError(variable, population.celltype_object)
    return name


class NeuronBuilder:
    """The Brian2 objects of a network's populations, built once each, in the Brian2
    network `net`, and kept up to date with the description.

    Per population index: `groups` its group (a Subgroup of a shared NeuronGroup, or a
    SpikeGeneratorGroup), `slots` the NeuronGroup it shares and its first cell's index
    there, `models` its CellModel (spike generators have none), `rings` the CountRing of
    a source that counts several spikes per step (multiplicity.py).
    """

    def __init__(self, network, net):
        self.network = network
        self.net = net
        self.groups = {}
        self.models = {}
        self.slots = {}
        self.rings = {}
        self._requested_times = {}  # population index -> _SpikeTimes of a spike generator
        self._scheduled = {}  # population index -> ScheduledCounts of a counting spike array
        self._refill = None  # the NetworkOperation that draws the rings' counts
        self._drawn_sources = {}  # population index -> InhomogeneousGamma

    @property
    def dt(self):
        return self.network.timestep

    def build_new(self):
        """Brian2 objects for the populations the description gained since the last run.

        Populations whose cells follow the same equations share one NeuronGroup, each
        as a Subgroup of it: fewer objects make every time step cheaper.
        """
        shapes = {}
        for population in self.network.populations:
            if population.index in self.groups:
                continue
            if population.celltype in GENERATORS:
                self.groups[population.index] = self._build_generator(population)
                continue
            model = model_for(population)
            if model is None:
                raise errors.NoModelAvailableError(
                    f"population '{population.label}': cell type {population.celltype} is "
                    "not available on the brian2 target")
            equations = _equations(model, _numeric_parameters(population))
            key = (equations, model.threshold, model.reset, model.method, model.step,
                   model.update, model.step_start, model.threshold_after_synapses,
                   model.substeps(self.dt), model.refractory, model.counting)
            shapes.setdefault(key, (model, equations, []))[2].append(population)
        for model, equations, members in shapes.values():
            self._build_neurons(model, equations, members)

    def slot(self, population_index):
        """(the whole Brian2 group of a population, its first cell's index there)."""
        return self.slots.get(population_index, (self.groups[population_index], 0))

    def push_changes(self, step):
        """Write what the user changed since the last push; spike arrays keep their
        spikes from `step` (the current step) on."""
        for population in self.network.populations:
            if population.changed:
                self._push_population(population, step)

    def draw_sources(self, first_step, stop):
        """Spike trains of the drawn sources up to `stop`, loaded into their generators; the
        counting sources' rings hold the first step's counts."""
        for ring in set(self.rings.values()):
            ring.fill(next_chunk(first_step))
        for index, source in self._drawn_sources.items():
            cells, steps = source.draw(first_step, stop - first_step)
            self.groups[index].set_spikes(cells, steps * self.dt * b2().ms)
            self._requested_times[index] = _SpikeTimes(cells, steps, steps * self.dt)

    def rewind_sources(self, step):
        """Forget what the drawn sources drew for steps from `step` on (a run that ended
        early, for a callback's change)."""
        for source in self._drawn_sources.values():
            source.rewind(step)

    def spike_time(self, population_index, cells, times):
        """Reported spike times (ms) of Brian2's spikes (times in s)."""
        times = times * 1000.0
        model = self.models.get(population_index)
        if model is None:
            return self._requested_times[population_index].lookup(cells, np.rint(times / self.dt))
        # the end of the (sub)step whose update crossed the threshold, on the grid
        return np.ceil((times + self.dt / model.substeps(self.dt)) / self.dt - 1e-6) * self.dt

    def live_values(self, population_index, variable, indices):
        """`variable` of the cells `indices` of a population now; None before it is built."""
        group = self.groups.get(population_index)
        if group is None:
            return None
        name = state_variable(group, self.network.populations[population_index], variable)
        return np.asarray(view(group, name)[:])[indices]

    # --- building -----------------------------------------------------------------

    def _build_generator(self, description):
        """A SpikeGeneratorGroup for a spike array or a source drawn before each run, in
        the network; a spike array with several spikes of a cell in one step is a
        counting group instead (_counting_array)."""
        brian2 = b2()
        description.changed.clear()
        if description.celltype == "SpikeSourceArray":
            cells, steps = self._spike_array(description, 0)
            if _repeated(cells, steps, description.size):
                return self._counting_array(description, cells, steps)
            group = brian2.SpikeGeneratorGroup(description.size, cells,
                                               steps * self.dt * brian2.ms)
        else:
            seed = self.network.seed
            self._drawn_sources[description.index] = InhomogeneousGamma(
                description, self.dt,
                None if seed is None else np.random.SeedSequence([seed, description.index]))
            group = brian2.SpikeGeneratorGroup(description.size, [], [] * brian2.ms)
        self.net.add(group)
        return group

    def _counting_array(self, description, cells, steps):
        """A spike array with several spikes of a cell in a step, as NEST's spike_generator
        and parrot neurons: a counting group, its counts from the spikes (multiplicity.py).
        It fires in the step of the spikes, as a generator does (its spikes leave when a
        generator's would, see projections._delay_offset)."""
        brian2 = b2()
        ring = self._ring(description.size)
        scheduled = ScheduledCounts(description.size, cells, steps)
        ring.add(0, scheduled)
        group = brian2.NeuronGroup(description.size, COUNT_NOW, threshold=f"{COUNT} > 0",
                                   reset="", namespace=ring.namespace)
        self.net.add(group, *group.contained_objects)
        self._scheduled[description.index] = scheduled
        self.rings[description.index] = ring
        return group

    def _ring(self, size):
        """A new CountRing, refilled with the others at the start of each chunk of steps
        (runs fill it to their first chunk's end: draw_sources)."""
        brian2 = b2()
        ring = CountRing(brian2, size)
        if self._refill is None:
            self._refill = brian2.NetworkOperation(
                self._refill_rings, dt=CHUNK * self.dt * brian2.ms, when="start")
            self.net.add(self._refill)
        return ring

    def _refill_rings(self, t):
        step = round(float(t[:]) * 1000.0 / self.dt)
        for ring in set(self.rings.values()):
            ring.fill(step + CHUNK)

    def _build_neurons(self, model, equations, members):
        """One NeuronGroup for populations of one shape, each a Subgroup of it."""
        brian2 = b2()
        size = sum(p.size for p in members)
        ring = self._ring(size) if model.counting else None
        group = brian2.NeuronGroup(size, equations,
                                   threshold=model.threshold or None,
                                   reset=model.reset,
                                   method=_own_step(model.step) if model.step
                                   else model.method or "euler",
                                   refractory=model.refractory or False,
                                   dt=self.dt / model.substeps(self.dt) * brian2.ms,
                                   namespace=ring.namespace if ring else {})
        if model.step_start:
            group.run_regularly(model.step_start, when="before_groups")
        if model.update:
            group.run_regularly(model.update, when="groups", order=1)
        if model.threshold_after_synapses:
            for thresholder in group.thresholder.values():
                thresholder.when = "after_synapses"
        self.net.add(group, *group.contained_objects)
        offset = 0
        for population in members:
            self.groups[population.index] = group[offset:offset + population.size]
            self.slots[population.index] = (group, offset)
            self.models[population.index] = model
            if ring is not None:
                self.rings[population.index] = ring
                ring.add(offset, PoissonCounts(population, self.dt, self.network.seed))
            offset += population.size
            self._write_parameters(population)
            for name, values in population.initial_values.items():
                self._write_state(population.index, name, values)
            population.changed.clear()

    def _spike_array(self, description, from_step):
        """(cells, steps) of a SpikeSourceArray's spikes from `from_step` on, ordered by
        step, then cell; spikes of a cell that fall into one step are all kept.

        A spike between two grid points is emitted at the next one; the requested
        times are kept so that recordings report them exactly.
        """
        indices, steps, exact = [], [], []
        for i, train in enumerate(np.asarray(description.parameters["spike_times"])):
            times = np.asarray(getattr(train, "value", train), dtype=float).ravel()
            grid = spike_steps(times, self.dt)
            keep = grid >= from_step
            indices.append(np.full(keep.sum(), i))
            steps.append(grid[keep])
            exact.append(times[keep])
        indices, steps, exact = (np.concatenate(a) if a else np.array([])
                                 for a in (indices, steps, exact))
        indices, steps = indices.astype(np.int64), steps.astype(np.int64)
        self._requested_times[description.index] = _SpikeTimes(indices, steps, exact)
        order = np.lexsort((indices, steps))
        return indices[order], steps[order]

    # --- writing --------------------------------------------------------------------

    def _push_population(self, description, step):
        if description.celltype == "SpikeSourceArray":
            cells, steps = self._spike_array(description, step)
            if description.index in self._scheduled:
                self._scheduled[description.index].schedule(cells, steps)
            elif _repeated(cells, steps, description.size):
                raise errors.InvalidParameterValueError(
                    f"SpikeSourceArray 'spike_times' of population '{description.label}' now "
                    "put several spikes of a cell into one step, which its running source "
                    "was built without: call reset() to build it again")
            else:
                self.groups[description.index].set_spikes(cells, steps * self.dt * b2().ms)
        if description.index in self.rings:  # counts drawn ahead follow the change
            self.rings[description.index].redraw(step)
        if description.index in self.models:  # drawn sources read theirs at each run
            self._write_parameters(description)
            for change in description.changed:
                if change.startswith("initial:"):
                    name = change.split(":", 1)[1]
                    self._write_state(description.index, name, description.initial_values[name])
        description.changed.clear()

    def _write(self, population_index, name, values):
        """Set a variable of one population's cells in its (shared) NeuronGroup."""
        group, offset = self.slots[population_index]
        size = self.network.populations[population_index].size
        view(group, name)[offset:offset + size] = np.asarray(values, dtype=float)

    def _write_parameters(self, description):
        model = self.models[description.index]
        parameters = _numeric_parameters(description)
        constants = model.constants(parameters, self.dt) if model.constants else {}
        if "tau_refrac" in parameters:
            constants["refractory_window"] = refractory_window(parameters["tau_refrac"], self.dt)
        group = self.slots[description.index][0]
        for name, value in {**parameters, **constants}.items():
            if name in group.variables:
                self._write(description.index, name, value)

    def _write_state(self, population_index, name, values):
        """Set a state variable from PyNN's name; derived recordables are skipped."""
        variable = brian_name(name)
        group = self.slots[population_index][0]
        if name not in self.models[population_index].derived and variable in group.variables:
            self._write(population_index, variable, values)


def _repeated(cells, steps, size):
    """Whether a cell has several spikes in one step."""
    keys = np.asarray(steps, np.int64) * size + np.asarray(cells, np.int64)
    return np.unique(keys).size < keys.size


class _SpikeTimes:
    """The requested times of each (cell, step) of a spike array, in their given order."""

    def __init__(self, cells, steps, times):
        self.keys = self._key(cells, steps)
        order = np.argsort(self.keys, kind="stable")
        self.keys, self.times = self.keys[order], np.asarray(times, dtype=float)[order]

    @staticmethod
    def _key(cells, steps):
        return np.asarray(cells, dtype=np.int64) * (1 << 40) + np.asarray(steps, dtype=np.int64)

    def lookup(self, cells, steps):
        """The requested times of spikes (cell, step); a (cell, step) listed n times gets
        its first n requested times."""
        keys = self._key(cells, steps)
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        rank = np.empty(keys.size, np.int64)
        rank[order] = np.arange(keys.size) - np.searchsorted(ordered, ordered)
        return self.times[np.searchsorted(self.keys, keys) + rank]
