"""The software target: the network description built as Brian2 objects and run.

Objects are built on the first run from the description and kept between runs;
changes the user makes between runs (parameters, weights, spike times, current
sources, what is recorded) are pushed into them before the next run. reset()
drops the Brian2 network, so the next run starts from the description again:
time zero, initial values and the weights the user set.

Spike times follow NEST's on-grid convention: a spike produced by the update of
the step [t, t + dt) carries the time t + dt, and a delay d makes its effect
appear at t + dt + d.
"""

import gc
import logging
import warnings

import numpy as np
from pyNN import errors

from ..description import NetworkDescription
from ..recorded import Recordings
from .codegen import choose_codegen_target
from .currents import current_at_steps
from .models import (COMMON_EQUATIONS, FIXED_PARAMETERS, brian_name, model_for,
                     refractory_window)
from .recordings import Monitors
from .sources import InhomogeneousGamma
from .synapses import synapse_model

def _b2():
    import brian2
    return brian2


def _own_step(code):
    """A Brian2 integration method that is a cell model's own step (CellModel.step):
    Brian2 runs it as the state updater, after its refractoriness bookkeeping."""
    def method(equations, variables=None, method_options=None):
        return code
    return method


def _view(group, name):
    """A variable of a Brian2 group by name (PyNN names such as `start` are also
    attributes of Brian2 groups, so plain attribute access is not safe)."""
    return group.variables[name].get_addressable_value(name, group)


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


