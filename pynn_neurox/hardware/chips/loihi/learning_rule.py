"""PyNN's pair STDP as Loihi's own learning rule, in the chip's integers.

A plastic projection becomes one sum-of-products rule over a 7-bit pre trace x1 (per
input axon), a 7-bit post trace y1 (per neuron) and the spike flags x0, y0 of the
learning epoch, in units of the weight mantissa (m):

  additive:        dm = S+ x1 y0 - S- y1 x0
  multiplicative:  dm = S+ x1 y0 (m_max - m) - S- y1 x0 (m - m_min)

S = mantissa * 2**exponent (3-bit mantissa, exponent in [-7, 9]). A trace jumps by an
impulse I at a spike, so one pair at dt ticks changes m by S I (1 - 1/tau)**dt (times the
weight factor): S and I are chosen together so that S I is PyNN's amplitude (A w_max in
mantissa units for the additive rule, A for the multiplicative one), preferring the
largest impulse, which gives the trace its finest resolution, up to a third of the
trace's range: PyNN's traces add up (all-to-all pairs), and three overlapping spikes
(a burst, or a train at one per tau) still fit without saturating. The trace's tau
(whole ticks) makes (1 - 1/tau) the closest to exp(-dt/tau_PyNN).
"""

from dataclasses import dataclass

import numpy as np
from ....errors import ChipLimitError
from ...quantize import uniform_rule_parameters
from ...report import LearningRow, ParameterRow
from .formats import LoihiFormats

TERMS = {"AdditiveWeightDependence": "additive",
         "MultiplicativeWeightDependence": "multiplicative"}

# the impulse may give up this much relative precision of S I for a larger impulse
_PRECISION_SLACK = 2e-3
# overlapping spikes whose impulses fit in a trace
_HEADROOM = 3
# an amplitude the chip misses by more than this is refused
_LARGEST_ERROR = 0.5


@dataclass(frozen=True)
class LoihiLearningRule:
    """One plastic projection's rule: every integer the learning engine is loaded with."""

    multiplicative: bool
    impulse_x: int  # pre trace x1: impulse and tau (ticks)
    tau_x: int
    impulse_y: int  # post trace y1
    tau_y: int
    plus: tuple  # (mantissa, exponent) of S+ (mantissa 0: no potentiation term)
    minus: tuple  # of S-
    m_min: int  # bounds of the weight mantissa, inside the sign mode's range
    m_max: int
    weight_shift: int  # 6 + the weight exponent: the chip adds floor(m 2**shift / 64) 64


def tau_ticks(tau, dt, formats: LoihiFormats):
    """The whole number of ticks whose decay (1 - 1/tau) is closest to exp(-dt/tau)."""
    return max(int(np.rint(1.0 / -np.expm1(-dt / tau))), formats.trace_tau_min)


def effective_tau(ticks, dt):
    """The time constant (ms) of the decay (1 - 1/ticks) per tick; 0 for an empty trace."""
    return -dt / np.log1p(-1.0 / ticks) if ticks > 1 else 0.0


