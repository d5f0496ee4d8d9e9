"""PyNN's standard models for this backend.

The network description keeps PyNN's own names and units, so every
translation here is the identity: the targets, not the PyNN layer, convert
into their own formats. This module only binds PyNN's model classes to the
backend (translations, the current-source plumbing) and adds nothing else.
"""

from copy import deepcopy

import numpy as np
from pyNN import errors
from pyNN.parameters import ParameterSpace
from pyNN.standardmodels import build_translations, cells, electrodes, receptors, synapses

from . import simulator


def _identity_translations(model):
    """Parameters, and synaptic state that Projection.get reads (e.g. `u`), keep their names."""
    names = list(model.default_parameters)
    if issubclass(model, synapses.StandardSynapseType):
        names += list(getattr(model, "default_initial_values", {}))
    return build_translations(*[(name, name) for name in names])


def _bind(base, namespace, **attributes):
    """A subclass of PyNN's `base` model whose native parameters are its standard ones."""
    cls = type(base.__name__, (base,), dict(
        translations=_identity_translations(base), __module__=__name__, **attributes))
    cls.__doc__ = base.__doc__
    namespace[base.__name__] = cls
    return cls


# --- cell types --------------------------------------------------------------

CELL_TYPES = (
    cells.IF_curr_alpha, cells.IF_curr_exp, cells.IF_curr_delta,
    cells.IF_cond_alpha, cells.IF_cond_exp, cells.IF_cond_exp_gsfa_grr,
    cells.IF_facets_hardware1, cells.HH_cond_exp,
    cells.EIF_cond_alpha_isfa_ista, cells.EIF_cond_exp_isfa_ista,
    cells.Izhikevich, cells.GIF_cond_exp,
    cells.SpikeSourcePoisson, cells.SpikeSourcePoissonRefractory,
    cells.SpikeSourceGamma, cells.SpikeSourceInhGamma, cells.SpikeSourceArray,
)
for _base in CELL_TYPES:
    _bind(_base, globals())

# HH_cond_exp lists a gap-junction receptor that no target implements
HH_cond_exp.receptor_types = ("excitatory", "inhibitory")  # noqa: F821


# --- point-neuron components ---------------------------------------------------

for _base in (cells.LIF, cells.AdExp):
    _bind(_base, globals())

for _base in (receptors.CurrExpPostSynapticResponse, receptors.CondExpPostSynapticResponse,
              receptors.CondAlphaPostSynapticResponse, receptors.CondBetaPostSynapticResponse):
    _bind(_base, globals(), recordable=["isyn"] if not _base.conductance_based else ["gsyn"])

CondExpPSR = globals()["CondExpPostSynapticResponse"]
AlphaPSR = globals()["CondAlphaPostSynapticResponse"]
BetaPSR = globals()["CondBetaPostSynapticResponse"]
ExpPSR = CondExpPSR


class PointNeuron(cells.PointNeuron):
    """A neuron component with named post-synaptic receptors; parameters are flat.

    A receptor's parameters appear as "<receptor>.<parameter>" (e.g. "AMPA.tau_syn"),
    which is also how PyNN names their recordable variables.
    """

    @property
    def native_parameters(self):
        return self.translate(self.parameter_space)

    def translate(self, parameters, copy=True):
        flat = deepcopy(parameters) if copy else parameters
        flat.flatten()
        return ParameterSpace({name: value for name, value in flat.items()
                               if not isinstance(value, ParameterSpace)},
                              shape=parameters.shape)

    def reverse_translate(self, native_parameters):
        return native_parameters

    def get_native_names(self, *names):
        return names or tuple(self.translate(self.parameter_space).keys())

    def computed_parameters(self):
        return []


# --- synapse types -------------------------------------------------------------

for _base in (synapses.StaticSynapse, synapses.TsodyksMarkramSynapse,
              synapses.SimpleStochasticSynapse, synapses.StochasticTsodyksMarkramSynapse,
              synapses.MultiQuantalSynapse,
              synapses.AdditiveWeightDependence, synapses.MultiplicativeWeightDependence,
              synapses.AdditivePotentiationMultiplicativeDepression,
              synapses.GutigWeightDependence, synapses.SpikePairRule, synapses.Vogels2011Rule):
    _bind(_base, globals())


