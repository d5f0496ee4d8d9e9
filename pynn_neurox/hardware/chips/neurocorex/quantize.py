"""NeuroCoreX quantization: IF_curr_delta cells as the board's neurons, weights as int8.

The board's neuron (docs/chips/neurocorex_emulator.md) adds its inputs to V, subtracts
one board-wide constant leak per tick with no floor at rest, and fires when V, before
this tick's input, reaches its threshold; V resets to 0. So:
- v is measured from v_reset in units of `v_unit` mV, one unit being 1.0 in Q7.10;
  `v_unit` is one value for the board (the FF gain is one value), the smallest for
  which every threshold plus the largest input stays within the largest w * gain (127)
  and every weight fits int8 with gain 1;
- a weight w (mV) becomes round(w / v_unit); thresholds round((v_thresh - v_reset) /
  v_unit * 1024) in Q7.10;
- the exponential leak cannot be represented (a constant leak drives a silent neuron
  below rest until V wraps), so it is dropped: the report lists it;
- tref = the refractory steps (timegrid.py); the board integrates while refractory and needs at
  least max(tref, 1) + 1 ticks between spikes.
"""

from dataclasses import dataclass

import numpy as np

from ....errors import ChipLimitError, MappingError
from ....timegrid import delay_steps, off_grid, refractory_steps
from ...check import out_of_range
from ...contract import QuantizedCells
from ...quantize import QuantizedProjection, Quantizer, weight_errors
from ...report import ParameterRow


@dataclass(kw_only=True)
class BoardNeurons(QuantizedCells):
    """One population as board neurons: raw thresholds and refractory settings."""

    threshold: np.ndarray  # raw Q7.10
    tref: np.ndarray


