"""The NeuroCoreX program: what the board holds after loading (its memory image), the
input-event stream, and the exact bytes of both on the UART (and of the board's spike
output back to the host).

The board is one time-multiplexed LIF datapath over 96 "slots"; only slots 4..93 can
fire, so a host neuron k is slot k + 4. Slot s reads FF and AA weight row s + 2, and a
spike of slot s is AA column s + 1 (docs/chips/neurocorex_emulator.md gives the VHDL
lines). The helpers below hide these offsets; the raw arrays keep the board's own layout
(BRAM address = row * 96 + column) so that a UART dump and the image are the same thing.
"""

from dataclasses import dataclass, field, fields

import numpy as np

from ....errors import ChipLimitError, ProtocolError
from .formats import BOARD

BOARD_TITLE = "NeuroCoreX"

N_SLOTS = BOARD.slots  # every per-slot array and matrix dimension on the board
N_NEURONS = BOARD.neurons  # slots that can fire: FIRST_SLOT onwards
FIRST_SLOT = BOARD.first_slot  # host neuron k is slot k + FIRST_SLOT
ROW_OF_SLOT = BOARD.row_of_slot  # slot s reads FF row and AA row s + ROW_OF_SLOT
COLUMN_OF_SLOT = BOARD.column_of_slot  # a spike of slot s is AA column s + COLUMN_OF_SLOT
N_INPUTS = BOARD.input_addresses  # input address a reads FF column a
INPUT_FIFO_DEPTH = BOARD.input_fifo_depth  # records the board buffers; more are dropped
MAX_DT = BOARD.record_dt_max  # the delta-t field of an input record

V_BITS = BOARD.v_bits  # V, currents, thresholds, leak, bias: two's complement
Q_FRAC = BOARD.v_fraction_bits  # Q7.10: 1.0 = 2**Q_FRAC raw
V_MIN, V_MAX = -(1 << (V_BITS - 1)), (1 << (V_BITS - 1)) - 1

CMD_FF_WEIGHTS = BOARD.commands["ff_weights"]
CMD_AA_WEIGHTS = BOARD.commands["aa_weights"]
CMD_PARAMS = BOARD.commands["params"]
CMD_INPUT = BOARD.commands["input"]
CMD_DEBUG = BOARD.commands["debug"]
CMD_READ_WEIGHTS = BOARD.commands["read_weights"]
CMD_STDP_ENABLE = BOARD.commands["stdp_enable"]
MARKER = BOARD.marker_byte
END_MARKER = (MARKER, (MARKER << 8) | MARKER)  # (dt, address) of the record ending a stream
SPIKE_START_MARKER = MARKER

_N_PARAM_WORDS = BOARD.parameter_blocks * N_SLOTS
_WORD_BYTES = BOARD.word_bytes
_ENABLE_BYTES = (2 * N_SLOTS * N_SLOTS + 7) // 8


def wrap18(x):
    """Two's-complement wrap into 18 bits (the board's V and current registers)."""
    return ((np.asarray(x, dtype=np.int64) - V_MIN) & ((1 << V_BITS) - 1)) + V_MIN


def _check_range(name, values, low, high, index=None):
    """ChipLimitError naming the field, the first offending index and its value; `index`
    (an array, or a tuple of arrays, shaped like `values`) gives the board index to name."""
    values = np.atleast_1d(values)
    not_integer = values.dtype.kind == "f" and not np.all(values == np.round(values))
    bad = values != np.round(values) if not_integer else (values < low) | (values > high)
    if not np.any(bad):
        return
    first = tuple(np.argwhere(bad)[0])
    if index is None:
        where = first if len(first) != 1 else first[0]
    elif isinstance(index, tuple):
        where = tuple(int(np.broadcast_to(i, values.shape)[first]) for i in index)
    else:
        where = int(np.broadcast_to(index, values.shape)[first])
    problem = "is not an integer" if not_integer else f"is outside [{low}, {high}]"
    raise ChipLimitError(f"{BOARD_TITLE}: {name}: value {values[first].item()!r} at index "
                         f"{where} {problem}")


def _host_neurons(name, neurons):
    neurons = np.asarray(neurons)
    _check_range(name, neurons, 0, N_NEURONS - 1)
    return neurons.astype(np.int64)


