"""`sim.export_nir(path)`: the network description written as an NIR graph.

Read from the description only (pynn_neurox/description/), never from a target's objects.
Units and the spike convention: conventions.py and docs/nir.md. What NIR cannot carry is
refused with MappingError, or (refractory periods, initial values, spike-source data,
and what `allow=` lets through) written into node metadata under `neurox.` and named in
one NIRWarning.
"""

import numpy as np

from .. import simulator
from ..errors import MappingError, SetupError
from ..timegrid import delay_steps
from .conventions import PREFIX, load_nir, scalar_or_array, warn

S_PER_MS = 1e-3

# what allow= can let through, and what becomes of it
ALLOW = {
    "plasticity": "plastic, short-term and stochastic synapses are written as static ones "
                  "with their initial weights; the synapse type and its parameters go to "
                  "the Linear node's metadata",
    "conductance": "IF_cond_exp cells are written as current-based cells, each weight "
                   "times its driving force at the midpoint of v_reset and v_thresh; the "
                   "reversal potentials go to the cell node's metadata",
    "current_sources": "current sources are left out of the graph and described in their "
                       "population's metadata",
}

CONDUCTANCE_APPROXIMATED = ("IF_cond_exp",)


def export_nir(path, allow=()):
    """Write the network built so far as an NIR graph (HDF5, with the `nir` package) at
    `path`, and return the `nir.NIRGraph`.

    IF_curr_delta cells become LIF nodes, IF_curr_exp cells CubaLIF nodes (LIF with one
    LI node per receptor where tau_syn_E != tau_syn_I), spike sources Input nodes, each
    projection a Linear node of its weight matrix followed by a Delay node. Units:
    seconds, mV, nA, MOhm; a spike is a Dirac delta of area 1 (docs/nir.md).

    What NIR cannot carry is refused (MappingError) unless `allow` names it
    ("plasticity", "conductance", "current_sources"); refractory periods, initial values
    and the spike sources' data go into node metadata under `neurox.`, and one NIRWarning
    lists everything that went there.
    """
    nir = load_nir()
    allowed = {allow} if isinstance(allow, str) else set(allow)
    unknown = sorted(allowed - set(ALLOW))
    if unknown:
        raise SetupError(f"export_nir: unknown allow= value(s) {', '.join(unknown)}; the "
                         f"values are: {', '.join(ALLOW)}")
    state = simulator.state
    network = state.network
    if not network.populations:
        raise MappingError("export_nir: the network has no populations, nothing to export")
    writer = _Writer(nir, network, allowed, state.target)
    graph = writer.graph()
    nir.write(str(path), graph)
    if writer.carried:
        warn("NIR cannot carry these; written into node metadata under 'neurox.' "
             "(read back by pyNN.neurox.nir.read, ignored by other tools): "
             + "; ".join(writer.carried))
    return graph