def scale_and_impulse(amplitude, formats: LoihiFormats):
    """(mantissa, exponent, impulse, relative error) with mantissa * 2**exponent * impulse
    closest to `amplitude` (> 0), the largest impulse among the nearly closest."""
    top = min(formats.trace_impulse_max, formats.trace_max // _HEADROOM)
    impulse = np.arange(1, top + 1)[:, np.newaxis]
    mantissa = np.arange(1, 2 ** formats.scale_mantissa_bits)[np.newaxis, :]
    low, high = formats.scale_exponent_min, formats.scale_exponent_max
    exponent = np.clip(np.rint(np.log2(amplitude / (impulse * mantissa))), low, high)
    error = np.abs(impulse * mantissa * 2.0 ** exponent / amplitude - 1)
    near = error <= error.min() + _PRECISION_SLACK
    i, m = max(zip(*np.nonzero(near)))
    return int(mantissa[0, m]), int(exponent[i, m]), int(impulse[i, 0]), float(error[i, m])


def learning_rule(chip, formats: LoihiFormats, description, dt, mantissa_per_unit,
                  weight_shift, mantissa_range, delays):
    """The rule of plastic projection `description` and its report entry.

    `mantissa_per_unit`: weight mantissa steps per PyNN weight unit (one value: the
    chip's rule has no per-target factor); `weight_shift`: the weight's exponent with
    its offset;
    `mantissa_range`: the sign mode's (low, high); `delays`: the synapses' delays (ticks).

    PyNN's default dendritic delay (NEST's model) pairs a post-synaptic spike as if it
    came one delay d later; the chip's traces see both spikes when they are sent. With
    A+ scaled by exp(-d dt/tau_plus) and A- by exp(d dt/tau_minus), every pair further
    apart than d changes the weight as in NEST.
    """
    where = f"projection '{description.label}'"
    d = int(np.median(delays)) if np.size(delays) else 0
    p = uniform_rule_parameters(
        description, {"tau_plus", "tau_minus", "A_plus", "A_minus", "w_min", "w_max"}, where,
        "the chip has one learning rule per projection")
    multiplicative = TERMS[description.synapse.weight_dependence] == "multiplicative"
    m_min, m_max = (int(np.clip(np.rint(p[b] * mantissa_per_unit), *mantissa_range))
                    for b in ("w_min", "w_max"))
    terms, rows = {}, []
    for sign, a, tau, trace in (("plus", "A_plus", "tau_plus", "x"),
                                ("minus", "A_minus", "tau_minus", "y")):
        # PyNN's change per pair of simultaneous spikes on the chip, in mantissa steps
        # (per unit of weight factor)
        fold = np.exp((-d if sign == "plus" else d) * dt / p[tau])
        amplitude = p[a] * fold * (1.0 if multiplicative else p["w_max"] * mantissa_per_unit)
        terms[trace] = (0, tau_ticks(p[tau], dt, formats))
        terms[sign] = (0, 0)
        if amplitude != 0:
            mantissa, exponent, impulse, error = scale_and_impulse(abs(amplitude), formats)
            if error > _LARGEST_ERROR:
                raise ChipLimitError(
                    f"{chip.title}: {a} = {p[a]:g} of {where} is out of the reach of the "
                    f"chip's rule (a change of {abs(amplitude):.3g} mantissa steps per pair; "
                    f"the closest is {mantissa * impulse * 2.0 ** exponent:.3g})")
            terms[sign] = (mantissa * int(np.sign(amplitude)), exponent)
            terms[trace] = (impulse, terms[trace][1])
        achieved = abs(terms[sign][0]) * terms[trace][0] * 2.0 ** terms[sign][1]
        rows.append((a, p[a], p[a] * achieved / abs(amplitude) if amplitude else 0.0, ""))
        rows.append((tau, p[tau], effective_tau(terms[trace][1], dt), "ms"))
    for bound, m in (("w_min", m_min), ("w_max", m_max)):
        rows.append((bound, p[bound], m / mantissa_per_unit, "weight"))
    rule = LoihiLearningRule(
        multiplicative=multiplicative, impulse_x=terms["x"][0], tau_x=terms["x"][1],
        impulse_y=terms["y"][0], tau_y=terms["y"][1], plus=terms["plus"],
        minus=terms["minus"], m_min=m_min, m_max=m_max, weight_shift=int(weight_shift))
    return rule, _report(rule, rows, formats, d, np.unique(delays).size > 1)


def _report(rule, rows, formats, delay, mixed_delays):
    epoch = 2 ** formats.epoch_exponent
    form = ("dm = S+ x1 y0 (m_max - m) - S- y1 x0 (m - m_min)" if rule.multiplicative
            else "dm = S+ x1 y0 - S- y1 x0")
    return LearningRow(
        rule=form, epoch_ticks=epoch,
        integers=dict(impulse_x1=rule.impulse_x, tau_x1=rule.tau_x, impulse_y1=rule.impulse_y,
                      tau_y1=rule.tau_y, S_plus=f"{rule.plus[0]} * 2**{rule.plus[1]}",
                      S_minus=f"{rule.minus[0]} * 2**{rule.minus[1]}", m_min=rule.m_min,
                      m_max=rule.m_max),
        parameters=[ParameterRow(name=name, requested=float(want), effective=float(got),
                                 unit=unit,
                                 max_relative_error=float(abs(got - want) / max(abs(want), 1e-12)))
                    for name, want, got, unit in rows],
        approximations=[
            f"the dendritic delay ({delay} tick(s)) is folded into A+ and A-: pairs further "
            f"apart change weights as in NEST; a pre spike 0 to {delay} tick(s) after a "
            "post spike depresses here (NEST: potentiation, no pair at exactly the delay)"
            + (f"; the delays differ, the median {delay} is used" if mixed_delays else ""),
            f"weights change once per learning epoch of {epoch} ticks, with the traces as "
            "they are at the epoch's end: a pair whose later spike falls before the epoch's "
            f"last tick sees its trace decayed by up to {epoch - 1} tick(s) more, and a pre "
            "and a post spike in the same epoch (or tick) both potentiate and depress",
            f"traces are integers in [0, {formats.trace_max}] (impulses {rule.impulse_x} and "
            f"{rule.impulse_y}, room for {_HEADROOM} overlapping spikes): more saturate "
            "where PyNN's traces add up, and each tick's decay is stochastically rounded",
            "each weight change is stochastically rounded to one mantissa step "
            f"(2**{rule.weight_shift} chip units; the chip adds whole "
            f"{2 ** formats.weight_floor_bits}s), so single "
            "pairs move weights by whole steps and only the mean change is PyNN's",
        ])
