"""DYNAP-SE2 quantization: populations as parameter groups of bias currents, weights as
CAM multiplicities of one base weight per core and synapse type.

Standard cells (IF_curr_delta, IF_curr_exp) map onto DynapSim's DPI neuron in current
mode, an approximation (docs/chips/dynapse2.md):
- v is the membrane current: v = v_reset + (Imem - Io) / Io * v_unit, so the chip's reset
  and rest at its floor Io are v_reset; the spike threshold Ispkthr is Io (1 + THRESHOLD)
  and v_unit = (v_thresh - v_reset) / THRESHOLD mV per Io; Igain_mem is the chip's least,
  Io, which keeps the membrane's gain Imem / (Imem + Igain) nearest one;
- tau_m: Itau_mem = Ut C_mem / (kappa tau_m) - Io (the leak is Itau_mem plus the AHP
  current, which rests at Io); no adaptation (Iw_ahp = 0);
- v_rest above v_reset, and i_offset, become the DC current Idc whose fixed point is
  that potential (the positive feedback aside);
- refractory: DynapSim blocks the input while its timer runs, from the tick after the
  spike, so t_ref = (n - 1/2) dt blocks n = refractory_steps(tau_refrac) ticks (at least 1);
- synapses: the excitatory receptor is AMPA, the inhibitory GABA; IF_curr_exp's tau_syn_E
  and tau_syn_I set Itau_ampa and Itau_gaba; IF_curr_delta's synapses get a time constant
  of dt / FAST_SYNAPSE, so that an input acts within the tick it arrives in;
- weights: a synapse of PyNN weight w is k = round(|w| / w_base) CAM entries of its type;
  w_base (one per population and type, the chip's weight current Iw of that type) is the
  finest for which every neuron's entries fit its CAMs while the weights rounded to no
  entry carry at most LOST_TO_ZERO of the type's summed weight (else the smallest weight,
  and the fan-in is refused or pruned); one entry's current is set so
  that the PSC it makes moves v by w_base (delta) or starts at w_base nA (exp), at the
  membrane gain of the potential CALIBRATION of the way to threshold.
Delays: a spike of tick k through a delay of D ticks arrives in tick k + D (a host
spike at time s dt in tick s - 1 + D) and acts on v in that tick, where NEST's delivery
onto a delta synapse puts it; onto IF_curr_exp one tick later (NEST's exponential current
jumps at the end of the arrival step and acts on v from the next).
"""

from dataclasses import dataclass, field

import numpy as np

from ....errors import ChipLimitError, MappingError
from ....timegrid import delay_steps, off_grid, refractory_steps
from ...check import out_of_range
from ...contract import QuantizedCells
from ...quantize import QuantizedProjection, Quantizer, weight_errors
from ...report import ParameterRow
from .formats import SYNAPSE_TYPES

THRESHOLD = 3.0  # Ispkthr = Io (1 + THRESHOLD): low, where the positive feedback is weak
CALIBRATION = 0.1  # the membrane gain of weights is taken this far from reset to threshold
FAST_SYNAPSE = 8.0  # IF_curr_delta: tau_syn = dt / FAST_SYNAPSE
# base weights are refused when the weights they round to no CAM entry carry more than
# this share of their synapse type's summed weight (then the smallest weight is the base)
LOST_TO_ZERO = 0.1

# the bias currents of a neuron, in the order of the program's arrays
NEURON_BIASES = ("Idc", "If_nmda", "Igain_ahp", "Igain_mem", "Ipulse_ahp", "Ipulse", "Iref",
                 "Ispkthr", "Itau_ahp", "Itau_mem", "Iw_ahp")
SYNAPSE_BIASES = tuple(f"{name}_{t}" for t in SYNAPSE_TYPES for name in ("Itau", "Igain"))
WEIGHT_BIASES = tuple(f"Iw_{t}" for t in SYNAPSE_TYPES)
BIASES = NEURON_BIASES + SYNAPSE_BIASES + WEIGHT_BIASES

_STANDARD_TYPE_OF = {"excitatory": "ampa", "inhibitory": "gaba"}


