"""TrueNorth quantization of cells and synapses (each neuron's four weights and the axon
types come later, in layout.py, with the cores and axons they shape).

How a standard cell maps (docs/chips/truenorth.md). TrueNorth's neuron has no
multiplicative decay and no refractory counter, so:
- the exponential leak becomes a constant leak per tick, in the direction of the cell's
  effective rest E = v_rest + i_offset tau_m / cm:
  * E > v_thresh (the cell fires on its own): v is measured from v_reset, the leak is
    upward (leak mode monotonic) and its size makes the free cell's interspike interval
    the exponential's: lambda = (v_thresh - v_reset) dt / (tau_m ln((E - v_reset) /
    (E - v_thresh)));
  * E <= v_thresh: v is measured from E, the leak converges to it (leak reversal) and its
    size makes the relaxation from threshold halfway to rest last the exponential's
    tau_m ln 2: lambda = (v_thresh - E) dt / (2 tau_m ln 2);
- the refractory period becomes a reset below v_reset by refractory_steps * lambda, so the
  leak brings v back to v_reset when NEST's refractory period ends (inputs meanwhile are
  integrated, not dropped); where the leak does not rise at v_reset there is none;
- IF_curr_delta's jump w (mV) is w / v_unit; IF_curr_exp is refused unless the lossy step
  "approximate" is allowed: its PSC becomes a one-tick current carrying the PSC's charge
  (w tau_syn / cm mV), delivered one tick later than a delta synapse's (NEST's first
  effect of an exponential PSC is on the step after its arrival);
- v_unit (mV per unit of v) is the finest unit for which every weight, the leak, the
  threshold, the reset and the initial v fit their formats.
"""

from dataclasses import dataclass, field

import numpy as np

from ....errors import ChipLimitError, MappingError
from ....timegrid import delay_steps, off_grid, refractory_steps
from ...check import out_of_range
from ...contract import QuantizedCells
from ...quantize import QuantizedProjection, Quantizer
from ...report import ParameterRow

NATIVE = "TrueNorthNeuron"
APPROXIMATE = "approximate"  # the lossy step that maps IF_curr_exp (check.LOSSY_STEPS)

# the neuron's integer parameters, in the program's order (native names)
PARAMETERS = ("leak", "leak_reversal", "stochastic_leak", "stochastic_synapses", "threshold",
              "neg_threshold", "threshold_mask_bits", "reset", "reset_mode", "neg_saturate")
RESET_MODES = (0, 1, 2)  # normal, linear, non-reset (Cassidy 2013's gamma)


@dataclass(kw_only=True)
class TrueNorthCells(QuantizedCells):
    """One population's neurons: integer parameters per neuron (PARAMETERS) and v."""

    integers: dict  # name -> per-neuron int64 array
    v_initial: np.ndarray
    # receptor type -> per neuron, the chip weight one unit of PyNN weight makes
    chip_per_unit: dict = field(default_factory=dict)
    extra_delay: int = 0  # ticks added to every synapse onto these cells (1: PSC as pulse)
    lossy_steps: list = field(default_factory=list)

    @property
    def stochastic(self) -> np.ndarray:
        """Per neuron: whether it draws pseudo-random numbers."""
        i = self.integers
        return ((i["stochastic_leak"] > 0) | (i["stochastic_synapses"] > 0)
                | (i["threshold_mask_bits"] > 0))


@dataclass
class TrueNorthProjection(QuantizedProjection):
    """A projection before its weights are laid out: `wanted` chip weights (floats);
    layout.py fills `weight` (each synapse's neuron weight for its axon's type) and the
    weight errors."""

    wanted: np.ndarray = None
    clipped_mask: np.ndarray = None


def _largest_relative_error(want, got):
    want, got = np.broadcast_arrays(np.asarray(want, float), np.asarray(got, float))
    if not want.size:
        return 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        error = np.where(want == got, 0.0, np.abs(got - want) / np.abs(want))
    return float(np.max(error))