def _stdp_byte_property(entry, high, name):
    """A BoardImage property for one byte of an STDP parameter word (low or high byte)."""
    return property(lambda self: self._stdp_byte(entry, high),
                    lambda self, value: self._set_stdp_byte(entry, high, value, name))


@dataclass
class BoardImage:
    """Everything the board holds after loading, in its raw integer formats; the default
    is the VHDL's power-on state (weight RAMs pre-initialised to FF = 1 and AA = 6).

    w_ff, w_aa: int8 [row, column] (BRAM address row * 96 + column).
    vth, tref, tau_mem, stdp_params: 96 raw 18-bit words each, indexed by slot.
    tau_mem[8] is the global linear leak; the low byte of tref[0] is the FF synaptic gain.
    stdp_enable_ff / stdp_enable_aa: bool [row, column], same layout as the weights.
    debug_bias (Q7.10) is added to V of slot (debug_index & 0xFF) + 3 before each tick.
    """

    w_ff: np.ndarray = field(default_factory=lambda: np.full(
        (N_SLOTS, N_SLOTS), BOARD.power_on_ff_weight, np.int8))
    w_aa: np.ndarray = field(default_factory=lambda: np.full(
        (N_SLOTS, N_SLOTS), BOARD.power_on_aa_weight, np.int8))
    vth: np.ndarray = field(default_factory=lambda: np.full(N_SLOTS, BOARD.power_on_threshold,
                                                            np.int64))
    tref: np.ndarray = field(default_factory=lambda: np.full(N_SLOTS, BOARD.power_on_refractory,
                                                             np.int64))
    tau_mem: np.ndarray = field(default_factory=lambda: np.zeros(N_SLOTS, np.int64))
    stdp_params: np.ndarray = field(default_factory=lambda: np.zeros(N_SLOTS, np.int64))
    stdp_enable_ff: np.ndarray = field(
        default_factory=lambda: np.zeros((N_SLOTS, N_SLOTS), bool))
    stdp_enable_aa: np.ndarray = field(
        default_factory=lambda: np.zeros((N_SLOTS, N_SLOTS), bool))
    debug_bias: int = 0
    debug_index: int = 0

    @classmethod
    def blank(cls):
        """Power-on parameters with every weight zero: what a mapper starts from."""
        image = cls()
        image.w_ff[:] = 0
        image.w_aa[:] = 0
        return image

    def copy(self):
        """An independent image (arrays copied)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return BoardImage(**{name: np.copy(value) if isinstance(value, np.ndarray) else value
                             for name, value in values.items()})

    def __eq__(self, other):
        if not isinstance(other, BoardImage):
            return NotImplemented
        return all(np.array_equal(getattr(self, f.name), getattr(other, f.name))
                   for f in fields(self))

    # ---------------------------------------------------------------- validation
    def validate(self):
        """Raise ChipLimitError for any field the board cannot hold, or an FF gain that the
        refractory entry 0 would silently truncate."""
        for name in ("w_ff", "w_aa"):
            value = np.asarray(getattr(self, name))
            if value.shape != (N_SLOTS, N_SLOTS):
                raise ChipLimitError(f"{name}: shape {value.shape}, the board has "
                                 f"{(N_SLOTS, N_SLOTS)}")
            _check_range(name, value, -128, 127)
        for name in ("stdp_enable_ff", "stdp_enable_aa"):
            if np.asarray(getattr(self, name)).shape != (N_SLOTS, N_SLOTS):
                raise ChipLimitError(f"{name}: shape {np.shape(getattr(self, name))}, the board "
                                 f"has {(N_SLOTS, N_SLOTS)}")
        for name in ("vth", "tref", "tau_mem", "stdp_params"):
            value = np.asarray(getattr(self, name))
            if value.shape != (N_SLOTS,):
                raise ChipLimitError(f"{name}: shape {value.shape}, the board has ({N_SLOTS},)")
            _check_range(name, value, V_MIN, V_MAX)
        _check_range("debug_bias", self.debug_bias, V_MIN, V_MAX)
        _check_range("debug_index", self.debug_index, 0, 255)
        if not 0 <= int(self.tref[0]) <= 255:
            raise ChipLimitError(
                f"tref: value {int(self.tref[0])} at index 0 is outside [0, 255]; entry 0 is "
                f"the FF synaptic gain (its low byte, {int(self.tref[0]) & 0xFF}, is all the "
                f"board uses); set it through ff_gain")

    # ---------------------------------------------------------------- host terms
    def connect_inputs(self, inputs, neurons, weights):
        """W_FF from input addresses to host neurons (int8 weights, broadcast)."""
        inputs, neurons, weights = (np.atleast_1d(a) for a in
                                    np.broadcast_arrays(inputs, neurons, weights))
        _check_range("input address", inputs, 0, N_INPUTS - 1)
        neurons = _host_neurons("neuron", neurons)
        _check_range("w_ff", weights, -128, 127, index=(neurons + FIRST_SLOT + ROW_OF_SLOT,
                                                         inputs))
        self.w_ff[neurons + FIRST_SLOT + ROW_OF_SLOT, inputs] = weights

    def connect_recurrent(self, pre, post, weights):
        """W_AA between host neurons (int8 weights, broadcast). The board never delivers
        pre -> pre - 1 (its lateral accumulator skips the row equal to the spike's column,
        which is the row of the slot below the spiking one), so those are refused."""
        pre, post, weights = (np.atleast_1d(a) for a in np.broadcast_arrays(pre, post, weights))
        pre = _host_neurons("pre neuron", pre)
        post = _host_neurons("post neuron", post)
        dropped = np.argwhere(~recurrent_delivered(pre, post) & (np.asarray(weights) != 0))
        if dropped.size:
            i = dropped[0][0]
            raise ChipLimitError(f"w_aa: synapse {int(pre[i])} -> {int(post[i])} cannot be made: "
                             f"NeuroCoreX never delivers a spike of neuron j to neuron j - 1")
        rows, columns = recurrent_address(pre, post)
        _check_range("w_aa", weights, -128, 127, index=(rows, columns))
        self.w_aa[rows, columns] = weights

    def input_weights(self):
        """(N_INPUTS, N_NEURONS) int8: weight from each input address to each neuron."""
        rows = FIRST_SLOT + ROW_OF_SLOT
        return self.w_ff[rows:rows + N_NEURONS, :].T.copy()

    def recurrent_weights(self):
        """(N_NEURONS, N_NEURONS) int8 [pre, post]; pre -> pre - 1 entries are never used."""
        rows = FIRST_SLOT + ROW_OF_SLOT
        columns = FIRST_SLOT + COLUMN_OF_SLOT
        return self.w_aa[rows:rows + N_NEURONS, columns:columns + N_NEURONS].T.copy()

    def set_threshold(self, neurons, raw):
        """Threshold in raw Q7.10 (1.0 = 1024); a neuron fires when V >= threshold."""
        neurons, raw = np.broadcast_arrays(_host_neurons("neuron", neurons), raw)
        _check_range("vth", raw, V_MIN, V_MAX, index=neurons + FIRST_SLOT)
        self.vth[neurons + FIRST_SLOT] = raw

    def set_refractory(self, neurons, ticks):
        """Refractory setting; the minimum inter-spike interval is max(ticks, 1) + 1."""
        neurons, ticks = np.broadcast_arrays(_host_neurons("neuron", neurons), ticks)
        _check_range("tref", ticks, 0, V_MAX, index=neurons + FIRST_SLOT)
        self.tref[neurons + FIRST_SLOT] = ticks

    def set_debug_probe(self, neuron, bias):
        """Add `bias` (raw Q7.10) to one neuron's V before every tick (command 0x4)."""
        neuron = int(_host_neurons("neuron", neuron))
        _check_range("debug_bias", bias, V_MIN, V_MAX)
        self.debug_index = neuron + FIRST_SLOT - BOARD.debug_slot_offset
        self.debug_bias = int(bias)

    @property
    def leak(self):
        """Global linear leak, raw Q7.10 subtracted from V every tick (tau_mem entry 8;
        the other tau_mem entries are loaded but unused)."""
        return int(self.tau_mem[BOARD.leak_entry])

    @leak.setter
    def leak(self, raw):
        _check_range("tau_mem", raw, V_MIN, V_MAX, index=BOARD.leak_entry)
        self.tau_mem[BOARD.leak_entry] = raw

    @property
    def ff_gain(self):
        """FF synaptic gain: every input weight is multiplied by it (0..255). The board
        takes it from the low byte of tref[0], the refractory word of a slot that never
        fires."""
        return int(self.tref[0]) & 0xFF

    @ff_gain.setter
    def ff_gain(self, gain):
        _check_range("ff_gain (tref[0])", gain, 0, 255)
        self.tref[0] = gain

    def _stdp_byte(self, entry, high):
        word = int(self.stdp_params[entry])
        return (word >> 8 if high else word) & 0xFF

    def _set_stdp_byte(self, entry, high, value, name):
        _check_range(name, value, 0, 127)
        word = int(self.stdp_params[entry])
        shift = 8 if high else 0
        self.stdp_params[entry] = (word & ~(0xFF << shift)) | (int(value) << shift)

    # STDP windows (ticks) and steps (weight units); the board compares them as signed
    # bytes, so the helpers accept 0..127.
    tpre_ff_max = _stdp_byte_property(0, False, "tpre_ff_max")
    tpost_ff_max = _stdp_byte_property(0, True, "tpost_ff_max")
    tpre_aa_max = _stdp_byte_property(1, False, "tpre_aa_max")
    tpost_aa_max = _stdp_byte_property(1, True, "tpost_aa_max")
    dw_pos = _stdp_byte_property(2, False, "dw_pos")
    dw_neg = _stdp_byte_property(2, True, "dw_neg")

    def enable_stdp_recurrent(self, pre, post, enabled=True):
        """Per-synapse AA learning bit (same address as the synapse's weight)."""
        pre, post, enabled = np.broadcast_arrays(pre, post, enabled)
        rows, columns = recurrent_address(_host_neurons("pre neuron", pre),
                                          _host_neurons("post neuron", post))
        self.stdp_enable_aa[rows, columns] = enabled

    # ---------------------------------------------------------------- UART
    def to_uart(self):
        """The bytes that load this image: commands 0x0, 0x1, 0x2, 0x4, 0x6."""
        self.validate()
        out = bytearray()
        for command, weights in ((CMD_FF_WEIGHTS, self.w_ff), (CMD_AA_WEIGHTS, self.w_aa)):
            out.append(command)
            out += np.asarray(weights, np.int8).tobytes()
            out.append(0)  # the sorter consumes one byte after the 9216th to leave the state
        out.append(CMD_PARAMS)
        out += _words_to_bytes(np.concatenate([self.vth, self.tref, self.tau_mem,
                                               self.stdp_params]))
        out.append(CMD_DEBUG)
        out += _words_to_bytes(np.array([self.debug_bias, self.debug_index]))
        out.append(CMD_STDP_ENABLE)
        bits = np.concatenate([np.ravel(self.stdp_enable_aa), np.ravel(self.stdp_enable_ff)])
        out += np.packbits(bits.astype(np.uint8), bitorder="big").tobytes()  # MSB first
        out.append(0)  # as for the weights: one byte to leave the state
        return bytes(out)

    @classmethod
    def from_uart(cls, data, base=None):
        """Apply the configuration commands in `data` to `base` (default: power-on) the
        way the board's UART sorter does. Input streams and weight read requests are
        refused: they are not part of an image."""
        image = (base or cls()).copy()
        data = bytes(data)
        position = 0

        def take(count, what):
            nonlocal position
            if position + count > len(data):
                raise ProtocolError(f"UART stream: {what} needs {count} bytes at offset "
                                 f"{position}, only {len(data) - position} left")
            chunk = data[position:position + count]
            position += count
            return chunk

        while position < len(data):
            command = data[position] & 0xF0
            position += 1
            if command in (CMD_FF_WEIGHTS, CMD_AA_WEIGHTS):
                name = "w_ff" if command == CMD_FF_WEIGHTS else "w_aa"
                weights = np.frombuffer(take(N_SLOTS * N_SLOTS, name), np.int8)
                setattr(image, name, weights.reshape(N_SLOTS, N_SLOTS).copy())
                take(1, f"{name} terminator")
            elif command == CMD_PARAMS:
                words = _bytes_to_words(take(_WORD_BYTES * _N_PARAM_WORDS, "parameters"))
                image.vth, image.tref, image.tau_mem, image.stdp_params = \
                    (words[i * N_SLOTS:(i + 1) * N_SLOTS].copy()
                     for i in range(BOARD.parameter_blocks))
            elif command == CMD_DEBUG:
                image.debug_bias, image.debug_index = (
                    int(w) for w in _bytes_to_words(take(2 * _WORD_BYTES, "debug parameters")))
            elif command == CMD_STDP_ENABLE:
                bits = np.unpackbits(np.frombuffer(take(_ENABLE_BYTES, "STDP enable bits"),
                                                   np.uint8), bitorder="big").astype(bool)
                n = N_SLOTS * N_SLOTS
                image.stdp_enable_aa = bits[:n].reshape(N_SLOTS, N_SLOTS)
                image.stdp_enable_ff = bits[n:2 * n].reshape(N_SLOTS, N_SLOTS)
                take(1, "STDP enable terminator")
            else:
                raise ProtocolError(f"UART stream: command byte 0x{data[position - 1]:02X} at "
                                 f"offset {position - 1} is not an image command")
        return image


