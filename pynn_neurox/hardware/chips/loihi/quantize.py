"""Loihi quantization: PyNN's current-based LIF cells as compartments, weights as
mantissa and exponent (hardware_facts.md §2).

How a cell maps (v is measured from v_reset, in units of `v_unit` mV, so the chip's
reset to 0 is exact):
- decay_v = round(D (1 - exp(-dt/tau_m))); decay_u = round(D - 1 - D exp(-dt/tau_syn))
  with D = 2**decay_bits (the current decays with offset 1); the report gives the time
  constants these decays really have beside the requested ones. A time constant whose
  decay the format cannot express within DECAY_TOLERANCE (a decay that rounds to zero is
  no decay at all, tau_syn well below dt rounds to an instant PSC) is refused, unless the
  user allows the lossy step 'approximate', which the report then lists;
- the resting potential and i_offset become the bias, chosen so that v settles where
  the cell would;
- a weight w (nA) becomes tau_syn (1 - r_u) w / (cm v_unit): each PSC carries the charge
  it carries in continuous time; IF_curr_delta's jump w (mV) becomes w / v_unit;
- tau_syn_E != tau_syn_I needs a second compartment per neuron whose current joins the
  soma's input (one current decay per compartment);
- refractory: NEST holds v for refractory_steps(tau_refrac) ticks after the spike
  (timegrid.py), Loihi for refract_delay - 1, so refract_delay = those steps + 1;
- delays: a spike of tick k (time (k + 1) dt) enters its targets' input in tick
  k + 1 + the chip's delay and acts on v in that tick; on the software target a
  neuron's spike at time s dt through a delay of D ticks acts on v in the step that
  starts at (s + D - 1) dt, so the chip's delay is D - 1. A spike source's spike at
  s dt is sent in tick s - 1, like a neuron's of the same time (so STDP pairs it as
  NEST does), but acts on v in software one step later than a neuron's would: its
  synapses get the chip delay D.
`v_unit` is chosen per population: the largest threshold mantissa (finest v) for which
every bias and incoming weight still fits the chip's formats, and all of a neuron's
synapses firing in one tick would not wrap its input.
"""

from dataclasses import dataclass, field

import numpy as np

from ....errors import ChipLimitError, MappingError
from ....timegrid import delay_steps, off_grid, refractory_steps
from ...check import out_of_range
from ...contract import QuantizedCells
from ...quantize import QuantizedProjection, Quantizer, weight_errors
from ...report import ParameterRow
from .formats import LoihiFormats
from .learning_rule import learning_rule

# the search for v_unit starts at this threshold mantissa and halves it down to the last
_THRESHOLD_MANTISSA_START = 2 ** 14
_THRESHOLD_MANTISSA_MIN = 2 ** 4

# the largest relative error of a time constant the decays may make without allow=
# ['approximate']: at dt 0.1 ms, tau_m up to about 80 ms always fits, 20 ms within 2.4 %
DECAY_TOLERANCE = 0.1
APPROXIMATE = "approximate"  # the lossy step that takes a decay beyond it (check.LOSSY_STEPS)


@dataclass(kw_only=True)
class QuantizedPopulation(QuantizedCells):
    """One population as compartments: integer parameters per neuron."""

    channel_of: dict  # receptor type -> input channel
    decay_u: np.ndarray  # channels x size
    decay_v: np.ndarray
    threshold: np.ndarray  # the chip's vth = mantissa * 2**threshold_exponent
    bias: np.ndarray  # mantissa * 2**exponent
    refractory: np.ndarray  # refract_delay
    v_initial: np.ndarray
    vmin: int
    vmax: int
    # receptor type -> per neuron, the chip input one unit of PyNN weight makes
    input_per_unit: dict = field(default_factory=dict)
    # inputs act on v in the step they arrive in (delta synapses, the native type)
    instant: bool = False


def decay_v(tau, dt, formats: LoihiFormats):
    one = formats.decay_one
    return np.clip(np.rint(float(one) * -np.expm1(-dt / tau)), 0,
                   formats.decay_max).astype(np.int64)


def decay_u(tau, dt, formats: LoihiFormats):
    one = formats.decay_one
    return np.clip(np.rint(float(one - formats.current_decay_offset) - one * np.exp(-dt / tau)),
                   0, formats.decay_max).astype(np.int64)


