"""The SpiNNaker emulator: sPyNNaker's timer tick on every core at once, in its words.

Per tick k (sPyNNaker 6.0-era neural_modelling/src/neuron: c_main.c timer_callback,
synapses.c synapses_do_timestep_update, neuron_impl_standard.h
neuron_impl_do_timestep_update):
1. the ring buffer's slot k (mod 16) is turned into inputs, input = entry << left shift
   (synapse_row.h synapses_convert_weight_to_input), added to each neuron's synaptic
   state (exponential: isyn += decay_s1615(input, init); alpha: add_input_alpha; delta:
   isyn += input), and cleared;
2. each neuron: its synaptic inputs (conductances >> 10, times (E_rev - V)), the model's
   update (LIF: if refract_timer <= 0, alpha = I R + V_rest and V = alpha - exp_TC
   (alpha - V), else refract_timer -= 1 (neuron_model_lif_impl.c); Izhikevich: one RK2
   midpoint step (neuron_model_izh_impl.c)); V >= V_thresh fires (threshold_type_static):
   V = V_reset, refract_timer = T_refract; then the synapses are shaped (decay);
3. the spikes of tick k are processed: each source's rows of stage 0 put their 16-bit
   weights into slot k + d (saturating at 0xFFFF, counted: synapses.c
   process_fixed_synapses); rows of a later stage are re-sent by the delay extension 16 s
   ticks later (delay_extension.c background_callback) and processed then; plastic rows
   first update their weights (stdp.py).
A host spike labelled s (time s dt) is a spike of tick s - 1, as a neuron's spike of the
same time: sPyNNaker sends a SpikeSourceArray spike at t in the tick whose time is t and
stamps a neuron's spike of tick k with k dt; this framework stamps it (k + 1) dt (NEST),
so both keep their relative timing. v is sampled before the tick's update (sPyNNaker
records V there too). A spike sent in tick k is taken to reach its targets' rows in tick
k, after their neuron update (the chip's packets arrive within the tick).
"""

from typing import Optional

import numpy as np

from ...contract import ChipEmulator
from ...quantize import QuantizedProjection
from .fixed import FixedPoint
from .formats import SpiNNakerFormats
from .program import SpiNNakerProgram
from .stdp import PlasticState


# words that are not s16.15: u0.32 factors (int64 holds them) and tick counts
_NOT_WORDS = ("decay", "init", "t_refract")


def _ranges(starts, stops):
    """The concatenated ranges starts[i]:stops[i]."""
    lengths = stops - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    return np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)


