"""Projections as Brian2 Synapses: built between the groups of their populations (merged
where they can share one), their connections written from the description, and read.

Delays follow the spike-time convention in software/target.py's docstring.
"""

import numpy as np
from pyNN import errors

from ..timegrid import delay_steps
from .brian import b2, view
from .multiplicity import DELAY_STEPS
from .synapses import synapse_model


def _carry_spikes_in_transit(previous, synapses):
    """Move the spikes in transit in `previous` (each pathway's queue) into `synapses`,
    which has the same connections.

    Brian2 has no public way to do this: its store() and restore() work on a whole
    network. A projection rebuilt between or during runs (see
    ProjectionBuilder.needs_rebuild) would otherwise lose the spikes emitted less than a
    delay before, so this uses the private SpikeQueue state that store() and restore()
    use themselves (brian2/synapses/spikequeue.py); a new Brian2 version may change it.
    """
    for pathway in ("pre", "post"):
        if hasattr(previous, pathway):
            getattr(synapses, pathway).queue._restore_from_full_state(
                getattr(previous, pathway).queue._full_state())


def _in_transit(queue):
    """The synapses with spikes in a pathway's SpikeQueue: the private state store() uses
    (the Python queue gives (dt, [[step, synapse], ...], shape), the Cython one (offset,
    one list of synapses per step))."""
    spikes = queue._full_state()[1]
    if isinstance(spikes, np.ndarray):
        return spikes[:, 1]
    return np.fromiter((synapse for step in spikes for synapse in step), np.int64)


def _varying_parameters(description):
    return frozenset(name for name, values in description.synapse.parameters.items()
                     if np.size(values) > 1 and np.ptp(values) > 0)