def effective_tau(factor, dt):
    """The time constant a per-tick decay factor amounts to: infinite for no decay (a
    factor of 1), zero for a factor of 0."""
    factor = np.asarray(factor, float)
    inside = (factor > 0) & (factor < 1)
    tau = -dt / np.log(np.where(inside, factor, 0.5))
    return np.where(inside, tau, np.where(factor >= 1, np.inf, 0.0))


def _largest_relative_error(want, got):
    if not np.size(want):
        return 0.0
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-12)))


def _mantissa_exponent(values, mantissa_max, exponent_max):
    """Smallest exponent with |values| <= mantissa_max * 2**exponent, and the mantissas."""
    largest = np.abs(values).max() if np.size(values) else 0.0
    exponent = 0
    while exponent < exponent_max and largest > mantissa_max * 2 ** exponent:
        exponent += 1
    mantissa = np.clip(np.rint(values / 2 ** exponent), -mantissa_max, mantissa_max)
    return mantissa.astype(np.int64), exponent


class LoihiQuantizer(Quantizer):
    """Quantizes a network description for a chip of the Loihi kind."""

    # --- populations -------------------------------------------------------------

    def population(self, description, incoming):
        """The compartments of `description`; `incoming` are the projections into it."""
        if description.celltype == "LoihiCompartment":
            return self._native(description)
        p = {k: np.asarray(v, float) for k, v in description.parameters.items()}
        where = f"population '{description.label}'"
        delta = description.celltype == "IF_curr_delta"
        distance = p["v_thresh"] - p["v_reset"]
        out_of_range(self.chip, "v_thresh - v_reset (mV, the chip resets to 0 and fires "
                     "above a positive threshold)", where, distance, 1e-12, np.inf)
        F = self.formats
        refractory = refractory_steps(p["tau_refrac"], self.dt) + 1
        out_of_range(self.chip, "refract_delay (ticks: the refractory steps + 1, from "
                     f"tau_refrac up to {np.max(p['tau_refrac']):g} ms)", where,
                     refractory, 1, F.refractory_max)
        dv = decay_v(p["tau_m"], self.dt, F)
        one = float(F.decay_one)
        r_v = (F.decay_one - dv) / one
        if delta:
            taus = {}
            du = np.full((1, description.size), F.decay_max)
            channel_of = {r: 0 for r in description.receptor_types}
        elif np.allclose(p["tau_syn_E"], p["tau_syn_I"]):
            taus = {"tau_syn_E": p["tau_syn_E"], "tau_syn_I": p["tau_syn_I"]}
            du = decay_u(p["tau_syn_E"], self.dt, F)[np.newaxis]
            channel_of = {"excitatory": 0, "inhibitory": 0}
        else:
            taus = {"tau_syn_E": p["tau_syn_E"], "tau_syn_I": p["tau_syn_I"]}
            du = np.vstack([decay_u(p["tau_syn_E"], self.dt, F),
                            decay_u(p["tau_syn_I"], self.dt, F)])
            channel_of = {"excitatory": 0, "inhibitory": 1}
        r_u = (F.decay_one - F.current_decay_offset - du) / one
        self._check_decays(description, where, p["tau_m"], r_v, r_u, taus)
        # what one unit of weight adds to the compartment's input, per mV of v
        charge = {}
        for receptor, channel in channel_of.items():
            if delta:
                charge[receptor] = np.ones(description.size)
            else:
                tau = taus["tau_syn_E" if receptor == "excitatory" else "tau_syn_I"]
                charge[receptor] = tau * (1 - r_u[channel]) / p["cm"]
        drive = (1 - r_v) * ((p["v_rest"] - p["v_reset"]) + p["i_offset"] * p["tau_m"] / p["cm"])
        self._channel_of = channel_of
        mantissa = _THRESHOLD_MANTISSA_START
        while True:
            v_unit = distance.max() / (mantissa * 2 ** F.threshold_exponent)
            fits = self._fits(drive / v_unit, incoming, charge, v_unit, description)
            if fits or mantissa <= _THRESHOLD_MANTISSA_MIN:
                break
            mantissa //= 2
        threshold_mantissa = np.rint(distance / v_unit / 2 ** F.threshold_exponent
                                     ).astype(np.int64)
        bias_values = drive / v_unit
        bias_mantissa, bias_exponent = _mantissa_exponent(
            bias_values, F.bias_mantissa_max, F.bias_exponent_max)
        cell = int(np.argmax(np.abs(bias_values))) if description.size else 0
        out_of_range(self.chip, "bias (chip units, from i_offset = {:g} nA, v_rest = {:g} mV "
                     "and v_reset = {:g} mV of cell {})".format(
                         p["i_offset"][cell], p["v_rest"][cell], p["v_reset"][cell], cell),
                     where, bias_values, -F.bias_mantissa_max * 2 ** bias_exponent,
                     F.bias_mantissa_max * 2 ** bias_exponent)
        vmin, vmax = F.vmin, F.vmax
        v0 = np.asarray(description.initial_values.get("v", p["v_rest"]), float)
        v_initial = np.clip(np.rint((v0 - p["v_reset"]) / v_unit), vmin, vmax).astype(np.int64)
        quantized = QuantizedPopulation(
            index=description.index, label=description.label, size=description.size,
            channel_of=channel_of, decay_u=du, decay_v=dv,
            threshold=threshold_mantissa * 2 ** F.threshold_exponent,
            bias=bias_mantissa * 2 ** bias_exponent, refractory=refractory,
            v_initial=v_initial, v_unit=float(v_unit), v_origin=p["v_reset"],
            vmin=vmin, vmax=vmax, compartments_per_neuron=du.shape[0],
            input_per_unit={r: c / v_unit for r, c in charge.items()}, instant=delta)
        self._describe(quantized, description, p, r_v, r_u, taus, distance, bias_values)
        return quantized

    def _check_decays(self, description, where, tau_m, r_v, r_u, taus):
        """Refuse a time constant the decays miss by more than DECAY_TOLERANCE, unless
        'approximate' is allowed (then one lossy line per population says which)."""
        channel = {"tau_syn_E": 0, "tau_syn_I": r_u.shape[0] - 1}
        missed = []
        for name, want, got in [("tau_m", tau_m, effective_tau(r_v, self.dt))] + [
                (name, tau, effective_tau(r_u[channel[name]], self.dt))
                for name, tau in taus.items()]:
            with np.errstate(invalid="ignore"):
                error = np.where(np.isfinite(got), np.abs(got - want) / want, np.inf)
            if (error > DECAY_TOLERANCE).any():
                worst = int(np.argmax(error))
                missed.append((name, float(want[worst]), float(got[worst])))
        if not missed:
            return
        text = "; ".join(f"{name} = {want:g} ms decays as {got:g} ms" for name, want, got
                         in missed)
        if APPROXIMATE not in self.allowed:
            raise ChipLimitError(
                f"{self.chip.title}: population '{description.label}': {text} at a "
                f"{self.dt:g} ms tick ({self.formats.decay_bits}-bit decays), beyond the "
                f"{DECAY_TOLERANCE:.0%} tolerance; allow={APPROXIMATE!r} runs it so")
        self.lossy.append(f"{APPROXIMATE}: {where}: {text}")

    def _fits(self, bias, incoming, charge, v_unit, description):
        """Whether the bias fits its format, every weight fits with some exponent, and the
        input of all of a neuron's synapses at once fits the input accumulator."""
        F = self.formats
        limit = F.bias_mantissa_max * 2 ** F.bias_exponent_max
        if np.size(bias) and np.abs(bias).max() > limit:
            return False
        largest = F.weight_mantissa_max * 2 ** (F.weight_exponent_offset + F.weight_exponent_max)
        fan_in = {}
        for projection in incoming:
            if not len(projection):
                continue
            factor = charge[projection.receptor_type][projection.targets] / v_unit
            q = np.abs(projection.weights * factor)
            if projection.synapse.kind == "STDPMechanism":  # weights may grow to a bound
                for bound in ("w_min", "w_max"):
                    q = np.maximum(q, np.abs(projection.synapse.weight_parameters[bound]
                                             * factor))
            if q.max() > largest:
                return False
            channel = self._channel_of[projection.receptor_type]
            fan_in[channel] = fan_in.get(channel, 0) + np.bincount(
                projection.targets, q, minlength=description.size)
        return all(total.max() < 2 ** F.input_bits for total in fan_in.values())

    def _describe(self, q, description, p, r_v, r_u, taus, distance, bias_values):
        dt = self.dt
        rows = [("tau_m", p["tau_m"], effective_tau(r_v, dt), "ms")]
        for k, (name, tau) in enumerate(taus.items()):
            channel = q.channel_of["excitatory" if name == "tau_syn_E" else "inhibitory"]
            rows.append((name, tau, effective_tau(r_u[channel], dt), "ms"))
        rows.append(("v_thresh", p["v_thresh"], p["v_reset"] + q.threshold * q.v_unit, "mV"))
        rows.append(("tau_refrac", p["tau_refrac"], (q.refractory - 1) * dt, "ms"))
        rows.append(("bias (v_rest, i_offset)", bias_values * q.v_unit, q.bias * q.v_unit,
                     "mV/tick"))
        q.parameters = [ParameterRow(name=name, unit=unit, requested=float(np.mean(want)),
                                     effective=float(np.mean(got)),
                                     max_relative_error=_largest_relative_error(want, got))
                        for name, want, got, unit in rows]
        q.approximations = [
            "v is measured from v_reset in units of %.3g uV; the chip fires when v exceeds "
            "its threshold (PyNN: reaches it)" % (q.v_unit * 1000),
            f"the membrane decays by a {self.formats.decay_bits}-bit factor per tick, rounded "
            "toward zero",
        ]
        if description.celltype == "IF_curr_exp":
            q.approximations.append(
                f"exponential PSCs decay by a {self.formats.decay_bits}-bit factor per tick; "
                "weights scaled so that "
                "each PSC carries the charge it has in continuous time")
            if q.compartments_per_neuron == 2:
                q.approximations.append(
                    "tau_syn_E != tau_syn_I: a second compartment per neuron holds the "
                    "inhibitory current, which joins the soma's input each tick")

    def _native(self, description):
        p = {k: np.asarray(v) for k, v in description.parameters.items()}
        where = f"population '{description.label}'"
        F = self.formats
        for name, high in (("decay_u", F.decay_max), ("decay_v", F.decay_max),
                           ("vth_mant", F.threshold_mantissa_max),
                           ("bias_mant", F.bias_mantissa_max),
                           ("bias_exp", F.bias_exponent_max),
                           ("refract_delay", F.refractory_max)):
            low = -high if name == "bias_mant" else (1 if name == "refract_delay" else 0)
            out_of_range(self.chip, name, where, p[name], low, high)
            if not np.array_equal(p[name], np.rint(p[name])):
                raise ChipLimitError(f"{self.chip.title}: {name} of {where} must be an "
                                     f"integer; it is {p[name][p[name] != np.rint(p[name])][0]:g}")
        v0 = np.asarray(description.initial_values.get("v", np.zeros(description.size)))
        return QuantizedPopulation(
            index=description.index, label=description.label, size=description.size,
            channel_of={r: 0 for r in description.receptor_types},
            decay_u=p["decay_u"].astype(np.int64)[np.newaxis],
            decay_v=p["decay_v"].astype(np.int64),
            threshold=p["vth_mant"].astype(np.int64) * 2 ** F.threshold_exponent,
            bias=p["bias_mant"].astype(np.int64) * 2 ** p["bias_exp"].astype(np.int64),
            refractory=p["refract_delay"].astype(np.int64),
            v_initial=np.rint(v0).astype(np.int64), v_unit=1.0,
            v_origin=np.zeros(description.size), vmin=F.vmin, vmax=F.vmax,
            input_per_unit={r: np.ones(description.size) for r in description.receptor_types},
            native=True, instant=True,
            approximations=["native type: the chip's own integer parameters, no conversion"])

    # --- projections -------------------------------------------------------------

    def projection(self, description, post):
        """`description`'s synapses in the chip's weight format, onto the quantized `post`."""
        where = f"projection '{description.label}'"
        F = self.formats
        ticks = delay_steps(description.delays, self.dt)
        delay = ticks - int(post.instant)
        clipped_delays = out_of_range(
            self.chip, "chip delay (ticks: the delay in ticks, less one onto delta synapses)",
            where, delay, 0, F.delay_max, "clip_delays", self.allowed,
            requested=description.delays)
        delay = np.clip(delay, 0, F.delay_max)
        per_unit = post.input_per_unit[description.receptor_type]
        wanted = description.weights * per_unit[description.targets]
        # an empty projection has nothing to learn
        plastic = description.synapse.kind == "STDPMechanism" and len(description) > 0
        if plastic:  # the weights' format must also hold the rule's bounds
            factor = self._one_factor(per_unit, description.targets, where)
            bounds = factor * np.concatenate([np.ravel(description.synapse.weight_parameters[b])
                                              for b in ("w_min", "w_max")])
        worst = int(np.argmax(np.abs(wanted))) if wanted.size else 0
        what = ("weight (chip input units, from the weight {:g} onto cell {} of '{}')".format(
            description.weights[worst], description.targets[worst],
            post.label) if wanted.size else "weight (chip input units)")
        weight, exponent, clipped, mantissa = self._weights(
            wanted, where, what, *((bounds, F.weight_exponent_min) if plastic else ()))
        shift = F.weight_exponent_offset + exponent
        if post.native and not np.array_equal(weight, wanted):
            raise ChipLimitError(
                f"{self.chip.title}: weights of {where} onto a native LoihiCompartment must be "
                f"mantissa * 2**({F.weight_exponent_offset} + exponent) with one exponent for "
                f"the projection; e.g. {wanted[weight != wanted][0]:g} is not")
        errors = weight_errors(wanted, weight, clipped)
        errors.update(delays_off_grid=off_grid(description.delays, ticks, self.dt),
                      delays_clipped=int(np.count_nonzero(clipped_delays)),
                      weight_exponent=exponent)
        rule = report = None
        if plastic:
            rule, report = learning_rule(self.chip, F, description, self.dt,
                                         factor / 2.0 ** shift, shift,
                                         self._sign_mode(wanted, bounds), delay)
        return QuantizedProjection(
            index=description.index, label=description.label, pre=description.pre,
            post=description.post, sources=description.sources, targets=description.targets,
            channel=post.channel_of[description.receptor_type], weight=weight, delay=delay,
            chip_per_pynn=per_unit[description.targets], receptor=description.receptor_type,
            exponent=exponent, errors=errors,
            learning=rule, learning_report=report, mantissa=mantissa if plastic else None)

    def _one_factor(self, per_unit, targets, where):
        """The chip input per PyNN weight unit, which a learning rule needs the same for
        every target (its constants are per projection)."""
        factors = np.unique(per_unit[targets] if targets.size else per_unit[:1])
        if factors.size > 1 and np.ptp(factors) > 1e-9 * np.abs(factors).max():
            raise MappingError(
                f"{self.chip.title} cannot run {where}: its target cells turn a weight into "
                "different chip inputs (their tau_syn, cm or v_unit differ), and the chip's "
                "learning rule has one set of constants per projection")
        return float(factors[0])

    def _sign_mode(self, wanted, bounds=()):
        """The mantissa range: PyNN gives a projection weights of one sign, so the chip's
        single-sign modes."""
        negative = (wanted < 0).any() or (np.asarray(bounds) < 0).any()
        top = self.formats.weight_mantissa_max
        return (-top - 1, 0) if negative else (0, top)

    def _weights(self, wanted, where, what, bounds=(), lowest=0):
        """Mantissas (8 bits) with the smallest exponent from `lowest` that holds the
        weights and the learning rule's `bounds`; the chip adds floor(mantissa *
        2**(offset + exponent) / 64) * 64 (brian2-loihi's actual weight, offset 6).
        Exponents below 0 do
        not make that finer, but give learning finer mantissa steps: plastic projections
        start from the chip's lowest, with mantissas that are whole multiples of 64."""
        low, high = self._sign_mode(wanted, bounds)
        largest = max(np.abs(wanted).max() if wanted.size else 0.0,
                      np.abs(bounds).max() if np.size(bounds) else 0.0)
        F = self.formats
        exponent = lowest
        while (exponent < F.weight_exponent_max
               and largest > max(high, -low) * 2 ** (F.weight_exponent_offset + exponent)):
            exponent += 1
        scale = 2.0 ** (F.weight_exponent_offset + exponent)
        granule = 2.0 ** F.weight_floor_bits
        step = max(scale, granule)
        mantissa = np.rint(wanted / step) * (step / scale)
        clipped = out_of_range(self.chip, what, where, mantissa * scale,
                               low * scale, high * scale, "clip_weights", self.allowed)
        mantissa = np.clip(mantissa, low, high).astype(np.int64)
        limit = F.weight_limit
        weight = np.clip(np.floor(mantissa * scale / granule) * granule, -limit, limit)
        return weight.astype(np.int64), exponent, clipped, mantissa
