"""Spike sources whose trains are drawn in Python before each run.

SpikeSourceInhGamma's gamma shape `a` is any positive number and changes with time,
which rules out the integer stage counter used for SpikeSourceGamma. Its trains are
drawn step by step from the renewal hazard of a gamma distribution instead, and
played back by a Brian2 SpikeGeneratorGroup.
"""

import numpy as np
from scipy.special import gammaincc


CHUNK = 1000  # steps whose parameters are looked up at once


def _per_cell(values):
    return [np.atleast_1d(np.asarray(getattr(v, "value", v), dtype=float)) for v in values]


class InhomogeneousGamma:
    """Draws SpikeSourceInhGamma trains: gamma(a(t), b(t)) renewal processes.

    a and b are piecewise constant, changing at `tbins` (ms); b is in seconds. In each
    step the probability to fire is the gamma distribution's conditional probability
    of an interval ending within the step, given the time since the last spike.
    """

    def __init__(self, description, dt, seed):
        self.description = description
        self.dt = dt
        self.rng = np.random.default_rng(seed)
        self.last = np.full(description.size, np.nan)  # time of each cell's last spike
        self._drawn = (np.array([], dtype=int), np.array([], dtype=np.int64))
        self._last_before = self.last.copy()

    def _parameters_at(self, times):
        """a and b (ms) of every cell at each of `times`: arrays of cells x times."""
        p = self.description.parameters
        a = np.empty((self.description.size, times.size))
        b = np.empty_like(a)
        for i, (ai, bi, ti) in enumerate(zip(_per_cell(p["a"]), _per_cell(p["b"]),
                                             _per_cell(p["tbins"]))):
            which = np.clip(np.searchsorted(ti, times, side="right") - 1, 0, ai.size - 1)
            a[i], b[i] = ai[which], 1000.0 * bi[which]
        return a, b

    def draw(self, first_step, steps):
        """(cell indices, steps) of the spikes in the given steps."""
        p = self.description.parameters
        start = np.asarray(p["start"], dtype=float)
        stop = start + np.asarray(p["duration"], dtype=float)
        self._last_before = self.last.copy()
        cells, spike_steps = [], []
        for k in range(steps):
            if k % CHUNK == 0:  # the parameters for the next CHUNK steps, cells x steps
                a, b = self._parameters_at((first_step + k + np.arange(CHUNK)) * self.dt)
            t = (first_step + k) * self.dt
            shape, scale = a[:, k % CHUNK], b[:, k % CHUNK]
            active = (t >= start) & (t < stop)
            age = t - np.where(np.isnan(self.last), np.maximum(start, 0.0), self.last)
            survival = gammaincc(shape, age / scale)
            later = gammaincc(shape, (age + self.dt) / scale)
            chance = np.where(survival > 1e-300, 1.0 - later / np.maximum(survival, 1e-300),
                              -np.expm1(-self.dt / scale))
            fire = active & (self.rng.random(self.description.size) < chance)
            if fire.any():
                self.last[fire] = t
                cells.append(np.nonzero(fire)[0])
                spike_steps.append(np.full(fire.sum(), first_step + k))
        cells = np.concatenate(cells) if cells else np.array([], dtype=int)
        spike_steps = np.concatenate(spike_steps) if spike_steps else np.array([], np.int64)
        self._drawn = (cells, spike_steps)
        return cells, spike_steps

    def rewind(self, step):
        """Forget the spikes drawn for steps from `step` on (a run that ended early)."""
        cells, steps = self._drawn
        keep = steps < step
        self.last = self._last_before.copy()
        self.last[cells[keep]] = steps[keep] * self.dt  # steps are in increasing order
