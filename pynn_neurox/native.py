"""Native cell types: a chip's own integer parameters, for exact control of what it runs.

They run only on their chip's target, where they are loaded without conversion;
weights onto them are in the chip's own integer units.
"""

from pyNN.models import BaseCellType


class LoihiCompartment(BaseCellType):
    """A Loihi compartment (current-based LIF) with its 12-bit decays, threshold mantissa
    (threshold = vth_mant * 2**6), bias = bias_mant * 2**bias_exp and refract_delay
    in ticks; v in the chip's units. See docs/chips/loihi.md."""

    default_parameters = {"decay_u": 4095, "decay_v": 0, "vth_mant": 100, "bias_mant": 0,
                          "bias_exp": 0, "refract_delay": 1}
    default_initial_values = {"v": 0.0}
    recordable = ["spikes", "v"]
    units = {"v": "dimensionless"}
    receptor_types = ("excitatory", "inhibitory")
    conductance_based = False


class NeuroCoreXNeuron(BaseCellType):
    """A NeuroCoreX neuron slot with the board's own raw values: threshold `vth` and the
    `leak` subtracted every tick in Q7.10 (1.0 = 1024), `tref` in ticks, and the FF
    synaptic gain `ff_gain` (0..255). The leak and the gain are one value for the whole
    board. Weights onto it are the board's int8 weights; v is raw Q7.10.
    See docs/chips/neurocorex.md."""

    default_parameters = {"vth": 512, "tref": 4, "leak": 0, "ff_gain": 1}
    default_initial_values = {"v": 0.0}
    recordable = ["spikes", "v"]
    units = {"v": "dimensionless"}
    receptor_types = ("excitatory", "inhibitory")
    conductance_based = False
