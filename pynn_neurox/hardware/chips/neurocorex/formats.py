"""NeuroCoreX's numbers, read from the chip description (hardware_models/neurocorex.json):
the number formats, the one core's room, and the board's layout and UART protocol."""

from dataclasses import dataclass

from ...chip import fact, load_chip
from ...place import OneCoreLimits


@dataclass(frozen=True)
class NeuroCoreXFormats(OneCoreLimits):
    v_bits: int = fact()  # V, currents, thresholds and leak: two's complement, wrapping
    v_fraction_bits: int = fact()  # Q7.10: 1.0 is 2**v_fraction_bits raw
    weight_min: int = fact()  # int8 weights
    weight_max: int = fact()
    weight_gain_max: int = fact()  # |w * gain| a mapping keeps (the product wraps above)
    ff_gain_max: int = fact()
    input_events_per_tick: int = fact()
    input_latency_ticks: int = fact()  # an input released in tick R acts on V in R + this
    # the board's layout: slots, where host neurons and their weight rows sit
    slots: int = fact("board")
    first_slot: int = fact("board")
    row_of_slot: int = fact("board")
    column_of_slot: int = fact("board")
    input_fifo_depth: int = fact("board")
    record_dt_max: int = fact("board")
    power_on_ff_weight: int = fact("board")
    power_on_aa_weight: int = fact("board")
    power_on_threshold: int = fact("board")
    power_on_refractory: int = fact("board")
    parameter_blocks: int = fact("board")
    word_bytes: int = fact("board")
    leak_entry: int = fact("board")
    debug_slot_offset: int = fact("board")
    register_reload_row: int = fact("board")
    stdp_drift_quiet_cycles: int = fact("board")
    commands: dict = fact("board")
    marker_byte: int = fact("board")
    # the UART's pace where the board's own is slower than the line (device.py)
    readback_byte_us: float = fact("board")
    stdp_enable_byte_us: float = fact("board")


# the one board the VHDL describes: its image, UART bytes and emulator are laid out by it
BOARD = NeuroCoreXFormats.from_description(load_chip("neurocorex"))
