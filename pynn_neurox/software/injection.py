"""Current injection: the current sources' values written into the cells' `i_inj`."""

import numpy as np

from .brian import b2
from .currents import current_at_steps


class CurrentInjection:
    """Sets each cell's `i_inj` at the start of every step from the current sources.

    Its Python call each step joins the Brian2 network `net` only once a source exists.
    `slots` maps a population index to (the NeuronGroup it shares, its first cell there).
    """

    def __init__(self, network, net, slots):
        self.network = network
        self.net = net
        self.slots = slots
        self.tables = []
        self.first_step = 0
        self.operation = None

    def prepare(self, first_step, steps):
        """Tabulate every source for the coming run; cheap, and follows parameter changes.

        One entry per NeuronGroup: (its i_inj, group size, [(cells, values per step)], the
        steps at which any of its values changes).
        """
        self.first_step = first_step
        self.tables = []
        if not any(source.targets for source in self.network.current_sources):
            return  # no table: one per step would cost 8 B a step for nothing
        step_range = np.arange(first_step, first_step + steps)
        by_group = {}
        for source in self.network.current_sources:
            values = current_at_steps(source, step_range, self.network.timestep)
            for population, cells in source.targets.items():
                group, offset = self.slots[population]
                by_group.setdefault(group, []).append((offset + cells, values))
        for group, contributions in by_group.items():
            changes = np.zeros(steps, bool)
            changes[0] = True
            for _, values in contributions:
                changes[1:] |= values[1:] != values[:-1]
            self.tables.append((group.variables["i_inj"], len(group), contributions, changes))
        if self.tables and self.operation is None:
            self.operation = b2().NetworkOperation(self._apply, when="start")
            self.net.add(self.operation)

    def _apply(self, t):
        step = round(float(t[:]) / (self.network.timestep * 1e-3)) - self.first_step
        for variable, size, contributions, changes in self.tables:
            if step < changes.size and changes[step]:
                row = np.zeros(size)
                for cells, values in contributions:
                    row[cells] += values[step]
                variable.set_value(row)