class STDPMechanism(synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
    base_translations = build_translations(
        ("weight", "weight"), ("delay", "delay"),
        ("dendritic_delay_fraction", "dendritic_delay_fraction"))

    def _build_translations(self):
        self.translations = dict(self.base_translations)
        for component in (self.timing_dependence, self.weight_dependence):
            if component:
                self.translations.update(component.translations)


def _minimum_delay(self):
    return simulator.state.network.min_delay


for _name in ("StaticSynapse", "TsodyksMarkramSynapse", "SimpleStochasticSynapse",
              "StochasticTsodyksMarkramSynapse", "MultiQuantalSynapse", "STDPMechanism"):
    globals()[_name]._get_minimum_delay = _minimum_delay

# the release sites available (a) and the release probability (u) of the quantal
# synapses can be initialised; before the first spike a = n and u = U, as in NEST
for _name in ("MultiQuantalSynapse", "StochasticTsodyksMarkramSynapse"):
    globals()[_name].default_initial_values = {"a": 1.0, "u": 0.5}
    globals()[_name].translations = _identity_translations(globals()[_name])


class ElectricalSynapse(synapses.ElectricalSynapse):
    """Gap junctions need a voltage coupling that no target of this backend offers yet."""

    translations = build_translations(("weight", "weight"))

    def __init__(self, **parameters):
        raise errors.NoModelAvailableError(
            "ElectricalSynapse (gap junctions) is not available in pyNN.neurox: "
            "none of its targets couples membrane potentials between cells")


# --- current sources -----------------------------------------------------------

class _CurrentSource:
    """Current sources live in the network description; this class is their PyNN face."""

    def __init__(self, **parameters):
        description = simulator.state.network.add_current_source(
            kind=type(self).__name__, parameters=self._as_arrays(self.default_parameters),
            rng=self.__dict__.get("rng"))
        object.__setattr__(self, "_description", description)
        super().__init__(**parameters)
        self.set_parameters(**parameters)

    @staticmethod
    def _as_arrays(parameters):
        values = {}
        for name, value in parameters.items():
            value = value.base_value if hasattr(value, "base_value") else value
            if hasattr(value, "value"):          # pyNN.parameters.Sequence
                value = value.value
            values[name] = np.array(value, dtype=float) if np.ndim(value) else float(value)
        return values

    def _normalise(self, values):
        """Hook for a source type to check and convert its new parameter values."""
        return values

    def set_native_parameters(self, parameters):
        parameters.evaluate(simplify=True)
        self._description.parameters.update(self._normalise(self._as_arrays(parameters)))
        self._description.revision += 1

    def get_native_parameters(self):
        return ParameterSpace({name: value for name, value in self._description.parameters.items()
                               if name in self.default_parameters})

    def inject_into(self, cells):
        """Inject this source's current into a Population, View, Assembly or list of IDs."""
        description = self._description
        ids = list(cells.all_cells if hasattr(cells, "all_cells") else cells)
        for cell in ids:
            if not cell.celltype.injectable:
                raise TypeError(f"Can't inject current into a {cell.celltype.__class__.__name__} "
                                f"(cell {int(cell)} of population '{cell.parent.label}')")
        for population in {id_.parent for id_ in ids}:
            members = np.array([population.id_to_index(id_) for id_ in ids
                                if id_.parent is population], dtype=int)
            index = population._description.index
            previous = description.targets.get(index, np.array([], dtype=int))
            description.targets[index] = np.union1d(previous, members)
        description.revision += 1

    def record(self):
        """Record the injected current (the source's own schedule, sampled each step)."""
        self._description.recorded = True

    def _get_data(self):
        from .software.currents import sampled_current
        return sampled_current(self._description, simulator.state.network.timestep,
                               simulator.state.t)


for _base in (electrodes.DCSource, electrodes.ACSource):
    _bind(type(_base.__name__, (_CurrentSource, _base), {}), globals())


class StepCurrentSource(_CurrentSource, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__
    translations = _identity_translations(electrodes.StepCurrentSource)

    def _normalise(self, values):
        """Times must be >= 0 and increasing; they move to the nearest step, and where two
        land on the same step the later amplitude wins."""
        times = np.atleast_1d(values.get("times", self._description.parameters["times"]))
        amplitudes = np.atleast_1d(values.get("amplitudes",
                                              self._description.parameters["amplitudes"]))
        if times.size != amplitudes.size:
            raise errors.InvalidParameterValueError(
                f"StepCurrentSource: 'times' has {times.size} values but 'amplitudes' has "
                f"{amplitudes.size}")
        if (times < 0).any():
            raise errors.InvalidParameterValueError(
                f"StepCurrentSource: 'times' contains the negative time {times[times < 0][0]:g}")
        if (np.diff(times) <= 0).any():
            raise errors.InvalidParameterValueError(
                f"StepCurrentSource: 'times' must increase, got {times.tolist()}")
        dt = simulator.state.dt
        steps = np.rint(times / dt).astype(np.int64)
        last = np.append(steps[1:] != steps[:-1], True)
        return dict(values, times=steps[last] * dt, amplitudes=amplitudes[last])


class NoisyCurrentSource(_CurrentSource, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__
    translations = _identity_translations(electrodes.NoisyCurrentSource)

    def __init__(self, rng=None, **parameters):
        object.__setattr__(self, "rng", rng)
        super().__init__(**parameters)
