"""Population, PopulationView and Assembly: thin layers over the network description."""

import numpy as np
from pyNN import common, errors
from pyNN.parameters import ParameterSpace, simplify
from pyNN.standardmodels import StandardCellType

from . import simulator
from .checks import THRESHOLDS, check_parameters
from .errors import SimulationEndedError
from .recording import Recorder
from .resources import check_cells


class Assembly(common.Assembly):
    _simulator = simulator


def _evaluate(parameter_space, size):
    parameter_space.shape = (size,)
    parameter_space.evaluate(simplify=False)
    values = {}
    for name, value in parameter_space.items():
        value = np.asarray(value)
        if value.ndim == 0:  # a single-cell population can come back unbroadcast
            value = np.full(size, value.item(), dtype=value.dtype)
        values[name] = value
    return values


class _ParameterAccess:
    """get/set of parameters and initial values, shared by Population and PopulationView.

    `_cells` selects this object's cells within the description's population.
    """

    def _get_parameters(self, *names):
        description = self._description
        native = ParameterSpace(
            {name: simplify(np.asarray(description.parameters[name])[self._cells])
             for name in names},
            shape=(self.size,))
        if isinstance(self.celltype, StandardCellType):
            return self.celltype.reverse_translate(native)
        return native

    def _set_parameters(self, parameter_space):
        values = _evaluate(parameter_space, self.size)
        current = self._description.parameters
        check_parameters(self.celltype,
                         {**{name: np.asarray(current[name])[self._cells]
                             for name in THRESHOLDS if name in current}, **values},
                         f"population '{self.label}'", simulator.state.dt)
        for name, value in values.items():
            current = self._description.parameters[name]
            if current.dtype != value.dtype:
                current = current.astype(np.result_type(current, value))
                self._description.parameters[name] = current
            self._description.set_parameter(name, value, self._cells)

    def _set_initial_value_array(self, variable, initial_values):
        if variable not in self.celltype.default_initial_values:
            raise errors.NonExistentParameterError(
                variable, self.celltype.__class__.__name__,
                list(self.celltype.default_initial_values))
        values = np.asarray(initial_values.evaluate(simplify=False), dtype=float)
        if not np.isfinite(values).all():
            raise errors.InvalidParameterValueError(
                f"initial value of '{variable}' in population '{self.label}' is "
                f"{values[~np.isfinite(values)].flat[0]!r}")
        store = self._description.initial_values
        if variable not in store:
            store[variable] = np.zeros(self._description.size)
        store[variable][self._cells] = values
        self._description.changed.add(f"initial:{variable}")

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)


class PopulationView(_ParameterAccess, common.PopulationView):
    _assembly_class = Assembly
    _simulator = simulator

    @property
    def _description(self):
        return self.grandparent._description

    @property
    def _cells(self):
        return self.index_in_grandparent(np.arange(self.size))

    @property
    def initial_values(self):
        return {name: common.populations.LazyArray(values[self._cells], shape=(self.size,))
                for name, values in self._description.initial_values.items()}


class Population(_ParameterAccess, common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    _cells = slice(None)

    def __init__(self, size, cellclass, cellparams=None, structure=None, initial_values={},
                 label=None):
        name = label or f"population{common.Population._nPop}"
        shape = size if isinstance(size, tuple) else (size,)
        if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in shape):
            raise errors.InvalidDimensionsError(
                f"Population '{name}': size = {size!r}; a size is a whole number of cells (or "
                "a tuple of them)")
        if min(shape, default=0) < 1:
            raise errors.InvalidDimensionsError(
                f"Population '{name}': size = {size!r}; a population has at least one cell")
        check_cells(name, int(np.prod(shape)))
        super().__init__(size, cellclass, cellparams, structure, initial_values, label)

    def _create_cells(self):
        state = simulator.state
        if state.target is not None and state.target.closed:
            raise SimulationEndedError("the simulation has ended: call setup() before "
                                       "creating cells")
        ids = np.arange(state.id_counter, state.id_counter + self.size)
        self.all_cells = np.array([simulator.ID(i) for i in ids], dtype=simulator.ID)
        self._mask_local = np.ones((self.size,), bool)
        for cell in self.all_cells:
            cell.parent = self
        state.id_counter += self.size
        if isinstance(self.celltype, StandardCellType):
            parameter_space = self.celltype.native_parameters
        else:
            parameter_space = self.celltype.parameter_space
        parameters = _evaluate(parameter_space, self.size)
        check_parameters(self.celltype, parameters, f"population '{self.label}'",
                         state.dt)
        self._description = state.network.add_population(
            label=self.label, celltype=type(self.celltype).__name__, size=self.size,
            parameters=parameters, receptor_types=tuple(self.celltype.receptor_types),
            celltype_object=self.celltype)
