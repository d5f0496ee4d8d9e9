"""Spike-pair STDP as sPyNNaker runs it: applied when a pre-synaptic spike's row is
processed, from the post-synaptic spikes the target neuron has kept, with exponentials
from lookup tables in 11-bit fixed point.

The rule's numbers (the host, sPyNNaker 6.0-era spynnaker/pyNN/models/neuron/plasticity):
- the lookup table of tau (timing_dependence_spike_pair.py, get_exp_lut_array):
  lut[i] = floor(exp(-(i << shift) dt / tau) 2048) for i below the even size
  ceil_even(ln(2048) tau / dt / 2**shift); a time beyond it reads 0 (maths.h
  maths_lut_exponential_decay);
- weights in the synapse type's 16-bit units, w = 2**(15 - left shift) (times 1024 for
  conductances): w_min and w_max become round(w_min w), round(w_max w); the additive
  rule's A+ and A- round(A w_max w) (weight_dependence_additive.py write_parameters),
  the multiplicative rule's round(A w) with a right shift of 16 - (left shift + 1)
  (weight_multiplicative_impl.c weight_initialise).

The chip, per pre-synaptic spike of a row at time T (synapse_dynamics_stdp_mad_impl.c
synapse_dynamics_process_plastic_synapses, plasticity_update_synapse; timing_pair_impl.h;
post_events.h), with the row's previous spike at t0 and trace r0, and each synapse's
delay d taken as dendritic (backprop_delay):
- the row's trace becomes int16(smulbb(r0, lut+[T - t0]) >> 11 + 2048);
- for each post spike t of the target with t0 - d < t <= T - d (its stored history), in
  order: potentiation by smulbb(r0, lut+[t + d - t0]) >> 11 if t + d > t0;
- then, if the target has a stored post spike at or before T - d, depression by
  smulbb(o, lut-[T - (t_last + d)]) >> 11, o its trace;
- additive (weight_additive_one_term_impl.h): the terms are summed and applied once,
  w + smulbb(sum+, A2+) >> 11 - smulbb(sum-, A2-) >> 11 clamped to [w_min, w_max];
  multiplicative (weight_multiplicative_impl.h): each term at once,
  w += smulbb(smulbb(w_max - w, A2+) >> s, p) >> 11 and
  w -= smulbb(smulbb(w - w_min, A2-) >> s, q) >> 11, unclamped, kept as uint16;
- the new weight goes into the ring buffer at T + d (saturating, counted apart) and
  is written back.
A post spike at time T: trace int16(smulbb(o_last, lut-[T - t_last]) >> 11 + 2048),
appended to the history (16 entries, the first a placeholder at time 0; when full the
oldest real spike is dropped).
"""

from dataclasses import dataclass

import numpy as np

from ...quantize import uniform_rule_parameters
from ...report import LearningRow, ParameterRow
from .fixed import FixedPoint
from .formats import SpiNNakerFormats

WEIGHT_RULES = {"AdditiveWeightDependence": False, "MultiplicativeWeightDependence": True}


def exp_lut(dt, tau, formats: SpiNNakerFormats) -> np.ndarray:
    """sPyNNaker's get_exp_lut_array: floor(exp(-t dt / tau) 2**11), t = index << shift."""
    one = formats.stdp_one
    decay = dt / float(tau)
    size = np.log(one) / decay
    size, extra = divmod(size / (1 << formats.lut_shift), 2)
    size = (int(size) + (extra > 0)) * 2
    index = np.arange(size, dtype=np.int64) << formats.lut_shift
    return np.floor(np.exp(index * -decay) * one).astype(np.int64)


@dataclass(frozen=True)
class SpiNNakerRule:
    """One post-synaptic population's rule for one synapse type, in the chip's integers."""

    multiplicative: bool
    lut_plus: np.ndarray
    lut_minus: np.ndarray
    w_min: int
    w_max: int
    a2_plus: int
    a2_minus: int
    right_shift: int  # the multiplicative rule's weight multiply shift

    def key(self):
        return (self.multiplicative, self.lut_plus.tobytes(), self.lut_minus.tobytes(),
                self.w_min, self.w_max, self.a2_plus, self.a2_minus, self.right_shift)


def rule_parameters(description, where):
    return uniform_rule_parameters(
        description, {"tau_plus", "tau_minus", "A_plus", "A_minus", "w_min", "w_max"}, where,
        "sPyNNaker has one rule per post-synaptic population")