class SpiNNakerEmulator(ChipEmulator):
    def __init__(self, program: SpiNNakerProgram, formats: SpiNNakerFormats,
                 seed: Optional[int]):
        self.program = p = program
        self.formats = formats
        self.fx = fx = FixedPoint(formats)
        n = p.neurons
        self.tick = 0
        self.voltage = np.zeros(n, fx.word)
        self.refract = np.zeros(n, np.int64)
        self.state = []
        # the groups' words in the chip's word (u0.32 decays and the tick counts apart)
        self.words = [{k: (v if k in _NOT_WORDS else v.astype(fx.word))
                       for k, v in g.words.items()} for g in p.groups]
        for g in p.groups:
            self.voltage[g.start:g.stop] = g.words["v"]
            self.state.append(self._initial_state(g))
        self.slots = formats.native_delay_max
        self.slot_mask = self.slots - 1
        self.ring = np.zeros((self.slots, p.types * n), np.int64)
        self.weight_max = formats.weight_max
        self.pending = {}  # tick -> rows re-sent by delay extensions then
        self.learning = PlasticState(p, formats) if p.rules else None
        self._direct = self.learning is None and not (p.row_stage > 0).any()
        delays = np.unique(p.delay)
        self._one_delay = int(delays[0]) if delays.size == 1 else None
        # each synapse's entry within a slot, and a slot's size
        self._slot_size = p.types * n
        self._entry = p.stype * n + p.target
        self._shift = p.shift.reshape(-1)
        self._counters = dict(spikes=0, synaptic_events=0, ring_buffer_saturations=0,
                              plastic_saturations=0, delay_extension_spikes=0)
        # constants of the C source, as GCC converts them (truncation)
        self.one = fx.one
        self.izh = dict(c140=fx.literal(140.0), c5=fx.literal(5.0), c004=fx.literal(0.04),
                        offset=fx.literal(formats.izhikevich_threshold_offset))

    def _initial_state(self, g):
        n = g.stop - g.start
        zeros = np.zeros((self.program.types, n), self.fx.word)
        if g.kernel == "alpha":
            return dict(lin=zeros.copy(), exp=zeros.copy(), q=zeros.copy())
        if g.kernel == "izh":
            return dict(isyn=zeros, u=g.words["u"].astype(self.fx.word),
                        h=g.words["h"].astype(self.fx.word))
        return dict(isyn=zeros)

    @property
    def counters(self) -> dict:
        return dict(self._counters)

    def v(self, neurons):
        return self.voltage[neurons]

    def weights(self, projection: QuantizedProjection):
        positions = self.program.synapse_index[projection.index]
        held = self.program.weight[positions].copy()
        if self.learning is not None:
            local = self.program.plastic_position[positions]
            learned = local >= 0
            held[learned] = self.learning.weight[local[learned]]
        return held

    # --- delivery --------------------------------------------------------------------

    def _send(self, axons, time):
        """Spikes of `axons` sent at `time`: their stage-0 rows now, the rest later."""
        p = self.program
        if not axons.size:
            return
        if self._direct:  # every row is of stage 0 and static: an axon's synapses in a run
            starts = p.row_start[p.axon_row_start[axons]]
            stops = p.row_start[p.axon_row_start[axons + 1]]
            positions = _ranges(starts, stops)
            self._deposit(positions, time, p.weight[positions], None)
            return
        rows = _ranges(p.axon_row_start[axons], p.axon_row_start[axons + 1])
        stage = p.row_stage[rows]
        later = stage > 0
        if later.any():
            due = time + (stage[later] << self.formats.delay_bits)
            for t, row in zip(due.tolist(), rows[later].tolist()):
                self.pending.setdefault(t, []).append(row)
            self._counters["delay_extension_spikes"] += int(np.count_nonzero(later))
            rows = rows[~later]
        self._process(rows, time)

    def _process(self, rows, time):
        """Synaptic rows processed at `time` (each entry one spike)."""
        if not rows.size:
            return
        p = self.program
        if self.learning is None or not p.row_plastic[rows].any():
            positions = _ranges(p.row_start[rows], p.row_start[rows + 1])
            self._deposit(positions, time, p.weight[positions], None)
            return
        parts, weights, plastic = [], [], []
        for row in rows.tolist():
            positions = np.arange(p.row_start[row], p.row_start[row + 1])
            mine = p.is_plastic[positions]
            w = p.weight[positions].copy()
            if mine.any():
                w[mine] = self.learning.process_row(row, max(time, 0), positions[mine])
            order = np.concatenate([np.flatnonzero(mine), np.flatnonzero(~mine)])
            parts.append(positions[order])
            weights.append(w[order])
            plastic.append(mine[order])
        self._deposit(np.concatenate(parts), time, np.concatenate(weights),
                      np.concatenate(plastic))

    def _deposit(self, positions, time, weights, plastic):
        """Add the weights of synapses `positions` into the ring buffer at time + delay,
        each entry saturating at 0xFFFF; a saturation is counted per addition.
        `plastic` marks the plastic synapses (None: none is)."""
        p = self.program
        self._counters["synaptic_events"] += int(positions.size)
        if self._one_delay is not None:
            flat = self._entry[positions] + ((time + self._one_delay) & self.slot_mask) \
                * self._slot_size
        else:
            flat = self._entry[positions] + ((time + p.delay[positions]) & self.slot_mask) \
                * self._slot_size
        ring = self.ring.reshape(-1)
        np.add.at(ring, flat, weights)
        if positions.size and ring[flat].max() > self.weight_max:
            flags = np.zeros(flat.size, bool) if plastic is None else plastic
            self._saturate(ring, flat, weights, flags)

    def _saturate(self, ring, flat, w, plastic):
        """Entries past 0xFFFF after this batch, redone in processing order (synapses.c:
        acc = entry + w; if bit 16 is set, acc = 0xFFFF and the count goes up)."""
        top = self.weight_max
        for e in np.unique(flat[ring[flat] > top]).tolist():
            events = np.flatnonzero(flat == e)
            acc = int(ring[e]) - int(w[events].sum())  # the entry before this batch
            for w_k, plastic_k in zip(w[events].tolist(), plastic[events].tolist()):
                acc += int(w_k)
                if acc > top:
                    acc = top
                    key = "plastic_saturations" if plastic_k else "ring_buffer_saturations"
                    self._counters[key] += 1
            ring[e] = acc

    # --- the tick ----------------------------------------------------------------------

    def _transfer(self, k):
        """Slot k of the ring buffer as inputs: the entries that hold something (type *
        neurons + neuron) and their inputs (raw s16.15); the slot is cleared."""
        slot = self.ring[k & self.slot_mask]
        entries = np.flatnonzero(slot)
        inputs = (slot[entries] << self._shift[entries]).astype(self.fx.word)
        slot[entries] = 0
        return entries, inputs

    def run(self, ticks, labels, inputs, record=None, sample_every=1):
        p = self.program
        spike_ticks, spike_neurons, samples = [], [], []
        inputs = np.asarray(inputs, np.int64)
        bounds = np.searchsorted(labels, np.arange(self.tick, self.tick + ticks + 1)).tolist()
        for k in range(self.tick, self.tick + ticks):
            first, last = bounds[k - self.tick], bounds[k - self.tick + 1]
            if last > first:
                # host spikes labelled k: spikes of tick k - 1
                self._send(inputs[first:last], k - 1)
            if record is not None and k % sample_every == 0:
                samples.append(self.voltage[record].copy())
            entries, values = self._transfer(k)
            fired = []
            for g, words, state in zip(p.groups, self.words, self.state):
                spiked = self._update(g, words, state, self._group_inputs(g, entries, values))
                if spiked.size:
                    fired.append(spiked + g.start)
            spiked = np.concatenate(fired) if fired else np.zeros(0, np.int64)
            if spiked.size:
                spike_ticks.append(np.full(spiked.size, k))
                spike_neurons.append(spiked)
                if self.learning is not None:
                    self.learning.post_spikes(k, spiked)
                self._send(spiked, k)
            due = self.pending.pop(k, None)
            if due is not None:
                self._process(np.asarray(due, np.int64), k)
        self.tick += ticks
        self._counters["spikes"] += sum(s.size for s in spike_neurons)
        rows = np.array(samples).reshape(len(samples), -1) if record is not None else None
        joined = (np.concatenate(spike_ticks) if spike_ticks else np.zeros(0, np.int64),
                  np.concatenate(spike_neurons) if spike_neurons else np.zeros(0, np.int64))
        return joined[0], joined[1], rows

    # --- the neuron kernels --------------------------------------------------------------

    def _group_inputs(self, g, entries, values):
        """The ring-buffer entries of group `g` as positions in its (types x neurons)
        arrays, flattened, and their inputs."""
        n = self.program.neurons
        if g.start == 0 and g.stop == n:
            return entries, values
        types, neurons = np.divmod(entries, n)
        mine = (neurons >= g.start) & (neurons < g.stop)
        return types[mine] * (g.stop - g.start) + neurons[mine] - g.start, values[mine]

    def _update(self, g, w, state, synaptic):
        """One tick of group `g` (its words `w`; `synaptic`: the flat positions in the
        group's types x neurons arrays and the inputs of the ring-buffer entries that held
        something); returns the indices (in the group) that fired."""
        fx = self.fx
        s = slice(g.start, g.stop)
        v = self.voltage[s]
        at, inputs = synaptic
        if g.kernel == "alpha":
            dense = np.zeros((self.program.types, g.stop - g.start), fx.word)
            dense.reshape(-1)[at] = inputs
            current = self._alpha_inputs(w, state, dense)
        elif g.kernel == "delta":
            state["isyn"].reshape(-1)[at] += inputs
            current = fx.mul(state["isyn"], w["scale"])
        else:
            if inputs.size:
                state["isyn"].reshape(-1)[at] += fx.decay(inputs, w["init"].reshape(-1)[at])
            current = state["isyn"]
        if g.kernel == "cond":
            g_syn = current >> self.formats.conductance_input_shift
            exc = fx.mul(g_syn[0], w["e_rev"][0] - v)
            inh = fx.mul(-g_syn[1], w["e_rev"][1] - v)
        else:
            exc, inh = current[0], current[1]
        drive = exc - inh + w["i_offset"]
        if g.kernel == "izh":
            spiked = self._izhikevich(g, w, state, v, drive)
        else:
            spiked = self._lif(g, w, v, drive)
        # shape the synaptic state for the next tick
        if g.kernel == "alpha":
            state["lin"] += fx.mul(state["q"], w["dt_tau2"])
            state["exp"] = fx.decay(state["exp"], w["decay"])
        elif g.kernel == "delta":
            state["isyn"][:] = 0
        else:
            state["isyn"] = fx.decay(state["isyn"], w["decay"])
        return spiked

    def _alpha_inputs(self, w, state, synaptic):
        """synapse_types_alpha_impl.h: add_input_alpha for inputs above zero, then the
        current lin * exp."""
        fx = self.fx
        arriving = synaptic > 0
        if arriving.any():
            exp = fx.decay(state["exp"], w["decay"]) + self.one
            scaled = fx.mul(synaptic, w["dt_tau2"])
            lin = fx.mul(state["lin"] + scaled, self.one - fx.div(self.one, np.where(
                arriving, exp, self.one)))
            state["q"] = np.where(arriving, synaptic, state["q"]).astype(fx.word)
            state["exp"] = np.where(arriving, exp, state["exp"]).astype(fx.word)
            state["lin"] = np.where(arriving, lin, state["lin"]).astype(fx.word)
        return fx.mul(state["lin"], state["exp"])

    def _lif(self, g, w, v, drive):
        fx = self.fx
        s = slice(g.start, g.stop)
        refract = self.refract[s]
        alpha = fx.mul(drive, w["r"])
        alpha += w["v_rest"]
        new = alpha - fx.mul(w["exp_tc"], alpha - v)
        held = refract > 0
        np.copyto(new, v, where=held)
        refract -= held
        v = new
        spiked = np.flatnonzero(v >= w["v_thresh"])
        if spiked.size:
            v[spiked] = w["v_reset"][spiked]
            refract[spiked] = w["t_refract"][spiked]
        self.voltage[s] = v
        return spiked

    def _izhikevich(self, g, w, state, v, drive):
        """neuron_model_izh_impl.c _rk2_kernel_midpoint, evaluated left to right."""
        fx, c = self.fx, self.izh
        s = slice(g.start, g.stop)
        mul = fx.mul
        a, b, h, u = w["a"], w["b"], state["h"], state["u"]
        pre = (drive + fx.words(c["c140"])) - u
        alpha = pre + mul(c["c5"] + mul(c["c004"], v), v)
        eta = v + (mul(h, alpha) >> 1)
        beta = mul(mul(h, mul(b, v) - u), a) >> 1
        new_v = v + mul(h, pre - beta + mul(c["c5"] + mul(c["c004"], eta), eta))
        new_u = u + mul(mul(a, h), -u - beta + mul(b, eta))
        h = w["h"].copy()
        spiked = np.flatnonzero(new_v >= w["v_thresh"])
        if spiked.size:
            new_v[spiked] = w["c"][spiked]
            new_u[spiked] += w["d"][spiked]
            h[spiked] = mul(w["h"][spiked], c["offset"])
        self.voltage[s] = new_v
        state["u"], state["h"] = new_u, h
        return spiked
