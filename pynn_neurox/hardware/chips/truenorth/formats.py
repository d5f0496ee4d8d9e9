"""TrueNorth's numbers, read from the chip description (hardware_models/truenorth.json),
each declared where its width or limit is defined. Widths marked "confidence": "M" in the
description are not verified against Cassidy et al. 2013 (docs/chips/truenorth.md)."""

from dataclasses import dataclass

from ....errors import SetupError
from ...chip import ChipFormats, fact


@dataclass(frozen=True)
class TrueNorthFormats(ChipFormats):
    # the neuron's state and parameters (Cassidy et al. 2013)
    v_bits: int = fact()  # V, two's complement; saturates at its range
    weight_bits: int = fact()  # s_j^G: sign and magnitude, one per axon type and neuron
    leak_bits: int = fact()  # lambda: sign and magnitude
    threshold_bits: int = fact()  # alpha and beta, unsigned
    reset_bits: int = fact()  # R, two's complement
    prn_bits: int = fact()  # rho of a stochastic synapse or leak
    threshold_mask_bits_max: int = fact()  # eta = rho & (2**TM - 1), TM at most this
    delay_min: int = fact()  # a spike of tick t acts in tick t + delay
    delay_max: int = fact()
    # the core and the chip
    axons_per_core: int = fact("limits")
    neurons_per_core: int = fact("limits")
    axon_types: int = fact("limits")
    cores_per_chip: int = fact("limits")
    chips: int = fact("limits")

    @property
    def v_max(self) -> int:
        return (1 << (self.v_bits - 1)) - 1

    @property
    def v_min(self) -> int:
        return -(1 << (self.v_bits - 1))

    @property
    def weight_max(self) -> int:
        """|s| <= weight_max: the magnitude's bits (the sign is one bit of weight_bits)."""
        return (1 << (self.weight_bits - 1)) - 1

    @property
    def leak_max(self) -> int:
        return (1 << (self.leak_bits - 1)) - 1

    @property
    def threshold_max(self) -> int:
        return (1 << self.threshold_bits) - 1

    @property
    def reset_max(self) -> int:
        return (1 << (self.reset_bits - 1)) - 1

    @property
    def reset_min(self) -> int:
        return -(1 << (self.reset_bits - 1))

    @property
    def cores(self) -> int:
        """Every core of every chip joined."""
        return self.cores_per_chip * self.chips

    def __post_init__(self):
        if self.threshold_mask_bits_max > self.threshold_bits:
            raise SetupError(f"a threshold mask of {self.threshold_mask_bits_max} bits is "
                             f"wider than the {self.threshold_bits}-bit threshold")
