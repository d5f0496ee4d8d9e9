"""Loihi's numbers, read from the chip description (hardware_models/loihi.json), each
declared where its width or limit is defined."""

from dataclasses import dataclass

from ....errors import SetupError
from ...chip import fact
from ...place import CoreLimits


@dataclass(frozen=True)
class LoihiFormats(CoreLimits):
    # compartment state: decays are fractions of 2**decay_bits; u decays with an offset
    decay_bits: int = fact()
    current_decay_offset: int = fact()
    input_bits: int = fact()  # q, a tick's synaptic input, wraps at input_bits + sign
    current_bits: int = fact()  # u and the compartment's input sum wrap at current_bits + sign
    threshold_mantissa_max: int = fact()
    threshold_exponent: int = fact()  # vth = mantissa * 2**threshold_exponent
    bias_mantissa_max: int = fact()
    bias_exponent_max: int = fact()
    vmax_exponent_max: int = fact()
    vmax_base_bits: int = fact()  # vmax = 2**(vmax_base_bits + 2e) - 1
    vmin_exponent_max: int = fact()  # vmin = -2**e + 1
    # synapses: weight = floor(mantissa * 2**(offset + exponent) / 2**floor_bits) 2**floor_bits
    weight_exponent_min: int = fact()
    weight_exponent_max: int = fact()
    weight_exponent_offset: int = fact()
    weight_floor_bits: int = fact()
    weight_limit: int = fact()
    refractory_max: int = fact()
    delay_max: int = fact()
    # the learning engine
    trace_bits: int = fact("learning")
    trace_impulse_max: int = fact("learning")
    trace_tau_min: int = fact("learning")
    epoch_exponent: int = fact("learning")
    epoch_exponent_max: int = fact("learning")
    scale_mantissa_bits: int = fact("learning")
    scale_exponent_min: int = fact("learning")
    scale_exponent_max: int = fact("learning")
    fraction_bits: int = fact("learning")
    accumulator_bits: int = fact("learning")

    @property
    def decay_one(self) -> int:
        """1.0 of a decay factor."""
        return 1 << self.decay_bits

    @property
    def decay_max(self) -> int:
        return self.decay_one - 1

    @property
    def weight_mantissa_max(self) -> int:
        return (1 << self.weight_mantissa_bits) - 1

    @property
    def vmin(self) -> int:
        return -(1 << self.current_bits) + 1

    @property
    def vmax(self) -> int:
        return (1 << (self.vmax_base_bits + 2 * self.vmax_exponent_max)) - 1

    @property
    def trace_max(self) -> int:
        return (1 << self.trace_bits) - 1

    def __post_init__(self):
        if self.current_bits > self.vmin_exponent_max:
            raise SetupError(f"vmin = -2**{self.current_bits} + 1 is below the chip's range "
                             f"(exponent at most {self.vmin_exponent_max})")
        if self.epoch_exponent > self.epoch_exponent_max:
            raise SetupError(f"learning epoch 2**{self.epoch_exponent} is longer than the "
                             f"chip's 2**{self.epoch_exponent_max}")
