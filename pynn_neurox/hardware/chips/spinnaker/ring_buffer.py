"""The host's choice of each synapse type's ring-buffer left shift, as sPyNNaker makes it.

sPyNNaker (spynnaker/pyNN/models/neuron/abstract_population_vertex.py,
get_ring_buffer_shifts and its _Stats; _ring_buffer_expected_upper_bound) bounds what one
ring-buffer entry of a synapse type can accumulate in one tick, in the weight's units
(nA, or uS times the conductance scale):

- per incoming projection: n = the largest number of its synapses onto one cell, w_max
  its largest |weight| (for STDP, at least the rule's w_max), the mean and variance of its
  |weights| and the variance of its delays; spikes per tick = the source's maximum
  (SpikeSourcePoisson: 1 below 0.01 spikes per tick, else the Poisson 1 - 1/1000 quantile
  plus one; SpikeSourceArray: the most spikes of one cell in one tick) or, for neurons,
  max(1, spikes_per_second / ticks per second);
- the bound: sum(spikes per tick * w_max * n) and at least the largest weight, when all
  delays of the type are equal; otherwise the mean plus sigma standard deviations of a
  Poisson sum of the weights (at most the sum above, at least the largest weight);
- the shift is ceil(log2(bound)), one more when 2**shift equals the bound; a weight w
  becomes round(|w| 2**(15 - shift)) and its input is that << shift: the same value in
  s16.15.

What differs here, named in the report: sPyNNaker estimates a connector's largest fan-in
from its statistics (FixedProbabilityConnector: a binomial tail); here the fan-in the
network actually has is counted.
"""

import math

import numpy as np
from scipy import special, stats

# sPyNNaker's SpikeSourcePoissonMachineVertex: below this many spikes per tick a source
# counts as one spike per tick; above, the quantile 1 - 1/CHANCE_TICKS of its count
SLOW_RATE_PER_TICK_CUTOFF = 0.01
CHANCE_TICKS = 1000


class RunningStats:
    """Pooled count, mean and sample variance (sPyNNaker utilities/running_stats.py)."""

    def __init__(self):
        self.count = 0
        self.mean = 0.0
        self.m2 = 0.0

    def add_items(self, mean, variance, n):
        if n <= 0:
            return
        total = self.count + n
        delta = mean - self.mean
        self.mean = (self.count * self.mean + n * mean) / total
        self.m2 += variance * (n - 1) + delta ** 2 * self.count * n / total
        self.count = total

    @property
    def variance(self):
        return self.m2 / (self.count - 1) if self.count > 1 else 0.0

    @property
    def standard_deviation(self):
        return math.sqrt(self.variance)


def expected_upper_bound(weight_mean, weight_std, spikes_per_second, n_synapses, sigma,
                         ticks_per_second, summation_limit):
    """_ring_buffer_expected_upper_bound: mean plus sigma SDs of the tick's input."""
    per_tick = float(n_synapses * spikes_per_second) / ticks_per_second
    poisson_variance = per_tick * weight_mean ** 2
    upper = int(round(per_tick + summation_limit * math.sqrt(per_tick)))
    weight_variance = 0.0
    if weight_std > 0:
        lngamma = special.gammaln(1 + upper)
        gammai = special.gammaincc(1 + upper, per_tick)
        big_ratio = math.log(per_tick) * upper - lngamma
        if -701.0 < big_ratio < 701.0 and big_ratio != 0.0:
            log_weight_variance = (-per_tick + math.log(per_tick) + 2.0 * math.log(weight_std)
                                   + math.log(math.exp(per_tick) * gammai
                                              - math.exp(big_ratio)))
            weight_variance = math.exp(log_weight_variance)
    return per_tick * weight_mean + sigma * math.sqrt(poisson_variance + weight_variance)


def poisson_spikes_per_tick(rate, ticks_per_second):
    if rate / ticks_per_second < SLOW_RATE_PER_TICK_CUTOFF:
        return 1.0
    quantile = stats.poisson.ppf(1.0 - 1.0 / CHANCE_TICKS, rate / ticks_per_second)
    return int(math.ceil(quantile)) + 1.0


def source_spike_statistics(population, dt, spikes_per_second, host_ticks=None):
    """(spikes per tick, spikes per second) of a projection's source (_pre_spike_stats)."""
    ticks_per_second = 1000.0 / dt
    if population.celltype == "SpikeSourcePoisson":
        rate = float(np.max(population.parameters["rate"])) if population.size else 0.0
        return (poisson_spikes_per_tick(rate, ticks_per_second),
                rate if rate != 0 else spikes_per_second)
    if population.celltype == "SpikeSourceArray":
        most = 1
        if host_ticks is not None and host_ticks[0].size:
            ticks, cells = host_ticks
            _, counts = np.unique(cells.astype(np.int64) * (int(ticks.max()) + 1) + ticks,
                                  return_counts=True)
            most = int(counts.max())
        return float(most), most * ticks_per_second
    return max(1.0, spikes_per_second / ticks_per_second), spikes_per_second


def largest_fan_in(targets, size):
    return int(np.bincount(targets, minlength=size).max()) if targets.size else 0


def choose_shifts(incoming, n_types, formats, dt):
    """The left shift of each synapse type. `incoming`: one record per projection onto
    the population: (type, |weights| in the type's units, rule w_max or 0, fan-in,
    delay variance, spikes per tick, spikes per second). Returns (shifts, bounds)."""
    ticks_per_second = 1000.0 / dt
    weights = [RunningStats() for _ in range(n_types)]
    delays = [RunningStats() for _ in range(n_types)]
    rates = [RunningStats() for _ in range(n_types)]
    totals = np.zeros(n_types)
    biggest = np.zeros(n_types)
    for stype, w, rule_max, n, delay_variance, per_tick, per_second in incoming:
        w_max = max(float(w.max()) if w.size else 0.0, rule_max)
        weights[stype].add_items(float(w.mean()) if w.size else 0.0,
                                 float(w.var(ddof=1)) if w.size > 1 else 0.0, n)
        biggest[stype] = max(biggest[stype], w_max)
        delays[stype].add_items(0.0, delay_variance, n)
        rates[stype].add_items(per_second, 0.0, n)
        totals[stype] += per_tick * w_max * n
    bounds = np.zeros(n_types)
    for stype in range(n_types):
        if delays[stype].variance == 0.0:
            bounds[stype] = max(totals[stype], biggest[stype])
            continue
        s, r = weights[stype], rates[stype]
        bound = expected_upper_bound(s.mean, s.standard_deviation, r.mean, s.count,
                                     formats.ring_buffer_sigma, ticks_per_second,
                                     formats.poisson_sigma_summation_limit)
        bounds[stype] = max(min(bound, totals[stype]), biggest[stype])
    shifts = []
    for bound in bounds:
        power = 0 if bound <= 0 else int(math.ceil(max(0.0, math.log2(bound))))
        shifts.append(power + 1 if 2.0 ** power <= bound else power)
    return np.array(shifts, np.int64), bounds
