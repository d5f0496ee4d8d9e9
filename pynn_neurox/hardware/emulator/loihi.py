"""The Loihi compartment emulator: integer state, the chip's update order, wrapping.

Per tick k, for every compartment (nengo-loihi's emulator, which its tests run against
the chip; hardware_facts.md §2.2):
  q = input arriving at k, wrapped to 21 bits + sign
  u = sign(u) floor(|u| (4096 - 1 - decay_u) / 4096) + q, wrapped to 23 bits + sign
  v = sign(v) floor(|v| (4096 - decay_v) / 4096) + (sum of the neuron's u) + bias
      (the sum wrapped to 23 bits + sign), clipped to [vmin, vmax]
  v = 0 while refractory; spike if v > threshold; then v = 0, refractory count loaded
A spike in tick k reaches its targets' q in tick k + 1 + delay. Host inputs labelled
with tick s (a PyNN spike time s * dt) reach theirs in tick s + delay, as a neuron's
spike of tick s - 1 would. Plastic synapses learn after each tick's spikes
(loihi_learning.py); a spike reads its synapses' weights when it is sent.
"""

import numpy as np

from .loihi_learning import LoihiLearning

RING = 64  # delays of up to 62 ticks, plus the tick of arrival


def wrap(x, bits):
    """Two's-complement wrap of `x` to `bits` bits plus sign; also how many wrapped."""
    limit = 1 << bits
    wrapped = ((x + limit) & ((limit << 1) - 1)) - limit
    return wrapped, int(np.count_nonzero(wrapped != x))


def decay(x, factor):
    """sign(x) * floor(|x| * factor / 4096), the chip's decay rounded toward zero."""
    return np.sign(x) * ((np.abs(x) * factor) >> 12)


class LoihiEmulator:
    def __init__(self, program):
        self.program = p = program
        n, c = p.neurons, p.channels
        self.u = np.zeros((c, n), np.int64)
        self.v = p.v_initial.astype(np.int64).copy()
        self.ref = np.zeros(n, np.int64)
        self.ring = np.zeros((RING, c, n), np.int64)
        self._u_factor = (4095 - p.decay_u).astype(np.int64)
        self._v_factor = (4096 - p.decay_v).astype(np.int64)
        self.tick = 0
        self.counters = dict(input_wraps=0, current_wraps=0, v_clipped=0, spikes=0,
                             synaptic_events=0)
        self.weight = p.weight  # the synapse memory: learning rewrites it, as on the chip
        self.learning = LoihiLearning(p, self.weight, np.random.default_rng(p.seed)) \
            if p.rules else None

    def _deliver(self, axons, arrival):
        """Add the synapses of input axons `axons` to the ring, `arrival` + delay."""
        p = self.program
        starts, stops = p.axon_start[axons], p.axon_start[axons + 1]
        lengths = stops - starts
        total = int(lengths.sum())
        if total == 0:
            return
        index = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        slot = (arrival + p.delay[index]) % RING
        flat = (slot * p.channels + p.channel[index]) * p.neurons + p.target[index]
        np.add.at(self.ring.reshape(-1), flat, self.weight[index])
        self.counters["synaptic_events"] += total

    def run(self, ticks, host_ticks, host_axons, record=None, sample_every=1):
        """Advance `ticks` ticks. Host inputs: axon `host_axons[i]` fires with label
        `host_ticks[i]` (sorted; with learning, also those labelled self.tick + ticks,
        whose traces fall in this run's last tick). Returns (spike ticks, spiking neurons,
        v samples of the neurons in `record`, one row per `sample_every` ticks, taken
        before the tick)."""
        p = self.program
        bits_q, bits_u = 21, 23
        first = np.searchsorted(host_ticks, self.tick)
        # host spikes whose traces are still to come (label s: in tick s - 1)
        traced = np.searchsorted(host_ticks, self.tick, side="right") if self.tick else 0
        spike_ticks, spike_neurons, samples = [], [], []
        for k in range(self.tick, self.tick + ticks):
            last = np.searchsorted(host_ticks, k, side="right")
            if last > first:
                self._deliver(host_axons[first:last], k)
                first = last
            if record is not None and k % sample_every == 0:
                samples.append(self.v[record].copy())
            slot = k % RING
            q, wrapped = wrap(self.ring[slot], bits_q)
            self.counters["input_wraps"] += wrapped
            self.ring[slot] = 0
            self.u, wrapped = wrap(decay(self.u, self._u_factor) + q, bits_u)
            self.counters["current_wraps"] += wrapped
            drive, wrapped = wrap(self.u.sum(axis=0) + p.bias, bits_u)
            self.counters["current_wraps"] += wrapped
            v = decay(self.v, self._v_factor) + drive
            clipped = (v < p.vmin) | (v > p.vmax)
            if clipped.any():
                self.counters["v_clipped"] += int(np.count_nonzero(clipped))
                np.clip(v, p.vmin, p.vmax, out=v)
            v[self.ref > 0] = 0
            spiked = np.flatnonzero(v > p.threshold)
            v[spiked] = 0
            self.ref[spiked] = p.refractory[spiked]
            np.maximum(self.ref - 1, 0, out=self.ref)
            self.v = v
            if spiked.size:
                spike_ticks.append(np.full(spiked.size, k))
                spike_neurons.append(spiked)
                self._deliver(spiked, k + 1)
            if self.learning is not None:
                due = np.searchsorted(host_ticks, k + 1, side="right")
                self.learning.tick(k, np.concatenate([spiked, host_axons[traced:due]]), spiked)
                traced = due
        self.tick += ticks
        self.counters["spikes"] += sum(s.size for s in spike_neurons)
        if self.learning is not None:
            self.counters.update(self.learning.counters)
        cat = (lambda parts: np.concatenate(parts) if parts else np.zeros(0, np.int64))
        rows = np.array(samples).reshape(len(samples), -1) if record is not None else None
        return cat(spike_ticks), cat(spike_neurons), rows