def recurrent_delivered(pre, post):
    """False where the board never delivers pre's spikes to post: post = pre - 1."""
    return np.asarray(post) != np.asarray(pre) - 1


def recurrent_address(pre, post):
    """(row, column) of the AA weight from host neuron `pre` to host neuron `post`."""
    pre = np.asarray(pre, np.int64)
    post = np.asarray(post, np.int64)
    return post + FIRST_SLOT + ROW_OF_SLOT, pre + FIRST_SLOT + COLUMN_OF_SLOT


def _words_to_bytes(words):
    """18-bit words, 3 bytes each, least significant byte first."""
    words = np.asarray(words, np.int64) & ((1 << V_BITS) - 1)
    return np.stack([words & 0xFF, (words >> 8) & 0xFF, words >> 16], axis=1) \
        .astype(np.uint8).tobytes()


def _bytes_to_words(data):
    """Inverse of _words_to_bytes; the board keeps only the low 2 bits of byte 3."""
    b = np.frombuffer(data, np.uint8).reshape(-1, _WORD_BYTES).astype(np.int64)
    return wrap18(b[:, 0] | (b[:, 1] << 8) | ((b[:, 2] & 0x3) << 16))


# -------------------------------------------------------------------- input stream
@dataclass
class EncodedEvents:
    """Input records (dt, address) and, for each requested event, the tick the board
    will release it at (it acts on V one tick later)."""

    records: np.ndarray  # (n_records, 2) int64: dt, address (fillers included)
    release_ticks: np.ndarray  # (n_events,) int64, same order as the requested events
    requested_ticks: np.ndarray  # (n_events,) int64

    @property
    def delays(self):
        """Ticks each event is released later than requested (serialisation)."""
        return self.release_ticks - self.requested_ticks


