"""Loihi's learning engine: 7-bit traces every tick, weights once per learning epoch.

Per tick, for every rule r (hardware_facts.md §2.4; brian2-loihi's traces, nengo-loihi's
weight precision):
  x_r <- floor(x_r (tau - 1) / tau) + 1 with probability (the remainder / tau),
  then + impulse for every axon that spiked (neurons: in this tick; host inputs
  labelled s: in tick s - 1, where a neuron's spike with that label falls), clipped
  to [0, 127]; the same for the post traces y_r of the neurons that spiked;
  x0, y0 mark the axons and neurons that spiked in this epoch.
At the last tick of each epoch of 2**k ticks, for the plastic synapses whose axon or
target spiked in it:
  dw = S+ x1 y0 [m_max - m] - S- y1 x0 [m - m_min]   (in 2**-7 mantissa steps, the
       bracketed factors for the multiplicative rule), saturated at 15 bits plus sign;
  m <- floor((128 m + dw) / 128) + 1 with probability (the remainder / 128),
       clipped to [m_min, m_max];  the synapse then adds floor(m 2**shift / 64) 64.
Random draws (one generator, seeded by the network's seed) come in this order each
tick: x decays, y decays (one draw per nonzero trace, in array order), then at an
epoch's end one draw per updated synapse.
"""

import numpy as np

from .formats import LoihiFormats


def stochastic_decay(trace, tau, rng):
    """Decay `trace` (rules x cells) in place by (1 - 1/tau) per rule, rounding each
    value up with the probability of its fractional part."""
    rule, cell = np.nonzero(trace)
    if rule.size:
        t = tau[rule]
        whole, remainder = np.divmod(trace[rule, cell] * (t - 1), t)
        trace[rule, cell] = whole + (rng.integers(0, t) < remainder)


def stochastic_round(value, bits, rng):
    """value / 2**bits, rounded down or up with the probability of the fraction."""
    whole, remainder = np.divmod(value, 1 << bits)
    return whole + (rng.integers(0, 1 << bits, size=np.shape(value)) < remainder)


def delivered(mantissa, shift, bits):
    """What the chip adds for weight mantissas m: floor(m 2**shift / 2**bits) 2**bits."""
    return (mantissa << np.maximum(shift - bits, 0)) >> np.maximum(bits - shift, 0) << bits


class LoihiLearning:
    """Traces and learned weights of a program's plastic synapses."""

    def __init__(self, program, weight, rng, formats: LoihiFormats):
        p = program
        self.rng = rng
        self.weight = weight  # the emulator's weights, updated in place
        self.epoch = 1 << formats.epoch_exponent
        rules = p.rules

        def per_rule(name):
            return np.array([getattr(r, name) for r in rules], np.int64)

        self.impulse_x, self.tau_x = per_rule("impulse_x"), per_rule("tau_x")
        self.impulse_y, self.tau_y = per_rule("impulse_y"), per_rule("tau_y")
        self.fraction_bits = formats.fraction_bits
        self.accumulator_limit = (1 << formats.accumulator_bits) - 1
        self.trace_max = formats.trace_max
        self.floor_bits = formats.weight_floor_bits
        # the terms' constants in 2**-fraction_bits mantissa steps (whole numbers: the
        # scale's exponent is at least -fraction_bits)
        self.plus, self.minus = (
            np.array([getattr(r, name)[0] << (getattr(r, name)[1] + self.fraction_bits)
                      for r in rules], np.int64) for name in ("plus", "minus"))
        self.multiplicative = np.array([r.multiplicative for r in rules], bool)
        self.m_min, self.m_max = per_rule("m_min"), per_rule("m_max")
        self.shift = per_rule("weight_shift")
        axons = p.axon_start.size - 1
        self.x = np.zeros((len(rules), axons), np.int64)
        self.y = np.zeros((len(rules), p.neurons), np.int64)
        self.x0 = np.zeros(axons, bool)
        self.y0 = np.zeros(p.neurons, bool)
        # the plastic synapses: CSR position, rule, input axon, target, mantissa
        self.synapse = p.plastic
        self.rule = p.plastic_rule
        self.axon = np.repeat(np.arange(axons), np.diff(p.axon_start))[p.plastic]
        self.target = p.target[p.plastic]
        self.mantissa = p.plastic_mantissa.copy()
        self.counters = dict(weight_updates=0, accumulator_saturated=0)

    def tick(self, k, pre, post):
        """Tick `k`: axons `pre` and neurons `post` spiked."""
        stochastic_decay(self.x, self.tau_x, self.rng)
        stochastic_decay(self.y, self.tau_y, self.rng)
        if pre.size:
            self.x[:, pre] = np.minimum(self.x[:, pre] + self.impulse_x[:, np.newaxis],
                                        self.trace_max)
            self.x0[pre] = True
        if post.size:
            self.y[:, post] = np.minimum(self.y[:, post] + self.impulse_y[:, np.newaxis],
                                         self.trace_max)
            self.y0[post] = True
        if (k + 1) % self.epoch == 0:
            self._update()
            self.x0[:] = False
            self.y0[:] = False

    def _update(self):
        x0, y0 = self.x0[self.axon], self.y0[self.target]
        active = np.flatnonzero(x0 | y0)
        if not active.size:
            return
        r, m = self.rule[active], self.mantissa[active]
        axon, target = self.axon[active], self.target[active]
        grow = self.plus[r] * self.x[r, axon] * y0[active]
        shrink = self.minus[r] * self.y[r, target] * x0[active]
        multiplicative = self.multiplicative[r]
        grow = np.where(multiplicative, grow * (self.m_max[r] - m), grow)
        shrink = np.where(multiplicative, shrink * (m - self.m_min[r]), shrink)
        dw = grow - shrink
        limit = self.accumulator_limit
        self.counters["accumulator_saturated"] += int(np.count_nonzero(np.abs(dw) > limit))
        dw = np.clip(dw, -limit, limit)
        bits = self.fraction_bits
        m = stochastic_round((m << bits) + dw, bits, self.rng)
        m = np.clip(m, self.m_min[r], self.m_max[r])
        self.counters["weight_updates"] += int(np.count_nonzero(m != self.mantissa[active]))
        self.mantissa[active] = m
        self.weight[self.synapse[active]] = delivered(m, self.shift[r], self.floor_bits)