@dataclass(kw_only=True)
class DynapSE2Cells(QuantizedCells):
    """One population as a parameter group: its bias currents (A), one value each."""

    biases: dict  # name in BIASES -> float
    type_of: dict  # receptor type -> synapse type
    v_initial: np.ndarray  # Imem (A) per cell at the start
    # receptor type -> the PyNN weight one CAM entry stands for (w_base)
    base_weight: dict = field(default_factory=dict)
    # inputs act on v in the tick they arrive in (delta synapses and the native type);
    # an exponential PSC acts from the next, as NEST's current jumps at the step's end
    instant: bool = True
    pruned: int = 0  # CAM entries pruned (allow=["prune_cams"])
    pruned_synapses: int = 0

    @property
    def group(self) -> tuple:
        """What must be equal for two populations to share a core."""
        return (self.native,) + tuple(float(self.biases[name]) for name in BIASES)


def _uniform(chip, description, names, values):
    """The single value of each parameter: a core holds one parameter group."""
    single = {}
    for name in names:
        v = np.ravel(np.asarray(values[name], float))
        if v.size and np.ptp(v) > 1e-12 * max(np.abs(v).max(), 1e-300):
            distinct = np.unique(v)
            raise ChipLimitError(
                f"{chip.title}: a core's neurons share one parameter group; population "
                f"'{description.label}' has {distinct.size} values of {name} (e.g. "
                f"{distinct[0]:g} and {distinct[-1]:g}): split it into populations of one "
                "value each")
        single[name] = float(v[0]) if v.size else 0.0
    return single