class _Writer:
    def __init__(self, nir, network, allowed, target):
        self.nir = nir
        self.network = network
        self.allowed = allowed
        # the chip's integers where the network has been mapped (run, or get_mapping())
        self.mapping = getattr(target, "_mapping", None)
        self.nodes = {}
        self.edges = []
        self.carried = []  # "what (where: keys)" for the warning
        self.names = {}  # population index -> node name
        # population index -> receptor -> (node name, per-cell factor from PyNN weight to W)
        self.receptors = {}

    def graph(self):
        for population in self.network.populations:
            self._population(population)
        for projection in self.network.projections:
            self._projection(projection)
        self._outputs()
        metadata = {PREFIX + "timestep": float(self.network.timestep),
                    PREFIX + "units": "time s; voltage mV; current nA; r MOhm; a spike is a "
                                      "Dirac delta of area 1 s"}
        if self.mapping is not None:
            metadata[PREFIX + "chip"] = self.mapping.chip.title
        return self.nir.NIRGraph(nodes=self.nodes, edges=self.edges, metadata=metadata)

    def _unique(self, label, fallback):
        base = (label or fallback).replace("/", "_") or fallback
        name, k = base, 1
        while name in self.nodes:
            k += 1
            name = f"{base}_{k}"
        return name

    # --- populations -----------------------------------------------------------

    def _population(self, p):
        name = self._unique(p.label, f"population{p.index}")
        self.names[p.index] = name
        meta = {PREFIX + "label": p.label or name, PREFIX + "index": p.index,
                PREFIX + "celltype": p.celltype}
        for variable, cells in sorted(p.recorded.items()):
            meta[PREFIX + "record." + variable] = np.asarray(cells, dtype=np.int64)
        if p.is_source:
            node = self.nir.Input(input_type=np.array([p.size]))
            self._source_metadata(p, name, meta)
        else:
            node = self._cells(p, name, meta)
        self._current_sources(p, name, meta)
        node.metadata = meta
        self.nodes[name] = node

    def _source_metadata(self, p, name, meta):
        if p.celltype == "SpikeSourceArray":
            trains = [np.asarray(getattr(t, "value", t), dtype=float)
                      for t in p.parameters["spike_times"]]
            meta[PREFIX + "spike_counts"] = np.array([t.size for t in trains], dtype=np.int64)
            meta[PREFIX + "spike_times"] = (np.concatenate(trains) if trains
                                            else np.zeros(0))
            self.carried.append(f"spike times of '{name}' (neurox.spike_times, "
                                f"neurox.spike_counts, ms)")
        else:
            for parameter, values in p.parameters.items():
                meta[PREFIX + parameter] = scalar_or_array(values)
            self.carried.append(f"{p.celltype} parameters of '{name}' "
                                f"(neurox.{', neurox.'.join(p.parameters)})")

    def _cells(self, p, name, meta):
        P = p.parameters
        conductance = p.celltype in CONDUCTANCE_APPROXIMATED
        if p.celltype not in ("IF_curr_delta", "IF_curr_exp") and not (
                conductance and "conductance" in self.allowed):
            if conductance:
                raise MappingError(
                    f"population '{p.label}': {p.celltype} is conductance-based, which NIR "
                    f"cannot carry; export_nir(path, allow='conductance') writes it as a "
                    f"current-based CubaLIF ({ALLOW['conductance']})")
            raise MappingError(
                f"population '{p.label}': {p.celltype} has no NIR form; NIR carries "
                f"IF_curr_delta (LIF), IF_curr_exp (CubaLIF) and spike sources (Input)")
        tau_m, cm = P["tau_m"], P["cm"]
        r = tau_m / cm  # MOhm
        v_leak = P["v_rest"] + r * P["i_offset"]
        if np.any(P["i_offset"] != 0):
            meta[PREFIX + "i_offset"] = scalar_or_array(P["i_offset"])
        common = dict(r=r, v_leak=v_leak, v_threshold=np.asarray(P["v_thresh"], float),
                      v_reset=np.asarray(P["v_reset"], float))
        if np.any(P["tau_refrac"] > 0):
            meta[PREFIX + "tau_refrac"] = scalar_or_array(P["tau_refrac"])
            self.carried.append(f"refractory period of '{name}' (neurox.tau_refrac, ms)")
        initial = p.initial_values
        v_init = np.asarray(initial.get("v", P["v_rest"]), float)
        meta[PREFIX + "v_init"] = scalar_or_array(v_init)
        if np.any(v_init != v_leak):
            self.carried.append(f"initial membrane potential of '{name}' (neurox.v_init, "
                                f"mV)")
        for variable in ("isyn_exc", "isyn_inh", "gsyn_exc", "gsyn_inh"):
            if variable in initial and np.any(initial[variable] != 0):
                meta[PREFIX + variable + "_init"] = scalar_or_array(initial[variable])
                self.carried.append(f"initial {variable} of '{name}' "
                                    f"(neurox.{variable}_init)")
        if p.celltype == "IF_curr_delta":
            # a spike moves v by r W / tau = w (mV): W = w tau / r = w cm (s, nA)
            scale = cm * S_PER_MS
            self.receptors[p.index] = {"excitatory": (name, scale), "inhibitory": (name, scale)}
            return self.nir.LIF(tau=tau_m * S_PER_MS, **common)
        factors = {"excitatory": np.ones(p.size), "inhibitory": np.ones(p.size)}
        if conductance:
            v_ref = (P["v_reset"] + P["v_thresh"]) / 2
            factors = {"excitatory": P["e_rev_E"] - v_ref, "inhibitory": P["e_rev_I"] - v_ref}
            for key, values in (("e_rev_E", P["e_rev_E"]), ("e_rev_I", P["e_rev_I"]),
                                ("v_ref", v_ref)):
                meta[PREFIX + key] = scalar_or_array(values)
            self.carried.append(f"conductance-based cells of '{name}' written as "
                                f"current-based, weights times (e_rev - v_ref) "
                                f"(neurox.e_rev_E, neurox.e_rev_I, neurox.v_ref)")
        tau_e, tau_i = P["tau_syn_E"], P["tau_syn_I"]
        if np.array_equal(tau_e, tau_i):
            # w_in = tau_syn makes W the PyNN weight: a spike moves I by w_in W / tau_syn
            self.receptors[p.index] = {receptor: (name, factors[receptor])
                                       for receptor in factors}
            return self.nir.CubaLIF(tau_syn=tau_e * S_PER_MS, tau_mem=tau_m * S_PER_MS,
                                    w_in=tau_e * S_PER_MS, **common)
        # two synaptic time constants: one LI node per receptor, both into a LIF
        self.receptors[p.index] = {}
        for receptor, tau_syn in (("excitatory", tau_e), ("inhibitory", tau_i)):
            filter_name = self._unique(f"{name}.{receptor}", f"{name}.{receptor}")
            self.nodes[filter_name] = self.nir.LI(
                tau=tau_syn * S_PER_MS, r=tau_syn * S_PER_MS, v_leak=np.zeros(p.size),
                metadata={PREFIX + "receptor": receptor, PREFIX + "population": name})
            self.edges.append((filter_name, name))
            self.receptors[p.index][receptor] = (filter_name, factors[receptor])
        return self.nir.LIF(tau=tau_m * S_PER_MS, **common)

    def _current_sources(self, p, name, meta):
        for source in self.network.current_sources:
            if p.index not in source.targets:
                continue
            if "current_sources" not in self.allowed:
                raise MappingError(
                    f"population '{p.label}' receives a {source.kind}, and NIR has no "
                    f"current sources; export_nir(path, allow='current_sources') leaves it "
                    f"out and describes it in the population's metadata")
            key = f"{PREFIX}current_source.{source.index}"
            described = ", ".join(f"{k}={_plain(v)}" for k, v in source.parameters.items())
            meta[key] = f"{source.kind}({described})"
            meta[key + ".cells"] = np.asarray(source.targets[p.index], dtype=np.int64)
            self.carried.append(f"{source.kind} into '{name}' ({key})")

    # --- projections ------------------------------------------------------------

    def _projection(self, q):
        if len(q) == 0:
            return
        pre = self.network.populations[q.pre]
        post = self.network.populations[q.post]
        label = q.label or f"projection{q.index}"
        receptors = self.receptors.get(q.post, {})
        if q.receptor_type not in receptors:
            raise MappingError(f"projection '{label}': receptor '{q.receptor_type}' of "
                               f"'{post.label}' has no NIR form")
        target_node, factor = receptors[q.receptor_type]
        meta = {PREFIX + "label": label, PREFIX + "receptor_type": q.receptor_type,
                PREFIX + "pre": self.names[q.pre], PREFIX + "post": self.names[q.post]}
        self._synapse(q, label, meta)
        factor = np.broadcast_to(np.asarray(factor, float), (post.size,))
        weights = np.asarray(q.weights, float) * factor[q.targets]
        dt = self.network.timestep
        steps = delay_steps(q.delays, dt)
        groups = np.unique(steps)
        chip = None
        if self.mapping is not None:
            chip = np.asarray(self.mapping.projections[q.index].weight, float)
        for k in groups:
            picked = steps == k
            matrix = np.zeros((post.size, pre.size))
            np.add.at(matrix, (q.targets[picked], q.sources[picked]), weights[picked])
            name = self._unique(label if groups.size == 1 else f"{label}.delay{k}", label)
            node_meta = dict(meta)
            if chip is not None:
                held = np.zeros((post.size, pre.size))
                np.add.at(held, (q.targets[picked], q.sources[picked]), chip[picked])
                node_meta[PREFIX + "chip_weight"] = held
            self.nodes[name] = self.nir.Linear(weight=matrix, metadata=node_meta)
            delay_name = self._unique(f"{name}.delay", f"{name}.delay")
            self.nodes[delay_name] = self.nir.Delay(
                delay=np.full(post.size, k * dt * S_PER_MS))
            self.edges += [(self.names[q.pre], name), (name, delay_name),
                           (delay_name, target_node)]
        if chip is not None:
            self.carried.append(f"the chip's integer weights of '{label}' "
                                f"(neurox.chip_weight, chip units)")

    def _synapse(self, q, label, meta):
        synapse = q.synapse
        if synapse.kind == "StaticSynapse":
            return
        if "plasticity" not in self.allowed:
            raise MappingError(
                f"projection '{label}': {synapse.kind} changes its weights as it runs, "
                f"which NIR cannot carry; export_nir(path, allow='plasticity') writes its "
                f"initial weights as static ones and the rule into metadata")
        meta[PREFIX + "synapse"] = synapse.kind
        for key, name in (("timing_dependence", synapse.timing_dependence),
                          ("weight_dependence", synapse.weight_dependence)):
            if name:
                meta[PREFIX + "synapse." + key] = name
        for parameter, values in synapse.parameters.items():
            meta[PREFIX + "synapse." + parameter] = scalar_or_array(values)
        self.carried.append(f"{synapse.kind} of '{label}' written as static "
                            f"(neurox.synapse, neurox.synapse.*)")

    def _outputs(self):
        cells = [p for p in self.network.populations if not p.is_source]
        recorded = [p for p in cells if "spikes" in p.recorded] or cells
        for p in recorded:
            name = "output" if len(recorded) == 1 else f"{self.names[p.index]}.output"
            name = self._unique(name, name)
            self.nodes[name] = self.nir.Output(output_type=np.array([p.size]))
            self.edges.append((self.names[p.index], name))


def _plain(value):
    value = np.asarray(value)
    return value.item() if value.size == 1 else value.tolist()
