"""TrueNorth's native cell type: a neuron with the chip's own integer parameters, loaded
without conversion (weights onto it are the chip's integer weights). It runs only on a
TrueNorth target."""

from pyNN.models import BaseCellType

from ...chip import load_chip
from .formats import TrueNorthFormats

_FORMATS = TrueNorthFormats.from_description(load_chip("truenorth"))


class TrueNorthNeuron(BaseCellType):
    """A TrueNorth neuron (Cassidy et al. 2013), v in the chip's integer units.

    Per tick: every active axon adds this neuron's weight for the axon's type (or, with
    `stochastic_synapses`, sign(s) when |s| >= a pseudo-random number); then the leak
    adds `leak` (times sign(v) with `leak_reversal`; with `stochastic_leak`, sign(leak)
    when |leak| >= a pseudo-random number); then the neuron fires if v >= threshold + eta,
    eta the pseudo-random number masked to `threshold_mask_bits` bits, and resets by
    `reset_mode` (0 normal: v = reset; 1 linear: v -= threshold + eta; 2 none). Below
    -neg_threshold (less eta unless `neg_saturate`) v is set to -neg_threshold
    (`neg_saturate` = 1) or reset the mirrored way. See docs/chips/truenorth.md.
    """

    # a deterministic integrator: no leak, threshold 1, normal reset to 0, floored at the
    # most negative threshold
    # (floats, so that PyNN keeps a non-integer value for the mapping to refuse by name)
    default_parameters = {"leak": 0.0, "leak_reversal": 0.0, "stochastic_leak": 0.0,
                          "stochastic_synapses": 0.0, "threshold": 1.0,
                          "neg_threshold": float(_FORMATS.threshold_max),
                          "threshold_mask_bits": 0.0, "reset": 0.0, "reset_mode": 0.0,
                          "neg_saturate": 1.0}
    default_initial_values = {"v": 0.0}
    recordable = ["spikes", "v"]
    units = {"v": "dimensionless"}
    receptor_types = ("excitatory", "inhibitory")
    conductance_based = False
