"""Projection: connections gathered into index arrays in the network description.

PyNN's connectors hand over one post-synaptic cell at a time; the projection
only appends to lists, and turns them into arrays, split per pair of
populations, once the connector has finished. Targets then create all
connections of a description in one vectorised call.
"""

import warnings
from collections import defaultdict
from copy import deepcopy

import numpy as np
from pyNN import common, errors
from pyNN.connectors import FixedProbabilityConnector, OneToOneConnector
from pyNN.random import RandomDistribution
from pyNN.space import Space
from pyNN.standardmodels import synapses
from pyNN.standardmodels.base import excitatory_receptor_types, inhibitory_receptor_types

from . import simulator
from .checks import check_connections, check_parameters, check_plasticity
from .description import SynapseDescription
from .resources import check_connections as check_memory, check_delays
from .timegrid import delay_ms


class Connection(common.Connection):
    """One connection, read and written through its projection's arrays."""

    def __init__(self, projection, position):
        self.projection = projection
        self.position = position

    @property
    def presynaptic_index(self):
        return int(self.projection._pre_index[self.position])

    @property
    def postsynaptic_index(self):
        return int(self.projection._post_index[self.position])

    def _get(self, name):
        return self.projection._values(name)[self.position]

    def _set(self, name, value):
        self.projection._write(name, np.array([self.position]), np.array([value], dtype=float))

    weight = property(lambda self: self._get("weight"), lambda self, v: self._set("weight", v))
    delay = property(lambda self: self._get("delay"), lambda self, v: self._set("delay", v))

    def as_tuple(self, *attribute_names):
        return tuple(getattr(self, name) for name in attribute_names)


def _root(neurons):
    """(population, indices of `neurons`' cells in it) for each member population."""
    if isinstance(neurons, common.Assembly):
        parts, offset = [], 0
        for member in neurons.populations:
            for population, cells, local in _root(member):
                parts.append((population, cells, local + offset))
            offset += member.size
        return parts
    local = np.arange(neurons.size)
    if isinstance(neurons, common.PopulationView):
        return [(neurons.grandparent, neurons.index_in_grandparent(local), local)]
    return [(neurons, local, local)]


