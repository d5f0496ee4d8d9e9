"""NeuroCoreX's native cell type: a board neuron slot with the board's raw values,
loaded without conversion. It runs only on a NeuroCoreX target."""

from pyNN.models import BaseCellType

from .formats import BOARD


class NeuroCoreXNeuron(BaseCellType):
    """A NeuroCoreX neuron slot with the board's own raw values: threshold `vth` and the
    `leak` subtracted every tick in Q7.10 (1.0 = 1024), `tref` in ticks, and the FF
    synaptic gain `ff_gain` (0..255). The leak and the gain are one value for the whole
    board. Weights onto it are the board's int8 weights; v is raw Q7.10.
    See docs/chips/neurocorex.md."""

    # the board's power-on values, no leak, and the gain of one
    default_parameters = {"vth": BOARD.power_on_threshold, "tref": BOARD.power_on_refractory,
                          "leak": 0, "ff_gain": 1}
    default_initial_values = {"v": 0.0}
    recordable = ["spikes", "v"]
    units = {"v": "dimensionless"}
    receptor_types = ("excitatory", "inhibitory")
    conductance_based = False
