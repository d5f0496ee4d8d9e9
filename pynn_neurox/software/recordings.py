"""Recorded data: Brian2 monitors during a run, and the per-population store after it."""

import numpy as np


class Recordings:
    """One population's recorded data, kept between runs until cleared or reset.

    `start` (ms) is when recording (re)started: data from before it are dropped, also
    data that monitors still hold from before a clear() in the middle of a run.
    """

    def __init__(self, start=0.0):
        self.start = start
        self._cells, self._times = [], []
        self._chunks = {}  # variable -> list of (recorded indices, samples x indices)

    def add_spikes(self, cells, times):
        keep = times > self.start if self.start > 0 else slice(None)
        self._cells.append(cells[keep])
        self._times.append(times[keep])

    def add_samples(self, variable, indices, values, times):
        keep = times >= self.start - 1e-9
        self._chunks.setdefault(variable, []).append((np.asarray(indices, int), values[keep]))

    def spikes(self):
        if not self._cells:
            return np.array([], dtype=int), np.array([])
        return np.concatenate(self._cells), np.concatenate(self._times)

    def samples(self, variable, indices):
        """Samples x len(indices); NaN where a cell was not recorded in that run."""
        indices = np.asarray(indices, int)
        parts = []
        for recorded, values in self._chunks.get(variable, []):
            part = np.full((values.shape[0], indices.size), np.nan)
            position = np.minimum(np.searchsorted(recorded, indices), recorded.size - 1)
            found = recorded[position] == indices
            part[:, found] = values[:, position[found]]
            parts.append(part)
        return np.vstack(parts) if parts else np.zeros((0, indices.size))

    def with_data_of(self, monitors, population_index):
        """A copy that also holds what `monitors` recorded so far (for reads mid-run)."""
        copy = Recordings(self.start)
        copy._cells, copy._times = list(self._cells), list(self._times)
        copy._chunks = {k: list(v) for k, v in self._chunks.items()}
        monitors.transfer(population_index, copy)
        return copy


class Monitors:
    """The Brian2 monitors of every recorded population, for one Brian2 run.

    `spike_time(population index, cells, times in s)` turns Brian2's spike times into
    the reported ones (see the target's module docstring).
    """

    def __init__(self, b2, network, groups, state_variable, spike_time):
        self.spike_time = spike_time
        self.entries = {}
        self.objects = []
        for population in network.populations:
            if not population.recorded:
                continue
            group = groups[population.index]
            spike_monitor = b2.SpikeMonitor(group) if "spikes" in population.recorded else None
            interval = (population.sampling_interval or network.timestep) * b2.ms
            states = {}
            for variable, indices in population.recorded.items():
                if variable != "spikes":
                    name = state_variable(group, population, variable)
                    states[variable] = (name, indices, b2.StateMonitor(
                        group, name, record=np.asarray(indices, dtype=int), dt=interval,
                        when="start"))
            self.entries[population.index] = (spike_monitor, states)
            self.objects += [m for m in [spike_monitor] if m is not None]
            self.objects += [monitor for _, _, monitor in states.values()]

    def transfer(self, population_index, recordings):
        """Add what the monitors of one population hold to `recordings`."""
        if population_index not in self.entries:
            return
        spike_monitor, states = self.entries[population_index]
        if spike_monitor is not None:
            cells = np.asarray(spike_monitor.i, dtype=int)
            recordings.add_spikes(cells, self.spike_time(population_index, cells,
                                                         np.asarray(spike_monitor.t_)))
        for variable, (name, indices, monitor) in states.items():
            recordings.add_samples(variable, indices, np.asarray(getattr(monitor, name)).T,
                                   np.asarray(monitor.t_) * 1000.0)
