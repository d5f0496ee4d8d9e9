"""The Loihi compartment emulator: integer state, the chip's update order, wrapping.

Per tick k, for every compartment (nengo-loihi's emulator, which its tests run against
the chip; hardware_facts.md §2.2), with D = 2**decay_bits (4096) and the widths of the
chip description (Loihi: input 21, current 23 bits):
  q = input arriving at k, wrapped to input_bits + sign
  u = sign(u) floor(|u| (D - 1 - decay_u) / D) + q, wrapped to current_bits + sign
  v = sign(v) floor(|v| (D - decay_v) / D) + (sum of the neuron's u) + bias
      (the sum wrapped to current_bits + sign), clipped to [vmin, vmax]
  v = 0 while refractory; spike if v > threshold; then v = 0, refractory count loaded
A spike in tick k reaches its targets' q in tick k + 1 + delay. Host inputs labelled
with tick s (a PyNN spike time s * dt) reach theirs in tick s + delay, as a neuron's
spike of tick s - 1 would. Plastic synapses learn after each tick's spikes
(learning_engine.py); a spike reads its synapses' weights when it is sent.
"""

from typing import Optional

import numpy as np

from ...contract import ChipEmulator
from ...quantize import QuantizedProjection
from .formats import LoihiFormats
from .learning_engine import LoihiLearning
from .program import LoihiProgram


def wrap(x, bits):
    """Two's-complement wrap of `x` to `bits` bits plus sign; also how many wrapped."""
    limit = 1 << bits
    wrapped = ((x + limit) & ((limit << 1) - 1)) - limit
    return wrapped, int(np.count_nonzero(wrapped != x))


def decay(x, factor, bits):
    """sign(x) * floor(|x| * factor / 2**bits), the chip's decay rounded toward zero."""
    return np.sign(x) * ((np.abs(x) * factor) >> bits)


def _joined(parts):
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


class LoihiEmulator(ChipEmulator):
    """A Loihi program run tick by tick. With learning, host spikes are handed over one
    tick ahead (their traces fall in the tick before their label)."""

    def __init__(self, program: LoihiProgram, formats: LoihiFormats, seed: Optional[int]):
        self.program = p = program
        self.formats = formats
        n, c = p.neurons, p.channels
        self.u = np.zeros((c, n), np.int64)
        self.v_state = p.v_initial.astype(np.int64).copy()
        self.ref = np.zeros(n, np.int64)
        # the delays' ring: up to delay_max ticks ahead, plus the tick of arrival
        self.ring_size = formats.delay_max + 2
        self.ring = np.zeros((self.ring_size, c, n), np.int64)
        one = formats.decay_one
        self._u_factor = (one - formats.current_decay_offset - p.decay_u).astype(np.int64)
        self._v_factor = (one - p.decay_v).astype(np.int64)
        self.tick = 0
        self._counters = dict(input_wraps=0, current_wraps=0, v_clipped=0, spikes=0,
                              synaptic_events=0)
        self.weight = p.weight.copy()  # the synapse memory: learning rewrites it
        self.learning = LoihiLearning(p, self.weight, np.random.default_rng(seed), formats) \
            if p.rules else None
        self.input_lookahead = 1 if self.learning is not None else 0
        # host spikes handed over early (labelled with the next run's first tick)
        self._early = (np.zeros(0, np.int64), np.zeros(0, np.int64))

    @property
    def counters(self) -> dict:
        counters = dict(self._counters)
        if self.learning is not None:
            counters.update(self.learning.counters)
        return counters

    def v(self, neurons):
        return self.v_state[neurons]

    def weights(self, projection: QuantizedProjection):
        return self.weight[self.program.synapse_index[projection.index]]

    def _deliver(self, axons, arrival):
        """Add the synapses of input axons `axons` to the ring, `arrival` + delay."""
        p = self.program
        starts, stops = p.axon_start[axons], p.axon_start[axons + 1]
        lengths = stops - starts
        total = int(lengths.sum())
        if total == 0:
            return
        index = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        slot = (arrival + p.delay[index]) % self.ring_size
        flat = (slot * p.channels + p.channel[index]) * p.neurons + p.target[index]
        np.add.at(self.ring.reshape(-1), flat, self.weight[index])
        self._counters["synaptic_events"] += total

    def run(self, ticks, labels, inputs, record=None, sample_every=1):
        """Advance `ticks` ticks. Host inputs: axon `inputs[i]` fires with label
        `labels[i]` (sorted; with learning, also those labelled self.tick + ticks, whose
        traces fall in this run's last tick)."""
        host_ticks = np.concatenate([self._early[0], labels])
        host_axons = np.concatenate([self._early[1], inputs])
        later = host_ticks >= self.tick + ticks
        self._early = (host_ticks[later], host_axons[later])
        p = self.program
        bits_q, bits_u = self.formats.input_bits, self.formats.current_bits
        decay_bits = self.formats.decay_bits
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
                samples.append(self.v_state[record].copy())
            slot = k % self.ring_size
            q, wrapped = wrap(self.ring[slot], bits_q)
            self._counters["input_wraps"] += wrapped
            self.ring[slot] = 0
            self.u, wrapped = wrap(decay(self.u, self._u_factor, decay_bits) + q, bits_u)
            self._counters["current_wraps"] += wrapped
            drive, wrapped = wrap(self.u.sum(axis=0) + p.bias, bits_u)
            self._counters["current_wraps"] += wrapped
            v = decay(self.v_state, self._v_factor, decay_bits) + drive
            clipped = (v < p.vmin) | (v > p.vmax)
            if clipped.any():
                self._counters["v_clipped"] += int(np.count_nonzero(clipped))
                np.clip(v, p.vmin, p.vmax, out=v)
            v[self.ref > 0] = 0
            spiked = np.flatnonzero(v > p.threshold)
            v[spiked] = 0
            self.ref[spiked] = p.refractory[spiked]
            np.maximum(self.ref - 1, 0, out=self.ref)
            self.v_state = v
            if spiked.size:
                spike_ticks.append(np.full(spiked.size, k))
                spike_neurons.append(spiked)
                self._deliver(spiked, k + 1)
            if self.learning is not None:
                due = np.searchsorted(host_ticks, k + 1, side="right")
                self.learning.tick(k, np.concatenate([spiked, host_axons[traced:due]]), spiked)
                traced = due
        self.tick += ticks
        self._counters["spikes"] += sum(s.size for s in spike_neurons)
        rows = np.array(samples).reshape(len(samples), -1) if record is not None else None
        return _joined(spike_ticks), _joined(spike_neurons), rows