class Brian2Target:
    """Runs a network description with Brian2 (runtime mode, numpy or Cython code)."""

    name = "brian2"

    def __init__(self, network: NetworkDescription):
        self.network = network
        self.closed = False
        self.recordings = {}
        self._reset_objects()

    def _reset_objects(self):
        self._net = None
        self._groups = {}
        self._models = {}  # population index -> CellModel (none for spike generators)
        self._slots = {}  # population index -> (its NeuronGroup, first cell's index in it)
        self._requested_times = {}  # population index -> _SpikeTimes of a spike generator
        self._drawn_sources = {}  # population index -> InhomogeneousGamma
        # projection index -> its Synapses, shared by projections merged into one (see
        # _merge_key), and the positions of its connections in them
        self._synapses = {}
        self._positions = {}
        # projection index -> the synapse parameters built as per-connection arrays
        self._per_connection = {}
        self._injection = None
        self._monitors = None  # the monitors of the Brian2 run under way
        self._layout_at_start = None
        self._t_steps = 0

    # --- life cycle -----------------------------------------------------------

    def close(self):
        self._reset_objects()
        self.closed = True

    def reset(self):
        self._reset_objects()
        self.recordings = {}

    @property
    def dt(self):
        return self.network.timestep

    def run_until(self, t_stop, callbacks=(), on_time=None):
        """Run to `t_stop` (ms); PyNN callbacks run inside, at the times they ask for.

        A callback gets the current time and returns the next time it wants; `on_time`
        is told the current time before each call. Changes a callback makes to
        parameters or weights are pushed while Brian2 runs; changes that need new
        objects (new cells, recording, spike times) end the Brian2 run and start another.
        """
        if self.closed:
            raise RuntimeError("the simulation has ended: call setup() before running again")
        stop = int(round(t_stop / self.dt))
        if stop <= self._t_steps:
            return
        if self._net is None:
            self._start(stop - self._t_steps)
        events = [[callback(self._t_steps * self.dt), callback] for callback in callbacks]
        while self._t_steps < stop:
            self._run_once(stop, events, on_time)

    def _run_once(self, stop, events, on_time):
        b2 = _b2()
        self._build_new()
        self._push_changes()
        self._monitors = Monitors(b2, self.network, self._groups, self._slots,
                                  self._state_variable, self._spike_time)
        self._injection.prepare(self._t_steps, stop - self._t_steps)
        self._draw_sources(stop)
        extra = list(self._monitors.objects)
        if events:
            extra.append(b2.NetworkOperation(
                lambda t: self._call_back(t, events, on_time), when="end"))
        self._net.add(*extra)
        self._layout_at_start = self._layout()
        gc.freeze()  # Brian2 collects garbage on every run; the frozen heap is not rescanned
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                self._net.run((stop - self._t_steps) * self.dt * b2.ms, namespace={})
        finally:
            gc.unfreeze()
            self._t_steps = int(round(float(np.asarray(self._net.t_)) * 1000.0 / self.dt))
            for source in self._drawn_sources.values():
                source.rewind(self._t_steps)
            for population_index in self._monitors.entries:
                store = self.recordings.setdefault(population_index, Recordings())
                self._monitors.transfer(population_index, store)
            self._monitors = None
            self._net.remove(*extra)

    def _draw_sources(self, stop):
        """Spike trains of the drawn sources up to `stop`, loaded into their generators."""
        for index, source in self._drawn_sources.items():
            cells, steps = source.draw(self._t_steps, stop - self._t_steps)
            self._groups[index].set_spikes(cells, steps * self.dt * _b2().ms)
            self._requested_times[index] = _SpikeTimes(cells, steps, steps * self.dt)

    def _call_back(self, t, events, on_time):
        """At the end of a step: call the callbacks that are due, then apply their changes."""
        now = int(round(float(t[:]) * 1000.0 / self.dt)) + 1
        due = [event for event in events if event[0] <= (now + 0.5) * self.dt]
        if not due:
            return
        self._t_steps = now
        if on_time is not None:
            on_time(now * self.dt)
        for event in due:
            event[0] = event[1](now * self.dt)
        if self._layout() != self._layout_at_start:
            self._net.stop()
        else:
            self._push_changes()

    def _layout(self):
        """What, when it changes, needs new Brian2 objects or monitors."""
        network = self.network
        return (len(network.populations), len(network.projections),
                tuple((p.index, v, len(i), p.sampling_interval) for p in network.populations
                      for v, i in p.recorded.items()),
                tuple(p.index for p in network.populations
                      if p.index not in self._models and p.changed),
                tuple(s.revision for s in network.current_sources),
                tuple(self._needs_rebuild(p) for p in network.projections))

    def _start(self, steps):
        b2 = _b2()
        b2.prefs.codegen.target = choose_codegen_target(self.network, steps)
        # the equations are in plain numbers: without this, Brian2's numpy form of
        # functions such as expm1 and exprel checks units on every call and formats
        # its whole argument array for a message it never shows (~0.1 ms per call)
        b2.prefs.codegen.runtime.numpy.discard_units = True
        b2.defaultclock.dt = self.dt * b2.ms
        # the code is ours, not the user's: Brian2's warning that a synaptic update may
        # depend on execution order is about accumulating into post-synaptic variables,
        # which is order-independent here
        logging.getLogger("brian2.codegen.generators.base").setLevel(logging.ERROR)
        if self.network.seed is not None:
            b2.seed(self.network.seed)
        self._net = b2.Network()
        self._injection = _Injection(self)

    # --- building ---------------------------------------------------------------

    def _build_new(self):
        """Brian2 objects for what the description gained since the last run.

        Populations whose cells follow the same equations share one NeuronGroup, each
        as a Subgroup of it: fewer objects make every time step cheaper.
        """
        shapes = {}
        for population in self.network.populations:
            if population.index in self._groups:
                continue
            if population.celltype in ("SpikeSourceArray", "SpikeSourceInhGamma"):
                group = self._build_generator(population)
                self._groups[population.index] = group
                self._net.add(group)
                continue
            model = model_for(population)
            if model is None:
                raise errors.NoModelAvailableError(
                    f"population '{population.label}': cell type {population.celltype} is "
                    "not available on the brian2 target")
            equations = self._equations(model, _numeric_parameters(population))
            key = (equations, model.threshold, model.reset, model.method, model.step,
                   model.update, model.step_start, model.threshold_after_synapses,
                   model.substeps(self.dt), model.refractory)
            shapes.setdefault(key, (model, equations, []))[2].append(population)
        for model, equations, members in shapes.values():
            self._build_neurons(model, equations, members)
        merged = {}
        for projection in self.network.projections:
            if projection.index not in self._synapses:
                self._check_receptor(projection)
                merged.setdefault(self._merge_key(projection), []).append(projection)
            elif self._needs_rebuild(projection):
                self._net.add(self._build_projections(
                    [projection], self._synapses[projection.index]))
        for members in merged.values():
            self._net.add(self._build_projections(members))

    def _build_generator(self, description):
        """A SpikeGeneratorGroup for a spike array or a source drawn before each run."""
        b2 = _b2()
        description.changed.clear()
        if description.celltype == "SpikeSourceArray":
            indices, times = self._spike_array(description, 0)
            return b2.SpikeGeneratorGroup(description.size, indices, times * b2.ms)
        seed = self.network.seed
        self._drawn_sources[description.index] = InhomogeneousGamma(
            description, self.dt,
            None if seed is None else np.random.SeedSequence([seed, description.index]))
        return b2.SpikeGeneratorGroup(description.size, [], [] * b2.ms)

    @staticmethod
    def _equations(model, parameters):
        return (model.equations + COMMON_EQUATIONS
                + "".join(f"{name} : 1 (constant)\n" for name in parameters
                          if f"\n{name} :" not in "\n" + model.equations))

    def _build_neurons(self, model, equations, members):
        b2 = _b2()
        group = b2.NeuronGroup(sum(p.size for p in members), equations,
                               threshold=model.threshold or None, reset=model.reset or None,
                               method=_own_step(model.step) if model.step
                               else model.method or "euler",
                               refractory=model.refractory or False,
                               dt=self.dt / model.substeps(self.dt) * b2.ms, namespace={})
        if model.step_start:
            group.run_regularly(model.step_start, when="before_groups")
        if model.update:
            group.run_regularly(model.update, when="groups", order=1)
        if model.threshold_after_synapses:
            group.thresholder["spike"].when = "after_synapses"
        self._net.add(group, *group.contained_objects)
        offset = 0
        for population in members:
            self._groups[population.index] = group[offset:offset + population.size]
            self._slots[population.index] = (group, offset)
            self._models[population.index] = model
            offset += population.size
            self._write_parameters(population)
            for name, values in population.initial_values.items():
                self._write_state(population.index, name, values)
            population.changed.clear()

    def _write(self, population_index, name, values):
        """Set a variable of one population's cells in its (shared) NeuronGroup."""
        group, offset = self._slots[population_index]
        size = self.network.populations[population_index].size
        _view(group, name)[offset:offset + size] = np.asarray(values, dtype=float)

    def _write_parameters(self, description):
        model = self._models[description.index]
        parameters = _numeric_parameters(description)
        constants = model.constants(parameters, self.dt) if model.constants else {}
        if "tau_refrac" in parameters:
            constants["refractory_window"] = refractory_window(parameters["tau_refrac"], self.dt)
        group = self._slots[description.index][0]
        for name, value in {**parameters, **constants}.items():
            if name in group.variables:
                self._write(description.index, name, value)

    def _write_state(self, population_index, name, values):
        """Set a state variable from PyNN's name; derived recordables are skipped."""
        variable = brian_name(name)
        group = self._slots[population_index][0]
        if name not in self._models[population_index].derived and variable in group.variables:
            self._write(population_index, variable, values)

    def _spike_array(self, description, from_step):
        """(indices, times in ms) of a SpikeSourceArray's spikes from `from_step` on.

        A spike between two grid points is emitted at the next one; the requested
        times are kept so that recordings report them exactly.
        """
        indices, steps, exact = [], [], []
        for i, train in enumerate(np.asarray(description.parameters["spike_times"])):
            times = np.asarray(getattr(train, "value", train), dtype=float)
            grid = np.ceil(times / self.dt - 1e-6).astype(np.int64)
            grid, first = np.unique(grid, return_index=True)
            keep = grid >= from_step
            indices.append(np.full(keep.sum(), i))
            steps.append(grid[keep])
            exact.append(times[first][keep])
        indices, steps, exact = (np.concatenate(a) if a else np.array([])
                                 for a in (indices, steps, exact))
        self._requested_times[description.index] = _SpikeTimes(indices, steps, exact)
        return indices.astype(int), steps * self.dt

    @staticmethod
    def _varying_parameters(description):
        return frozenset(name for name, values in description.synapse.parameters.items()
                         if np.size(values) > 1 and np.ptp(values) > 0)

    def _needs_rebuild(self, description):
        """Whether a parameter built as one shared value now differs between connections."""
        built = self._per_connection.get(description.index)
        return bool(built is not None and description.changed
                    and not self._varying_parameters(description) <= built)

    def _check_receptor(self, description):
        post_model = self._models.get(description.post)
        post_population = self.network.populations[description.post]
        if post_model is None or description.receptor_type not in post_model.receptors:
            raise errors.ConnectionError(
                f"projection '{description.label}': receptor type "
                f"'{description.receptor_type}' does not exist on population "
                f"'{post_population.label}' ({post_population.celltype})")

    def _slot(self, population_index):
        """(the whole Brian2 group of a population, its first cell's index there)."""
        return self._slots.get(population_index, (self._groups[population_index], 0))

    def _merge_key(self, description):
        """Projections with the same key share one Synapses (fewer objects make every
        step cheaper): static synapses without parameters between the same groups
        through the same receptor. They have no state beyond weights and delays, which
        are written at their positions, and are never rebuilt (see _needs_rebuild)."""
        synapse = description.synapse
        if synapse.kind != "StaticSynapse" or synapse.parameters or synapse.initial_values:
            return ("alone", description.index)
        return (id(self._slot(description.pre)[0]), id(self._slot(description.post)[0]),
                description.receptor_type)

    def _build_projections(self, descriptions, previous=None):
        """One Synapses for projections of one merge key, between the whole groups of
        their populations; from `previous`, the Synapses a single projection replaces,
        the synaptic state (learned weights, traces, ...) and the spikes in transit."""
        b2 = _b2()
        first = descriptions[0]
        (pre, _), (post, _) = self._slot(first.pre), self._slot(first.post)
        effect = self._models[first.post].receptors[first.receptor_type]
        varying = self._varying_parameters(first)
        model = synapse_model(first.synapse, effect, self._psc_time_constant(first),
                              shared=set(first.synapse.parameters) - varying)
        synapses = b2.Synapses(pre, post, model=model.model, on_pre=model.on_pre,
                               on_post=model.on_post, method=model.method, namespace={})
        sources = np.concatenate([d.sources + self._slot(d.pre)[1] for d in descriptions])
        targets = np.concatenate([d.targets + self._slot(d.post)[1] for d in descriptions])
        # ordered by source cell, so that a spike's synapses lie together in memory
        # (connectors may list them by target): delivery reads them in one sweep
        order = np.lexsort((targets, sources))
        synapses.connect(i=sources[order], j=targets[order])
        positions = np.empty_like(order)
        positions[order] = np.arange(order.size)
        start = 0
        for description in descriptions:
            self._synapses[description.index] = synapses
            self._positions[description.index] = positions[start:start + len(description)]
            start += len(description)
            self._write_connections(description, ("weight", "delay")
                                    + tuple(description.synapse.parameters))
            self._start_state(description, model)
            self._write_connections(description, tuple(
                f"initial:{name}" for name in description.synapse.initial_values))
            if previous is not None:
                self._take_state(previous, synapses, model)
                self._write_connections(description, tuple(
                    name for name in description.changed
                    if name == "weight" or name.startswith("initial:")))
            self._per_connection[description.index] = varying
            description.changed.clear()
            description.changed_positions.clear()
        return synapses

    def _start_state(self, description, model):
        """The synaptic state of a projection's connections before any spike."""
        synapses = self._synapses[description.index]
        positions = self._positions[description.index]
        parameters = description.synapse.parameters
        for name, start in model.state.items():
            value = (self._arrival_steps(description) * self.dt * 1e-3 if start == "time zero"
                     else parameters[start] if isinstance(start, str) else start)
            variable = synapses.variables[name]
            values = np.array(variable.get_value())
            values[positions] = np.broadcast_to(value, len(description))
            variable.set_value(values)

    def _take_state(self, previous, synapses, model):
        """Synaptic state and spikes in transit from the Synapses being replaced."""
        event_driven = previous.event_driven.diff_eq_names if previous.event_driven else []
        for name in ["w_syn", *model.state, *event_driven]:
            synapses.variables[name].set_value(previous.variables[name].get_value())
        for pathway in ("pre", "post"):
            if hasattr(previous, pathway):
                getattr(synapses, pathway).queue._restore_from_full_state(
                    getattr(previous, pathway).queue._full_state())
        self._net.remove(previous)

    def _psc_time_constant(self, description):
        """The post-synaptic variable holding the receptor's current time constant (the
        `tau_psc` NEST's tsodyks_synapse takes from it), or None for delta synapses."""
        receptor = description.receptor_type
        group = self._slots[description.post][0]
        for name in {"excitatory": ["tau_syn_E"], "inhibitory": ["tau_syn_I"]}.get(
                receptor, [f"{receptor}_tau_syn", f"{receptor}_tau_decay"]):
            if name in group.variables:
                return f"{name}_post"
        return None

    def _delay_offset(self, description):
        """Steps by which Brian2's delay is shorter than the PyNN delay (see module doc)."""
        model = self._models.get(description.pre)
        generator = model is None
        return int(generator) + int(bool(model and model.threshold_after_synapses))

    def _arrival_steps(self, description):
        """Steps from a pre-synaptic spike's reported time to the run of the pre-synaptic
        pathway (one less than the delay's, for every kind of cell)."""
        return np.rint(description.delays / self.dt).astype(np.int64) - 1

    def _write_post_pathway(self, description):
        """Delays and place in the schedule of a plastic synapse's post-synaptic pathway.

        The pre-synaptic pathway runs at the time the spike arrives, PyNN delay d after
        it was emitted; at the synapse, the pre-synaptic spike is seen (1 - f)*d after
        emission and the post-synaptic one f*d after (f: the dendritic delay fraction).
        Shifting both by f*d puts the pre-synaptic event at arrival and the post-synaptic
        one 2*f*d after its spike. Brian2 runs both pathways one step before the reported
        time of the spike plus their delay, and at a tie the post-synaptic update comes
        first (see synapses._stdp). A cell that spikes after the synapses' slot (delta
        synapses) has its spikes read a step later, so its pathway's delay is one step
        shorter; when it has no delay at all (f = 0) the pathway runs in the cell's own
        step right after its threshold instead, after that step's pre-synaptic events
        (which may have caused the spike); where f varies between the connections of
        such a projection, those without delay see its spikes one step late.
        """
        synapses = self._synapses[description.index]
        fraction = np.broadcast_to(description.synapse.parameters["dendritic_delay_fraction"],
                                   len(description))
        steps = np.rint(2 * fraction * description.delays / self.dt).astype(np.int64)
        late = self._models[description.post].threshold_after_synapses
        if late and not steps.any():
            synapses.post.when, synapses.post.order = "after_synapses", 1
        else:
            synapses.post.when, synapses.post.order = "synapses", synapses.pre.order - 1
            steps = np.maximum(steps - int(late), 0)
        synapses.post.delay[self._positions[description.index]] = steps * self.dt * _b2().ms

    def _write_connections(self, description, names):
        """Write attributes from the description into Brian2: all connections, or only
        those listed in `changed_positions` (learned weights of the others stay)."""
        b2 = _b2()
        synapses = self._synapses[description.index]
        positions = self._positions[description.index]
        for name in names:
            where = description.changed_positions.get(name, slice(None))
            if name == "weight":
                _view(synapses, "w_syn")[positions[where]] = description.weights[where]
            elif name == "delay":
                steps = np.rint(description.delays / self.dt).astype(np.int64)
                steps = np.maximum(steps - self._delay_offset(description), 0)
                synapses.delay[positions] = steps * self.dt * b2.ms
            elif name.startswith("initial:"):
                variable = name.split(":", 1)[1]
                _view(synapses, variable)[positions[where]] = \
                    np.broadcast_to(description.synapse.initial_values[variable],
                                    len(description))[where]
            elif name in synapses.variables:
                values = np.broadcast_to(description.synapse.parameters[name],
                                         len(description))
                if synapses.variables[name].scalar:  # one value for all (see _needs_rebuild)
                    synapses.variables[name].set_value(values[0] if values.size else 0.0)
                else:
                    _view(synapses, name)[positions[where]] = values[where]
        # the post-synaptic pathway of plastic synapses follows the delay and its split
        if ({"delay", "dendritic_delay_fraction"} & set(names)
                and "dendritic_delay_fraction" in synapses.variables):
            self._write_post_pathway(description)

    # --- changes between runs -----------------------------------------------------

    def _push_changes(self):
        for population in self.network.populations:
            if population.changed:
                self._push_population(population)
        for projection in self.network.projections:
            if projection.changed and self._synapses.get(projection.index) is not None:
                self._write_connections(projection, tuple(projection.changed))
                projection.changed.clear()
                projection.changed_positions.clear()

    def _push_population(self, description):
        if description.celltype == "SpikeSourceArray":
            indices, times = self._spike_array(description, self._t_steps)
            self._groups[description.index].set_spikes(indices, times * _b2().ms)
        if description.index in self._models:  # drawn sources read theirs at each run
            self._write_parameters(description)
            for change in description.changed:
                if change.startswith("initial:"):
                    name = change.split(":", 1)[1]
                    self._write_state(description.index, name, description.initial_values[name])
        description.changed.clear()

    # --- recording ------------------------------------------------------------------

    def _state_variable(self, group, population, variable):
        name = brian_name(variable)
        if name not in group.variables:
            raise errors.RecordingError(variable, population.celltype_object)
        return name

    def _spike_time(self, population_index, cells, times):
        """Reported spike times (ms) of Brian2's spikes (times in s)."""
        times = times * 1000.0
        model = self._models.get(population_index)
        if model is None:
            return self._requested_times[population_index].lookup(cells, np.rint(times / self.dt))
        # the end of the (sub)step whose update crossed the threshold, on the grid
        return np.ceil((times + self.dt / model.substeps(self.dt)) / self.dt - 1e-6) * self.dt

    def _recordings(self, population_index):
        """The population's data so far, including what running monitors hold."""
        store = self.recordings.get(population_index)
        if self._monitors is not None and population_index in self._monitors.entries:
            store = (store or Recordings()).with_data_of(self._monitors, population_index)
        return store

    def spikes(self, population_index):
        store = self._recordings(population_index)
        if store is None:
            return np.array([], dtype=int), np.array([])
        return store.spikes()

    def signals(self, population_index, variable, indices):
        store = self._recordings(population_index)
        samples = store.samples(variable, indices) if store else np.zeros((0, len(indices)))
        description = self.network.populations[population_index]
        interval = description.sampling_interval or self.dt
        group = self._groups.get(population_index)
        steps_per_sample = max(int(round(interval / self.dt)), 1)
        if group is not None and self._t_steps % steps_per_sample == 0:
            name = self._state_variable(group, description, variable)
            live = np.asarray(_view(group, name)[:])[np.asarray(indices, int)]
            samples = np.vstack([samples, live[np.newaxis, :]])
        return samples

    def clear_recordings(self, population_index):
        self.recordings[population_index] = Recordings(start=self._t_steps * self.dt)

    # --- connections ---------------------------------------------------------------

    def connection_values(self, projection_index, name):
        """Current values in Brian2 of the weights or of synaptic state (`u`, ...), with
        the changes not pushed yet; None where the description holds them (delays,
        parameters, anything before the synapses exist)."""
        description = self.network.projections[projection_index]
        synapses = self._synapses.get(projection_index)
        if synapses is None or name == "delay" or name in description.synapse.parameters:
            return None
        variable, change = ("w_syn", "weight") if name == "weight" else (name, f"initial:{name}")
        values = synapses.variables[variable].get_value()
        if not synapses.variables[variable].scalar:
            values = values[self._positions[projection_index]]
        values = np.broadcast_to(values, len(description)).copy()
        if change in description.changed:
            where = description.changed_positions.get(change, slice(None))
            pending = (description.weights if name == "weight"
                       else description.synapse.initial_values[name])
            values[where] = np.broadcast_to(pending, len(description))[where]
        return values


