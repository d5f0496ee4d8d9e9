"""Tick-by-tick, bit-faithful emulator of the NeuroCoreX board (VHDL of ORNL/NeuroCoreX).

One tick is one pass of the board's time-multiplexed datapath over its slots; the
per-slot work is vectorised with numpy, and only the orderings the hardware makes
visible (the shared lateral-current register, STDP passes in slot order) are followed.
docs/chips/neurocorex_emulator.md lists every rule with its VHDL lines, and the
hardware defects reproduced on purpose.
"""

from dataclasses import dataclass

import numpy as np

from ....errors import ChipLimitError, MappingError
from .board import (
    FIRST_SLOT, MAX_DT, N_INPUTS, N_NEURONS, N_SLOTS, Q_FRAC, ROW_OF_SLOT, V_BITS,
    wrap18,
)
from .formats import BOARD

_SLOTS = np.arange(FIRST_SLOT, FIRST_SLOT + N_NEURONS)  # board slots of host neurons 0..89
_ROWS = _SLOTS + ROW_OF_SLOT  # the weight row each slot reads
# counter passes cover rows 0..94 and the potentiation pass columns 0..94 (all but the last)
_STDP_ROWS = N_SLOTS - 1
_LAST_ROW = N_SLOTS - 1  # the lateral sums are copied at the last index
# slow cycles without an output spike after which the STDP counters may drift (see the doc)
_QUIET_CYCLES_BEFORE_DRIFT = BOARD.stdp_drift_quiet_cycles
_INDEX = np.arange(N_SLOTS)
# pre-counter matrix [row r, column x]: cycle x handles column x; cycle 0 comes last
_ROW = _INDEX[:, None]
_COLUMN = _INDEX[None, :]
_ROW_CYCLE_FIRST = (_ROW < _COLUMN) | (_COLUMN == 0) | (_ROW == _COLUMN)
_ROW_CYCLE_LATER = ~_ROW_CYCLE_FIRST
_DIAGONAL = _ROW == _COLUMN
_IN_PASS = _ROW < _STDP_ROWS


def gain_product(weight_sum, gain):
    """resize((weight_sum * gain) sll 10, 18): the sign bit and the low 17 bits survive,
    so w*g (in units of 1.0) wraps modulo 128 keeping its sign. Returns (raw, wrapped)."""
    exact = np.asarray(weight_sum, np.int64) * int(gain) * (1 << Q_FRAC)
    low = exact & ((1 << (V_BITS - 1)) - 1)
    raw = np.where(exact < 0, low - (1 << (V_BITS - 1)), low)
    return raw, raw != exact


def _int8(byte):
    return byte - 256 if byte > 127 else byte


@dataclass
class RunResult:
    """Output of NeuroCoreXEmulator.run over `ticks` ticks.

    spikes: (ticks, 90) bool, host neuron order (frame bit k = slot k + 4).
    v: (ticks, 90) int64 raw Q7.10 after each tick, or None.
    releases: (n, 2) int64 [tick, address] of the input records released in this run.
    counters: membrane_wraps (V updates that wrapped in 18 bits), current_wraps (lateral
    current sums that wrapped), weight_gain_wraps (w*g products that lost bits, §1.12
    item 4), stdp_clamp_wraps (STDP steps that wrapped through the 8-bit clamp),
    events_released, events_queued (records still in the FIFO at the end), and
    stdp_drift_ticks (ticks in which the board's STDP counters may have drifted from the
    emulator's: AA learning on and over 451 slow cycles without an output spike).
    """

    spikes: np.ndarray
    v: np.ndarray
    releases: np.ndarray
    counters: dict