def make_rule(description, weight_scale, left_shift, dt, formats: SpiNNakerFormats):
    """The rule of plastic projection `description` onto a synapse type whose weights are
    scaled by `weight_scale`, and its report entry."""
    where = f"projection '{description.label}'"
    p = rule_parameters(description, where)
    multiplicative = WEIGHT_RULES[description.synapse.weight_dependence]
    w_min, w_max = (int(round(p[b] * weight_scale)) for b in ("w_min", "w_max"))
    factor = 1.0 if multiplicative else p["w_max"]
    a2_plus = int(round(p["A_plus"] * factor * weight_scale))
    a2_minus = int(round(p["A_minus"] * factor * weight_scale))
    rule = SpiNNakerRule(
        multiplicative=multiplicative, lut_plus=exp_lut(dt, p["tau_plus"], formats),
        lut_minus=exp_lut(dt, p["tau_minus"], formats), w_min=w_min, w_max=w_max,
        a2_plus=a2_plus, a2_minus=a2_minus,
        right_shift=formats.weight_bits - (int(left_shift) + 1))
    return rule, _report(rule, p, weight_scale, dt, formats)


def _effective_tau(lut, dt, one):
    """The time constant lut[1] amounts to (0 when the table is one entry long)."""
    return float(-dt / np.log(lut[1] / one)) if lut.size > 1 and lut[1] > 0 else 0.0


def _report(rule, p, scale, dt, formats):
    one = formats.stdp_one
    factor = 1.0 if rule.multiplicative else p["w_max"]
    rows = [("tau_plus", p["tau_plus"], _effective_tau(rule.lut_plus, dt, one), "ms"),
            ("tau_minus", p["tau_minus"], _effective_tau(rule.lut_minus, dt, one), "ms"),
            ("A_plus", p["A_plus"], rule.a2_plus / scale / factor if factor else 0.0, ""),
            ("A_minus", p["A_minus"], rule.a2_minus / scale / factor if factor else 0.0, ""),
            ("w_min", p["w_min"], rule.w_min / scale, "weight"),
            ("w_max", p["w_max"], rule.w_max / scale, "weight")]
    half = 1 << (formats.trace_bits - 1)
    notes = [
        "applied when a pre-synaptic spike is processed (deferred): potentiation from the "
        "post spikes since the previous pre spike, depression from the latest post spike; "
        "the synapse's delay is dendritic (post spikes are seen d ticks late)",
        f"exponentials from lookup tables of {rule.lut_plus.size} and {rule.lut_minus.size} "
        f"entries in 11-bit fixed point (floor), zero beyond; traces are int16",
        f"a neuron keeps its last {formats.post_history_size - 1} post-synaptic spikes",
    ]
    if max(abs(rule.a2_plus), abs(rule.a2_minus), rule.w_max) >= half:
        notes.append(f"A2+ = {rule.a2_plus}, A2- = {rule.a2_minus} or w_max = {rule.w_max} "
                     "does not fit the 16x16 multiply's signed half-word: the chip multiplies "
                     "its low 16 bits")
    if rule.multiplicative:
        notes.append("multiplicative: each pair's change is applied at once, without a "
                     "clamp (the 16-bit weight wraps if a change overshoots)")
    else:
        notes.append("additive: the row's changes are summed and applied once, clamped to "
                     "[w_min, w_max]")
    form = ("dw = A+ (w_max - w) lut+ r - A- (w - w_min) lut- o" if rule.multiplicative
            else "dw = A+ w_max sum(lut+ r) - A- w_max lut- o")
    return LearningRow(
        rule=form,
        integers=dict(w_min=rule.w_min, w_max=rule.w_max, A2_plus=rule.a2_plus,
                      A2_minus=rule.a2_minus, lut_plus=int(rule.lut_plus.size),
                      lut_minus=int(rule.lut_minus.size)),
        parameters=[ParameterRow(name=name, unit=unit, requested=float(want),
                                 effective=float(got),
                                 max_relative_error=float(abs(got - want)
                                                          / max(abs(want), 1e-12)))
                    for name, want, got, unit in rows],
        approximations=notes)


def lut_value(lut, elapsed):
    """maths_lut_exponential_decay: lut[elapsed] or 0 beyond (a negative time as uint32
    is far beyond)."""
    elapsed = np.asarray(elapsed, np.int64)
    inside = (elapsed >= 0) & (elapsed < lut.size)
    return np.where(inside, lut[np.clip(elapsed, 0, lut.size - 1)], 0)


