"""The NeuroCoreX board itself, over its UART: the second ChipEmulator for a board program,
beside the emulator (stream.StreamedBoard), in the manner of nengo-loihi's emulator and
hardware behind one interface. It sends the same records, read from the same program.

One run is one input stream (docs/chips/neurocorex_board.md):

1. open the port (pyserial, 8N1 at the description's `published.uart_baud`, exclusive),
   and check that the board is quiet (a board still running a stream is refused);
2. load the board image: commands 0x0, 0x1, 0x2, 0x4 and 0x6 (`BoardImage.to_uart`, with
   the extra byte after 0x0, 0x1 and 0x6), then wait while the board writes the 0x6 bytes
   into its enable RAM at its own pace (`board.stdp_enable_byte_us`);
3. stream the inputs: command 0x3, the program's records (program.InputStream), padded to
   the run's end, then the end marker FF FF FF; the FIFO is never sent more records than it
   holds (`board.input_fifo_depth`), going by the output frames that have arrived, and
   is topped up as soon as a sixteenth of it has been released;
4. read the output: the start marker 0xFF, then 90 bits per tick (board.decode_spikes),
   until every tick of the run has arrived, then until the board is quiet again.

Weights are read back with 0x5 (and one byte that starts the read) after a run. The
board's read-back returns its FF matrix, so learned recurrent weights cannot be read.

Faults end in a DeviceError (no answer within the timeout, the port absent, busy or gone,
the host behind the board) or a ProtocolError (bytes that are not the board's output);
either carries `partial` (contract.PartialRun): the complete ticks that arrived.
"""

import os
import time
from dataclasses import dataclass

import numpy as np

from ....errors import ChipLimitError, DeviceError, MappingError, ProtocolError, SetupError
from ...contract import ChipEmulator, PartialRun
from . import board
from .formats import NeuroCoreXFormats
from .program import BoardProgram
from .stream import FifoFeed

PORT_VARIABLE = "NEUROX_PORT"  # the port, when setup() names none
DEFAULT_TIMEOUT = 2.0  # s of silence from a board that should answer before giving up
_READ_SLICE = 0.02  # s a single read waits, so the loop can send while it reads
_BITS_PER_BYTE = 10  # 8N1: a start bit, 8 data bits, a stop bit
_QUIET_TICKS = 3  # a board that sends nothing for this many ticks is not running
# the host tops the FIFO up once this share of its depth has been released, so that a
# host held up by its machine has most of the FIFO's ticks (about 0.9 s) to catch up
_TOP_UP_PARTS = 16
_CLOCK_TOLERANCE = 1e-3  # how much faster than its description the board's clock may run


@dataclass(frozen=True)
class LinkTiming:
    """The board's pace, in seconds, from its description."""

    baud: int
    tick: float  # one tick of the board's wall-clock time
    readback_byte: float  # the pace of command 0x5's answer
    enable_byte: float  # the pace at which the board stores the bytes of command 0x6

    @classmethod
    def of(cls, chip, formats: NeuroCoreXFormats) -> "LinkTiming":
        return cls(baud=int(chip.fact("published", "uart_baud")),
                   tick=float(chip.section("tick")["wall_time_ms"]) * 1e-3,
                   readback_byte=formats.readback_byte_us * 1e-6,
                   enable_byte=formats.stdp_enable_byte_us * 1e-6)

    def line(self, count: int) -> float:
        """Seconds `count` bytes take on the line."""
        return count * _BITS_PER_BYTE / self.baud


def port_from(options: dict) -> str:
    """The port setup() names (`port=`), else the NEUROX_PORT environment variable."""
    port = options.get("port") or os.environ.get(PORT_VARIABLE)
    if not port:
        raise SetupError("the NeuroCoreX board is reached through a serial port: "
                         "setup(target='neurocorex-board', port='/dev/ttyUSB1'), or set "
                         f"{PORT_VARIABLE}; ports found: {_ports()}")
    return str(port)


def _ports() -> str:
    try:
        from serial.tools import list_ports
        found = [p.device for p in list_ports.comports()]
    except Exception:  # listing is only a hint in a message
        found = []
    return ", ".join(found) or "none"


