"""The TrueNorth neuron emulator: integer state, Cassidy et al. 2013's update, one tick at
a time (docs/chips/truenorth.md lists each rule and its source).

Per tick k, for every neuron j (s_j^G its weight for axon type G, rho a pseudo-random
number of its core, sgn(0) = 0):
1. synaptic integration: for every axon i active in tick k that j's crossbar column
   holds, v += s_j^{G_i}, or with stochastic synapses v += sgn(s) when |s| >= rho;
2. leak: with leak reversal Omega = sgn(v), else 1; v += Omega lambda, or with a
   stochastic leak v += Omega sgn(lambda) when |lambda| >= rho;
3. threshold: eta = rho & (2**TM - 1); if v >= alpha + eta the neuron fires and
   v = R (normal), v - (alpha + eta) (linear) or v (non-reset); else if v is below
   -beta (neg_saturate) or -(beta + eta) (otherwise), v = -beta (neg_saturate), or
   -R, v + (beta + eta), v by reset mode.
v saturates at the v_bits range after steps 1 and 2 (the emulator's choice: the chip's
behaviour at the ends is not in the sources read). A spike of tick k is sent by each of
the neuron's copies to its axon, where it is active in tick k + delay; a host spike
labelled s (time s dt) is sent as a neuron's spike of tick s - 1. An axon carries one
spike per tick: host spikes that meet on one axon in one tick are merged and counted.

Pseudo-random numbers: one generator per core (numpy's PCG64 seeded with the network's
seed and the core's number; the chip's own generator is not in the sources read). In a
tick, a core that needs them draws, in this order: for stochastic synapses, one number
per neuron slot for each of its active axons (in axon order); for a stochastic leak, one
per slot; for stochastic thresholds, one per slot, threshold_mask_bits_max bits wide.
A neuron uses the numbers of its first copy's slot.
"""

from typing import Optional

import numpy as np

from ...contract import ChipEmulator
from ...quantize import QuantizedProjection
from .formats import TrueNorthFormats
from .program import TrueNorthProgram


class CorePRNG:
    """One generator per core, seeded with (seed, core): `draw(core, size, bits)`."""

    def __init__(self, seed: Optional[int]):
        self.seed = 0 if seed is None else int(seed)
        self._generators = {}

    def draw(self, core: int, size: int, bits: int) -> np.ndarray:
        generator = self._generators.get(core)
        if generator is None:
            generator = self._generators[core] = np.random.default_rng([self.seed, core])
        return generator.integers(0, 1 << bits, size=size, dtype=np.int64)


def _gather(starts, stops):
    """The indices starts[0]:stops[0], starts[1]:stops[1], ..., concatenated."""
    lengths = stops - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    return np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)


def _joined(parts):
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