class NeuroCoreXQuantizer(Quantizer):
    """Quantizes a network description for the board."""

    def __init__(self, kind, network, allowed):
        super().__init__(kind, network, allowed)
        self.one = 2 ** self.formats.v_fraction_bits  # 1.0 in Q7.10

    def board_scale(self, cells, incoming):
        """v_unit (mV per 1.0): every threshold plus the largest weight below 128, every
        weight within int8 (the gain is 1 for standard cells)."""
        needed = 0.0
        for description in cells:
            p = description.parameters
            distance = np.asarray(p["v_thresh"], float) - np.asarray(p["v_reset"], float)
            largest = max((np.abs(d.weights).max() for d in incoming[description.index]
                           if len(d)), default=0.0)
            needed = max(needed, distance.max() + largest)
        return needed / float(self.formats.weight_gain_max) if needed > 0 else 1.0

    def neurons(self, description, v_unit, incoming):
        where = f"population '{description.label}'"
        if description.celltype == "NeuroCoreXNeuron":
            return self._native(description, where)
        p = {k: np.asarray(v, float) for k, v in description.parameters.items()}
        distance = p["v_thresh"] - p["v_reset"]
        out_of_range(self.chip, "v_thresh - v_reset (mV; the board resets to 0 and fires "
                     "at a positive threshold)", where, distance, 1e-12, np.inf)
        out_of_range(self.chip, "i_offset (nA; the board has no per-neuron bias current)",
                     where, p["i_offset"], 0.0, 0.0)
        threshold = np.rint(distance / v_unit * self.one).astype(np.int64)
        tref = refractory_steps(p["tau_refrac"], self.dt)
        out_of_range(self.chip, "tref (ticks: the refractory steps)", where, tref, 0,
                     2 ** (self.formats.v_bits - 1) - 1, requested=p["tau_refrac"])
        v0 = np.asarray(description.initial_values.get("v", p["v_reset"]), float)
        neurons = BoardNeurons(index=description.index, label=description.label,
                               size=description.size, threshold=threshold, tref=tref,
                               v_origin=p["v_reset"], v_unit=v_unit, raw_per_unit=self.one)
        neurons.parameters = [
            ParameterRow(name="v_thresh", unit="mV", requested=float(p["v_thresh"].mean()),
                 effective=float((p["v_reset"] + threshold / self.one * v_unit).mean()),
                 max_relative_error=float(np.max(np.abs(threshold / self.one * v_unit
                                                        - distance) / distance))),
            ParameterRow(name="tau_m", unit="ms", requested=float(p["tau_m"].mean()),
                 effective=float("inf"), max_relative_error=float("inf")),
            ParameterRow(name="tau_refrac", unit="ms", requested=float(p["tau_refrac"].mean()),
                 effective=float((tref * self.dt).mean()),
                 max_relative_error=float(np.max(np.abs(tref * self.dt - p["tau_refrac"])
                                                 / np.maximum(p["tau_refrac"], 1e-12)))),
        ]
        neurons.approximations = [
            "the membrane does not leak: the board's leak is one constant subtracted every "
            "tick with no floor at rest, which would drive silent cells down until V wraps",
            "V is tested against the threshold before this tick's input, so a spike comes "
            "one tick after the input that causes it",
            "V keeps integrating while refractory; at least max(tref, 1) + 1 ticks between "
            "spikes",
            f"v is measured from v_reset in units of {v_unit:.4g} mV (1.0 in Q7.10)",
        ]
        if not np.allclose(v0, p["v_reset"]):
            neurons.approximations.append(
                "initial v ignored: the board starts every V at 0 (= v_reset)")
        return neurons

    def _native(self, description, where):
        p = {k: np.asarray(v) for k, v in description.parameters.items()}
        v_max = 2 ** (self.formats.v_bits - 1) - 1
        for name, low, high in (("vth", -v_max - 1, v_max), ("tref", 0, v_max),
                                ("leak", -v_max - 1, v_max),
                                ("ff_gain", 0, self.formats.ff_gain_max)):
            out_of_range(self.chip, name, where, p[name], low, high)
        return BoardNeurons(index=description.index, label=description.label,
                            size=description.size, threshold=p["vth"].astype(np.int64),
                            tref=p["tref"].astype(np.int64), v_origin=np.zeros(description.size),
                            v_unit=1.0, native=True,
                            approximations=["native type: the board's own raw values"])

    def projection(self, description, post):
        """Input weights as int8 (gain 1 for standard cells, the native gain otherwise)."""
        where = f"projection '{description.label}'"
        wanted = description.weights / post.v_unit
        if post.native:
            weight = np.rint(wanted)
            if not np.array_equal(weight, wanted):
                raise ChipLimitError(f"{self.chip.title}: weights of {where} onto a native "
                                 "NeuroCoreXNeuron are the board's int8 weights; "
                                 f"{wanted[weight != wanted][0]:g} is not an integer")
        else:
            weight = np.rint(wanted)
        # |w * gain| above 127 wraps on the board (-128 included): standard cells keep
        # within it; native cells get the board as it is
        F = self.formats
        low, high = ((F.weight_min, F.weight_max) if post.native else
                     (-F.weight_gain_max, F.weight_gain_max))
        clipped = out_of_range(self.chip, "weight (int8)", where, weight, low, high,
                               "clip_weights", self.allowed)
        weight = np.clip(weight, low, high).astype(np.int64)
        delay = delay_steps(description.delays, self.dt)
        errors_ = weight_errors(wanted, weight, clipped)
        errors_.update(delays_off_grid=off_grid(description.delays, delay, self.dt),
                       delays_clipped=0, weight_exponent=0)
        return QuantizedProjection(
            index=description.index, label=description.label, pre=description.pre,
            post=description.post, sources=description.sources, targets=description.targets,
            channel=0, weight=weight, delay=delay,
            chip_per_pynn=np.full(len(description), 1.0 / post.v_unit),
            receptor=description.receptor_type, errors=errors_)

    def learning(self, description):
        """The board's box-window rule for a plastic projection: windows of round(tau/dt)
        ticks and steps of round(A w_max) weight units (the weights are the board's
        int8), as the four board-wide bytes, with the report's rows and notes."""
        where = f"projection '{description.label}'"
        synapse = description.synapse
        if len(description) and self.network.populations[description.pre].is_source:
            raise MappingError(
                f"{self.chip.title} cannot run {where}: learning on the input path is not "
                "emulated (the board's FF learning passes race each other at 100 MHz and "
                "write transposed or wrong-row weights, docs/chips/neurocorex_emulator.md)")
        timing, weights = synapse.timing_parameters, synapse.weight_parameters
        values = {}
        for name, source, scale in (("tpre_aa_max", timing["tau_plus"], 1 / self.dt),
                                    ("tpost_aa_max", timing["tau_minus"], 1 / self.dt),
                                    ("dw_pos", timing["A_plus"] * weights["w_max"], 1.0),
                                    ("dw_neg", timing["A_minus"] * weights["w_max"], 1.0)):
            value = np.unique(np.rint(np.asarray(source, float) * scale))
            if value.size > 1:
                raise MappingError(
                    f"{self.chip.title} cannot run {where}: {name} is one value for the "
                    "board, and the projection's differs between connections")
            out_of_range(self.chip, name, where, value, 1 if name.startswith("t") else 0, 127)
            values[name] = int(value[0])
        rows = [ParameterRow(name=name, unit=unit, requested=float(np.mean(want)),
                     effective=float(got), max_relative_error=float(
                         abs(got - np.mean(want)) / max(abs(np.mean(want)), 1e-12)))
                for name, want, got, unit in (
                    ("tau_plus", timing["tau_plus"], values["tpre_aa_max"] * self.dt, "ms"),
                    ("tau_minus", timing["tau_minus"], values["tpost_aa_max"] * self.dt, "ms"),
                    ("A_plus w_max", np.asarray(timing["A_plus"]) * weights["w_max"],
                     values["dw_pos"], "int8"),
                    ("A_minus w_max", np.asarray(timing["A_minus"]) * weights["w_max"],
                     values["dw_neg"], "int8"))]
        notes = ["the board's rule: a box window instead of the exponential one, the whole "
                 "step inside it, nothing outside; its edges move by a tick with the order "
                 "of the two neurons on the board",
                 "weights are clamped to [-1, 127] (the board's bounds; w_min and w_max only "
                 "set the step), and a clamp at 127 wraps as the board's 8-bit sum does"]
        return values, rows, notes

    def refuse_recurrent(self, description, pre, post):
        if not (pre.native and post.native):
            raise MappingError(
                f"{self.chip.title} cannot run projection '{description.label}': the board's "
                "recurrent path keeps a current that never decays and is shared between "
                "neurons (docs/chips/neurocorex_emulator.md), which no PyNN synapse is; "
                "only native NeuroCoreXNeuron populations use it")