class _SpikeTimes:
    """The requested time of each (cell, step) spike of a spike array."""

    def __init__(self, cells, steps, times):
        self.keys = self._key(cells, steps)
        order = np.argsort(self.keys)
        self.keys, self.times = self.keys[order], np.asarray(times, dtype=float)[order]

    @staticmethod
    def _key(cells, steps):
        return np.asarray(cells, dtype=np.int64) * (1 << 40) + np.asarray(steps, dtype=np.int64)

    def lookup(self, cells, steps):
        return self.times[np.searchsorted(self.keys, self._key(cells, steps))]


class _Injection:
    """Sets each cell's `i_inj` at the start of every step from the current sources.

    Its Python call each step joins the network only once a source exists.
    """

    def __init__(self, target):
        self.target = target
        self.tables = []
        self.operation = None

    def prepare(self, first_step, steps):
        """Tabulate every source for the coming run; cheap, and follows parameter changes.

        One entry per NeuronGroup: (its i_inj, group size, [(cells, values per step)], the
        steps at which any of its values changes).
        """
        network = self.target.network
        self.first_step = first_step
        step_range = np.arange(first_step, first_step + steps)
        by_group = {}
        for source in network.current_sources:
            values = current_at_steps(source, step_range, network.timestep)
            for population, cells in source.targets.items():
                group, offset = self.target._slots[population]
                by_group.setdefault(group, []).append((offset + cells, values))
        self.tables = []
        for group, contributions in by_group.items():
            changes = np.zeros(steps, bool)
            changes[0] = True
            for _, values in contributions:
                changes[1:] |= values[1:] != values[:-1]
            self.tables.append((group.variables["i_inj"], len(group), contributions, changes))
        if self.tables and self.operation is None:
            self.operation = _b2().NetworkOperation(self._apply, when="start")
            self.target._net.add(self.operation)

    def _apply(self, t):
        step = int(round(float(t[:]) / (self.target.dt * 1e-3))) - self.first_step
        for variable, size, contributions, changes in self.tables:
            if step < changes.size and changes[step]:
                row = np.zeros(size)
                for cells, values in contributions:
                    row[cells] += values[step]
                variable.set_value(row)