class TrueNorthEmulator(ChipEmulator):
    """A TrueNorth program run tick by tick (`prng`: a CorePRNG or any object with its
    `draw`, for tests)."""

    def __init__(self, program: TrueNorthProgram, formats: TrueNorthFormats,
                 seed: Optional[int], prng=None):
        self.program = p = program
        self.formats = formats
        self.prng = prng if prng is not None else CorePRNG(seed)
        self.tick = 0
        self.v_state = p.v_initial.astype(np.int64).copy()
        self.ring_size = formats.delay_max + 1
        self.ring = [[] for _ in range(self.ring_size)]
        self._host = (np.zeros(0, np.int64), np.zeros(0, np.int64))  # not yet sent
        self._counters = dict(spikes=0, axon_spikes=0, synaptic_events=0,
                              input_spikes_merged=0, v_saturated=0)
        q = p.parameters
        self.leak = q["leak"]
        self.reversal = q["leak_reversal"].astype(bool)
        self.alpha, self.beta = q["threshold"], q["neg_threshold"]
        self.reset, self.mode = q["reset"], q["reset_mode"]
        self.saturate = q["neg_saturate"].astype(bool)
        self.mask = (np.int64(1) << q["threshold_mask_bits"]) - 1
        self.stochastic_leak = q["stochastic_leak"].astype(bool)
        self.stochastic_synapses = q["stochastic_synapses"].astype(bool)
        self.any_reversal = bool(self.reversal.any())
        self.deterministic_leak = np.where(self.stochastic_leak, 0, self.leak)

        def needing(flags):
            cores = np.unique(p.core[flags])
            return [(int(c), np.flatnonzero(flags & (p.core == c))) for c in cores]

        self._leak_cores = needing(self.stochastic_leak)
        self._threshold_cores = needing(self.mask > 0)
        self._synapse_cores = needing(self.stochastic_synapses)
        self._floor = -self.beta
        self._plain = (not self._threshold_cores and bool(np.all(self.mode == 0))
                       and bool(self.saturate.all()) and bool(np.all(self.reset >= -self.beta)))

    @property
    def counters(self) -> dict:
        return dict(self._counters)

    def v(self, neurons):
        return self.v_state[neurons]

    def weights(self, projection: QuantizedProjection):
        return self.program.synapse_weight[self.program.synapse_index[projection.index]]

    # --- one tick ---------------------------------------------------------------------

    def _send(self, axons, arrival):
        """Axons `axons` active in ticks `arrival` (each within the ring's reach)."""
        if not axons.size:
            return
        slots = arrival % self.ring_size
        if (slots == slots[0]).all():
            self.ring[slots[0]].append(axons)
            return
        for slot in np.unique(slots):
            self.ring[slot].append(axons[slots == slot])

    def _saturate(self, v):
        F = self.formats
        if v.size == 0 or (v.min() >= F.v_min and v.max() <= F.v_max):
            return
        outside = (v < F.v_min) | (v > F.v_max)
        if outside.any():
            self._counters["v_saturated"] += int(np.count_nonzero(outside))
            np.clip(v, F.v_min, F.v_max, out=v)

    def _integrate(self, v, active):
        p = self.program
        synapses = _gather(p.axon_synapse_start[active], p.axon_synapse_start[active + 1])
        self._counters["synaptic_events"] += synapses.size
        neuron, weight = p.synapse_neuron[synapses], p.synapse_weight[synapses]
        if self._synapse_cores:
            stochastic = self.stochastic_synapses[neuron]
            gate = np.ones(synapses.size, bool)
            axon = np.repeat(active, p.axon_synapse_start[active + 1]
                             - p.axon_synapse_start[active])
            for core, _ in self._synapse_cores:
                mine_active = np.sort(active[p.axon_core[active] == core])
                rho = self.prng.draw(core, mine_active.size * self.formats.neurons_per_core,
                                     self.formats.prn_bits).reshape(mine_active.size, -1)
                here = np.flatnonzero(stochastic & (p.core[neuron] == core))
                row = np.searchsorted(mine_active, axon[here])
                gate[here] = np.abs(weight[here]) >= rho[row, p.slot[neuron[here]]]
            weight = np.where(stochastic, np.sign(weight) * gate, weight)
        v += np.bincount(neuron, weight, minlength=v.size).astype(np.int64)

    def _leak(self, v):
        omega = np.where(self.reversal, np.sign(v), 1) if self.any_reversal else 1
        v += omega * self.deterministic_leak
        for core, neurons in self._leak_cores:
            rho = self.prng.draw(core, self.formats.neurons_per_core, self.formats.prn_bits)
            lam = self.leak[neurons]
            step = np.sign(lam) * (np.abs(lam) >= rho[self.program.slot[neurons]])
            v[neurons] += np.where(self.reversal[neurons], np.sign(v[neurons]), 1) * step

    def _fire(self, v):
        if self._plain:  # deterministic, normal reset, saturating floor below every reset
            fired = np.flatnonzero(v >= self.alpha)
            v[fired] = self.reset[fired]
            np.maximum(v, self._floor, out=v)
            return fired
        eta = np.zeros(v.size, np.int64)
        for core, neurons in self._threshold_cores:
            rho = self.prng.draw(core, self.formats.neurons_per_core,
                                 self.formats.threshold_mask_bits_max)
            eta[neurons] = rho[self.program.slot[neurons]] & self.mask[neurons]
        top = self.alpha + eta
        fired = v >= top
        floor = np.where(self.saturate, self.beta, self.beta + eta)
        low = ~fired & (v < -floor)
        if fired.any():
            mode = self.mode[fired]
            v[fired] = np.where(mode == 0, self.reset[fired],
                                np.where(mode == 1, v[fired] - top[fired], v[fired]))
        if low.any():
            mode = self.mode[low]
            mirrored = np.where(mode == 0, -self.reset[low],
                                np.where(mode == 1, v[low] + floor[low], v[low]))
            v[low] = np.where(self.saturate[low], -self.beta[low], mirrored)
        return np.flatnonzero(fired)

    def run(self, ticks, labels, inputs, record=None, sample_every=1):
        p = self.program
        host_labels = np.concatenate([self._host[0], labels])
        host_inputs = np.concatenate([self._host[1], inputs])
        sent = 0
        v = self.v_state
        spike_ticks, spike_neurons, samples = [], [], []
        for k in range(self.tick, self.tick + ticks):
            # host spikes labelled s are sent as spikes of tick s - 1
            due = np.searchsorted(host_labels, k + 1, side="right")
            if due > sent:
                # one spike per axon and tick: a cell's repeated spikes of one label merge
                s, i = host_labels[sent:due], host_inputs[sent:due]
                pair = np.unique((s - k) * (p.input_start.size + 1) + i)
                self._counters["input_spikes_merged"] += s.size - pair.size
                s, i = np.divmod(pair, p.input_start.size + 1)
                s = s + k
                targets = _gather(p.input_start[i], p.input_start[i + 1])
                s = np.repeat(s, p.input_start[i + 1] - p.input_start[i])
                self._send(p.input_axon[targets], s - 1 + p.input_delay[targets])
                sent = due
            if record is not None and k % sample_every == 0:
                samples.append(v[record].copy())
            slot = k % self.ring_size
            if self.ring[slot]:
                # each axon is fed by one copy or host input: no axon twice in a tick
                active = np.concatenate(self.ring[slot])
                self.ring[slot] = []
                self._integrate(v, active)
                self._saturate(v)
            self._leak(v)
            self._saturate(v)
            fired = self._fire(v)
            if fired.size:
                spike_ticks.append(np.full(fired.size, k))
                spike_neurons.append(fired)
                copies = _gather(p.copy_start[fired], p.copy_start[fired + 1])
                copies = copies[p.copy_axon[copies] >= 0]
                self._counters["axon_spikes"] += copies.size
                self._send(p.copy_axon[copies], k + p.copy_delay[copies])
        self._host = (host_labels[sent:], host_inputs[sent:])
        self.tick += ticks
        self._counters["spikes"] += sum(s.size for s in spike_neurons)
        rows = np.array(samples).reshape(len(samples), -1) if record is not None else None
        return _joined(spike_ticks), _joined(spike_neurons), rows