class DynapSE2Quantizer(Quantizer):
    """Quantizes a network description for a chip of the DYNAP-SE2 kind."""

    def population(self, description, incoming):
        """The parameter group of `description` and the CAM entries of its `incoming`
        projections (their quantized form is made by projection())."""
        if description.celltype == "DynapSE2Neuron":
            cells = self._native(description)
        else:
            cells = self._standard(description)
        self._multiplicities(cells, incoming)
        return cells

    # --- standard cells ------------------------------------------------------------

    def _standard(self, description):
        F = self.formats
        where = f"population '{description.label}'"
        delta = description.celltype == "IF_curr_delta"
        names = ["tau_m", "v_rest", "v_reset", "v_thresh", "tau_refrac", "i_offset", "cm"]
        if not delta:
            names += ["tau_syn_E", "tau_syn_I"]
        p = _uniform(self.chip, description, names, description.parameters)
        distance = p["v_thresh"] - p["v_reset"]
        out_of_range(self.chip, "v_thresh - v_reset (mV, the chip resets to its floor and "
                     "fires above a higher current)", where, distance, 1e-12, np.inf)
        v_unit = distance / THRESHOLD  # mV per Io
        dt_s = self.dt * 1e-3
        leak = F.tau_current(p["tau_m"] * 1e-3, F.c_mem)
        itau_mem = leak - F.io
        out_of_range(self.chip, "tau_m (ms): Itau_mem = Ut C_mem / (kappa tau_m) - Io must "
                     "be above Io", where, itau_mem / F.io, 1.0, np.inf)
        steps = int(refractory_steps(p["tau_refrac"], self.dt))
        t_ref = (max(steps, 1) - 0.5) * dt_s
        # the fixed point of v: v_rest and i_offset (tau_m / cm: mV per nA)
        lift = (p["v_rest"] - p["v_reset"] + p["i_offset"] * p["tau_m"] / p["cm"]) / v_unit
        gain = F.io
        if lift > 0:
            rest = F.io * (1 + lift)
            idc = 2 * leak + rest * (1 + F.io / itau_mem) * itau_mem / gain
        else:
            idc = F.io
        biases = {"Idc": idc, "If_nmda": F.io, "Igain_ahp": F.io, "Igain_mem": gain,
                  "Ipulse_ahp": F.pulse_current(1e-6, F.c_pulse_ahp),
                  "Ipulse": F.pulse_current(10e-6, F.c_pulse),
                  "Iref": F.pulse_current(t_ref, F.c_ref),
                  "Ispkthr": F.io * (1 + THRESHOLD),
                  "Itau_ahp": F.tau_current(50e-3, F.c_ahp), "Itau_mem": itau_mem,
                  "Iw_ahp": 0.0}
        taus = {t: self.dt / FAST_SYNAPSE for t in SYNAPSE_TYPES}
        if not delta:
            taus.update(ampa=p["tau_syn_E"], gaba=p["tau_syn_I"])
        for t in SYNAPSE_TYPES:
            biases[f"Itau_{t}"] = F.tau_current(taus[t] * 1e-3, F.capacitance(t))
            biases[f"Igain_{t}"] = biases[f"Itau_{t}"]
            biases[f"Iw_{t}"] = 0.0  # set with the base weights
        v0 = np.asarray(description.initial_values.get(
            "v", np.full(description.size, p["v_rest"])), float)
        v_initial = F.io * (1 + np.clip(v0 - p["v_reset"], 0, None) / v_unit)
        cells = DynapSE2Cells(
            index=description.index, label=description.label, size=description.size,
            v_origin=np.full(description.size, p["v_reset"]), v_unit=float(v_unit),
            biases=biases, type_of=dict(_STANDARD_TYPE_OF), v_initial=v_initial,
            instant=delta)
        cells.parameters = self._rows(p, biases, taus, delta, t_ref, lift, steps)
        cells.approximations = [
            "v is the membrane current Imem in current mode: v_reset at the floor Io, "
            f"v_thresh at Ispkthr = {1 + THRESHOLD:g} Io ({v_unit:.3g} mV per Io)",
            "the DPI membrane's positive feedback (the chip's exponential spike onset) "
            "speeds v up near threshold; its gain Imem / (Imem + Io) slows v near reset",
            "below reset the membrane stops at its floor Io (v_reset)",
            "mismatch: every bias and circuit constant deviates per neuron "
            "(setup(mismatch=0) switches it off)",
        ]
        if delta:
            cells.approximations.append(
                f"delta synapses: DPI synapses with tau_syn = dt / {FAST_SYNAPSE:g}, which act "
                "within the tick their input arrives in")
        if steps == 0:
            cells.approximations.append(
                "tau_refrac rounds to 0 steps; the chip blocks at least the tick after a spike")
        if p["v_rest"] < p["v_reset"]:
            cells.approximations.append("v_rest below v_reset: the cell rests at v_reset")
        cells._calibration = dict(p=p, taus=taus, delta=delta, v_unit=v_unit)
        return cells

    def _rows(self, p, biases, taus, delta, t_ref, lift, steps):
        F = self.formats
        rows = [ParameterRow("tau_m", "ms", p["tau_m"],
                             1e3 * F.ut / F.kappa * F.c_mem / (biases["Itau_mem"] + F.io), 0.0),
                ParameterRow("tau_refrac", "ms", p["tau_refrac"],
                             max(steps, 1) * self.dt,
                             abs(max(steps, 1) * self.dt - p["tau_refrac"])
                             / max(p["tau_refrac"], 1e-12))]
        for name, t in (("tau_syn_E", "ampa"), ("tau_syn_I", "gaba")):
            want = taus[t] if delta else p[name]
            rows.append(ParameterRow(f"{name} ({t.upper()})", "ms", want, taus[t], 0.0))
        rows.append(ParameterRow("Ispkthr", "A", F.io * (1 + THRESHOLD),
                                 biases["Ispkthr"], 0.0))
        if lift > 0:
            rows.append(ParameterRow("Idc (v_rest, i_offset)", "A", biases["Idc"],
                                     biases["Idc"], 0.0))
        return rows

    def _weight_current(self, cells, synapse_type, base):
        """The weight current Iw of one CAM entry of a standard population, for a base
        weight `base` (PyNN units)."""
        F = self.formats
        c = cells._calibration
        b = cells.biases
        dt_s = self.dt * 1e-3
        leak = b["Itau_mem"] + F.io
        tau_mem = F.ut / F.kappa * F.c_mem / leak
        at = F.io * (1 + CALIBRATION * THRESHOLD)
        membrane = at / (at + b["Igain_mem"]) * b["Igain_mem"] / b["Itau_mem"]
        tau_syn = c["taus"][synapse_type] * 1e-3
        t_pulse = F.vth * F.c_pulse / b["Ipulse"]
        charge = -np.expm1(-t_pulse / tau_syn) * b[f"Igain_{synapse_type}"] \
            / b[f"Itau_{synapse_type}"]
        if c["delta"]:
            # v moves by base mV in one tick: v_unit / Io * membrane * dt / tau * isyn
            isyn = base * F.io / (c["v_unit"] * membrane * dt_s / tau_mem)
        else:
            # the PSC's drive starts at base / cm mV/ms, as the PyNN current's does
            isyn = base / c["p"]["cm"] * 1e3 * F.io * tau_mem / (c["v_unit"] * membrane)
        return isyn / charge

    # --- native cells ----------------------------------------------------------------

    def _native(self, description):
        F = self.formats
        where = f"population '{description.label}'"
        biases = _uniform(self.chip, description, BIASES, description.parameters)
        for name, value in biases.items():
            low = 0.0 if name.startswith("Iw") else F.io * 1e-3
            out_of_range(self.chip, f"{name} (A)", where, value, low, np.inf)
        v0 = np.asarray(description.initial_values.get("v", np.zeros(description.size)), float)
        v_initial = F.io * np.exp(np.clip(v0, 0, None) * 1e-3 * F.kappa / F.ut)
        return DynapSE2Cells(
            index=description.index, label=description.label, size=description.size,
            v_origin=np.zeros(description.size), v_unit=1.0, native=True, biases=biases,
            type_of={t.upper(): t for t in SYNAPSE_TYPES}, v_initial=v_initial,
            approximations=["native type: the chip's own bias currents, no conversion",
                            "mismatch: every bias and circuit constant deviates per neuron "
                            "(setup(mismatch=0) switches it off)"])

    # --- weights as CAM multiplicity -------------------------------------------------

    def _multiplicities(self, cells, incoming):
        """Every incoming synapse's CAM entries (cells._entries: projection index ->
        multiplicities), the base weights and the weight currents; fan-in beyond the
        CAMs is refused, or pruned under allow=["prune_cams"]."""
        magnitude = {}
        for projection in incoming:
            if projection.receptor_type not in cells.type_of:
                raise MappingError(
                    f"{self.chip.title} cannot run projection '{projection.label}': receptor "
                    f"type {projection.receptor_type!r} has no synapse type on the chip; it "
                    "takes " + ", ".join(cells.type_of))
            magnitude[projection.index] = np.abs(np.asarray(projection.weights, float))
        types = {q.index: cells.type_of[q.receptor_type] for q in incoming}
        largest = {}
        for q in incoming:
            if magnitude[q.index].size:
                t = types[q.index]
                largest[t] = max(largest.get(t, 0.0), float(magnitude[q.index].max()))
        if cells.native:
            base = {t: 1.0 for t in SYNAPSE_TYPES}
            for q in incoming:
                w = np.asarray(q.weights, float)
                bad = (w < 0) | (w != np.rint(w))
                if bad.any():
                    raise ChipLimitError(
                        f"{self.chip.title}: weights of projection '{q.label}' onto a native "
                        "DynapSE2Neuron are CAM multiplicities, whole numbers >= 0; "
                        f"{w[bad][0]:g} is not")
            entries = {q.index: np.rint(magnitude[q.index]).astype(np.int64) for q in incoming}
        else:
            base, entries = self._base_weights(cells, incoming, magnitude, types, largest)
            for t in SYNAPSE_TYPES:
                if t in largest and largest[t] > 0:
                    cells.biases[f"Iw_{t}"] = float(self._weight_current(cells, t, base[t]))
        entries = self._fit(cells, incoming, entries)
        cells._entries = entries
        cells._types = types
        cells.base_weight = {r: base.get(t, 1.0) for r, t in cells.type_of.items()}
        cells._magnitude = magnitude
        if not cells.native:
            for t in ("ampa", "gaba"):
                if t in largest and largest[t] > 0:
                    cells.parameters.append(ParameterRow(
                        f"Iw_{t} (one CAM entry)", "A", cells.biases[f"Iw_{t}"],
                        cells.biases[f"Iw_{t}"], 0.0))

    def _fan_in(self, cells, incoming, entries):
        total = np.zeros(cells.size, np.int64)
        for q in incoming:
            total += np.rint(np.bincount(q.targets, entries[q.index], minlength=cells.size)
                             ).astype(np.int64)
        return total

    def _base_weights(self, cells, incoming, magnitude, types, largest):
        """The finest base weights (largest / kmax, one kmax for every type) whose CAM
        entries fit every neuron without rounding a synapse to no entry; with none, one
        entry for the smallest weight (and _fit refuses or prunes)."""
        cams = self.formats.cams_per_neuron

        def entries_for(kmax):
            base = {t: (w / kmax if w > 0 else 1.0) for t, w in largest.items()}
            return base, {q.index: np.rint(magnitude[q.index] / base[types[q.index]])
                          .astype(np.int64) for q in incoming}

        def fits(kmax):
            return self._fan_in(cells, incoming, entries_for(kmax)[1]).max(initial=0) <= cams

        def keeps_all(entries):
            """Weights rounded to no entry carry at most LOST_TO_ZERO of their type's sum."""
            lost, weight = {}, {}
            for q in incoming:
                t = types[q.index]
                lost[t] = lost.get(t, 0.0) + magnitude[q.index][entries[q.index] == 0].sum()
                weight[t] = weight.get(t, 0.0) + magnitude[q.index].sum()
            return all(lost[t] <= LOST_TO_ZERO * weight[t] for t in lost)

        if not incoming:
            return entries_for(cams)
        if fits(cams):
            kmax = cams
        elif fits(1):
            low, high = 1, cams  # low fits, high does not
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if fits(middle) else (low, middle)
            kmax = low
        else:
            kmax = None
        if kmax is not None:
            base, entries = entries_for(kmax)
            if keeps_all(entries):
                return base, entries
        # nothing fits: keep every synapse at least one entry; _fit refuses or prunes
        smallest = {}
        for q in incoming:
            w = magnitude[q.index]
            if (w > 0).any():
                t = types[q.index]
                smallest[t] = min(smallest.get(t, np.inf), float(w[w > 0].min()))
        base = {t: max(smallest.get(t, w), w / cams) for t, w in largest.items()}
        return base, {q.index: np.minimum(np.rint(magnitude[q.index] / base[types[q.index]]),
                                          cams).astype(np.int64) for q in incoming}

    def _fit(self, cells, incoming, entries):
        """Refuse a neuron whose CAM entries exceed the chip's, or prune: per neuron, the
        largest multiplicities are kept, the entries beyond the CAMs dropped."""
        cams = self.formats.cams_per_neuron
        total = self._fan_in(cells, incoming, entries)
        if total.max(initial=0) <= cams:
            return entries
        worst = int(np.argmax(total))
        if "prune_cams" not in self.allowed:
            raise ChipLimitError(
                f"{self.chip.title}: neuron {worst} of population '{cells.label}' needs "
                f"{total[worst]} CAM entries (its fan-in, each weight k taking k entries); a "
                f"neuron has {cams} ({np.count_nonzero(total > cams)} neuron(s) over); "
                "allow='prune_cams' drops the smallest weights' entries")
        index = np.concatenate([np.full(len(q.targets), q.index) for q in incoming])
        position = np.concatenate([np.arange(len(q.targets)) for q in incoming])
        targets = np.concatenate([q.targets for q in incoming])
        k = np.concatenate([entries[q.index] for q in incoming])
        order = np.lexsort((-k, targets))
        k_sorted, t_sorted = k[order], targets[order]
        used = np.cumsum(k_sorted)
        starts = np.searchsorted(t_sorted, t_sorted)  # first synapse of each neuron
        before = np.concatenate([[0], used])[starts]
        within = used - before
        kept = np.clip(k_sorted - np.clip(within - cams, 0, None), 0, None)
        cells.pruned = int((k_sorted - kept).sum())
        cells.pruned_synapses = int(np.count_nonzero((kept == 0) & (k_sorted > 0)))
        k_new = np.empty_like(k)
        k_new[order] = kept
        result = {}
        for q in incoming:
            mine = index == q.index
            result[q.index] = np.empty(len(q.targets), np.int64)
            result[q.index][position[mine]] = k_new[mine]
        return result

    # --- projections -----------------------------------------------------------------

    def projection(self, description, post):
        """`description`'s synapses as CAM entries onto the quantized `post`."""
        ticks = delay_steps(description.delays, self.dt)
        base = post.base_weight[description.receptor_type]
        k = post._entries[description.index]
        wanted = post._magnitude[description.index] / base
        errors = weight_errors(wanted, k, np.zeros(k.size, bool))
        errors.update(delays_off_grid=off_grid(description.delays, ticks, self.dt),
                      delays_clipped=0)
        sign = -1.0 if post.type_of[description.receptor_type] in ("gaba", "shunt") \
            and np.any(np.asarray(description.weights) < 0) else 1.0
        return QuantizedProjection(
            index=description.index, label=description.label, pre=description.pre,
            post=description.post, sources=description.sources, targets=description.targets,
            channel=SYNAPSE_TYPES.index(post.type_of[description.receptor_type]),
            weight=k, delay=np.maximum(ticks - int(post.instant), 0).astype(np.int64),
            chip_per_pynn=np.full(k.size, sign / base), receptor=description.receptor_type,
            errors=errors)