def encode_events(ticks, addresses, filler_address=None):
    """Records that make the board release each event at its tick or, when ticks
    collide (one release per tick at most), at the first free tick after.

    The FIFO releases record 0 at tick dt_0 and record i at release(i-1) + dt_i + 1.
    A gap longer than 256 ticks needs filler records (dt = 255) to an input address
    whose FF column is zero, `filler_address`; without one such gaps are refused.
    The tutorial host's rewrite of dt = 1 into 0 is deliberately not reproduced.
    """
    ticks = np.asarray(ticks, np.int64).ravel()
    addresses = np.asarray(addresses, np.int64).ravel()
    if ticks.shape != addresses.shape:
        raise ChipLimitError(f"encode_events: {ticks.size} ticks but {addresses.size} addresses")
    _check_range("event tick", ticks, 0, np.iinfo(np.int64).max // 2)
    _check_range("input address", addresses, 0, N_INPUTS - 1)
    if np.any(np.diff(ticks) < 0):
        i = int(np.argmax(np.diff(ticks) < 0)) + 1
        raise ChipLimitError(f"event tick: value {int(ticks[i])} at index {i} is before the "
                         f"previous event's tick {int(ticks[i - 1])}; sort the events")
    order = np.arange(ticks.size)
    release = np.maximum.accumulate(ticks - order) + order if ticks.size else ticks
    gaps = np.diff(np.concatenate([[-1], release])) - 1  # the dt each event needs
    fillers = gaps // (MAX_DT + 1)
    if np.any(fillers) and filler_address is None:
        i = int(np.argmax(fillers > 0))
        raise ChipLimitError(f"event tick: event {i} at tick {int(release[i])} follows the "
                         f"previous release by {int(gaps[i]) + 1} ticks, more than one record "
                         f"spans ({MAX_DT + 1}); give a filler_address")
    if np.any(fillers):
        _check_range("filler_address", filler_address, 0, N_INPUTS - 1)
    dts = np.repeat(np.full(ticks.size, MAX_DT), fillers)
    dts = np.insert(dts, np.cumsum(fillers), gaps - fillers * (MAX_DT + 1))
    kinds = np.insert(np.full(int(fillers.sum()), int(filler_address or 0)),
                      np.cumsum(fillers), addresses)
    records = np.stack([dts, kinds], axis=1).astype(np.int64).reshape(-1, 2)
    return EncodedEvents(records, release.astype(np.int64), ticks)


def release_ticks(records):
    """Tick at which the board releases each record of a stream queued at tick 0."""
    records = np.asarray(records, np.int64).reshape(-1, 2)
    return np.cumsum(records[:, 0] + 1) - 1


def records_to_uart(records, header=True, end_marker=True):
    """Command 0x3: [dt, address low, address high] per record, then FF FF FF. Without
    the end marker the board keeps reading records (a stream sent in pieces)."""
    records = np.asarray(records, np.int64).reshape(-1, 2)
    _check_range("record dt", records[:, 0], 0, MAX_DT)
    _check_range("input address", records[:, 1], 0, N_INPUTS - 1)
    body = np.stack([records[:, 0], records[:, 1] & 0xFF, records[:, 1] >> 8], axis=1)
    out = bytes([CMD_INPUT]) if header else b""
    out += body.astype(np.uint8).tobytes()
    return out + (bytes([MARKER] * 3) if end_marker else b"")


def records_from_uart(data, header=True):
    """Parse a command-0x3 stream; stops at the end marker. Returns (records, ended)."""
    data = bytes(data)
    if header:
        if not data or data[0] & 0xF0 != CMD_INPUT:
            raise ProtocolError("input stream: first byte is not command 0x3")
        data = data[1:]
    usable = len(data) - len(data) % 3
    triples = np.frombuffer(data[:usable], np.uint8).reshape(-1, 3).astype(np.int64)
    end = np.flatnonzero(np.all(triples == MARKER, axis=1))
    ended = bool(end.size)
    if ended:
        triples = triples[:end[0]]
    records = np.stack([triples[:, 0], triples[:, 1] | (triples[:, 2] << 8)], axis=1)
    return records.reshape(-1, 2), ended


# -------------------------------------------------------------------- board -> host
def decode_spikes(data):
    """(ticks, N_NEURONS) bool raster from the board's output: the start marker 0xFF,
    then one bit per neuron per tick, LSB first, with no padding between ticks. A last
    incomplete tick is dropped (the board never sends a byte it has not filled)."""
    data = bytes(data)
    if not data or data[0] != SPIKE_START_MARKER:
        raise ProtocolError("spike stream: missing the start marker 0xFF")
    bits = np.unpackbits(np.frombuffer(data[1:], np.uint8), bitorder="little")
    ticks = bits.size // N_NEURONS
    return bits[:ticks * N_NEURONS].reshape(ticks, N_NEURONS).astype(bool)


def encode_spikes(raster):
    """The board's output bytes for a (ticks, N_NEURONS) raster (a fake board's side);
    bits of a last partly filled byte are not sent, as on the board."""
    raster = np.asarray(raster, bool)
    if raster.ndim != 2 or raster.shape[1] != N_NEURONS:
        raise ProtocolError(f"spike raster: shape {raster.shape}, expected (ticks, {N_NEURONS})")
    bits = raster.ravel()
    bits = bits[:bits.size - bits.size % 8]
    return bytes([SPIKE_START_MARKER]) + np.packbits(bits, bitorder="little").tobytes()


def decode_weight_readback(data):
    """Answer to command 0x5: 9216 signed bytes in address order. The VHDL reads the
    FF BRAM here (although its comments and the tutorial call it AA)."""
    data = bytes(data)
    if len(data) != N_SLOTS * N_SLOTS:
        raise ProtocolError(f"weight read-back: {len(data)} bytes, expected {N_SLOTS * N_SLOTS}")
    return np.frombuffer(data, np.int8).reshape(N_SLOTS, N_SLOTS).copy()
