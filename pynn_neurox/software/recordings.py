"""Recorded data of one population, kept between runs until cleared or reset."""

import numpy as np


class Recordings:
    """Spikes as (cell, time) arrays; sampled signals as chunks, one per run."""

    def __init__(self):
        self._cells, self._times = [], []
        self._chunks = {}  # variable -> list of (recorded indices, samples x indices)

    def add_spikes(self, cells, times):
        self._cells.append(cells)
        self._times.append(times)

    def add_samples(self, variable, indices, values):
        self._chunks.setdefault(variable, []).append((np.asarray(indices, int), values))

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
            position = np.searchsorted(recorded, indices)
            position = np.minimum(position, recorded.size - 1)
            found = recorded[position] == indices
            part[:, found] = values[:, position[found]]
            parts.append(part)
        return np.vstack(parts) if parts else np.zeros((0, indices.size))