class ProjectionBuilder:
    """The Brian2 Synapses of a network's projections, in the Brian2 network `net`,
    between the groups `neurons` (a NeuronBuilder) built, kept up to date with the
    description.

    Per projection index: its Synapses, shared by projections merged into one (see
    _merge_key), the positions of its connections in them, and the synapse parameters
    built as per-connection arrays.
    """

    def __init__(self, network, net, neurons):
        self.network = network
        self.net = net
        self.neurons = neurons
        self.synapses = {}
        self._positions = {}
        self._per_connection = {}

    @property
    def dt(self):
        return self.network.timestep

    def build_new(self):
        """Synapses for the projections the description gained since the last run, and
        new Synapses for those whose parameters must now be per connection."""
        merged = {}
        for projection in self.network.projections:
            if projection.index not in self.synapses:
                self._check_receptor(projection)
                merged.setdefault(self._merge_key(projection), []).append(projection)
            elif self.needs_rebuild(projection):
                self.net.add(self._build([projection], self.synapses[projection.index]))
        for members in merged.values():
            self.net.add(self._build(members))

    def needs_rebuild(self, description):
        """Whether a parameter built as one shared value now differs between connections."""
        built = self._per_connection.get(description.index)
        return bool(built is not None and description.changed
                    and not _varying_parameters(description) <= built)

    def push_changes(self):
        """Write the connection attributes the user changed since the last push."""
        for projection in self.network.projections:
            if projection.changed and self.synapses.get(projection.index) is not None:
                self._write_connections(projection, tuple(projection.changed))
                projection.changed.clear()
                projection.changed_positions.clear()

    def values(self, projection_index, name):
        """Current values in Brian2 of the weights or of synaptic state (`u`, ...), with
        the changes not pushed yet; None where the description holds them (delays,
        parameters, anything before the synapses exist)."""
        description = self.network.projections[projection_index]
        synapses = self.synapses.get(projection_index)
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

    # --- building -----------------------------------------------------------------

    def _check_receptor(self, description):
        post_model = self.neurons.models.get(description.post)
        post_population = self.network.populations[description.post]
        if post_model is None or description.receptor_type not in post_model.receptors:
            raise errors.ConnectionError(
                f"projection '{description.label}': receptor type "
                f"'{description.receptor_type}' does not exist on population "
                f"'{post_population.label}' ({post_population.celltype})")

    def _merge_key(self, description):
        """Projections with the same key share one Synapses (fewer objects make every
        step cheaper): static synapses without parameters between the same groups
        through the same receptor. They have no state beyond weights and delays, which
        are written at their positions, and are never rebuilt (see needs_rebuild)."""
        synapse = description.synapse
        if synapse.kind != "StaticSynapse" or synapse.parameters or synapse.initial_values:
            return ("alone", description.index)
        return (id(self.neurons.slot(description.pre)[0]),
                id(self.neurons.slot(description.post)[0]), description.receptor_type)

    def _build(self, descriptions, previous=None):
        """One Synapses for projections of one merge key, between the whole groups of
        their populations; from `previous`, the Synapses a single projection replaces,
        the synaptic state (learned weights, traces, ...) and the spikes in transit."""
        slot = self.neurons.slot
        first = descriptions[0]
        (pre, _), (post, _) = slot(first.pre), slot(first.post)
        effect = self.neurons.models[first.post].receptors[first.receptor_type]
        varying = _varying_parameters(first)
        ring = self.neurons.rings.get(first.pre)
        model = synapse_model(first.synapse, effect, self._psc_time_constant(first),
                              shared=set(first.synapse.parameters) - varying,
                              counting=ring is not None)
        synapses = b2().Synapses(pre, post, model=model.model, on_pre=model.on_pre,
                                 on_post=model.on_post, method=model.method,
                                 namespace=ring.namespace if ring else {})
        sources = np.concatenate([d.sources + slot(d.pre)[1] for d in descriptions])
        targets = np.concatenate([d.targets + slot(d.post)[1] for d in descriptions])
        # ordered by source cell, so that a spike's synapses lie together in memory
        # (connectors may list them by target): delivery reads them in one sweep
        order = np.lexsort((targets, sources))
        if order.size:
            synapses.connect(i=sources[order], j=targets[order])
        else:  # Brian2's connect(i=[], j=[]) fails on its index check; this connects nothing
            synapses.connect(False)
        positions = np.empty_like(order)
        positions[order] = np.arange(order.size)
        start = 0
        for description in descriptions:
            self.synapses[description.index] = synapses
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
        synapses = self.synapses[description.index]
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
        _carry_spikes_in_transit(previous, synapses)
        self.net.remove(previous)

    def _psc_time_constant(self, description):
        """The post-synaptic variable holding the receptor's current time constant (the
        `tau_psc` NEST's tsodyks_synapse takes from it), or None for delta synapses."""
        receptor = description.receptor_type
        group = self.neurons.slots[description.post][0]
        for name in {"excitatory": ["tau_syn_E"], "inhibitory": ["tau_syn_I"]}.get(
                receptor, [f"{receptor}_tau_syn", f"{receptor}_tau_decay"]):
            if name in group.variables:
                return f"{name}_post"
        return None

    # --- delays ---------------------------------------------------------------------

    def _delay_offset(self, description):
        """Steps by which Brian2's delay is shorter than the PyNN delay (see the
        docstring of software/target.py)."""
        model = self.neurons.models.get(description.pre)
        generator = model is None
        return int(generator) + int(bool(model and model.threshold_after_synapses))

    def _arrival_steps(self, description):
        """Steps from a pre-synaptic spike's reported time to the run of the pre-synaptic
        pathway (one less than the delay's, for every kind of cell)."""
        return delay_steps(description.delays, self.dt) - 1

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
        synapses = self.synapses[description.index]
        fraction = np.broadcast_to(description.synapse.parameters["dendritic_delay_fraction"],
                                   len(description))
        steps = delay_steps(2 * fraction * description.delays, self.dt)
        late = self.neurons.models[description.post].threshold_after_synapses
        if late and not steps.any():
            synapses.post.when, synapses.post.order = "after_synapses", 1
        else:
            synapses.post.when, synapses.post.order = "synapses", synapses.pre.order - 1
            steps = np.maximum(steps - int(late), 0)
        synapses.post.delay[self._positions[description.index]] = steps * self.dt * b2().ms

    def _refuse_delay_in_transit(self, description, synapses, positions, steps):
        """A spike of a counting source reads its count at arrival, from its step's row:
        one sent with a delay that has changed since would read another step's. Brian2's
        queue (the private state store() uses, as _carry_spikes_in_transit) says which
        connections have spikes in transit."""
        queue = getattr(synapses.pre, "queue", None)
        if queue is None:
            return
        before = np.asarray(view(synapses, DELAY_STEPS)[positions])
        changed = positions[before != steps]
        travelling = np.isin(changed, _in_transit(queue))
        if travelling.any():
            source = self.network.populations[description.pre]
            raise errors.InvalidParameterValueError(
                f"projection '{description.label}': its delays cannot change while spikes of "
                f"'{source.label}' ({source.celltype}, several spikes per step) are in transit "
                "(each reads its count when it arrives, by the delay it was sent with): call "
                "reset() first, or set the delays before running")

    # --- writing --------------------------------------------------------------------

    def _write_connections(self, description, names):
        """Write attributes from the description into Brian2: all connections, or only
        those listed in `changed_positions` (learned weights of the others stay)."""
        synapses = self.synapses[description.index]
        positions = self._positions[description.index]
        for name in names:
            where = description.changed_positions.get(name, slice(None))
            if name == "weight":
                view(synapses, "w_syn")[positions[where]] = description.weights[where]
            elif name == "delay":
                steps = delay_steps(description.delays, self.dt)
                steps = np.maximum(steps - self._delay_offset(description), 0)
                ring = self.neurons.rings.get(description.pre)
                if ring is not None:  # the count a spike sends is its step's: delay back
                    self._refuse_delay_in_transit(description, synapses, positions, steps)
                    view(synapses, DELAY_STEPS)[positions] = steps
                    ring.reserve(steps.max(initial=0),
                                 f"projection '{description.label}' (its longest delay, "
                                 f"{np.max(description.delays, initial=0):g} ms)")
                synapses.delay[positions] = steps * self.dt * b2().ms
            elif name.startswith("initial:"):
                variable = name.split(":", 1)[1]
                view(synapses, variable)[positions[where]] = \
                    np.broadcast_to(description.synapse.initial_values[variable],
                                    len(description))[where]
            elif name in synapses.variables:
                values = np.broadcast_to(description.synapse.parameters[name],
                                         len(description))
                if synapses.variables[name].scalar:  # one value for all (see needs_rebuild)
                    synapses.variables[name].set_value(values[0] if values.size else 0.0)
                else:
                    view(synapses, name)[positions[where]] = values[where]
        # the post-synaptic pathway of plastic synapses follows the delay and its split
        if ({"delay", "dendritic_delay_fraction"} & set(names)
                and "dendritic_delay_fraction" in synapses.variables):
            self._write_post_pathway(description)
