"""The network description: what the user built, as plain arrays.

This is the spine of the backend. The PyNN layer writes into it and reads its
parameters back from it; every target (Brian2, chip emulators) builds from it and
never touches a PyNN object. All values are in PyNN's standard units
(ms, mV, nA, nF, uS, Hz), so a target does its own unit conversion.
"""

from dataclasses import dataclass, field

import numpy as np


@dataclass
class PopulationDescription:
    """One population: its cell type, one value per cell for every parameter."""

    index: int
    label: str
    celltype: str
    size: int
    parameters: dict = field(default_factory=dict)
    initial_values: dict = field(default_factory=dict)
    receptor_types: tuple = ()
    # recorded variable name -> sorted array of recorded cell indices
    recorded: dict = field(default_factory=dict)
    sampling_interval: float = None
    # parameter names changed since a target last read them
    changed: set = field(default_factory=set)
    # the PyNN cell type object, for the extra structure some types carry
    # (a PointNeuron's receptors); targets read it through `component`
    celltype_object: object = None

    @property
    def is_source(self):
        return self.celltype.startswith("SpikeSource")

    def set_parameter(self, name, values, mask=None):
        if mask is None:
            self.parameters[name] = values
        else:
            self.parameters[name][mask] = values
        self.changed.add(name)


@dataclass
class SynapseDescription:
    """The synapse model of a projection as data (never as simulator code).

    `kind` is the PyNN synapse type name; `parameters` holds per-connection
    arrays or scalars beyond weight and delay; plastic rules carry their
    timing and weight dependence names and parameters so that a chip target
    can translate them into its own rule or refuse them by name. The timing
    and weight parameters are the same arrays as in `parameters`, grouped:
    SpikePairRule (tau_plus, tau_minus, A_plus, A_minus) or Vogels2011Rule
    (tau, eta, rho); weight dependences (w_min, w_max and, for Gutig, mu_plus,
    mu_minus).
    """

    kind: str
    parameters: dict = field(default_factory=dict)
    timing_dependence: str = None
    timing_parameters: dict = field(default_factory=dict)
    weight_dependence: str = None
    weight_parameters: dict = field(default_factory=dict)
    dendritic_delay_fraction: float = 1.0
    # synaptic state variable -> per-connection values before the first spike
    initial_values: dict = field(default_factory=dict)


@dataclass
class ProjectionDescription:
    """Connections from one population to one population through one receptor.

    A PyNN Projection between Assemblies is split into one description per
    pair of member populations, so every target sees plain pairs.
    """

    index: int
    label: str
    pre: int
    post: int
    receptor_type: str
    synapse: SynapseDescription
    sources: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    delays: np.ndarray
    # attribute names changed since a target last read them
    changed: set = field(default_factory=set)
    # attribute name -> the connections changed, for names changed in only some of
    # them (a target then keeps the learned weights of the others)
    changed_positions: dict = field(default_factory=dict)

    def __len__(self):
        return self.sources.size


@dataclass
class CurrentSourceDescription:
    """A current source and the cells it injects into (population index -> cells)."""

    index: int
    kind: str
    parameters: dict
    targets: dict = field(default_factory=dict)
    recorded: bool = False
    rng: object = None
    # counts changes of parameters or targets, so a running target notices them
    revision: int = 0


@dataclass
class NetworkDescription:
    """Everything a target needs to run a model."""

    timestep: float = 0.1
    min_delay: float = 0.1
    max_delay: float = 10.0
    seed: int = None
    populations: list = field(default_factory=list)
    projections: list = field(default_factory=list)
    current_sources: list = field(default_factory=list)
    # options the user passed to setup() for the chosen target
    options: dict = field(default_factory=dict)

    def add_population(self, **kwargs):
        population = PopulationDescription(index=len(self.populations), **kwargs)
        self.populations.append(population)
        return population

    def add_projection(self, **kwargs):
        projection = ProjectionDescription(index=len(self.projections), **kwargs)
        self.projections.append(projection)
        return projection

    def add_current_source(self, **kwargs):
        source = CurrentSourceDescription(index=len(self.current_sources), **kwargs)
        self.current_sources.append(source)
        return source

    @property
    def size(self):
        return sum(p.size for p in self.populations)

    @property
    def synapse_count(self):
        return sum(len(p) for p in self.projections)