class SerialBoard(ChipEmulator):
    """The board loaded with `program`, on serial port `port`. A run is one input stream
    from a board at rest; `tick` counts the ticks of the run received."""

    def __init__(self, program: BoardProgram, formats: NeuroCoreXFormats, chip, port: str,
                 timeout: float = DEFAULT_TIMEOUT):
        if formats.input_events_per_tick != 1:
            raise SetupError("the board's input stream is encoded for one release per tick "
                             "(board.encode_events); the description says "
                             f"{formats.input_events_per_tick}")
        self.program = program
        self.formats = formats
        self.title = chip.title
        self.port = port
        self.timeout = float(timeout)
        self.timing = LinkTiming.of(chip, formats)
        self.input_lookahead = program.lead
        self.tick = 0
        self._counters = {}
        self._sent = []  # the records of the last run, as sent
        self._readback = None  # the FF matrix read back after the last run

    @property
    def counters(self) -> dict:
        return dict(self._counters)

    def records_sent(self) -> np.ndarray:
        """The records of the last run's input stream, in the order sent (padding
        included, the end marker not)."""
        return np.concatenate(self._sent) if self._sent else np.zeros((0, 2), np.int64)

    # ---------------------------------------------------------------- the contract
    def run(self, ticks, labels, inputs, record, sample_every):
        if record is not None:
            raise MappingError(
                f"{self.title}: v cannot be recorded on the board: its UART sends spikes "
                "only; record v on the 'neurocorex' target, the emulator of the same "
                "program")
        if self.tick:
            raise ChipLimitError(
                f"{self.title}: a run cannot continue the previous one: the board stops "
                "at the end of each input stream and clears V; run the whole time in one "
                "run() (callbacks split a run too), or reset() before running again")
        stream = self.program.input_stream()
        records, releases = stream.board_run(labels, inputs, ticks, self.title)
        self._readback = None
        self._counters = dict(stream.counters, records_sent=0, input_fifo_peak=0,
                              bytes_received=0)
        self._sent = []
        link = self._open()
        try:
            self._wait_quiet(link, "before loading")
            self._load(link)
            raster = self._stream(link, records, releases, ticks)
        finally:
            link.close()
        self.tick = ticks
        k, neurons = np.nonzero(raster)
        return k, neurons, None

    def v(self, neurons):
        raise MappingError(f"{self.title}: v cannot be read from the board: its UART "
                           "sends spikes only")

    def weights(self, projection):
        """The weights the board holds: the FF matrix read back (command 0x5) after a run,
        the loaded ones before; recurrent weights are the loaded ones, and refused after
        a run when they learn (the read-back returns the FF matrix only)."""
        program = self.program
        post = program.neuron_offset[projection.post] + projection.targets
        if program.recurrent[projection.index]:
            pre = program.neuron_offset[projection.pre] + projection.sources
            rows, columns = board.recurrent_address(pre, post)
            if self.tick and program.image.stdp_enable_aa[rows, columns].any():
                raise MappingError(
                    f"{self.title}: the learned weights of projection '{projection.label}' "
                    "cannot be read: the board's read-back (command 0x5) returns its FF "
                    "matrix, not the recurrent one; run the model on the 'neurocorex' "
                    "target for them")
            return program.image.recurrent_weights()[pre, post].astype(np.int64)
        image = program.image
        if self.tick:
            if self._readback is None:
                self._readback = self._read_weights()
            image = image.copy()
            image.w_ff = self._readback
        address = program.input_offset[projection.pre] + projection.sources
        return image.input_weights()[address, post].astype(np.int64)

    # ---------------------------------------------------------------- the link
    def _open(self):
        import serial
        try:
            return serial.Serial(self.port, self.timing.baud, bytesize=serial.EIGHTBITS,
                                 parity=serial.PARITY_NONE, stopbits=serial.STOPBITS_ONE,
                                 timeout=_READ_SLICE, write_timeout=self.timeout,
                                 exclusive=True)
        except (serial.SerialException, OSError, ValueError) as error:
            text = str(error)
            if "lock" in text or "Errno 11" in text or "Errno 16" in text:
                why = ("is busy: another program holds it (a terminal, a notebook, another "
                       "run); close that program")
            elif "Errno 2" in text or "No such file" in text:
                why = (f"does not exist: is the board plugged in? ports found: {_ports()}")
            elif "Errno 13" in text or "ermission" in text:
                why = ("cannot be opened: permission denied (on Linux, join the dialout "
                       "group and log in again)")
            else:
                why = f"cannot be opened: {text}"
            raise DeviceError(f"{self.title}: port {self.port} {why}") from None

    def _write(self, link, data: bytes, what: str):
        try:
            link.write(data)
        except Exception as error:
            raise DeviceError(f"{self.title}: writing {what} to {self.port} failed: "
                              f"{error} (the board unplugged?)") from None

    def _read(self, link) -> bytes:
        try:
            return link.read(max(1, link.in_waiting))
        except Exception as error:
            raise DeviceError(f"{self.title}: reading from {self.port} failed: {error} "
                              "(the board unplugged?)") from None

    def _wait_quiet(self, link, when: str):
        """Return once the board has sent nothing for a few ticks; a board that keeps
        sending is running a stream (an earlier program's, or a run cut off)."""
        quiet = max(_QUIET_TICKS * self.timing.tick, 2 * _READ_SLICE)
        start = last = time.monotonic()
        while time.monotonic() - last < quiet:
            if self._read(link):
                last = time.monotonic()
            if last - start > self.timeout:
                raise DeviceError(
                    f"{self.title}: the board on {self.port} keeps sending {when}: it is "
                    "running an input stream (another program's, or a run cut off); wait "
                    "for it to end, or press the board's reset button")
        link.reset_input_buffer()

    def _load(self, link):
        data = self.program.image.to_uart()
        self._write(link, data, "the board image")
        try:
            link.flush()
        except Exception as error:
            raise DeviceError(f"{self.title}: writing the board image to {self.port} "
                              f"failed: {error}") from None
        # the line may still be sending what the OS has taken, and the board stores the
        # 0x6 bytes (the image's last command) at its own pace after they arrive: let
        # both finish before a run uses them
        enable = (2 * board.N_SLOTS * board.N_SLOTS + 7) // 8
        time.sleep(self.timing.line(len(data)) + enable * self.timing.enable_byte)

    def _stream(self, link, records, releases, ticks):
        """Send the records (keeping the FIFO within its depth, never empty before the
        last), then the end marker; read the output frames of `ticks` ticks."""
        frame = board.N_NEURONS
        feed = FifoFeed(self.formats.input_fifo_depth)
        feed.add(records, releases)
        received = bytearray()
        state = dict(frames=0, last_sent_release=-1, ended=False, heard=time.monotonic(),
                     start=time.monotonic())

        def fail(error_class, message, frames):
            if not state["ended"]:  # the board stops once its FIFO drains
                try:
                    link.write(bytes([board.MARKER] * 3))
                except Exception:
                    pass
            raster = board.decode_spikes(received)[:frames] if received[:1] == \
                bytes([board.MARKER]) else np.zeros((0, frame), bool)
            self.tick = raster.shape[0]
            k, neurons = np.nonzero(raster)
            error = error_class(message)
            error.partial = PartialRun(self.tick, k, neurons)
            self._finish(feed, received)
            return error

        def kept(error):
            return f"{error}; the {state['frames']} complete ticks that arrived are kept"

        def hear(block):
            """Take what has arrived (waiting a read slice for it if `block`)."""
            if not block and not link.in_waiting:
                return
            try:
                data = self._read(link)
            except DeviceError as error:
                raise fail(DeviceError, kept(error), state["frames"]) from None
            if not data:
                return
            received.extend(data)
            state["heard"] = time.monotonic()
            if received[0] != board.MARKER:
                raise fail(ProtocolError,
                           f"{self.title}: the output on {self.port} starts with byte "
                           f"0x{received[0]:02X}, not the start marker 0x{board.MARKER:02X}: "
                           f"a bitstream built for another rate than {self.timing.baud} "
                           "baud, or another device on the port", 0)
            state["frames"] = (len(received) - 1) * 8 // frame

        def behind(sending=0):
            """The board may have passed the last record sent (by the frames that have
            arrived, or by the wall clock at the board's pace: the frames can lag far
            behind when the host was held up): its FIFO may have run empty. `sending`:
            the bytes about to be sent, which must arrive before then."""
            last = state["last_sent_release"]
            elapsed = time.monotonic() - state["start"] + self.timing.line(sending)
            ticks_now = elapsed / self.timing.tick * (1 + _CLOCK_TOLERANCE) + _QUIET_TICKS
            if feed.unsent and max(state["frames"], ticks_now) > last:
                while state["frames"] <= last and \
                        time.monotonic() - state["heard"] < self.timeout:
                    hear(True)  # the ticks before are right: take them all
                raise fail(DeviceError,
                           f"{self.title}: the host fell behind the board on {self.port}: "
                           f"its input FIFO ran empty after tick {last}, which moves every "
                           f"later input; the first {last + 1} ticks are kept", last + 1)

        def send():
            chunk = feed.take(state["frames"])
            if not chunk.size:
                return
            head = bytes([board.CMD_INPUT]) if feed.sent == len(chunk) else b""
            ended = not feed.unsent
            data = head + board.records_to_uart(chunk, header=False, end_marker=ended)
            if head:
                state["heard"] = state["start"] = time.monotonic()  # the run starts now
            else:
                hear(False)
                behind(len(data))
            try:
                self._write(link, data, "the input stream")
            except DeviceError as error:
                raise fail(DeviceError, kept(error), state["frames"]) from None
            self._sent.append(chunk)
            state["last_sent_release"] = int(releases[feed.sent - 1])
            state["ended"] = ended

        send()  # the board starts its run when the first record arrives
        while state["frames"] < ticks or not state["ended"]:
            hear(True)
            if time.monotonic() - state["heard"] > self.timeout:
                raise fail(DeviceError, self._silence(received, ticks, state["frames"]),
                           state["frames"])
            behind()
            room = feed.depth - feed.held(state["frames"])
            if feed.unsent and (room >= feed.depth // _TOP_UP_PARTS or state["frames"] >= ticks):
                send()
        # the board runs the padding, then stops: read until it is quiet
        self._drain(link, received)
        self._finish(feed, received)
        return board.decode_spikes(received)[:ticks]

    def _silence(self, received, ticks, frames) -> str:
        if not received:
            return (f"{self.title}: no answer on {self.port} within {self.timeout:g} s of "
                    "the input stream's start: is the NeuroCoreX bitstream loaded (it is "
                    "lost at power-off unless written to the board's flash), and does it "
                    f"speak {self.timing.baud} baud?")
        bits = (len(received) - 1) * 8 - frames * board.N_NEURONS
        partial = (f", and {bits} of the {board.N_NEURONS} bits of tick {frames} (a partial "
                   "frame)") if bits else ""
        return (f"{self.title}: the board on {self.port} stopped answering: {frames} of "
                f"{ticks} ticks arrived{partial}, then nothing for {self.timeout:g} s; the "
                f"{frames} complete ticks are kept")

    def _drain(self, link, received):
        """Read what the board sends until it has been quiet for a few ticks."""
        quiet = max(_QUIET_TICKS * self.timing.tick, 2 * _READ_SLICE)
        start = last = time.monotonic()
        while time.monotonic() - last < quiet and time.monotonic() - start < self.timeout:
            try:
                data = self._read(link)
            except DeviceError:
                return
            if data:
                received += data
                last = time.monotonic()

    def _finish(self, feed, received):
        self._counters.update(records_sent=feed.sent, input_fifo_peak=feed.peak,
                              bytes_received=len(received))

    def _read_weights(self) -> np.ndarray:
        """Command 0x5 and the byte that starts it; the answer is the FF matrix, one byte
        per `readback_byte_us`."""
        size = board.N_SLOTS * board.N_SLOTS
        link = self._open()
        try:
            self._wait_quiet(link, "before the weight read-back")
            self._write(link, bytes([board.CMD_READ_WEIGHTS, 0]), "the read-back command")
            data = bytearray()
            last = time.monotonic()
            while len(data) < size:
                chunk = self._read(link)
                if chunk:
                    data += chunk
                    last = time.monotonic()
                elif time.monotonic() - last > self.timeout:
                    raise DeviceError(
                        f"{self.title}: the weight read-back on {self.port} stopped after "
                        f"{len(data)} of {size} bytes ({self.timeout:g} s without a byte)")
            self._drain(link, data)
        finally:
            link.close()
        if len(data) != size:
            raise ProtocolError(f"{self.title}: the weight read-back on {self.port} gave "
                                f"{len(data)} bytes, not {size}")
        return board.decode_weight_readback(data)
