"""Recorded data kept between runs, one store per population, for every target."""

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
