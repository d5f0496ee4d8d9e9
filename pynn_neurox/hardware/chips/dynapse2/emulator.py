"""The DYNAP-SE2 emulator: DynapSim's circuit equations (rockpool, dynapsim.py), per
neuron and per tick, forward Euler at the PyNN time step, in float64.

Per tick, for every neuron (x_t: the CAM entries of synapse type t arriving now; all
currents clipped below at Io as DynapSim clips them):
  DPI synapse t:  I_t <- I_t exp(-dt / tau_t) + (1 - exp(-t_pulse / tau_t))
                                              * max(Igain_t / Itau_t * Iw_t x_t, Io)
  AHP:            I_ahp likewise, charged by Iw_ahp when the neuron spiked in the last tick
  input:          I_in = AMPA + NMDA (where Imem >= If_nmda) - GABA - SHUNT
                         - I_leak + Idc, zero while refractory, then >= Io,
                  with I_leak = Itau_mem + I_ahp; a neuron adds only the types it has
                  CAM entries of (DynapSim has one synapse: the types are summed)
  membrane:       Imem += dt Imem / (tau (Imem + Igain)) (Imem_inf + f - Imem (1 + I_ahp /
                  Itau_mem)), tau = Ut C_mem / (kappa I_leak), Imem_inf = Igain / Itau
                  (I_in - I_leak), f = Io exp(kappa^2 / (kappa + 1) Vmem / Ut) / I_leak
                  (Imem + Igain), Vmem = Ut / kappa ln(Imem / Io) of the last tick
  spike:          Imem > Ispkthr: one spike, Imem <- Io, the refractory timer <- t_ref
                  = vth C_ref / Iref (it blocks the input while > 0, counting down dt)
Mismatch: every bias and circuit constant of each neuron is drawn once, x (1 + sigma N(0,
1)), from the network's seed, as rockpool's mismatch_generator draws the parameters of
its frozen mismatch prototype; the weight currents Iw_t are not deviated (nor are
DynapSim's weights).
"""

from typing import Optional

import numpy as np

from ....resources import check_allocation
from ...contract import ChipEmulator
from ...quantize import QuantizedProjection
from .formats import SYNAPSE_TYPES, DynapSE2Formats
from .program import DynapSE2Program

# the per-neuron parameters mismatch deviates: every bias but the weight currents, and
# every circuit constant (rockpool's frozen_mismatch_prototype of DynapSim)
_CONSTANTS = ("io", "ut", "kappa_n", "kappa_p", "vth", "c_mem", "c_ahp", "c_pulse",
              "c_pulse_ahp", "c_ref") + tuple(f"c_{t}" for t in SYNAPSE_TYPES)


def _joined(parts):
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def draw_parameters(program: DynapSE2Program, formats: DynapSE2Formats, seed):
    """Every neuron's parameters, mismatch drawn (the same seed, the same chip)."""
    n = program.neurons
    values = {name: np.asarray(v, float).copy() for name, v in program.biases.items()}
    constants = {"io": formats.io, "ut": formats.ut, "kappa_n": formats.kappa_n,
                 "kappa_p": formats.kappa_p, "vth": formats.vth, "c_mem": formats.c_mem,
                 "c_ahp": formats.c_ahp, "c_pulse": formats.c_pulse,
                 "c_pulse_ahp": formats.c_pulse_ahp, "c_ref": formats.c_ref}
    constants.update({f"c_{t}": formats.capacitance(t) for t in SYNAPSE_TYPES})
    for name in _CONSTANTS:
        values[name] = np.full(n, constants[name])
    sigma = program.mismatch
    if program.mismatch_seed is not None:
        seed = program.mismatch_seed
    if sigma > 0:
        rng = np.random.default_rng([0 if seed is None else int(seed), n])
        for name in sorted(values):
            if name.startswith("Iw_") and name != "Iw_ahp":
                continue
            values[name] = values[name] * (1 + sigma * rng.standard_normal(n))
    return values


