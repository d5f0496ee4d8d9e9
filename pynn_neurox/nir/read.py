"""`pyNN.neurox.nir.read(path)`: PyNN populations and projections from an NIR graph.

Spiking nodes (Input, LIF, CubaLIF, IF) become populations; every path of non-spiking
nodes (Linear, Affine, Scale, Delay, Flatten, Identity, convolutions and pooling, which
are flattened into their exact matrices) from one spiking node to the next becomes
projections with that path's weight matrix and delays. An LI node that feeds one LIF and
nothing else is that cell's synaptic current (IF_curr_exp). Units and the spike
convention: conventions.py and docs/nir.md.
"""

from dataclasses import dataclass, field

import numpy as np
from pyNN.parameters import Sequence

from .. import simulator
from ..errors import MappingError, NeuroxError, SetupError
from .conventions import MS_PER_UNIT, PREFIX, load_nir, warn
from .operators import conv1d_matrix, conv2d_matrix, pool2d_matrix

NEURONS = ("LIF", "CubaLIF", "IF")
PASS = ("Flatten", "Identity", "Input", "Output")  # identity on the flattened signal
WEIGHTED = ("Linear", "Affine", "Conv1d", "Conv2d", "SumPool2d", "AvgPool2d")
# an IF node (no leak) becomes an IF_curr_delta whose leak takes this long (ms)
IF_TAU_M = 1e9


@dataclass
class NIRNetwork:
    """What read() built: node name -> Population for every spiking node (`populations`),
    the Input nodes' populations (`inputs`: set their spike times or replace their cell
    type), the population feeding each Output node (`outputs`, recorded), and the
    Projections."""

    graph: object
    populations: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)
    outputs: dict = field(default_factory=dict)
    projections: list = field(default_factory=list)


@dataclass
class _Term:
    """A path's effect so far: `matrix` (None: the identity) maps the source's spikes to
    the current signal, each row of which arrives `delay` (graph time) later."""

    matrix: object
    delay: object  # scalar, or one value per row


def read(source, inputs=None, time_unit="s", spike_area=1.0):
    """Build PyNN populations and projections in the current simulation (call
    sim.setup() first) from an NIR graph: a file written by `nir.write` (or
    sim.export_nir), or a `nir.NIRGraph`. Returns an NIRNetwork.

    LIF -> IF_curr_delta, CubaLIF (or LIF fed by LI nodes) -> IF_curr_exp, IF ->
    IF_curr_delta without leak, Input -> SpikeSourceArray (empty unless the file's
    metadata or `inputs` give trains), each path of linear nodes -> projections.

    `inputs`: Input node name -> spike trains (one sequence of times in ms per cell) or a
    PyNN spike-source cell type. `time_unit`: the file's unit of time, "s" (ours,
    snnTorch's, Norse's) or "ms". `spike_area`: the area of one spike in that unit: 1 for
    NIR's Dirac delta (our files); for tools whose spikes are unit pulses one time step
    long, that step (snnTorch writes tau for a step of 1e-4 s). See docs/nir.md.
    """
    if time_unit not in MS_PER_UNIT:
        raise SetupError(f"time_unit must be one of {', '.join(MS_PER_UNIT)}, "
                         f"not {time_unit!r}")
    state = simulator.state
    if not state.initialized or state.target is None or state.target.closed:
        raise NeuroxError("call sim.setup() before pyNN.neurox.nir.read(): the graph is "
                          "built into the current simulation")
    nir = load_nir()
    graph = source if isinstance(source, nir.NIRNode) else nir.read(str(source))
    reader = _Reader(nir, graph, inputs or {}, MS_PER_UNIT[time_unit], float(spike_area),
                     state.dt)
    return reader.build()