class NeuroCoreXEmulator:
    """The board after loading `image`, from the start of a run (all V, currents and
    counters zero, as after the board's FIFO reset)."""

    def __init__(self, image):
        image.validate()
        if np.any(image.stdp_enable_ff):
            raise MappingError("stdp_enable_ff: FF learning is not emulated (its passes race "
                             "each other at the 100 MHz clock and write transposed or "
                             "wrong-row weights); clear the FF enable bits")
        self._image = image.copy()
        self._w_ff = image.w_ff.astype(np.int64)
        self._w_aa = image.w_aa.astype(np.int64)
        self._gain = image.ff_gain
        self._leak = image.leak
        self._vth = image.vth[_SLOTS].astype(np.int64)
        self._tref = image.tref[_SLOTS].astype(np.int64)
        self._bias = np.zeros(N_NEURONS, np.int64)
        bias_slot = (int(image.debug_index) & 0xFF) + BOARD.debug_slot_offset
        if FIRST_SLOT <= bias_slot < FIRST_SLOT + N_NEURONS:
            self._bias[bias_slot - FIRST_SLOT] = image.debug_bias
        self._enable = image.stdp_enable_aa.copy()
        self._learning = bool(np.any(self._enable))
        self._tpre_max = _int8(int(image.stdp_params[1]) & 0xFF)
        self._tpost_max = _int8((int(image.stdp_params[1]) >> 8) & 0xFF)
        self._dw_pos = _int8(int(image.stdp_params[2]) & 0xFF)
        self._dw_neg = _int8((int(image.stdp_params[2]) >> 8) & 0xFF)

        self.tick = 0
        self.v = np.zeros(N_NEURONS, np.int64)
        self._refractory = np.zeros(N_NEURONS, np.int64)
        # input FIFO: records, head index, ticks counted since the last release
        self._records = np.zeros((0, 2), np.int64)
        self._head = 0
        self._since_release = 0
        # FF path: last tick's accumulated input column (weight_FF_prev) and its flag (Sin)
        self._ff_sums = np.zeros(N_SLOTS, np.int64)
        self._input_last_tick = False
        # lateral path: per-slot stored current, the shared register, spike history
        self._stored_aa = np.zeros(N_NEURONS, np.int64)
        self._register = 0
        self._slot93_two_ticks_ago = 0
        self._spiked_last_tick = np.zeros(N_NEURONS, bool)
        self._spiked_two_ticks_ago = False
        self._row_sums = np.zeros(N_SLOTS, np.int64)
        # AA STDP state, board layout (tpre/apre [row, column], tpost/apost per column)
        self._tpre = np.full((N_SLOTS, N_SLOTS), 0xFF, np.int64)
        self._apre = np.zeros((N_SLOTS, N_SLOTS), bool)
        self._tpost = np.full(N_SLOTS, 0xFF, np.int64)
        self._apost = np.zeros(N_SLOTS, bool)
        self._quiet_cycles = 0

    # ---------------------------------------------------------------- input
    def queue(self, records):
        """Append (dt, address) records to the board's input FIFO."""
        records = np.asarray(records, np.int64).reshape(-1, 2)
        for column, name, high in ((0, "record dt", MAX_DT), (1, "input address", N_INPUTS - 1)):
            bad = np.flatnonzero((records[:, column] < 0) | (records[:, column] > high))
            if bad.size:
                raise ChipLimitError(f"{name}: value {int(records[bad[0], column])} at index "
                                 f"{int(bad[0])} is outside [0, {high}]")
        self._records = np.concatenate([self._records[self._head:], records])
        self._head = 0

    @property
    def fifo_records(self):
        """Records in the input FIFO now, the head (the record being counted) included."""
        return len(self._records) - self._head

    def release_offsets(self):
        """For each record in the FIFO, the number of ticks from now until the tick that
        releases it (0: the next tick run), if nothing else is queued before then."""
        dts = self._records[self._head:, 0]
        if not dts.size:
            return dts.copy()
        first = max(int(dts[0]) - self._since_release, 0)
        return first + np.concatenate([[0], np.cumsum(dts[1:] + 1)])

    def _release(self):
        """At most one record per tick: the head leaves once more ticks have been counted
        since the last release than its dt (the count pauses while the FIFO is empty)."""
        if self._head >= len(self._records):
            return -1
        self._since_release += 1
        if self._since_release <= self._records[self._head, 0]:
            return -1
        address = int(self._records[self._head, 1])
        self._head += 1
        self._since_release = 0
        return address

    # ---------------------------------------------------------------- weights
    def weights_ff(self):
        """FF weights now, board layout (int8 [row, column])."""
        return self._w_ff.astype(np.int8)

    def weights_aa(self):
        """AA weights now (learned by STDP), board layout (int8 [row, column])."""
        return self._w_aa.astype(np.int8)

    def learned_image(self):
        """The loaded image with the current weights; its input_weights() and
        recurrent_weights() give them in host terms."""
        image = self._image.copy()
        image.w_ff = self.weights_ff()
        image.w_aa = self.weights_aa()
        return image

    # ---------------------------------------------------------------- run
    def run(self, ticks, record_v=False):
        """Advance exactly `ticks` ticks; a later run() continues where this one ended."""
        ticks = int(ticks)
        spikes = np.zeros((ticks, N_NEURONS), bool)
        v = np.zeros((ticks, N_NEURONS), np.int64) if record_v else None
        releases = []
        counters = dict.fromkeys(("membrane_wraps", "current_wraps", "weight_gain_wraps",
                                  "stdp_clamp_wraps", "events_released", "stdp_drift_ticks"),
                                 0)
        for step in range(ticks):
            released = self._release()
            if released >= 0:
                releases.append((self.tick, released))
            spikes[step] = self._neuron_update(counters)
            self._after_spikes(spikes[step], counters)
            self._input_last_tick = released >= 0
            self._ff_sums = (self._w_ff[:, released] if released >= 0
                             else np.zeros(N_SLOTS, np.int64))
            if record_v:
                v[step] = self.v
            self.tick += 1
        counters["events_released"] = len(releases)
        counters["events_queued"] = len(self._records) - self._head
        return RunResult(spikes, v, np.array(releases, np.int64).reshape(-1, 2), counters)

    def _neuron_update(self, counters):
        """One pass over the slots: spike test on V before this tick's input, then
        V <- V - leak + I_AA + I_FF (18-bit wrap), or 0 for a slot that fires."""
        ff = np.zeros(N_NEURONS, np.int64)
        if self._input_last_tick:
            ff, wrapped = gain_product(self._ff_sums[_ROWS], self._gain)
            counters["weight_gain_wraps"] += int(np.count_nonzero(wrapped))
        lateral = self._lateral_currents(counters)

        exact = self.v + self._bias
        v_pre = wrap18(exact)
        counters["membrane_wraps"] += int(np.count_nonzero(v_pre != exact))
        fired = (v_pre >= self._vth) & (self._refractory == 0)
        ff[1:][fired[:-1]] = 0  # the zeroing test of slot s-1 lands on slot s's current
        exact = v_pre - self._leak + lateral + ff
        v_new = wrap18(exact)
        counters["membrane_wraps"] += int(np.count_nonzero((v_new != exact) & ~fired))
        self.v = np.where(fired, 0, v_new)

        r = self._refractory
        counting = (r >= 1) & (r < self._tref)
        self._refractory = np.where(fired, 1, np.where(counting, r + 1,
                                                       np.where(r >= self._tref, 0, r)))
        return fired

    def _lateral_currents(self, counters):
        """The AA current each slot uses this tick, through the one shared register: a
        slot loads (its stored current + its row sum) only when some other slot fired
        last tick, and otherwise uses and stores whatever the register holds."""
        spiked = self._spiked_last_tick
        others_fired = (np.count_nonzero(spiked) - spiked) > 0
        products, wrapped = gain_product(self._row_sums[_ROWS], 1)
        counters["weight_gain_wraps"] += int(np.count_nonzero(wrapped & others_fired))
        exact = self._stored_aa + products
        loaded = wrap18(exact)
        counters["current_wraps"] += int(np.count_nonzero((loaded != exact) & others_fired))

        # cycles 1-2 of the tick: slot 93's current from two ticks ago (+ rows 4, 5)
        start = self._register
        if self._spiked_two_ticks_ago:
            product, wrapped = gain_product(self._row_sums[BOARD.register_reload_row], 1)
            start = int(wrap18(self._slot93_two_ticks_ago + product))
            counters["weight_gain_wraps"] += int(wrapped)
        last_loaded = np.maximum.accumulate(np.where(others_fired, np.arange(N_NEURONS), -1))
        used = np.where(last_loaded >= 0, loaded[np.maximum(last_loaded, 0)], start)

        # after slot 93: the register reloads slot 93's stored value + row 95 (cycle 93)
        if np.any(spiked):
            product, wrapped = gain_product(self._row_sums[_LAST_ROW], 1)
            self._register = int(wrap18(self._stored_aa[-1] + product))
            counters["weight_gain_wraps"] += int(wrapped)
        else:
            self._register = int(used[-1])
        self._slot93_two_ticks_ago = int(self._stored_aa[-1])
        self._stored_aa = used
        return used

    def _after_spikes(self, fired, counters):
        """Lateral sums for the next tick and, with AA learning on, STDP in slot order."""
        slots = _SLOTS[fired]
        columns = slots + 1
        if self._learning:
            self._row_sums = self._stdp(columns, counters)
            self._count_quiet_cycles(slots, counters)
        else:
            w = self._w_aa
            row_sums = w[:, columns].sum(axis=1)
            row_sums[columns] -= w[columns, columns]
            self._row_sums = row_sums
        self._spiked_two_ticks_ago = bool(np.any(self._spiked_last_tick))
        self._spiked_last_tick = fired

    def _stdp(self, columns, counters):
        """Box-window AA STDP. Spikes are taken in slot order, each with the board's
        three passes: lateral read of its column, potentiation of its row, depression of
        its column; pre/post counters then advance once per tick per column."""
        w, enable = self._w_aa, self._enable
        spiking = np.zeros(N_SLOTS, bool)
        spiking[columns] = True
        apost_before = self._apost
        self._advance_post_counters(spiking)
        row_sums = np.zeros(N_SLOTS, np.int64)
        zeroed = np.zeros(N_SLOTS, bool)  # pre counters restarted earlier in this tick
        for x in columns:
            row_sums += w[:, x]
            row_sums[x] -= w[x, x]
            # potentiation of row x+1 (the spiking slot's inputs), columns 0..94
            open_window = (zeroed | self._apre[:, x])[:_STDP_ROWS] & enable[x + 1, :_STDP_ROWS]
            if open_window.any():
                exact = w[x + 1, :_STDP_ROWS][open_window] + self._dw_pos
                counters["stdp_clamp_wraps"] += int(np.count_nonzero((exact > 127) |
                                                                     (exact < -128)))
                w[x + 1, :_STDP_ROWS][open_window] = (exact + 128) % 256 - 128
            # depression of column x (the spiking slot's outputs), rows 1..95
            apost = np.where(_INDEX < x, self._apost, apost_before)[:_STDP_ROWS]
            apost[x] = False
            depress = apost & enable[1:, x]
            if depress.any():
                exact = w[1:, x][depress] - self._dw_neg
                counters["stdp_clamp_wraps"] += int(np.count_nonzero((exact > 127) |
                                                                     (exact < -128)))
                wrapped = (exact + 128) % 256 - 128
                w[1:, x][depress] = np.where(wrapped < -1, -1, wrapped)
            zeroed[x] = True
        self._advance_pre_counters(spiking)
        return row_sums

    def _advance_post_counters(self, spiking):
        """tpost/apost per column: restart on a spike, else count up to tpost_max and
        close the window (0xFF) at it; 8-bit, compared as signed bytes."""
        t = self._tpost
        active = t < 128
        grow = active & (t < self._tpost_max)
        close = active & ~grow
        self._tpost = np.where(spiking, 0, np.where(grow, t + 1, np.where(close, 0xFF, t)))
        self._apost = np.where(spiking, True, self._apost & ~close)

    def _advance_pre_counters(self, spiking):
        """tpre/apre: row x restarts at the cycle of the spike that owns column x; column x
        advances at its own cycle, without the expiry check (and skipping its diagonal)
        when its slot fired. Cycle x = 0 comes last in a tick."""
        row_restarts = spiking[:, None]
        restarted_before = row_restarts & _ROW_CYCLE_FIRST
        restarted_after = row_restarts & _ROW_CYCLE_LATER
        t = np.where(restarted_before, 0, self._tpre)
        a = restarted_before | self._apre
        missed = spiking[None, :]
        active = _IN_PASS & (t < 128)
        grow = active & np.where(missed, ~_DIAGONAL, t < self._tpre_max)
        close = active & ~grow & (t >= self._tpre_max) & (~missed | _DIAGONAL)
        t = np.where(grow, (t + 1) & 0xFF, np.where(close, 0xFF, t))
        a = (a | grow) & ~close
        self._tpre = np.where(restarted_after, 0, t)
        self._apre = a | restarted_after

    def _count_quiet_cycles(self, slots, counters):
        if slots.size == 0:
            drifted = self._quiet_cycles + N_SLOTS >= _QUIET_CYCLES_BEFORE_DRIFT
            self._quiet_cycles += N_SLOTS
        else:
            drifted = self._quiet_cycles + slots[0] >= _QUIET_CYCLES_BEFORE_DRIFT
            self._quiet_cycles = N_SLOTS - 1 - slots[-1]
        counters["stdp_drift_ticks"] += int(drifted)