class DynapSE2Emulator(ChipEmulator):
    """A DYNAP-SE2 program integrated tick by tick."""

    def __init__(self, program: DynapSE2Program, formats: DynapSE2Formats,
                 seed: Optional[int]):
        self.program = p = program
        self.formats = formats
        self.dt = p.dt * 1e-3
        self.tick = 0
        P = self.parameters = draw_parameters(p, formats, seed)
        io = self.io = P["io"]
        kappa = self.kappa = (P["kappa_n"] + P["kappa_p"]) / 2
        self.ut = P["ut"]
        self.u_kappa = P["ut"] / kappa
        self.feedback = kappa ** 2 / (kappa + 1) / P["ut"]
        # synapses (types x neurons)
        itau = np.vstack([np.maximum(P[f"Itau_{t}"], io) for t in SYNAPSE_TYPES])
        igain = np.vstack([np.maximum(P[f"Igain_{t}"], io) for t in SYNAPSE_TYPES])
        capacitance = np.vstack([P[f"c_{t}"] for t in SYNAPSE_TYPES])
        tau = self.u_kappa * capacitance / itau
        t_pulse = P["vth"] * P["c_pulse"] / P["Ipulse"]
        self.decay = np.exp(-self.dt / tau)
        self.charge = -np.expm1(-t_pulse / tau)
        self.weight = igain / itau * np.vstack([P[f"Iw_{t}"] for t in SYNAPSE_TYPES])
        self.uses = p.uses.astype(float)
        # adaptation
        itau_ahp = np.maximum(P["Itau_ahp"], io)
        tau_ahp = self.u_kappa * P["c_ahp"] / itau_ahp
        self.decay_ahp = np.exp(-self.dt / tau_ahp)
        self.charge_ahp = -np.expm1(-P["vth"] * P["c_pulse_ahp"] / P["Ipulse_ahp"] / tau_ahp) \
            * np.maximum(P["Igain_ahp"], io) / itau_ahp * P["Iw_ahp"]
        # membrane
        self.itau_mem = np.maximum(P["Itau_mem"], io)
        self.igain_mem = np.maximum(P["Igain_mem"], io)
        self.c_mem = P["c_mem"]
        self.idc = P["Idc"]
        self.if_nmda = P["If_nmda"]
        self.threshold = P["Ispkthr"]
        self.t_ref = P["vth"] * P["c_ref"] / P["Iref"]
        # state: DynapSim starts every current at Io and Vmem at 0
        n = p.neurons
        self.isyn = np.tile(io, (len(SYNAPSE_TYPES), 1))
        self.iahp = io.copy()
        self.imem = np.maximum(p.v_initial * io / formats.io, io)
        self.vmem = np.zeros(n)
        self.timer = np.zeros(n)
        self.spiked = np.zeros(n)
        self.ring_size = int(p.delay.max(initial=0)) + 2
        slot_bytes = len(SYNAPSE_TYPES) * n * np.dtype(float).itemsize
        check_allocation(f"the emulator's ring of delayed inputs (longest delay "
                         f"{self.ring_size - 2} ticks)", self.ring_size, "ticks", slot_bytes)
        self.ring = np.zeros((self.ring_size, len(SYNAPSE_TYPES), n))
        # each synapse's cell of the ring for a label of 0: delay, type, target
        self._slot = len(SYNAPSE_TYPES) * n
        self._cell = (p.delay * len(SYNAPSE_TYPES) + p.synapse_type) * n + p.target
        self._counters = dict(spikes=0, cam_events=0)
        self.input_lookahead = 0

    @property
    def counters(self) -> dict:
        return dict(self._counters)

    def v(self, neurons):
        """Raw v: Vmem in mV for native neurons, (Imem - Io) / Io (nominal) otherwise."""
        neurons = np.asarray(neurons, int)
        imem, io = self.imem[neurons], self.io[neurons]
        return np.where(self.program.native[neurons],
                        1e3 * self.u_kappa[neurons] * np.log(imem / io),
                        (imem - io) / self.formats.io)

    def weights(self, projection: QuantizedProjection):
        return self.program.entries[self.program.synapse_index[projection.index]]

    def _deliver(self, inputs, labels):
        """Add the CAM entries of `inputs` spiking with `labels` to the ring."""
        p = self.program
        starts, stops = p.input_start[inputs], p.input_start[inputs + 1]
        lengths = stops - starts
        total = int(lengths.sum())
        if total == 0:
            return
        index = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        cells = self.ring.size
        flat = self._cell[index]
        if labels.size and labels[0] == labels[-1]:  # one label (a tick's spikes)
            flat += int(labels[0]) * self._slot
        else:
            flat += np.repeat(labels, lengths) * self._slot
        flat %= cells
        entries = p.entries[index]
        # np.add.at is slow on many synapses; bincount sums the entries per ring cell
        ring = self.ring.reshape(-1)
        ring += np.bincount(flat, entries, minlength=cells)
        self._counters["cam_events"] += int(entries.sum())

    def run(self, ticks, labels, inputs, record=None, sample_every=1):
        dt = self.dt
        io = self.io
        ampa, gaba, nmda, shunt = (SYNAPSE_TYPES.index(t)
                                   for t in ("ampa", "gaba", "nmda", "shunt"))
        spike_ticks, spike_neurons, samples = [], [], []
        first = np.searchsorted(labels, self.tick)
        for k in range(self.tick, self.tick + ticks):
            last = np.searchsorted(labels, k, side="right")
            if last > first:
                self._deliver(inputs[first:last], labels[first:last])
                first = last
            if record is not None and k % sample_every == 0:
                samples.append(self.v(record))
            slot = k % self.ring_size
            arriving = self.ring[slot]
            self.isyn = self.decay * self.isyn + self.charge * np.maximum(
                self.weight * arriving, io)
            arriving[:] = 0
            self.iahp = np.maximum(self.decay_ahp * self.iahp + self.charge_ahp * self.spiked,
                                   io)
            leak = self.itau_mem + self.iahp
            isyn = self.isyn * self.uses
            drive = (isyn[ampa] + isyn[nmda] * (self.imem >= self.if_nmda)
                     - isyn[gaba] - isyn[shunt] - leak + self.idc)
            drive = np.maximum(np.where(self.timer > 0, 0.0, drive), io)
            imem = self.imem
            target = self.igain_mem / self.itau_mem * (drive - leak)
            feedback = io * np.exp(self.feedback * self.vmem) / leak * (imem + self.igain_mem)
            tau = self.u_kappa * self.c_mem / leak
            imem = imem + dt * imem / (tau * (imem + self.igain_mem)) * (
                target + feedback - imem * (1 + self.iahp / self.itau_mem))
            imem = np.maximum(imem, io)
            self.vmem = self.u_kappa * np.log(imem / io)
            fired = imem > self.threshold
            imem[fired] = io[fired]
            self.imem = imem
            self.timer = np.maximum(self.timer - dt, 0.0)
            self.timer[fired] = self.t_ref[fired]
            self.spiked = fired.astype(float)
            spiked = np.flatnonzero(fired)
            if spiked.size:
                spike_ticks.append(np.full(spiked.size, k))
                spike_neurons.append(spiked)
                self._deliver(spiked, np.full(spiked.size, k + 1))
        self.tick += ticks
        self._counters["spikes"] += sum(s.size for s in spike_neurons)
        rows = np.array(samples).reshape(len(samples), -1) if record is not None else None
        return _joined(spike_ticks), _joined(spike_neurons), rows