class TrueNorthQuantizer(Quantizer):
    """Quantizes a network description's cells and synapses for a TrueNorth chip."""

    # --- populations -------------------------------------------------------------

    def population(self, description, incoming):
        if description.celltype == NATIVE:
            return self._native(description)
        where = f"population '{description.label}'"
        exp = description.celltype == "IF_curr_exp"
        if exp and APPROXIMATE not in self.allowed:
            raise MappingError(
                f"{self.chip.title} cannot run {where}: cell type IF_curr_exp has exponential "
                "synaptic currents and the chip has no synaptic decay (a synapse adds its "
                "weight to v once); allow=['approximate'] maps each PSC as a one-tick current "
                "carrying its charge")
        return self._standard(description, incoming, exp)

    def _standard(self, description, incoming, exp):
        p = {k: np.asarray(v, float) for k, v in description.parameters.items()}
        where = f"population '{description.label}'"
        F, dt, size = self.formats, self.dt, description.size
        theta, r, tau = p["v_thresh"], p["v_reset"], p["tau_m"]
        out_of_range(self.chip, "v_thresh - v_reset (mV, the neuron fires at a threshold "
                     "above its reset)", where, theta - r, 1e-12, np.inf)
        rest = p["v_rest"] + p["i_offset"] * tau / p["cm"]
        tonic = rest > theta
        steps = refractory_steps(p["tau_refrac"], dt)
        with np.errstate(divide="ignore", invalid="ignore"):
            passage = tau * np.log((rest - r) / (rest - theta))  # E > v_thresh only
            up = np.where(tonic, (theta - r) * dt / passage, 0.0)
        halfway = (theta - rest) * dt / (2 * tau * np.log(2.0))  # E <= v_thresh only
        origin = np.where(tonic, r, rest)
        alpha_mV = theta - origin
        leak_mV = np.where(tonic, up, -halfway)
        reset0_mV = r - origin  # 0 when tonic
        rises = tonic | (reset0_mV <= 0)  # the leak rises at v_reset (or v_reset is rest)
        charge = {}
        for receptor in description.receptor_types:
            if exp:
                tau_syn = p["tau_syn_E" if receptor == "excitatory" else "tau_syn_I"]
                charge[receptor] = tau_syn / p["cm"]  # mV per nA: the PSC's charge over cm
            else:
                charge[receptor] = np.ones(size)
        largest = 0.0
        for projection in incoming:
            if len(projection):
                w = projection.weights * charge[projection.receptor_type][projection.targets]
                largest = max(largest, float(np.abs(w).max()))
        v0 = np.asarray(description.initial_values.get("v", p["v_rest"]), float) \
            * np.ones(size)
        reset_mV = reset0_mV - np.where(rises, steps * np.abs(leak_mV), 0.0)
        needs = [largest / F.weight_max, np.abs(leak_mV).max() / F.leak_max,
                 alpha_mV.max() / F.threshold_max,
                 np.abs(reset_mV).max() / min(F.reset_max, -F.reset_min),
                 np.abs(v0 - origin).max() / F.v_max]
        v_unit = max(needs) if max(needs) > 0 else 1.0
        leak = np.rint(leak_mV / v_unit).astype(np.int64)
        reset = np.rint(reset0_mV / v_unit).astype(np.int64) \
            - np.where(rises, steps * np.abs(leak), 0)
        alpha = np.rint(alpha_mV / v_unit).astype(np.int64)
        out_of_range(self.chip, "leak (per tick, chip units)", where, leak, -F.leak_max,
                     F.leak_max)
        out_of_range(self.chip, "threshold alpha (chip units)", where, alpha, 0,
                     F.threshold_max)
        out_of_range(self.chip, "reset (chip units)", where, reset, F.reset_min, F.reset_max)
        integers = {
            "leak": leak, "leak_reversal": (~tonic).astype(np.int64),
            "stochastic_leak": np.zeros(size, np.int64),
            "stochastic_synapses": np.zeros(size, np.int64), "threshold": alpha,
            # v is floored at -neg_threshold: the furthest the format allows
            "neg_threshold": np.full(size, F.threshold_max, np.int64),
            "threshold_mask_bits": np.zeros(size, np.int64), "reset": reset,
            "reset_mode": np.zeros(size, np.int64), "neg_saturate": np.ones(size, np.int64)}
        v_initial = np.clip(np.rint((v0 - origin) / v_unit), F.v_min, F.v_max).astype(np.int64)
        cells = TrueNorthCells(
            index=description.index, label=description.label, size=size, v_origin=origin,
            v_unit=float(v_unit), integers=integers, v_initial=v_initial,
            chip_per_unit={k: c / v_unit for k, c in charge.items()}, extra_delay=int(exp))
        self._describe(cells, description, p, rest, tonic, rises, steps, leak_mV, exp)
        return cells

    def _describe(self, cells, description, p, rest, tonic, rises, steps, leak_mV, exp):
        dt, v_unit = self.dt, cells.v_unit
        i = cells.integers
        leak_got = i["leak"] * v_unit
        theta, r, tau = p["v_thresh"], p["v_reset"], p["tau_m"]
        with np.errstate(divide="ignore", invalid="ignore"):
            tau_tonic = (theta - r) * dt / (leak_got * np.log((rest - r) / (rest - theta)))
            tau_rest = (theta - rest) * dt / (2 * np.log(2.0) * np.abs(leak_got))
        tau_got = np.where(tonic, tau_tonic, tau_rest)
        tau_got = np.where(np.isfinite(tau_got), tau_got, np.inf)
        refractory_got = np.where(rises & (i["leak"] != 0), steps * dt, 0.0)
        rows = [("tau_m (as a constant leak)", tau, tau_got, "ms"),
                ("leak", leak_mV / dt, leak_got / dt, "mV/ms"),
                ("v_thresh", theta, cells.v_origin + i["threshold"] * v_unit, "mV"),
                ("tau_refrac (as a deeper reset)", p["tau_refrac"], refractory_got, "ms")]
        cells.parameters = [ParameterRow(name=name, unit=unit, requested=float(np.mean(want)),
                                         effective=float(np.mean(got)),
                                         max_relative_error=_largest_relative_error(want, got))
                            for name, want, got, unit in rows]
        notes = [
            "the exponential leak is a constant leak per tick toward rest (TrueNorth has no "
            "multiplicative decay): for cells resting above threshold its size keeps the "
            "free cell's interspike interval, otherwise the time to relax halfway to rest",
            "no refractory counter on the chip: the reset lies refractory_steps leaks below "
            "v_reset, so the leak brings v back when NEST's refractory period ends; inputs "
            "in that time are integrated, not dropped",
            "v is measured from %s in units of %.4g mV" % (
                "v_reset" if tonic.all() else "rest" if not tonic.any()
                else "v_reset (cells above threshold at rest) or rest", v_unit),
        ]
        if not rises.all():
            notes.append("cells whose v_reset lies above rest keep no refractory period")
        if exp:
            notes.append("exponential PSCs are one-tick currents carrying their charge "
                         "(w tau_syn / cm), one tick after a delta synapse's (allowed: "
                         f"{APPROXIMATE})")
            cells.lossy_steps.append(
                f"{APPROXIMATE}: population '{description.label}' (IF_curr_exp): each PSC "
                "as a one-tick current carrying its charge")
        cells.approximations = notes

    def _native(self, description):
        p = {k: np.asarray(v, float) for k, v in description.parameters.items()}
        where = f"population '{description.label}'"
        F = self.formats
        ranges = {"leak": (-F.leak_max, F.leak_max), "leak_reversal": (0, 1),
                  "stochastic_leak": (0, 1), "stochastic_synapses": (0, 1),
                  "threshold": (0, F.threshold_max), "neg_threshold": (0, F.threshold_max),
                  "threshold_mask_bits": (0, F.threshold_mask_bits_max),
                  "reset": (F.reset_min, F.reset_max),
                  "reset_mode": (min(RESET_MODES), max(RESET_MODES)), "neg_saturate": (0, 1)}
        v0 = np.asarray(description.initial_values.get("v", 0.0), float) \
            * np.ones(description.size)
        for name, values, (low, high) in [(n, p[n], ranges[n]) for n in PARAMETERS] \
                + [("initial v", v0, (F.v_min, F.v_max))]:
            out_of_range(self.chip, name, where, values, low, high)
            if not np.array_equal(values, np.rint(values)):
                raise ChipLimitError(
                    f"{self.chip.title}: {name} of {where} must be an integer; it is "
                    f"{values[values != np.rint(values)][0]:g}")
        ones = {r: np.ones(description.size) for r in description.receptor_types}
        return TrueNorthCells(
            index=description.index, label=description.label, size=description.size,
            v_origin=np.zeros(description.size), v_unit=1.0, native=True,
            integers={n: p[n].astype(np.int64) for n in PARAMETERS},
            v_initial=v0.astype(np.int64), chip_per_unit=ones,
            approximations=["native type: the chip's own integer parameters, no conversion"])

    # --- projections -------------------------------------------------------------

    def projection(self, description, post: TrueNorthCells):
        """`description`'s synapses as wanted chip weights and delays in ticks; the
        weights a neuron can hold are decided when the axons are laid out."""
        where = f"projection '{description.label}'"
        F = self.formats
        ticks = delay_steps(description.delays, self.dt)
        delay = ticks + post.extra_delay
        clipped_delays = out_of_range(
            self.chip, "delay (ticks; one more onto IF_curr_exp)", where, delay, F.delay_min,
            F.delay_max, "clip_delays", self.allowed, requested=description.delays)
        delay = np.clip(delay, F.delay_min, F.delay_max)
        per_unit = post.chip_per_unit[description.receptor_type][description.targets]
        wanted = description.weights * per_unit
        # the largest weight sets v_unit: it lands on the limit but for rounding
        edge = np.isclose(np.abs(wanted), F.weight_max, rtol=1e-9, atol=0.0)
        wanted = np.where(edge, np.sign(wanted) * F.weight_max, wanted)
        clipped = out_of_range(self.chip, "weight (chip units)", where, wanted, -F.weight_max,
                               F.weight_max, "clip_weights", self.allowed)
        wanted = np.clip(wanted, -F.weight_max, F.weight_max)
        if post.native and not np.array_equal(wanted, np.rint(wanted)):
            raise ChipLimitError(
                f"{self.chip.title}: weights of {where} onto a native TrueNorthNeuron are the "
                f"chip's integer weights; {wanted[wanted != np.rint(wanted)][0]:g} is not one")
        errors = dict(delays_off_grid=off_grid(description.delays, ticks, self.dt),
                      delays_clipped=int(np.count_nonzero(clipped_delays)))
        return TrueNorthProjection(
            index=description.index, label=description.label, pre=description.pre,
            post=description.post, sources=description.sources, targets=description.targets,
            channel=0, weight=np.zeros(len(description), np.int64), delay=delay,
            chip_per_pynn=per_unit, receptor=description.receptor_type, errors=errors,
            wanted=wanted, clipped_mask=clipped)