class PlasticState:
    """The STDP state of a program: each row's last pre spike and trace, each neuron's
    post-synaptic history, the plastic synapses' weights."""

    def __init__(self, program, formats: SpiNNakerFormats):
        self.fx = FixedPoint(formats)
        self.program = program
        self.formats = formats
        self.shift = formats.stdp_fixed_point
        self.one = formats.stdp_one
        size = formats.post_history_size
        n = program.neurons
        self.times = np.zeros((n, size), np.int64)  # index 0: the placeholder at time 0
        self.traces = np.zeros((n, size), np.int64)
        self.count = np.zeros(n, np.int64)  # events stored after the placeholder
        rows = program.row_start.size - 1
        self.pre_time = np.zeros(rows, np.int64)
        self.pre_trace = np.zeros(rows, np.int64)
        self.weight = program.weight[program.plastic].copy()
        self.rule_of = program.plastic_rule
        self.rules = program.rules

    def trace(self, value):
        return self.fx.short(value)

    def post_spikes(self, time, neurons):
        """Add post-synaptic events at `time` to the histories of `neurons` (each neuron's
        own decay: its synapses' rules share tau_minus; the first rule of the neuron is
        used, as the chip has one per core)."""
        if not neurons.size:
            return
        lut = self.program.post_lut
        rule = self.program.post_rule[neurons]
        keep = rule >= 0
        neurons, rule = neurons[keep], rule[keep]
        if not neurons.size:
            return
        last = self.count[neurons]
        elapsed = time - self.times[neurons, last]
        decayed = np.zeros(neurons.size, np.int64)
        for r in np.unique(rule):
            mine = rule == r
            decayed[mine] = self.fx.smulbb(self.traces[neurons[mine], last[mine]],
                                           lut_value(lut[r], elapsed[mine])) >> self.shift
        new = self.trace(self.trace(decayed) + self.one)
        size = self.times.shape[1]
        full = last >= size - 1
        if full.any():
            f = neurons[full]
            self.times[f, 1:-1] = self.times[f, 2:]
            self.traces[f, 1:-1] = self.traces[f, 2:]
        slot = np.where(full, size - 1, last + 1)
        self.times[neurons, slot] = time
        self.traces[neurons, slot] = new
        self.count[neurons] = slot

    def process_row(self, row, time, synapses):
        """A pre-synaptic spike of `row` processed at `time`; `synapses` are the row's
        plastic synapses (positions in the program's arrays). Returns their new weights."""
        p = self.program
        fx = self.fx
        last_time, last_trace = self.pre_time[row], self.pre_trace[row]
        local = p.plastic_position[synapses]
        rules = self.rule_of[local]
        weights = self.weight[local].copy()
        for r in np.unique(rules):
            mine = rules == r
            weights[mine] = self._update(self.rules[r], time, last_time, last_trace,
                                         p.target[synapses[mine]], p.delay[synapses[mine]],
                                         weights[mine])
        rule = self.rules[rules[0]]
        self.pre_trace[row] = self.trace(
            self.trace(fx.smulbb(last_trace, lut_value(rule.lut_plus, time - last_time))
                       >> self.shift) + self.one)
        self.pre_time[row] = time
        self.weight[local] = weights
        return weights

    def _update(self, rule, time, last_time, last_trace, targets, delays, weights):
        fx, shift = self.fx, self.shift
        times, traces = self.times[targets], self.traces[targets]
        size = times.shape[1]
        index = np.arange(size)[np.newaxis, :]
        stored = (index >= 1) & (index <= self.count[targets][:, np.newaxis])
        begin = np.where(last_time >= delays, last_time - delays, 0)[:, np.newaxis]
        end = np.where(time >= delays, time - delays, 0)[:, np.newaxis]
        window = stored & (times > begin) & (times <= end)
        elapsed = times + delays[:, np.newaxis] - last_time
        potentiation = np.where(window & (elapsed > 0),
                                fx.smulbb(last_trace, lut_value(rule.lut_plus, elapsed)) >> shift,
                                0)
        # the latest stored post spike at or before the window's end
        before = stored & (times <= end)
        has_last = before.any(axis=1)
        last = size - 1 - np.argmax(before[:, ::-1], axis=1)
        rows = np.arange(targets.size)
        since = time - (times[rows, last] + delays)
        depression = np.where(has_last, fx.smulbb(traces[rows, last],
                                                  lut_value(rule.lut_minus, since)) >> shift, 0)
        w = weights.astype(np.int64)
        if not rule.multiplicative:
            grow = fx.smulbb(potentiation.sum(axis=1), rule.a2_plus) >> shift
            shrink = fx.smulbb(depression, rule.a2_minus) >> shift
            return np.clip(w + grow - shrink, rule.w_min, rule.w_max)
        for column in range(1, size):
            on = window[:, column] & (elapsed[:, column] > 0)
            if on.any():
                scale = fx.smulbb(rule.w_max - w[on], rule.a2_plus) >> rule.right_shift
                w[on] += fx.smulbb(scale, potentiation[on, column]) >> shift
        scale = fx.smulbb(w - rule.w_min, rule.a2_minus) >> rule.right_shift
        w = np.where(has_last, w - (fx.smulbb(scale, depression) >> shift), w)
        return w & self.formats.weight_max
