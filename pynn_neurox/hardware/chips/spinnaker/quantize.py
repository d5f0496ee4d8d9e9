"""SpiNNaker quantization: PyNN's cells as sPyNNaker's C structs, written as the host
writes them (s16.15 and u0.32, numpy.round), and synapses as 16-bit weights under each
synapse type's ring-buffer left shift (ring_buffer.py).

Per cell (sPyNNaker 6.0-era spynnaker/pyNN/models/neuron, get_values of each component;
ts = the time step in whole microseconds, dt = ts / 1000):
- LIF (neuron_model_leaky_integrate_and_fire.py): V, V_rest, R = tau_m / c_m,
  exp_TC = exp(-dt / tau_m) (an accum: 15 fraction bits), I_offset, V_reset, and
  T_refract = ceil(tau_refrac / dt) ticks (refractory_ticks below), V_thresh
  (threshold_type_static.py);
- exponential synapses (synapse_type_exponential.py): decay = exp(-dt / tau),
  init = (tau / dt)(1 - exp(-dt / tau)), both u0.32;
- alpha synapses (synapse_type_alpha.py): dt / tau**2 (accum), decay = exp(-dt / tau)
  (u0.32);
- delta synapses (input_type_delta.py): scale_factor = 1000 / ts (accum);
- conductances (input_type_conductance.py): E_rev_E, E_rev_I; weights scaled by
  2**conductance_input_shift;
- Izhikevich (neuron_model_izh.py, IzkCurrExp): a, b, c, d, v, u, I_offset, h = dt,
  exponential synapses of izhikevich_tau_syn, threshold izhikevich_v_thresh.
"""

from dataclasses import dataclass

import numpy as np

from ....errors import ChipLimitError, MappingError
from ....timegrid import delay_steps, off_grid, refractory_steps
from ...check import out_of_range
from ...contract import QuantizedCells
from ...quantize import QuantizedProjection, Quantizer, weight_errors
from ...report import ParameterRow
from .fixed import FixedPoint
from .ring_buffer import choose_shifts, largest_fan_in, source_spike_statistics
from .stdp import make_rule

# the kernel each PyNN cell type runs on, and whether its synapses are conductances
KERNELS = {"IF_curr_exp": "exp", "IF_cond_exp": "cond", "IF_curr_alpha": "alpha",
           "IF_curr_delta": "delta", "Izhikevich": "izh"}
SYNAPSE_TYPES = {"excitatory": 0, "inhibitory": 1}


def machine_time_step(dt):
    """sPyNNaker's machine_time_step: the time step in whole microseconds."""
    return int(round(dt * 1000.0))


def refractory_ticks(tau_refrac, dt):
    """sPyNNaker's refractory period in ticks: ceil(tau_refrac / (ts / 1000.0)), the
    quotient in floating point (neuron_model_leaky_integrate_and_fire.py get_values:
    int(numpy.ceil(x / (ts / 1000.0)))). It differs from the time grid's
    refractory_steps (NEST's: tau_refrac rounded to whole microseconds first, then up to
    steps) where tau_refrac is not a whole number of microseconds: 1.0004 ms at 0.1 ms
    is ceil(10.004) = 11 ticks here and 10 steps in NEST."""
    step = machine_time_step(dt) / 1000.0
    return np.ceil(np.asarray(tau_refrac, float) / step).astype(np.int64)


@dataclass(kw_only=True)
class SpiNNakerCells(QuantizedCells):
    """One population as sPyNNaker's neuron, input, threshold and synapse structs: raw
    words per neuron (synaptic arrays have a row per synapse type)."""

    kernel: str
    words: dict  # name -> raw int64 words per neuron (or types x neurons)
    shifts: np.ndarray  # the ring-buffer left shift of each synapse type
    weight_scale: np.ndarray  # 16-bit weight units per PyNN weight unit, per type


def _delay_variance(delays):
    """The variance of a projection's delays; exactly 0 when they are all equal (as
    sPyNNaker's get_delay_variance gives for a single delay value: numpy's variance of
    equal floats can be 1e-34, which would send the shift to the statistical bound)."""
    delays = np.asarray(delays, float)
    return 0.0 if not delays.size or np.ptp(delays) == 0 else float(np.var(delays))