class _Reader:
    def __init__(self, nir, graph, inputs, ms_per_unit, spike_area, dt):
        self.nir = nir
        self.graph = graph
        self.given_inputs = inputs
        self.ms = ms_per_unit
        self.area = spike_area
        self.dt = dt
        self.nodes, self.edges, self.top = {}, [], set()
        self._flatten(graph, "")
        self.successors = {name: [] for name in self.nodes}
        for a, b in self.edges:
            self.successors[a].append(b)
        self.notes = []  # warnings gathered while reading
        self.short_delays = []
        self.matrices = {}  # node name -> (matrix, output shape), for convolutions

    # --- the graph ---------------------------------------------------------------

    def _flatten(self, graph, prefix):
        """Nested NIRGraph nodes are inlined under "<name>."; edges into and out of one go
        to its Input and from its Output nodes, which pass their signal on."""
        entry, exit_ = {}, {}
        for name, node in graph.nodes.items():
            full = prefix + name
            if isinstance(node, self.nir.NIRGraph):
                ins, outs = self._flatten(node, full + ".")
                entry[name], exit_[name] = ins, outs
            else:
                self.nodes[full] = node
                if not prefix:
                    self.top.add(full)

        def ends(name, table, kind):
            if name in table:
                return table[name]
            if prefix + name in self.nodes:
                return [prefix + name]
            raise MappingError(f"NIR edge names '{name}', which is no node of the graph")

        for a, b in graph.edges:
            for x in ends(a, exit_, "Output"):
                for y in ends(b, entry, "Input"):
                    self.edges.append((x, y))
        inputs = [prefix + n for n, v in graph.nodes.items()
                  if type(v).__name__ == "Input"]
        outputs = [prefix + n for n, v in graph.nodes.items()
                   if type(v).__name__ == "Output"]
        return inputs, outputs

    def kind(self, name):
        kind = type(self.nodes[name]).__name__
        if kind in ("Input", "Output") and name not in self.top:
            return "Pass"  # a subgraph's own Input or Output
        return kind

    def is_source(self, name):
        return self.kind(name) == "Input"

    def spiking(self, name):
        return self.kind(name) in NEURONS or self.is_source(name)

    def shape(self, name):
        node = self.nodes[name]
        kind = self.kind(name)
        if kind in ("Input", "Pass") and type(node).__name__ == "Input":
            return tuple(int(v) for v in np.atleast_1d(node.input_type["input"]))
        out = getattr(node, "output_type", None) or {}
        value = out.get("output") if isinstance(out, dict) else None
        if value is not None:
            return tuple(int(v) for v in np.atleast_1d(value))
        for attribute in ("v_threshold", "tau", "r"):
            if hasattr(node, attribute):
                return np.shape(getattr(node, attribute)) or (1,)
        raise MappingError(f"NIR node '{name}' ({kind}): its size is unknown")

    def size(self, name):
        return int(np.prod(self.shape(name)))

    # --- what becomes what ---------------------------------------------------------

    def build(self):
        self.filters = self._filters()
        self._check_nodes()
        self.contributions = {}  # (source, target, filter or None) -> [(_Term, label)]
        self.output_sources = {}
        for name in self.nodes:
            if self.spiking(name):
                self._walk(name)
        self.bias = {}  # (target, filter or None) -> constant input
        for name in self.nodes:
            if self.kind(name) in ("Affine", "Conv1d", "Conv2d"):
                self._propagate_bias(name)
        network = NIRNetwork(self.graph)
        self._populations(network)
        self._projections(network)
        for output, source in self.output_sources.items():
            population = network.populations[source]
            network.outputs[output] = population
            if "spikes" not in population._description.recorded:
                population.record("spikes")
        if self.short_delays:
            self.notes.append(
                f"delays shorter than one time step ({self.dt:g} ms) raised to one step: "
                + ", ".join(sorted(set(self.short_delays))))
        if self.notes:
            warn("reading the NIR graph: " + "; ".join(self.notes), stacklevel=4)
        return network

    def _filters(self):
        """LI nodes that are a LIF's synaptic current: LIF or IF name -> [LI names]."""
        filters = {}
        for name in self.nodes:
            if self.kind(name) != "LI":
                continue
            node = self.nodes[name]
            after = self.successors[name]
            if (len(after) != 1 or self.kind(after[0]) not in ("LIF", "IF")
                    or np.any(np.asarray(node.v_leak) != 0)):
                raise MappingError(
                    f"NIR node '{name}' (LI): a leaky integrator maps only as the "
                    f"synaptic current of one LIF it alone feeds, with v_leak 0 (it then "
                    f"makes the LIF an IF_curr_exp); it feeds {after or 'nothing'}")
            filters.setdefault(after[0], []).append(name)
        for cell, names in filters.items():
            if len(names) > 2:
                raise MappingError(f"NIR node '{cell}': fed by {len(names)} LI nodes "
                                   f"({', '.join(names)}); IF_curr_exp has two receptors")
            names.sort(key=lambda n: (self.nodes[n].metadata.get(PREFIX + "receptor")
                                      != "excitatory", n))
        return filters

    def _check_nodes(self):
        known = set(NEURONS) | set(PASS) | set(WEIGHTED) | {"Pass", "Scale", "Delay", "LI"}
        why = {"Threshold": "a threshold without a membrane has no PyNN cell",
               "I": "an integrator without threshold emits no spikes",
               "CubaLI": "a leaky integrator without threshold emits no spikes"}
        for name in self.nodes:
            kind = self.kind(name)
            if kind not in known:
                raise MappingError(
                    f"NIR node '{name}' ({kind}) has no PyNN form: "
                    + why.get(kind, "pyNN.neurox reads Input, Output, LIF, CubaLIF, IF, LI "
                                    "(as a LIF's synaptic current), Linear, Affine, Scale, "
                                    "Delay, Flatten, Identity, Conv1d, Conv2d, SumPool2d "
                                    "and AvgPool2d"))

    # --- paths from one spiking node to the next --------------------------------------

    def _walk(self, source):
        start = [_Term(None, 0.0)]
        stack = [(source, start, self.shape(source), (), None)]
        while stack:
            name, terms, shape, path, label = stack.pop()
            for after in self.successors[name]:
                kind = self.kind(after)
                if after in path:
                    raise MappingError(f"NIR nodes {' -> '.join(path + (after,))}: a cycle "
                                       f"without a spiking node, which never settles")
                if self.spiking(after):
                    self._arrive(source, after, None, terms, label)
                elif kind == "LI":
                    self._arrive(source, self.successors[after][0], after, terms, label)
                elif kind == "Output":
                    self.output_sources[after] = source
                    if path:
                        self.notes.append(f"output '{after}' reads '{source}' through "
                                          f"{', '.join(path)}: its spikes are recorded, "
                                          f"not that analog readout")
                else:
                    new_terms, new_shape = self._apply(after, terms, shape)
                    new_label = label or (after if kind in WEIGHTED else None)
                    stack.append((after, new_terms, new_shape, path + (after,), new_label))

    def _arrive(self, source, target, filter_, terms, label):
        self.contributions.setdefault((source, target, filter_), []).extend(
            (term, label or f"{source}->{target}") for term in terms)

    def _operator(self, name, shape):
        """A weighted node's matrix and output shape, for a signal of `shape`."""
        node, kind = self.nodes[name], self.kind(name)
        if kind in ("Linear", "Affine"):
            weight = np.asarray(node.weight, float)
            if weight.ndim != 2:
                raise MappingError(f"NIR node '{name}' ({kind}): weight of shape "
                                   f"{weight.shape}; only 2-d weights map to projections")
            return weight, (weight.shape[0],)
        if name not in self.matrices:
            try:
                if kind == "Conv2d":
                    in_shape = self._conv_input(name, shape, 3)
                    matrix = conv2d_matrix(node.weight, in_shape, node.stride, node.padding,
                                           node.dilation, node.groups)
                elif kind == "Conv1d":
                    in_shape = self._conv_input(name, shape, 2)
                    matrix = conv1d_matrix(node.weight, in_shape, node.stride, node.padding,
                                           node.dilation, node.groups)
                else:
                    if len(shape) != 3:
                        raise ValueError(f"its input has shape {shape}, not (C, H, W)")
                    matrix = pool2d_matrix(shape, node.kernel_size, node.stride,
                                           node.padding, kind == "AvgPool2d")
            except ValueError as error:
                raise MappingError(f"NIR node '{name}' ({kind}) cannot be flattened into "
                                   f"a projection: {error}") from None
            self.matrices[name] = matrix
        return self.matrices[name]

    def _conv_input(self, name, shape, dims):
        node = self.nodes[name]
        if len(shape) == dims:
            return shape
        given = node.input_type.get("input") if isinstance(node.input_type, dict) else None
        if given is not None and len(np.atleast_1d(given)) == dims:
            return tuple(int(v) for v in given)
        if getattr(node, "input_shape", None) is not None:
            spatial = tuple(int(v) for v in np.atleast_1d(node.input_shape))
            candidate = (int(np.shape(node.weight)[1]) * int(node.groups),) + spatial
            if int(np.prod(candidate)) == int(np.prod(shape)):
                return candidate
        raise ValueError(f"its input shape is unknown (the signal arriving has shape "
                         f"{shape}); give Conv{dims - 1}d an input_shape")

    def _apply(self, name, terms, shape):
        node, kind = self.nodes[name], self.kind(name)
        n = int(np.prod(shape))
        if kind in PASS or kind == "Pass":
            out = shape if kind != "Flatten" else (n,)
            known = getattr(node, "output_type", None) or {}
            if kind == "Flatten" and known.get("output") is not None:
                out = tuple(int(v) for v in np.atleast_1d(known["output"]))
            return terms, out
        if kind == "Delay":
            delay = np.broadcast_to(np.asarray(node.delay, float).ravel(), (n,)) \
                if np.size(node.delay) == 1 else np.asarray(node.delay, float).ravel()
            if delay.size != n:
                raise MappingError(f"NIR node '{name}' (Delay): {delay.size} delays for a "
                                   f"signal of {n}")
            if np.any(delay < 0):
                raise MappingError(f"NIR node '{name}' (Delay): negative delay")
            return [_Term(t.matrix, t.delay + delay) for t in terms], shape
        if kind == "Scale":
            scale = np.broadcast_to(np.asarray(node.scale, float).ravel(), (n,))
            return [_Term(scale[:, None] * (np.eye(n) if t.matrix is None else t.matrix),
                          t.delay) for t in terms], shape
        matrix, out_shape = self._operator(name, shape)
        if matrix.shape[1] != n:
            raise MappingError(f"NIR node '{name}' ({kind}) takes {matrix.shape[1]} "
                               f"inputs but receives {n}")
        result = []
        for term in terms:
            delays = np.broadcast_to(np.asarray(term.delay, float), (n,))
            for value in np.unique(delays):
                mask = delays == value
                if term.matrix is None:
                    combined = matrix * mask[None, :]
                else:
                    combined = matrix @ (term.matrix * mask[:, None])
                result.append(_Term(combined, float(value)))
        return result, out_shape

    def _propagate_bias(self, name):
        """An Affine's (or a convolution's) bias is a constant input: carried through the
        linear nodes after it to the cells it reaches (delays do not change a constant)."""
        node, kind = self.nodes[name], self.kind(name)
        bias = np.asarray(node.bias, float).ravel()
        if not np.any(bias):
            return
        if kind in ("Conv1d", "Conv2d"):
            if name not in self.matrices:
                return  # no spiking node reaches it, so neither does its output
            shape = self.matrices[name][1]
            bias = np.repeat(bias, int(np.prod(shape[1:])))
        else:
            shape = (bias.size,)
        stack = [(name, bias, shape, (name,))]
        while stack:
            current, value, shape, path = stack.pop()
            for after in self.successors[current]:
                kind = self.kind(after)
                if kind in NEURONS:
                    key = (after, None)
                elif kind == "LI":
                    key = (self.successors[after][0], after)
                elif kind == "Output" or self.spiking(after) or after in path:
                    continue
                else:
                    terms, new_shape = self._apply(after, [_Term(value[:, None], 0.0)], shape)
                    for t in terms:
                        stack.append((after, t.matrix[:, 0], new_shape, path + (after,)))
                    continue
                self.bias[key] = self.bias.get(key, 0.0) + value

    # --- populations ------------------------------------------------------------------

    def _populations(self, network):
        import pyNN.neurox as sim
        position = {n: k for k, n in enumerate(self.nodes)}
        order = sorted((n for n in self.nodes if self.spiking(n)),
                       key=lambda n: (PREFIX + "index" not in self.nodes[n].metadata,
                                      int(self.nodes[n].metadata.get(PREFIX + "index", 0)),
                                      position[n]))
        self.cells = {}  # node name -> per-cell arrays the projections need
        for name in order:
            meta = self.nodes[name].metadata
            label = str(meta.get(PREFIX + "label", name))
            size = self.size(name)
            if self.is_source(name):
                celltype = self._source_type(sim, name, size)
                population = sim.Population(size, celltype, label=label)
                network.inputs[name] = population
            else:
                celltype, initial = self._cell_type(sim, name, size)
                population = sim.Population(size, celltype, label=label)
                if initial:
                    population.initialize(**initial)
            for key, cells in meta.items():
                if key.startswith(PREFIX + "record."):
                    cells = np.asarray(cells, dtype=int)
                    view = population if cells.size == size else population[cells]
                    view.record(key[len(PREFIX + "record."):])
            network.populations[name] = population

    def _source_type(self, sim, name, size):
        given = self.given_inputs.get(name)
        if given is not None:
            if hasattr(given, "default_parameters"):
                return given
            trains = [Sequence(np.asarray(t, float)) for t in given]
            if len(trains) != size:
                raise MappingError(f"inputs['{name}']: {len(trains)} trains for an Input "
                                   f"node of {size} cells")
            return sim.SpikeSourceArray(spike_times=trains)
        meta = self.nodes[name].metadata
        celltype = str(meta.get(PREFIX + "celltype", "SpikeSourceArray"))
        if celltype == "SpikeSourceArray":
            if PREFIX + "spike_times" in meta:
                counts = np.asarray(meta[PREFIX + "spike_counts"], dtype=int)
                times = np.asarray(meta[PREFIX + "spike_times"], float)
                trains = np.split(times, np.cumsum(counts)[:-1])
            else:
                trains = [np.zeros(0)] * size
            return sim.SpikeSourceArray(spike_times=[Sequence(t) for t in trains])
        cls = getattr(sim, celltype, None)
        if cls is None or not celltype.startswith("SpikeSource"):
            raise MappingError(f"NIR node '{name}': metadata names the spike source "
                               f"{celltype}, which pyNN.neurox does not have")
        parameters = {p: np.broadcast_to(np.asarray(meta[PREFIX + p], float), (size,))
                      for p in cls.default_parameters if PREFIX + p in meta}
        return cls(**parameters)

    def _cell_type(self, sim, name, size):
        node, kind, meta = self.nodes[name], self.kind(name), self.nodes[name].metadata

        def per_cell(value, what):
            value = np.asarray(value, float)
            if value.size not in (1, size):
                raise MappingError(f"NIR node '{name}' ({kind}): {what} has {value.size} "
                                   f"values for {size} cells")
            return np.broadcast_to(value.ravel() if value.size == size else value.item(),
                                   (size,)).copy()

        r = per_cell(node.r, "r")
        if np.any(r <= 0) or not np.all(np.isfinite(r)):
            raise MappingError(f"NIR node '{name}' ({kind}): r must be positive and finite")
        cell = {"v_thresh": per_cell(node.v_threshold, "v_threshold"),
                "v_reset": per_cell(node.v_reset, "v_reset"), "tau_refrac": np.zeros(size)}
        initial = {}
        filters = self.filters.get(name, [])
        bias = self.bias.get((name, None), 0.0)
        i_offset = np.broadcast_to(np.asarray(bias, float), (size,)).copy()
        if kind == "IF":
            cell.update(tau_m=IF_TAU_M, cm=self.ms / r, v_rest=cell["v_reset"])
            self.notes.append(f"'{name}' (IF) runs as an IF_curr_delta whose leak takes "
                              f"{IF_TAU_M:g} ms")
            jump = r * self.area  # mV per unit of W
        else:
            tau = per_cell(node.tau if kind == "LIF" else node.tau_mem, "tau")
            if np.any(tau <= 0):
                raise MappingError(f"NIR node '{name}' ({kind}): tau must be positive")
            tau_m = tau * self.ms
            cell.update(tau_m=tau_m, cm=tau_m / r, v_rest=per_cell(node.v_leak, "v_leak"))
            jump = r * self.area / tau
        # NIR has no initial state: v starts at v_leak (IF: at v_reset), currents at 0
        initial["v"] = cell["v_rest"].copy() if kind != "IF" else cell["v_reset"].copy()
        receptors = {}
        if kind == "CubaLIF":
            tau_syn = per_cell(node.tau_syn, "tau_syn")
            w_in = per_cell(node.w_in, "w_in")
            cell.update(tau_syn_E=tau_syn * self.ms, tau_syn_I=tau_syn * self.ms)
            # a spike moves I by w_in W / tau_syn; a constant input b holds I at w_in b
            receptors[None] = w_in * self.area / tau_syn
            i_offset = i_offset * w_in
            initial["isyn_exc"] = -i_offset
        elif filters:
            if (name, None) in self.contributions:
                raise MappingError(
                    f"NIR node '{name}' ({kind}): fed both directly and through LI nodes "
                    f"({', '.join(filters)}); no PyNN cell has delta and exponential "
                    f"synapses at once")
            taus = []
            for receptor, filter_ in zip(("exc", "inh"), filters):
                li = self.nodes[filter_]
                tau_f = per_cell(li.tau, "tau of " + filter_)
                r_f = per_cell(li.r, "r of " + filter_)
                taus.append(tau_f * self.ms)
                receptors[filter_] = r_f * self.area / tau_f
                held = r_f * np.broadcast_to(
                    np.asarray(self.bias.get((name, filter_), 0.0), float), (size,))
                i_offset = i_offset + held
                initial["isyn_" + receptor] = -held
            cell.update(tau_syn_E=taus[0], tau_syn_I=taus[-1])
        else:
            receptors[None] = jump
        self.cells[name] = {"factor": receptors, "filters": filters}
        # what our own export kept in metadata
        if PREFIX + "i_offset" in meta:
            carried = per_cell(meta[PREFIX + "i_offset"], "neurox.i_offset")
            cell["v_rest"] = cell["v_rest"] - r * carried
            i_offset = i_offset + carried
        if PREFIX + "tau_refrac" in meta:
            cell["tau_refrac"] = per_cell(meta[PREFIX + "tau_refrac"], "neurox.tau_refrac")
        if PREFIX + "v_init" in meta:
            initial["v"] = per_cell(meta[PREFIX + "v_init"], "neurox.v_init")
        for variable in ("isyn_exc", "isyn_inh"):
            if PREFIX + variable + "_init" in meta:
                initial[variable] = initial.get(variable, 0.0) + per_cell(
                    meta[PREFIX + variable + "_init"], "neurox." + variable + "_init")
        original = meta.get(PREFIX + "celltype")
        if original and str(original) not in ("IF_curr_delta", "IF_curr_exp"):
            self.notes.append(f"'{name}' was a {original}, written as a current-based "
                              f"cell; it runs as one")
        cell["i_offset"] = i_offset
        initial = {k: v for k, v in initial.items() if k == "v" or np.any(v != 0)}
        if kind == "CubaLIF" or filters:
            return sim.IF_curr_exp(**cell), initial
        return sim.IF_curr_delta(**cell), initial

    # --- projections ------------------------------------------------------------------

    def _projections(self, network):
        import pyNN.neurox as sim
        for (source, target, filter_), terms in self.contributions.items():
            pre, post = network.populations[source], network.populations[target]
            cells = self.cells[target]
            factor = cells["factor"][filter_]
            groups = {}  # (delay, label) -> weight matrix in the file's units
            for term, label in terms:
                if term.matrix is None and pre.size != post.size:
                    raise MappingError(f"NIR edge '{source}' -> '{target}': {pre.size} "
                                       f"cells straight into {post.size}")
                matrix = np.eye(post.size) if term.matrix is None else term.matrix
                delays = np.broadcast_to(np.asarray(term.delay, float), (post.size,))
                for value in np.unique(delays):
                    rows = delays == value
                    key = (float(value), label)
                    if key not in groups:
                        groups[key] = np.zeros((post.size, pre.size))
                    groups[key][rows] += matrix[rows]
            for (delay, label), matrix in sorted(groups.items()):
                weights = matrix * factor[:, None]
                delay_ms = delay * self.ms
                if delay_ms < self.dt - 1e-9 * self.dt:
                    self.short_delays.append(label)
                    delay_ms = self.dt
                if filter_ is not None:
                    receptor = "excitatory" if cells["filters"].index(filter_) == 0 \
                        else "inhibitory"
                    parts = [(receptor, weights != 0)]
                else:
                    parts = [("excitatory", weights > 0), ("inhibitory", weights < 0)]
                for receptor, picked in parts:
                    post_i, pre_j = np.nonzero(picked)
                    if post_i.size == 0:
                        continue
                    connections = np.column_stack(
                        [pre_j, post_i, weights[post_i, pre_j], np.full(post_i.size, delay_ms)])
                    connector = sim.FromListConnector(connections,
                                                      column_names=["weight", "delay"])
                    network.projections.append(sim.Projection(
                        pre, post, connector, sim.StaticSynapse(), receptor_type=receptor,
                        label=f"{label} ({receptor})"))
