"""SpiNNaker's numbers, read from the chip description (hardware_models/spinnaker.json),
each declared where its width or limit is defined."""

from dataclasses import dataclass

from ....errors import SetupError
from ...chip import ChipFormats, fact


@dataclass(frozen=True)
class SpiNNakerFormats(ChipFormats):
    # s16.15 accum (REAL): 1 sign + accum_integer_bits + accum_fraction_bits = one word
    accum_fraction_bits: int = fact()
    accum_integer_bits: int = fact()
    # u0.32 unsigned long fract (decay_t)
    decay_fraction_bits: int = fact()
    # a synaptic word's weight and delay fields; the ring buffer's entries and slots
    weight_bits: int = fact()
    delay_bits: int = fact()
    delay_stages_max: int = fact()  # delay-extension stages of 2**delay_bits ticks each
    conductance_input_shift: int = fact()  # conductances travel as g * 2**shift
    # the host's choice of ring-buffer left shift
    ring_buffer_sigma: float = fact()
    spikes_per_second: float = fact()
    poisson_sigma_summation_limit: float = fact()
    # sPyNNaker's Izhikevich (IzkCurrExp)
    izhikevich_v_thresh: float = fact()
    izhikevich_tau_syn: float = fact()
    izhikevich_threshold_offset: float = fact()
    # placement
    neurons_per_core: int = fact("limits")
    array_sources_per_core: int = fact("limits")
    poisson_sources_per_core: int = fact("limits")
    application_cores_per_chip: int = fact("limits")
    chips_per_board: int = fact("limits")
    boards: int = fact("limits")
    cores_per_chip: int = fact("board")
    system_cores_per_chip: int = fact("board")
    # STDP
    stdp_fixed_point: int = fact("learning")
    trace_bits: int = fact("learning")
    post_history_size: int = fact("learning")
    lut_shift: int = fact("learning")

    @property
    def word_bits(self) -> int:
        """The bits of an accum (and of the ARM's registers)."""
        return 1 + self.accum_integer_bits + self.accum_fraction_bits

    @property
    def accum_one(self) -> int:
        return 1 << self.accum_fraction_bits

    @property
    def weight_max(self) -> int:
        """The largest 16-bit weight, and the value a ring-buffer entry saturates at."""
        return (1 << self.weight_bits) - 1

    @property
    def native_delay_max(self) -> int:
        """Ticks a neuron core's ring buffer delays by (1 to this)."""
        return 1 << self.delay_bits

    @property
    def delay_max(self) -> int:
        """The longest delay, through every delay-extension stage."""
        return self.native_delay_max * (1 + self.delay_stages_max)

    @property
    def stdp_one(self) -> int:
        return 1 << self.stdp_fixed_point

    @property
    def chips(self) -> int:
        return self.chips_per_board * self.boards

    def __post_init__(self):
        free = self.cores_per_chip - self.system_cores_per_chip
        if self.application_cores_per_chip > free:
            raise SetupError(
                f"{self.application_cores_per_chip} application cores per chip: a chip has "
                f"{self.cores_per_chip} cores, {self.system_cores_per_chip} of them for the "
                "system")
