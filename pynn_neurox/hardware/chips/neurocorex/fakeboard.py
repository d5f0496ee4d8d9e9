"""A NeuroCoreX board on a pseudo-terminal: it reads the bytes a board reads, runs the
bit-exact emulator (NeuroCoreXEmulator) on what they load and stream, and writes the bytes
a board writes, at the board's pace. The `neurocorex-board` target drives it as it drives
a board, so the driver is tested without one, and a user without a board can try the
board path:

    python -m pyNN.neurox.hardware.chips.neurocorex.fakeboard [--speed 10]
    NEUROX_PORT=/dev/pts/N python model.py        # with setup(target="neurocorex-board")

What is modelled (docs/chips/neurocorex_board.md): the UART sorter's commands 0x0-0x6
with their extra bytes (an unknown header swallows one byte); each byte arriving one line
time (10 bits at the description's baud) after the last; the input FIFO of
`board.input_fifo_depth` records, a record arriving at a full FIFO dropped; a run that
starts when the first record reaches the FIFO and stops after the tick in which the FIFO
is empty once the end marker has come (that tick's last bit never sent, nor an unfinished
byte); the start marker and 90 bits per tick; the read-back at one byte per
`board.readback_byte_us`; and the 0x6 bytes stored one per `board.stdp_enable_byte_us`
(a run that starts earlier is logged as a protocol violation). A host whose port speed is
not the board's gets what a UART sampling at the other rate makes of the line, both ways.
Each run starts from a fresh emulator (the real board keeps some registers between runs;
the emulator documents which); learned weights stay.

`speed` scales the board's clock: every tick, line time and read-back pace is divided by
it (speed=None: as fast as the emulator computes). The driver's own waits and timeouts are
not scaled.
"""

import argparse
import os
import pty
import signal
import sys
import termios
import threading
import time
import tty

import numpy as np

from ...chip import load_chip
from . import board
from .emulator import NeuroCoreXEmulator
from .formats import BOARD

_BITS_PER_BYTE = 10  # 8N1
_RECORD = 3  # bytes per input record
_BATCH = 50  # ticks run between two looks at the pty, at most


def _baud_of_speed_code():
    codes = {}
    for name in dir(termios):
        if name.startswith("B") and name[1:].isdigit():
            codes[getattr(termios, name)] = int(name[1:])
    return codes


_SPEEDS = _baud_of_speed_code()


def resample(data: bytes, sent_baud: int, read_baud: int) -> bytes:
    """What a UART reading at `read_baud` makes of `data` sent back to back at
    `sent_baud`: it waits for a falling edge, samples the middle of each of its own bit
    times, and delivers the 8 data bits whatever the stop bit."""
    if sent_baud == read_baud or not data:
        return bytes(data)
    bits = np.unpackbits(np.frombuffer(bytes(data), np.uint8), bitorder="little")
    frames = np.ones((len(data), _BITS_PER_BYTE), np.uint8)
    frames[:, 0] = 0
    frames[:, 1:9] = bits.reshape(-1, 8)
    line = frames.ravel()
    sent, read = 1.0 / sent_baud, 1.0 / read_baud
    end = line.size * sent

    def level(t):
        i = int(t / sent)
        return 1 if i >= line.size else int(line[i])

    out, t = bytearray(), 0.0
    while t < end:
        # the next falling edge: a 0 bit after a 1 (or the line's first bit)
        i = int(np.ceil(t / sent - 1e-9))
        starts = np.flatnonzero((line[i:] == 0) & (np.concatenate(
            [[1 if i == 0 else line[i - 1]], line[i:-1]]) == 1))
        if not starts.size:
            break
        edge = (i + starts[0]) * sent
        value = 0
        for k in range(8):
            value |= level(edge + (k + 1.5) * read) << k
        out.append(value)
        t = edge + 9.5 * read
    return bytes(out)


