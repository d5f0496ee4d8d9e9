"""Loihi's native cell type: the chip's own integer parameters, loaded without conversion
(weights onto it are in the chip's own units). It runs only on a Loihi target."""

from pyNN.models import BaseCellType

from ...chip import load_chip
from .formats import LoihiFormats

_FORMATS = LoihiFormats.from_description(load_chip("loihi"))


class LoihiCompartment(BaseCellType):
    """A Loihi compartment (current-based LIF) with its 12-bit decays, threshold mantissa
    (threshold = vth_mant * 2**threshold_exponent), bias = bias_mant * 2**bias_exp and
    refract_delay in ticks; v in the chip's units. See docs/chips/loihi.md."""

    # by default the current lasts one tick (delta synapses) and v does not decay
    default_parameters = {"decay_u": _FORMATS.decay_max, "decay_v": 0, "vth_mant": 100,
                          "bias_mant": 0, "bias_exp": 0, "refract_delay": 1}
    default_initial_values = {"v": 0.0}
    recordable = ["spikes", "v"]
    units = {"v": "dimensionless"}
    receptor_types = ("excitatory", "inhibitory")
    conductance_based = False