def _largest_relative_error(want, got):
    want, got = np.asarray(want, float), np.asarray(got, float)
    if not want.size:
        return 0.0
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-12)))


class SpiNNakerQuantizer(Quantizer):
    """Quantizes a network description for a chip of the SpiNNaker kind."""

    def __init__(self, kind, network, allowed):
        super().__init__(kind, network, allowed)
        self.fx = FixedPoint(self.formats)
        self.ts = machine_time_step(self.dt)
        self.tsf = self.ts / 1000.0
        self.host_ticks = {}

    # --- the words the host writes ---------------------------------------------------

    def _accum(self, name, values, where):
        values = np.asarray(values, float)
        out_of_range(self.chip, f"{name} (s16.15 accum)", where, values, self.fx.accum_min,
                     self.fx.accum_max)
        return self.fx.accum(values)

    def _u032(self, name, values, where):
        raw = self.fx.u032(values)
        out_of_range(self.chip, f"{name} (u0.32 unsigned long fract, raw)", where, raw, 0,
                     (1 << self.formats.decay_fraction_bits) - 1)
        return raw

    def _exp_synapses(self, taus, where):
        decay = np.exp(-self.tsf / taus)
        return {"decay": self._u032("exp(-dt/tau_syn)", decay, where),
                "init": self._u032("(tau_syn/dt)(1 - exp(-dt/tau_syn))",
                                   (taus / self.tsf) * (1.0 - decay), where)}

    # --- populations ---------------------------------------------------------------

    def population(self, description, incoming, sources):
        kernel = KERNELS[description.celltype]
        p = {k: np.asarray(v, float) for k, v in description.parameters.items()}
        n = description.size
        where = f"population '{description.label}'"
        conductance = kernel == "cond"
        scale = float(1 << self.formats.conductance_input_shift) if conductance else 1.0
        shifts, bounds = self._shifts(description, incoming, sources, scale)
        top = self.formats.accum_integer_bits
        if (shifts > top).any():
            stype = int(np.argmax(shifts))
            raise ChipLimitError(
                f"{self.chip.title}: the {('excitatory', 'inhibitory')[stype]} inputs of "
                f"{where} can add up to {bounds[stype]:g} in one tick, which needs a "
                f"ring-buffer left shift of {shifts[stype]}; s16.15 holds inputs below "
                f"2**{top} (at most shift {top})")
        weight_scale = 2.0 ** (self.formats.weight_bits - 1 - shifts) * scale
        words, rows, notes = {}, [], []
        full = {k: np.broadcast_to(v, (n,)) for k, v in p.items()}
        if kernel == "izh":
            self._izhikevich(description, full, words, rows, notes, where)
        else:
            self._lif(description, kernel, full, words, rows, notes, where)
        if conductance:
            notes.append(self._stability(words, bounds / scale))
        cells = SpiNNakerCells(
            index=description.index, label=description.label, size=n,
            v_origin=np.zeros(n), v_unit=1.0, raw_per_unit=self.fx.one, kernel=kernel,
            words=words, shifts=shifts, weight_scale=weight_scale)
        cells.parameters = [
            ParameterRow(name=name, unit=unit, requested=float(np.mean(want)),
                         effective=float(np.mean(got)),
                         max_relative_error=_largest_relative_error(want, got))
            for name, want, got, unit in rows]
        cells.approximations = [
            "v, currents and parameters are s16.15 words; every multiply keeps bits 15..46 "
            "of the product (truncation toward -inf, GCC's accum multiply on the ARM968)",
            f"ring-buffer left shifts (excitatory, inhibitory) = {shifts.tolist()}: a "
            f"16-bit weight w carries w * 2**(15 - shift) in the synapse's units; each "
            "tick's sum per synapse type and neuron saturates at 0xFFFF",
        ] + notes
        return cells

    def _shifts(self, description, incoming, sources, scale):
        records = []
        for projection in incoming:
            if not len(projection):
                continue
            stype = SYNAPSE_TYPES[projection.receptor_type]
            w = np.abs(np.asarray(projection.weights, float)) * scale
            rule_max = 0.0
            if projection.synapse.kind == "STDPMechanism":
                rule_max = abs(float(np.max(projection.synapse.weight_parameters["w_max"]))) \
                    * scale
            pre = sources[projection.pre]
            per_tick, per_second = source_spike_statistics(
                pre, self.dt, self.formats.spikes_per_second, self.host_ticks.get(pre.index))
            records.append((stype, w, rule_max, largest_fan_in(projection.targets,
                                                                description.size),
                            _delay_variance(projection.delays),
                            per_tick, per_second))
        return choose_shifts(records, len(SYNAPSE_TYPES), self.formats, self.dt)

    def _lif(self, description, kernel, p, words, rows, notes, where):
        dt = self.tsf
        v0 = np.broadcast_to(np.asarray(description.initial_values.get("v", p["v_rest"]),
                                        float), (description.size,))
        exp_tc = np.exp(-dt / p["tau_m"])
        words.update(
            v=self._accum("v", v0, where), v_rest=self._accum("v_rest", p["v_rest"], where),
            r=self._accum("tau_m / cm", p["tau_m"] / p["cm"], where),
            exp_tc=self._accum("exp(-dt/tau_m)", exp_tc, where),
            i_offset=self._accum("i_offset", p["i_offset"], where),
            v_reset=self._accum("v_reset", p["v_reset"], where),
            v_thresh=self._accum("v_thresh", p["v_thresh"], where),
            t_refract=refractory_ticks(p["tau_refrac"], self.dt))
        got_tc = self.fx.real(words["exp_tc"])
        with np.errstate(divide="ignore"):
            tau_m = np.where(got_tc > 0, -dt / np.log(np.where(got_tc > 0, got_tc, 0.5)), 0.0)
        rows += [("tau_m", p["tau_m"], tau_m, "ms"),
                 ("tau_m / cm", p["tau_m"] / p["cm"], self.fx.real(words["r"]), "MOhm"),
                 ("v_thresh", p["v_thresh"], self.fx.real(words["v_thresh"]), "mV"),
                 ("tau_refrac", p["tau_refrac"], words["t_refract"] * dt, "ms")]
        notes.append(f"exp(-dt/tau_m) is an s16.15 word ({np.unique(words['exp_tc'])[:3]} "
                     "/ 2**15): the membrane's effective time constant is in the rows above")
        nest = refractory_steps(p["tau_refrac"], self.dt)
        differs = np.count_nonzero(nest != words["t_refract"])
        if differs:
            notes.append(
                f"chip approximation: the refractory period is ceil(tau_refrac / dt) = "
                f"{int(words['t_refract'][nest != words['t_refract']][0])} ticks "
                f"(sPyNNaker's floating-point quotient) where the time grid (NEST) gives "
                f"{int(nest[nest != words['t_refract']][0])} steps, for {differs} cell(s)")
        notes.append("refractory: V is frozen (not integrated) for T_refract ticks after "
                     "the spike, at V_reset")
        taus = np.vstack([p.get("tau_syn_E", np.ones(description.size)),
                          p.get("tau_syn_I", np.ones(description.size))])
        if kernel in ("exp", "cond"):
            words.update(self._exp_synapses(taus, where))
            self._synapse_rows(rows, words, taus)
            notes.append(
                "an exponential PSC enters in the tick its spike arrives, at init = "
                "(tau/dt)(1 - exp(-dt/tau)) of its weight (its mean over the tick), and acts "
                "on V in that tick; NEST's jumps at the tick's end: the chip's PSCs lead by "
                "up to one tick")
        if kernel == "cond":
            words.update(e_rev=np.vstack([self._accum("e_rev_E", p["e_rev_E"], where),
                                          self._accum("e_rev_I", p["e_rev_I"], where)]))
            notes.append(
                "IF_cond_exp: the LIF closed form with the current g (E_rev - V) taken at the "
                "tick's start and held for the tick (NEST integrates the conductance ODE); "
                f"g travels as g * 2**{self.formats.conductance_input_shift} and is shifted "
                "back before the multiply")
        if kernel == "alpha":
            words.update(dt_tau2=np.vstack([self._accum("dt/tau_syn**2", dt / taus[0] ** 2,
                                                        where),
                                            self._accum("dt/tau_syn**2", dt / taus[1] ** 2,
                                                        where)]),
                         decay=self._u032("exp(-dt/tau_syn)", np.exp(-dt / taus), where))
            notes.append(
                "IF_curr_alpha as sPyNNaker's alpha synapse: a spike of weight w gives the "
                "current w (t/tau**2) exp(-t/tau) (its charge w; PyNN's alpha, w e (t/tau) "
                "exp(-t/tau), carries e tau w), starting a tick after arrival; a later spike "
                "restarts the shape from the running one (lin (1 - 1/exp))")
        if kernel == "delta":
            words.update(scale=self._accum("1000 / ts", np.full(description.size,
                                                                 1000.0 / self.ts), where))
            notes.append(
                "IF_curr_delta: a weight w enters as a current w/dt held for the tick, so "
                "V jumps by w (tau_m/c_m)(1 - exp(-dt/tau_m))/dt, not w (sPyNNaker's "
                "input_type_delta.h with the LIF closed form)")

    def _stability(self, words, per_tick):
        """The LIF closed form holds the current g (E_rev - V) of the tick's start for
        the whole tick: V moves by g R (1 - exp_TC) (E_rev - V), which overshoots E_rev
        and grows from tick to tick when g R (1 - exp_TC) > 2. `per_tick`: the most
        conductance (uS) each synapse type can receive in one tick (the ring-buffer
        bound), of which the tick of arrival carries the share init."""
        r = self.fx.real(words["r"])
        leak = 1.0 - self.fx.real(words["exp_tc"])
        limit = float(np.min(2.0 / np.maximum(r * leak, 1e-12)))
        share = words["init"] / float(1 << self.formats.decay_fraction_bits)
        reach = float(np.max(per_tick[:, np.newaxis] * share)) if per_tick.size else 0.0
        if reach <= limit:
            return (f"the inputs bring at most {reach:.3g} uS in one tick, below the "
                    f"{limit:.3g} uS at which the closed form with g (E_rev - V) held over the "
                    "tick overshoots E_rev (a conductance built up over several ticks can "
                    "still pass it)")
        return (f"chip approximation: the inputs can bring {reach:.3g} uS in one tick, above "
                f"the {limit:.3g} uS at which the closed form with g (E_rev - V) held over the "
                "tick overshoots E_rev and oscillates (g R (1 - exp(-dt/tau_m)) > 2): "
                "expect far higher rates than NEST's at this time step")

    def _synapse_rows(self, rows, words, taus):
        decay = words["decay"] / float(1 << self.formats.decay_fraction_bits)
        with np.errstate(divide="ignore"):
            effective = np.where(decay > 0, -self.tsf / np.log(np.where(decay > 0, decay,
                                                                        0.5)), 0.0)
        for k, name in enumerate(("tau_syn_E", "tau_syn_I")):
            rows.append((name, taus[k], effective[k], "ms"))

    def _izhikevich(self, description, p, words, rows, notes, where):
        n = description.size
        iv = description.initial_values
        v0 = np.broadcast_to(np.asarray(iv.get("v", -70.0), float), (n,))
        u0 = np.broadcast_to(np.asarray(iv.get("u", -14.0), float), (n,))
        taus = np.full((2, n), self.formats.izhikevich_tau_syn)
        words.update(
            a=self._accum("a", p["a"], where), b=self._accum("b", p["b"], where),
            c=self._accum("c", p["c"], where), d=self._accum("d", p["d"], where),
            v=self._accum("v", v0, where), u=self._accum("u", u0, where),
            i_offset=self._accum("i_offset", p["i_offset"], where),
            h=self._accum("dt", np.full(n, self.tsf), where),
            v_thresh=self._accum("v_thresh", np.full(n, self.formats.izhikevich_v_thresh),
                                 where),
            t_refract=np.zeros(n, np.int64))
        words.update(self._exp_synapses(taus, where))
        self._synapse_rows(rows, words, taus)
        notes += [
            "Izhikevich as sPyNNaker's IzkCurrExp: one RK2 midpoint step per tick in s16.15, "
            f"h = {self.formats.izhikevich_threshold_offset:g} dt for the step after a spike, "
            f"fires at v >= {self.formats.izhikevich_v_thresh:g} (NEST: forward Euler)",
            f"its synapses are exponential currents (tau {self.formats.izhikevich_tau_syn:g} "
            "ms) where PyNN's Izhikevich jumps v by the weight; i_offset and the synaptic "
            "current enter the equation unscaled (PyNN/NEST: 1 nA is 1000 units of I)",
        ]

    # --- projections ---------------------------------------------------------------

    def projection(self, description, post: SpiNNakerCells):
        where = f"projection '{description.label}'"
        F = self.formats
        stype = SYNAPSE_TYPES[description.receptor_type]
        ticks = delay_steps(description.delays, self.dt)
        out_of_range(self.chip, "delay (ticks; one at least)", where, ticks, 1, np.inf,
                     requested=description.delays)
        clipped_delays = out_of_range(
            self.chip, "delay (ticks: 16 on the neuron core, 16 more per delay-extension "
            f"stage, {F.delay_stages_max} stages)", where, ticks, 1, F.delay_max,
            "clip_delays", self.allowed, requested=description.delays)
        ticks = np.clip(ticks, 1, F.delay_max)
        weights = np.asarray(description.weights, float)
        scale = post.weight_scale[stype]
        wanted = np.abs(weights) * scale
        weight = np.rint(wanted)
        clipped = out_of_range(self.chip, "weight (16-bit, in the ring buffer's units)", where,
                               weight, 0, F.weight_max, "clip_weights", self.allowed)
        weight = np.clip(weight, 0, F.weight_max).astype(np.int64)
        sign = np.where(weights < 0, -1.0, 1.0)
        errors = weight_errors(wanted, weight, clipped)
        errors.update(delays_off_grid=off_grid(description.delays, ticks, self.dt),
                      delays_clipped=int(np.count_nonzero(clipped_delays)),
                      weight_exponent=int(post.shifts[stype]))
        rule = report = None
        if description.synapse.kind == "STDPMechanism" and len(description):
            rule, report = make_rule(description, scale, post.shifts[stype], self.dt, F)
        q = QuantizedProjection(
            index=description.index, label=description.label, pre=description.pre,
            post=description.post, sources=description.sources, targets=description.targets,
            channel=stype, weight=weight, delay=ticks, chip_per_pynn=sign * scale,
            receptor=description.receptor_type, exponent=int(post.shifts[stype]),
            errors=errors, learning=rule, learning_report=report)
        self._note_projection(description, post, weights, stype, ticks)
        return q

    def _note_projection(self, description, post, weights, stype, ticks):
        notes = post.approximations
        wrong = weights > 0 if stype == 1 else weights < 0
        if post.kernel not in ("cond",) and np.count_nonzero(wrong):
            notes.append(f"projection '{description.label}': sPyNNaker takes |weight|, the "
                         f"{description.receptor_type} synapse type giving the sign; "
                         f"{np.count_nonzero(wrong)} weight(s) of the other sign change sign")
        ms = np.asarray(description.delays, float) * (1000.0 / self.ts)
        rint = np.rint(ms).astype(np.int64)
        differs = np.count_nonzero(rint != ticks)
        if differs:
            notes.append(f"projection '{description.label}': {differs} delay(s) lie on a "
                         "half tick; the time grid rounds them up (NEST), sPyNNaker's "
                         "numpy.rint to even")
        stages = int(np.max((ticks - 1) >> self.formats.delay_bits)) if ticks.size else 0
        if stages:
            notes.append(f"projection '{description.label}': delays up to {int(ticks.max())} "
                         f"ticks go through {stages} delay-extension stage(s) of "
                         f"{self.formats.native_delay_max} ticks")


def check_one_rule_per_population(chip, projections):
    """sPyNNaker runs one synapse dynamics per post-synaptic population: every plastic
    projection onto it has the same rule (synaptic_manager: SynapticConfigurationException
    otherwise)."""
    seen = {}
    for description in projections:
        if description.synapse.kind != "STDPMechanism":
            continue
        s = description.synapse
        rule = (s.timing_dependence, s.weight_dependence,
                tuple(sorted((k, tuple(np.unique(np.asarray(v, float))))
                             for group in (s.timing_parameters, s.weight_parameters)
                             for k, v in group.items())))
        first = seen.setdefault(description.post, (description.label, rule))
        if first[1] != rule:
            raise MappingError(
                f"{chip.title} cannot run projection '{description.label}': its STDP rule "
                f"differs from projection '{first[0]}''s onto the same population; "
                "sPyNNaker runs one synapse dynamics per post-synaptic population")