class FakeBoard:
    """A board behind a pty (`port`); a context manager, or start() and close().

    Faults, for tests: `silent` (answers nothing), `freeze_after` (the bytes of a run's
    output after which it sends nothing more, the start marker included), `unplug_at`
    (the tick of a run at which the pty closes), `marker` (the start marker it sends),
    `baud` (the rate its bitstream speaks). What it saw: `records` (every input record, in
    order), `dropped` (records that found the FIFO full), `fifo_peak`, `runs` (the ticks
    of each run), `violations` (the host's breaches of the protocol), `commands`.
    """

    def __init__(self, speed=1.0, baud=None, silent=False, freeze_after=None,
                 unplug_at=None, marker=None, chip="neurocorex"):
        description = load_chip(chip)
        self.baud = int(baud or description.fact("published", "uart_baud"))
        self.speed = speed or None
        # the board's own durations, in board seconds; the clock runs `speed` times faster
        self.tick_s = float(description.section("tick")["wall_time_ms"]) * 1e-3
        self.byte_s = _BITS_PER_BYTE / self.baud
        self.readback_s = BOARD.readback_byte_us * 1e-6
        self.enable_s = BOARD.stdp_enable_byte_us * 1e-6
        self.silent, self.freeze_after, self.unplug_at = silent, freeze_after, unplug_at
        self.marker = board.MARKER if marker is None else marker
        self._master, self._slave = pty.openpty()
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.port = os.ttyname(self._slave)
        self.image = board.BoardImage()
        self.records, self.runs, self.violations, self.commands = [], [], [], []
        self.dropped = 0
        self.fifo_peak = 0
        self._thread = None
        self._stop = threading.Event()
        self._clock0 = None
        self._time = 0.0  # unpaced: the board time the work has reached
        self._due = []  # (board time, bytes) for the host
        self._out = bytearray()  # bytes written to the pty as soon as it takes them
        self._rx = bytearray()  # bytes arrived, not yet taken by the sorter
        self._arrivals = np.zeros(0)  # the board time each of them arrives at
        self._line_free = 0.0  # board time the receiver is free from
        self._command = None  # the command being received
        self._end_seen = False
        self._enable_ready = 0.0  # board time the 0x6 bytes are all stored
        self._reading_until = -1.0  # a weight read-back swallows bytes until then
        self._run = None  # the run in progress

    # ---------------------------------------------------------------- life cycle
    def start(self):
        self._clock0 = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name="fake NeuroCoreX",
                                        daemon=True)
        self._thread.start()
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self.unplug()

    def unplug(self):
        """The board gone: the pty closes under the host."""
        for name in ("_master", "_slave"):
            fd = getattr(self, name)
            if fd is not None:
                setattr(self, name, None)
                os.close(fd)

    def _loop(self):
        while not self._stop.is_set() and self._master is not None:
            try:
                busy = self._step()
            except OSError:  # the pty is gone
                break
            if not busy:
                time.sleep(0.0005)

    # ---------------------------------------------------------------- one look
    def _clock(self):
        """Board time now: the wall clock times `speed`; unpaced, the wall clock while
        idle and the work's time while running (ahead of it)."""
        wall = time.monotonic() - self._clock0
        if self.speed:
            return wall * self.speed
        if self._run is None:
            self._time = max(self._time, wall)
        return self._time

    def _step(self) -> bool:
        now = self._clock()
        # bytes arrive at the board's own progress: the tick it is at, when it runs
        # behind its clock because the emulator computes slower than the board ticks
        self._receive(min(now, self._tick_start()) if self._run is not None else now)
        limit = now if self.speed else np.inf
        if self._run is None:
            self._parse(limit)
        ran = self._advance(limit) if self._run is not None else False
        if self._master is None:  # unplugged during the run
            return False
        self._send(self._clock())
        return ran or (not self.speed and bool(self._rx))

    # ---------------------------------------------------------------- the line
    def _host_baud(self):
        try:
            return _SPEEDS.get(termios.tcgetattr(self._master)[4], self.baud)
        except termios.error:
            return self.baud

    def _receive(self, now):
        try:
            data = os.read(self._master, 1 << 16)
        except BlockingIOError:
            return
        data = resample(data, self._host_baud(), self.baud)
        if not data:
            return
        start = max(now, self._line_free)
        arrivals = start + self.byte_s * np.arange(1, len(data) + 1)
        self._line_free = float(arrivals[-1])
        self._rx += data
        self._arrivals = np.concatenate([self._arrivals, arrivals])

    def _take(self, count, by):
        """`count` bytes that have arrived by board time `by`, and the time the last of
        them arrived; (None, None) if they have not."""
        if len(self._rx) < count or self._arrivals[count - 1] > by:
            return None, None
        data, arrived = bytes(self._rx[:count]), float(self._arrivals[count - 1])
        del self._rx[:count]
        self._arrivals = self._arrivals[count:]
        if not self.speed:
            self._time = max(self._time, arrived)
        return data, arrived

    def _emit(self, data, due):
        if not self.silent and data:
            self._due.append((due, bytes(data)))

    def _send(self, now):
        """Write what is due by `now` (unpaced: everything) to the pty, as it takes it."""
        now = now if self.speed else np.inf
        ready = [d for t, d in self._due if t <= now]
        if ready:
            self._due = [(t, d) for t, d in self._due if t > now]
            self._out += resample(b"".join(ready), self.baud, self._host_baud())
        if self._out and self._master is not None:
            try:
                del self._out[:os.write(self._master, self._out)]
            except BlockingIOError:
                pass

    # ---------------------------------------------------------------- the sorter
    _LENGTHS = {board.CMD_FF_WEIGHTS: board.N_SLOTS * board.N_SLOTS + 1,
                board.CMD_AA_WEIGHTS: board.N_SLOTS * board.N_SLOTS + 1,
                board.CMD_PARAMS: BOARD.parameter_blocks * board.N_SLOTS * BOARD.word_bytes,
                board.CMD_DEBUG: 2 * BOARD.word_bytes,
                board.CMD_STDP_ENABLE: (2 * board.N_SLOTS * board.N_SLOTS + 7) // 8 + 1,
                board.CMD_READ_WEIGHTS: 1}  # the byte that starts the read

    def _parse(self, by):
        """Take the commands whose bytes have arrived by board time `by`."""
        while self._rx:
            if self._arrivals[0] <= self._reading_until:  # swallowed during a read-back
                self._take(1, by)
                continue
            if self._command is None:
                header, _ = self._take(1, by)
                if header is None:
                    return
                self._command = header[0] & 0xF0
                self.commands.append(self._command)
                self._end_seen = self._end_seen and self._command != board.CMD_INPUT
                continue
            if self._command == board.CMD_INPUT:
                if not self._input(by):
                    return
                continue
            length = self._LENGTHS.get(self._command, 1)  # an unknown one swallows a byte
            first = float(self._arrivals[0])
            payload, arrived = self._take(length, by)
            if payload is None:
                return
            command, self._command = self._command, None
            if self._run is not None:
                self.violations.append(f"command 0x{command:02X} during a run")
            if command == board.CMD_READ_WEIGHTS:
                self._readback(arrived)
            elif command in self._LENGTHS:
                self.image = board.BoardImage.from_uart(bytes([command]) + payload,
                                                        base=self.image)
                if command == board.CMD_STDP_ENABLE:
                    self._enable_ready = first + (length - 1) * self.enable_s

    def _input(self, by) -> bool:
        """Take one input record (or the end marker) that has arrived by `by`."""
        record, arrived = self._take(_RECORD, by)
        if record is None:
            return False
        if all(b == board.MARKER for b in record):
            self._command = None
            self._end_seen = True
            return True
        dt, address = record[0], record[1] | (record[2] << 8)
        self.records.append((dt, address))
        if self._run is None:
            self._begin(arrived)
        emulator = self._run["emulator"]
        if emulator.fifo_records >= BOARD.input_fifo_depth:
            self.dropped += 1
            self.violations.append(f"record {len(self.records) - 1} arrived at a full FIFO "
                                   f"in tick {emulator.tick} and was dropped")
        elif address >= board.N_INPUTS:
            self.violations.append(f"record {len(self.records) - 1} has address {address}")
        else:
            emulator.queue([(dt, address)])
            self.fifo_peak = max(self.fifo_peak, emulator.fifo_records)
        return True

    def _readback(self, at):
        """The answer to 0x5: the FF matrix, one byte per read-back period."""
        data = np.asarray(self.image.w_ff, np.int8).tobytes()
        step = 50
        for i in range(0, len(data), step):
            self._emit(data[i:i + step], at + (i + step) * self.readback_s)
        self._reading_until = at + len(data) * self.readback_s

    # ---------------------------------------------------------------- a run
    def _begin(self, at):
        if at < self._enable_ready:
            self.violations.append("a run started before the board had stored the STDP "
                                   "enable bits of command 0x6")
        self._run = dict(emulator=NeuroCoreXEmulator(self.image), start=at,
                         held=np.zeros(0, np.uint8), sent=1)
        self._emit(bytes([self.marker]), at)

    def _tick_start(self):
        run = self._run
        return run["start"] + run["emulator"].tick * self.tick_s

    def _advance(self, limit) -> bool:
        """Run the ticks that start by board time `limit` (a batch at most); True if any
        ran. Each tick takes first the bytes that have arrived by its start."""
        ran = 0
        while self._run is not None and ran < _BATCH:
            emulator = self._run["emulator"]
            start = self._tick_start()
            if start > limit:
                break
            self._parse(start)
            if self._end_seen and not emulator.fifo_records:
                self._finish()
                break
            if self.unplug_at is not None and emulator.tick >= self.unplug_at:
                self._stop.set()
                self.unplug()
                return False
            count = _BATCH - ran
            if self._rx:  # up to the tick that takes the next byte
                count = min(count, max(1, int(np.ceil((self._arrivals[0] - start)
                                                      / self.tick_s))))
            if np.isfinite(limit):
                count = min(count, int((limit - start) / self.tick_s) + 1)
            if self._end_seen:  # up to the tick that releases the FIFO's last record
                count = min(count, int(emulator.release_offsets()[-1]) + 1)
            if self.unplug_at is not None:
                count = min(count, max(1, self.unplug_at - emulator.tick))
            result = emulator.run(count)
            ran += count
            if not self.speed:
                self._time = self._tick_start()
            self._bits(result.spikes, self._tick_start())
        return ran > 0

    def _bits(self, raster, at):
        """Frame bits out as whole bytes; the last tick's bits are held back until the
        next tick runs (the board never sends the last bit of its last tick)."""
        run = self._run
        bits = np.concatenate([run["held"], raster.ravel().astype(np.uint8)])
        ready = bits.size - board.N_NEURONS
        ready -= ready % 8
        run["held"] = bits[ready:]
        self._out_bytes(np.packbits(bits[:ready], bitorder="little").tobytes(), at)

    def _out_bytes(self, data, at):
        run = self._run
        if self.freeze_after is not None:
            data = data[:max(0, self.freeze_after - run["sent"])]
        run["sent"] += len(data)
        self._emit(data, at)

    def _finish(self):
        """The tick just run was the run's last: all but its last bit go out, in whole
        bytes; the board keeps learned weights."""
        run = self._run
        bits = run["held"][:-1]
        whole = bits.size - bits.size % 8
        self._out_bytes(np.packbits(bits[:whole], bitorder="little").tobytes(),
                        self._tick_start())
        emulator = run["emulator"]
        self.runs.append(emulator.tick)
        self.image.w_aa = emulator.weights_aa()
        self._run = None


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="A NeuroCoreX board on a pseudo-terminal (the bit-exact emulator "
                    "behind the board's UART protocol); prints its port")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="the board's clock times this (0: as fast as it computes)")
    parser.add_argument("--baud", type=int, default=None,
                        help="the rate its bitstream speaks (default: the description's)")
    options = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with FakeBoard(speed=options.speed or None, baud=options.baud) as fake:
        print(fake.port, flush=True)
        try:
            while True:
                time.sleep(1.0)
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            print(f"runs (ticks): {fake.runs}; records: {len(fake.records)}; FIFO peak: "
                  f"{fake.fifo_peak}; dropped: {fake.dropped}; violations: "
                  f"{fake.violations or 'none'}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
