"""A toy chip kind built from the contract alone (docs/chips/adding_a_chip.md walks
through it): integer LIF neurons with 8-bit weights on one core.

Per tick: v <- v - (v >> leak_shift) + the inputs arriving in this tick, wrapped to v_bits;
a neuron that is not refractory and has v >= threshold spikes, and v <- 0. A spike of
tick k (time (k + 1) dt) arrives in tick k + delay, so that v at time t + d holds it, as
NEST delivers onto a delta synapse; a host spike at time s dt counts as one of tick s - 1.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pyNN.neurox.hardware.check import out_of_range
from pyNN.neurox.hardware.chip import add_description, fact
from pyNN.neurox.hardware.contract import (Accepts, ChipEmulator, ChipKind, QuantizedCells,
                                           QuantizedNetwork, register_kind)
from pyNN.neurox.hardware.place import OneCore, OneCoreLimits
from pyNN.neurox.hardware.quantize import QuantizedProjection, Quantizer, weight_errors
from pyNN.neurox.hardware.report import ParameterRow
from pyNN.neurox.timegrid import delay_steps, off_grid, refractory_steps


@dataclass(frozen=True)
class ToyFormats(OneCoreLimits):
    v_bits: int = fact()
    weight_bits: int = fact()
    leak_shift_max: int = fact()
    delay_max: int = fact()
    refractory_max: int = fact()

    @property
    def weight_max(self):
        return (1 << (self.weight_bits - 1)) - 1


@dataclass(kw_only=True)
class ToyCells(QuantizedCells):
    threshold: np.ndarray
    leak_shift: np.ndarray
    refractory: np.ndarray


@dataclass
class ToyProgram:
    threshold: np.ndarray
    leak_shift: np.ndarray
    refractory: np.ndarray
    # synapses: the input (cell or host input) they come from, target, weight, delay
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    delay: np.ndarray
    neuron_offset: dict
    input_offset: dict
    synapse_index: dict  # projection index -> its synapses' positions


class ToyQuantizer(Quantizer):
    def cells(self, description, v_unit):
        p = {k: np.asarray(v, float) for k, v in description.parameters.items()}
        where = f"population '{description.label}'"
        distance = p["v_thresh"] - p["v_reset"]
        out_of_range(self.chip, "v_thresh - v_reset (mV)", where, distance, 1e-12, np.inf)
        threshold = np.rint(distance / v_unit).astype(np.int64)
        out_of_range(self.chip, "threshold (v units)", where, threshold, 1,
                     (1 << (self.formats.v_bits - 1)) - 1)
        shift = np.clip(np.rint(np.log2(p["tau_m"] / self.dt)), 0,
                        self.formats.leak_shift_max).astype(np.int64)
        refractory = refractory_steps(p["tau_refrac"], self.dt)
        out_of_range(self.chip, "refractory steps", where, refractory, 0,
                     self.formats.refractory_max)
        cells = ToyCells(index=description.index, label=description.label,
                         size=description.size, v_origin=p["v_reset"], v_unit=v_unit,
                         threshold=threshold, leak_shift=shift, refractory=refractory)
        cells.parameters = [ParameterRow("tau_m", "ms", float(p["tau_m"].mean()),
                                         float((self.dt * 2.0 ** shift).mean()),
                                         float(np.max(np.abs(self.dt * 2.0 ** shift - p["tau_m"])
                                                      / p["tau_m"])))]
        cells.approximations = ["the leak is v >> shift per tick, toward v_reset"]
        return cells

    def projection(self, description, post):
        where = f"projection '{description.label}'"
        wanted = description.weights / post.v_unit
        weight = np.rint(wanted)
        top = self.formats.weight_max
        clipped = out_of_range(self.chip, "weight (int8)", where, weight, -top - 1, top,
                               "clip_weights", self.allowed)
        weight = np.clip(weight, -top - 1, top).astype(np.int64)
        delay = delay_steps(description.delays, self.dt)
        out_of_range(self.chip, "delay (ticks)", where, delay, 1, self.formats.delay_max)
        errors = weight_errors(wanted, weight, clipped)
        errors.update(delays_off_grid=off_grid(description.delays, delay, self.dt))
        return QuantizedProjection(
            index=description.index, label=description.label, pre=description.pre,
            post=description.post, sources=description.sources, targets=description.targets,
            channel=0, weight=weight, delay=delay,
            chip_per_pynn=np.full(len(description), 1.0 / post.v_unit), errors=errors)


def _concatenated(parts):
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


class ToyEmulator(ChipEmulator):
    def __init__(self, program, formats):
        self.program = p = program
        self.formats = formats
        n = p.threshold.size
        self.tick = 0
        self.state = np.zeros(n, np.int64)
        self.refractory_left = np.zeros(n, np.int64)
        self.ring = np.zeros((formats.delay_max + 1, n), np.int64)
        self._counters = dict(v_wraps=0, spikes=0)

    @property
    def counters(self):
        return dict(self._counters)

    def _send(self, inputs, tick):
        for i in inputs:
            mine = self.program.source == i
            slots = (tick + self.program.delay[mine]) % self.ring.shape[0]
            np.add.at(self.ring, (slots, self.program.target[mine]), self.program.weight[mine])

    def run(self, ticks, labels, inputs, record, sample_every):
        p, half = self.program, 1 << (self.formats.v_bits - 1)
        spike_ticks, spike_neurons, samples = [], [], []
        for k in range(self.tick, self.tick + ticks):
            # a host spike labelled s acts as a neuron's spike of tick s - 1
            self._send(inputs[labels == k], k - 1)
            if record is not None and k % sample_every == 0:
                samples.append(self.state[record].copy())
            slot = k % self.ring.shape[0]
            exact = self.state - (self.state >> p.leak_shift) + self.ring[slot]
            self.ring[slot] = 0
            v = ((exact + half) % (2 * half)) - half
            self._counters["v_wraps"] += int(np.count_nonzero(v != exact))
            held = self.refractory_left > 0
            v[held] = 0
            fired = np.flatnonzero((v >= p.threshold) & ~held)
            v[fired] = 0
            self.refractory_left = np.maximum(self.refractory_left - 1, 0)
            self.refractory_left[fired] = p.refractory[fired]
            self.state = v
            if fired.size:
                spike_ticks.append(np.full(fired.size, k))
                spike_neurons.append(fired)
                self._send(fired, k)
        self.tick += ticks
        self._counters["spikes"] += sum(s.size for s in spike_neurons)
        rows = np.array(samples).reshape(len(samples), -1) if record is not None else None
        return _concatenated(spike_ticks), _concatenated(spike_neurons), rows

    def v(self, neurons):
        return self.state[neurons]

    def weights(self, projection):
        return self.program.weight[self.program.synapse_index[projection.index]]


@register_kind
class ToyKind(ChipKind):
    name = "toy"
    formats_class = ToyFormats
    accepts = Accepts(cell_types=("IF_curr_delta",))

    def quantize(self, network, allowed):
        quantizer = ToyQuantizer(self, network, allowed)
        cells = [p for p in network.populations if not p.is_source]
        # one v unit for the chip: the largest weight is the largest int8
        largest = max((np.abs(q.weights).max() for q in network.projections if len(q)),
                      default=1.0)
        v_unit = largest / self.formats.weight_max if largest > 0 else 1.0
        populations = {p.index: quantizer.cells(p, v_unit) for p in cells}
        projections = [quantizer.projection(q, populations[q.post])
                       for q in network.projections]
        return QuantizedNetwork(populations, projections)

    def allocate(self, network, quantized):
        return OneCore(self.chip, self.formats, network, quantized).place()

    def build_program(self, network, quantized, placement):
        neuron_offset, input_offset, start = {}, {}, 0
        for index, q in quantized.populations.items():
            neuron_offset[index] = start
            start += q.size
        for p in network.populations:  # every cell is an input: cells first, then sources
            input_offset[p.index] = neuron_offset.get(p.index, start)
            start += 0 if p.index in neuron_offset else p.size
        cells = list(quantized.populations.values())

        def stack(name):
            return np.concatenate([getattr(q, name) for q in cells]).astype(np.int64) \
                if cells else np.zeros(0, np.int64)

        projections = quantized.projections
        positions = np.cumsum([0] + [len(q.sources) for q in projections])
        if projections and positions[-1] > 0:
            source, target, weight, delay = (np.concatenate(x) for x in zip(*[
                (input_offset[q.pre] + q.sources, neuron_offset[q.post] + q.targets,
                 q.weight, q.delay) for q in projections]))
        else:
            source = target = weight = delay = np.zeros(0, np.int64)
        return ToyProgram(stack("threshold"), stack("leak_shift"), stack("refractory"),
                          source.astype(np.int64), target.astype(np.int64),
                          weight.astype(np.int64), delay.astype(np.int64), neuron_offset,
                          input_offset, {q.index: np.arange(a, b) for q, a, b in
                                         zip(projections, positions, positions[1:])})

    def emulator(self, program, seed):
        return ToyEmulator(program, self.formats)


TOY = add_description(Path(__file__).with_name("toy.json"))