def _synapse_description(synapse_type):
    """The synapse model as data: the kind, and for STDP its rule's components."""
    kind = type(synapse_type).__name__
    if kind == "STDPMechanism":
        td, wd = synapse_type.timing_dependence, synapse_type.weight_dependence
        return SynapseDescription(
            kind=kind,
            timing_dependence=type(td).__name__,
            weight_dependence=type(wd).__name__,
            dendritic_delay_fraction=float(synapse_type.dendritic_delay_fraction))
    return SynapseDescription(kind=kind)


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = None  # set in __init__.py

    def __init__(self, presynaptic_population, postsynaptic_population, connector,
                 synapse_type=None, source=None, receptor_type=None, space=Space(), label=None):
        for population, _, _ in _root(postsynaptic_population):
            if not population.celltype.receptor_types:  # PyNN fails with an IndexError
                raise errors.ConnectionError(
                    f"projection '{label or postsynaptic_population.label}': population "
                    f"'{population.label}' ({type(population.celltype).__name__}) has no "
                    "receptors to connect to")
        super().__init__(presynaptic_population, postsynaptic_population, connector,
                         synapse_type, source, receptor_type, space, label)
        self._chunks = defaultdict(list)
        self._pre_index = np.array([], dtype=int)
        self._post_index = np.array([], dtype=int)
        self._refuse_stale_populations()
        # before PyNN's own checks in the connectors, whose messages do not say where
        space = self.synapse_type.parameter_space
        if isinstance(self.synapse_type, synapses.STDPMechanism):
            if all(space[name].is_homogeneous for name in ("weight", "w_min", "w_max")):
                check_plasticity(self.label, self.receptor_type,
                                 {name: space[name].base_value
                                  for name in ("weight", "w_min", "w_max")},
                                 self._negative_receptor())
        given = [space[name].base_value if name in space.keys() else None
                 for name in ("weight", "delay")]
        self._check_connections(*([value] if np.isscalar(value) else [] for value in given))
        check_memory(self.label, connector, self.pre.size, self.post.size)
        if isinstance(connector, OneToOneConnector):
            self._connect_one_to_one(connector)
        elif not (isinstance(connector, FixedProbabilityConnector)
                  and self._connect_fixed_probability(connector)):
            connector.connect(self)
        self._finish_connections()

    # --- building -------------------------------------------------------------

    def _guess_receptor_type(self):
        """PyNN's rule (the first receptor type for a weight >= 0, the second for a
        negative one) on the receptor types in their cell type's order: PyNN 0.13.0 takes
        an Assembly's as a set, whose order changes from one process to the next, so a
        positive weight went to 'inhibitory' in some runs."""
        common_types = set(self.post.receptor_types)
        ordered = [receptor for receptor in _root(self.post)[0][0].celltype.receptor_types
                   if receptor in common_types]
        receptor = ordered[0]
        if len(ordered) > 1:
            space = self._handle_distance_expressions(
                deepcopy(self.synapse_type.parameter_space))
            weights = space["weight"]
            if weights.shape is None:
                weights.shape = self.shape
            try:
                if weights[self.pre.size - 1, self.post.size - 1] < 0:
                    receptor = ordered[1]
            except TypeError:  # as PyNN: a native RNG's weights cannot be read here
                warnings.warn("Unable to guess receptor type")
        self.receptor_type = receptor

    def _refuse_stale_populations(self):
        """Populations of an earlier setup() are not in this network: their index would
        wire whatever population now has it (NEST refuses them too)."""
        network = simulator.state.network
        for side, neurons in (("pre", self.pre), ("post", self.post)):
            for population, _, _ in _root(neurons):
                description = population._description
                if (description.index >= len(network.populations)
                        or network.populations[description.index] is not description):
                    raise errors.ConnectionError(
                        f"projection '{self.label}': the {side}synaptic population "
                        f"'{population.label}' was created before the last setup(), which "
                        "discarded it; create it again after setup()")

    def _connect_one_to_one(self, connector):
        """OneToOneConnector without PyNN's per-column loop, which breaks on one-cell views."""
        if self.pre.size != self.post.size:
            raise errors.InvalidDimensionsError(
                f"OneToOneConnector in projection '{self.label}' needs pre and post of the same "
                f"size, got {self.pre.size} and {self.post.size}")
        parameter_space = connector._parameters_from_synapse_type(self, distance_map=None)
        n = self.pre.size
        index = np.arange(n)
        values = {}
        for name, lazy in parameter_space.items():
            if lazy.is_homogeneous:
                values[name] = np.full(n, lazy.evaluate(simplify=True), dtype=float)
            else:
                values[name] = np.array([lazy[np.array([i]), i] for i in index],
                                        dtype=float).ravel()
        self._convergent_connect(index, index, **values)

    def _connect_fixed_probability(self, connector, block_size=10_000_000):
        """FixedProbabilityConnector drawn a block of columns at a time, not per column.

        The uniform numbers are drawn in PyNN's order (column after column), so the
        connections are those PyNN's own loop makes. Only for homogeneous synapse
        parameters (random ones would interleave their draws), no callback and self-
        connections allowed or not; returns False where it does not apply.
        """
        parameter_space = connector._parameters_from_synapse_type(self, distance_map=None)
        if (connector.callback is not None or connector.location_selector is not None
                or connector.allow_self_connections == "NoMutual"
                or not all(value.is_homogeneous for _, value in parameter_space.items())):
            return False
        values = {name: value.evaluate(simplify=True) for name, value in parameter_space.items()}
        if connector.safe:
            synapse = self.synapse_type
            for name, check in getattr(synapse, "parameter_checks", {}).items():
                native = synapse.translations[name]["translated_name"]
                if native in values:
                    check(np.atleast_1d(values[native]), self)
        # PyNN draws from a copy of the connector's generator (its lazy arrays deep-copy
        # their random distribution), so the connector's own generator never advances
        uniform = RandomDistribution("uniform", (0, 1), rng=deepcopy(connector.rng))
        n_pre, n_post = self.pre.size, self.post.size
        columns = max(1, block_size // max(n_pre, 1))
        for first in range(0, n_post, columns):
            count = min(columns, n_post - first)
            block = np.asarray(uniform.next(n_pre * count)).reshape(count, n_pre)
            block = block < connector.p_connect
            if not connector.allow_self_connections:
                post_ids = np.asarray(self.post.all_cells[first:first + count], dtype=int)
                block &= np.asarray(self.pre.all_cells, dtype=int)[None, :] != post_ids[:, None]
            post, pre = np.nonzero(block)
            self._convergent_connect(pre, post + first, **values)
        return True

    def _convergent_connect(self, presynaptic_indices, postsynaptic_index,
                            location_selector=None, **connection_parameters):
        if location_selector is not None:
            raise NotImplementedError(
                "pyNN.neurox has point neurons only: location_selector is not supported")
        pre = np.atleast_1d(np.asarray(presynaptic_indices, dtype=int))
        post = np.broadcast_to(np.asarray(postsynaptic_index, dtype=int), pre.shape)
        for side, indices, size in (("pre", pre, self.pre.size), ("post", post, self.post.size)):
            outside = (indices < 0) | (indices >= size)
            if outside.any():
                raise errors.ConnectionError(
                    f"projection '{self.label}': {side}synaptic index "
                    f"{indices[outside][0]} is outside the population's 0..{size - 1}")
        self._chunks["pre"].append(pre)
        self._chunks["post"].append(np.array(post))
        for name, value in connection_parameters.items():
            self._chunks[name].append(np.broadcast_to(np.asarray(value, dtype=float), pre.shape))

    def _finish_connections(self):
        """Turn the gathered chunks into arrays and one description per population pair."""
        chunks, self._chunks = self._chunks, None
        names = [name for name in chunks if name not in ("pre", "post")]
        if chunks["pre"]:
            pre = np.concatenate(chunks["pre"])
            post = np.concatenate(chunks["post"])
            values = {name: np.concatenate(chunks[name]) for name in names}
        else:
            pre = post = np.array([], dtype=int)
            native = self.synapse_type.native_parameters
            values = {name: np.array([]) for name in native.keys()}
        self._pre_index, self._post_index = pre, post
        values.setdefault("delay", np.full(pre.size, simulator.state.network.min_delay))
        self._check(values)
        network = simulator.state.network
        self._parts = []
        for pre_pop, pre_cells, pre_local in _root(self.pre):
            pre_lookup = np.full(self.pre.size, -1)
            pre_lookup[pre_local] = pre_cells
            for post_pop, post_cells, post_local in _root(self.post):
                post_lookup = np.full(self.post.size, -1)
                post_lookup[post_local] = post_cells
                positions = np.nonzero((pre_lookup[pre] >= 0) & (post_lookup[post] >= 0))[0]
                if positions.size == 0 and len(self._parts) > 0:
                    continue
                synapse = _synapse_description(self.synapse_type)
                synapse.parameters = {name: values[name][positions].copy() for name in values
                                      if name not in ("weight", "delay")}
                if synapse.timing_dependence:
                    rule = self.synapse_type
                    synapse.timing_parameters, synapse.weight_parameters = (
                        {name: synapse.parameters[name]
                         for name in component.get_parameter_names()}
                        for component in (rule.timing_dependence, rule.weight_dependence))
                description = network.add_projection(
                    label=self.label or f"projection{len(network.projections)}",
                    pre=pre_pop._description.index, post=post_pop._description.index,
                    receptor_type=self.receptor_type, synapse=synapse,
                    sources=pre_lookup[pre[positions]], targets=post_lookup[post[positions]],
                    weights=values["weight"][positions].copy(),
                    delays=values["delay"][positions].copy())
                self._parts.append((description, positions))

    def _conductance_based(self):
        return any(getattr(population.celltype, "conductance_based", False)
                   for population, _, _ in _root(self.post))

    def _negative_receptor(self):
        """Whether the receptor takes negative weights (current-based inhibition)."""
        return self.receptor_type == "inhibitory" and not self._conductance_based()

    def _weight_sign(self):
        """The sign the receptor's weights must have, as PyNN's check_weights says: 1
        (conductance-based or excitatory), -1 (current-based inhibitory), 0 (either)."""
        if self._conductance_based() or self.receptor_type in excitatory_receptor_types:
            return 1
        return -1 if self.receptor_type in inhibitory_receptor_types else 0

    def _check_connections(self, weights, delays):
        check_connections(self.label, weights, delays, simulator.state.dt,
                          self._weight_sign(), self.receptor_type)
        if np.size(delays):
            check_delays(self.label, float(np.max(delays)), simulator.state.dt, self.pre.size)

    def _check(self, values):
        self._check_connections(values["weight"], values["delay"])
        check_parameters(self.synapse_type,
                         {k: v for k, v in values.items() if k not in ("weight", "delay")},
                         f"projection '{self.label}'")
        if isinstance(self.synapse_type, synapses.STDPMechanism):
            check_plasticity(self.label, self.receptor_type, values,
                             self._negative_receptor())

    # --- reading and writing connection attributes ----------------------------

    def __len__(self):
        return self._pre_index.size

    def __getitem__(self, i):
        if isinstance(i, int):
            if i < 0:
                i += len(self)
            if not 0 <= i < len(self):
                raise IndexError(f"projection '{self.label}' has {len(self)} connections")
            return Connection(self, i)
        return [Connection(self, j) for j in range(len(self))[i]]

    @property
    def connections(self):
        return [Connection(self, j) for j in range(len(self))]

    def _values(self, name):
        """The current values of one attribute, in PyNN units, in connection order."""
        out = np.empty(len(self))
        target = simulator.state.target
        for description, positions in self._parts:
            values = None if target is None else target.connection_values(description.index,
                                                                          name)
            if values is not None:
                out[positions] = values
            elif name == "weight":
                out[positions] = description.weights
            elif name == "delay":  # the delay used, on the time grid, as NEST reads it back
                out[positions] = delay_ms(description.delays, simulator.state.dt)
            elif name in description.synapse.initial_values:
                out[positions] = description.synapse.initial_values[name]
            elif name in description.synapse.parameters:
                out[positions] = description.synapse.parameters[name]
            else:  # synaptic state before the first run
                out[positions] = self.synapse_type.default_initial_values[name]
        return out

    def _write(self, name, positions, values):
        if name not in ("weight", "delay"):
            check_parameters(self.synapse_type, {name: values}, f"projection '{self.label}'")
        bounded = ("weight", "w_min", "w_max")
        if isinstance(self.synapse_type, synapses.STDPMechanism) and name in bounded:
            current = {n: self._values(n) for n in bounded}
            current[name][positions] = values
            check_plasticity(self.label, self.receptor_type, current,
                             self._negative_receptor())
        if name == "weight":
            self._check_connections(values, [])
        if name == "delay":
            self._check_connections([], values)
        for description, part_positions in self._parts:
            mine = np.isin(positions, part_positions)
            if not mine.any():
                continue
            local = np.searchsorted(part_positions, positions[mine])
            if name == "weight":
                description.weights[local] = values[mine]
            elif name == "delay":
                description.delays[local] = values[mine]
            elif name in description.synapse.parameters:
                description.synapse.parameters[name][local] = values[mine]
            else:
                raise errors.NonExistentParameterError(
                    name, type(self.synapse_type).__name__,
                    self.synapse_type.get_parameter_names())
            if name in description.changed:  # an earlier change may have touched others
                earlier = description.changed_positions.get(name)
                local = None if earlier is None else np.union1d(earlier, local)
            if local is None or local.size == len(description):
                description.changed_positions.pop(name, None)
            else:
                description.changed_positions[name] = local
            description.changed.add(name)

    def _set_attributes(self, parameter_space):
        for name, value in parameter_space.items():
            if value.is_homogeneous:
                values = np.full(len(self), value.evaluate(simplify=True), dtype=float)
            else:
                values = np.asarray(value.evaluate(simplify=False),
                                    dtype=float)[self._pre_index, self._post_index]
            self._write(name, np.arange(len(self)), values)

    def _set_initial_value_array(self, variable, initial_value):
        """Initial values of synaptic state (e.g. `u` of a Tsodyks-Markram synapse)."""
        known = getattr(self.synapse_type, "default_initial_values", {})
        if variable not in known:
            raise errors.NonExistentParameterError(
                variable, type(self.synapse_type).__name__, sorted(known))
        base = initial_value.base_value
        while hasattr(base, "base_value"):  # PyNN passes the user's lazy array wrapped
            base = base.base_value
        if np.isscalar(base):
            values = np.full(len(self), float(base))
        else:
            values = np.asarray(base, dtype=float).ravel()
            if values.size != len(self):
                raise errors.InvalidDimensionsError(
                    f"projection '{self.label}': {values.size} initial values of '{variable}' "
                    f"for {len(self)} connections")
        for description, positions in self._parts:
            description.synapse.initial_values[variable] = values[positions].copy()
            description.changed.add(f"initial:{variable}")
            description.changed_positions.pop(f"initial:{variable}", None)

    def _native_names(self, names):
        return [name[:-1] if name in ("weights", "delays") else name for name in names]

    def _get_attributes_as_list(self, names):
        columns = []
        for name in self._native_names(names):
            if name == "presynaptic_index":
                columns.append(self._pre_index)
            elif name == "postsynaptic_index":
                columns.append(self._post_index)
            else:
                columns.append(self._values(name))
        return [tuple(row) for row in np.column_stack(columns).tolist()] if columns else []

    def _get_attributes_as_arrays(self, names, multiple_synapses="sum"):
        arrays = []
        for name in self._native_names(names):
            values = self._values(name)
            matrix = np.full((self.pre.size, self.post.size), np.nan)
            if multiple_synapses in ("last", "first"):
                order = slice(None) if multiple_synapses == "last" else slice(None, None, -1)
                matrix[self._pre_index[order], self._post_index[order]] = values[order]
            else:
                reduce = {"sum": np.add, "min": np.fmin, "max": np.fmax}[multiple_synapses]
                flat = np.ravel_multi_index((self._pre_index, self._post_index), matrix.shape)
                seen = np.zeros(matrix.size, bool)
                seen[flat] = True
                out = np.full(matrix.size, np.nan)
                init = {"sum": 0.0, "min": np.inf, "max": -np.inf}[multiple_synapses]
                out[seen] = init
                reduce.at(out, flat, values)
                matrix = out.reshape(matrix.shape)
            arrays.append(matrix)
        return arrays

    def get(self, attribute_names, format, gather=True, with_address=True,
            multiple_synapses="sum"):
        names = [attribute_names] if isinstance(attribute_names, str) else attribute_names
        known = (set(self.synapse_type.get_parameter_names())
                 | set(getattr(self.synapse_type, "default_initial_values", {}))
                 | {"weight", "delay", "weights", "delays"})
        for name in names:
            if name not in known:
                raise errors.NonExistentParameterError(
                    name, type(self.synapse_type).__name__, sorted(known))
        return super().get(attribute_names, format, gather, with_address, multiple_synapses)

