"""Recording: what to record goes into the network description; data come from the target."""

import numpy as np
from pyNN import errors, recording

from . import simulator
from .timegrid import sampling_steps


class Recorder(recording.Recorder):
    _simulator = simulator

    @property
    def _description(self):
        return self.population._description

    def _check_sampling_interval(self, sampling_interval):
        """A sampling interval the time grid refuses (timegrid.sampling_steps: 0.25 ms at
        dt 0.1 would stamp samples at times v was not taken) is refused by record() itself,
        not at the next run; so is one that differs from the population's (PyNN raises a
        bare ValueError for that)."""
        if sampling_interval is not None:
            where = f"record(sampling_interval={sampling_interval!r}) of population " \
                    f"'{self.population.label}'"
            try:
                sampling_steps(sampling_interval, simulator.state.dt)
            except (TypeError, ValueError) as error:
                raise errors.InvalidParameterValueError(f"{where}: {error}") from None
            try:
                super()._check_sampling_interval(sampling_interval)
            except ValueError as error:
                raise errors.InvalidParameterValueError(f"{where}: {error}") from None

    def _record(self, variable, new_ids, sampling_interval=None):
        description = self._description
        if sampling_interval is not None:
            self.sampling_interval = sampling_interval
        if variable.name != "spikes":
            description.sampling_interval = self.sampling_interval
        indices = self.population.id_to_index(np.array(sorted(self.recorded[variable]), int))
        description.recorded[variable.name] = np.sort(np.atleast_1d(indices))

    def _reset(self):
        self._description.recorded.clear()

    def _target(self):
        return simulator.state.target

    def _get_spiketimes(self, ids, clear=False):
        indices = self.population.id_to_index(np.array(ids, dtype=int)) if len(ids) else []
        target = self._target()
        if target is None or len(ids) == 0:
            return np.array([], dtype=int), np.array([])
        cells, times = target.spikes(self._description.index)
        keep = np.isin(cells, indices)
        return (cells[keep] + int(self.population.first_id)), times[keep]

    def _get_all_signals(self, variable, ids, clear=False):
        indices = np.atleast_1d(self.population.id_to_index(np.array(ids, dtype=int)))
        target = self._target()
        if target is None or len(ids) == 0:
            return np.zeros((0, len(ids))), None
        values = target.signals(self._description.index, variable.name, indices)
        return values, None

    def _local_count(self, variable, filter_ids=None):
        ids = sorted(self.filter_recorded(variable, filter_ids))
        counts = {int(id_): 0 for id_ in ids}
        if ids:
            cells, _ = self._get_spiketimes(ids)
            found, n = np.unique(cells, return_counts=True)
            counts.update({int(c): int(k) for c, k in zip(found, n)})
        return counts

    def _clear_simulator(self):
        if self._target() is not None:
            self._target().clear_recordings(self._description.index)
