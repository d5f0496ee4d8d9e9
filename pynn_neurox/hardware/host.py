"""Host inputs: spike sources played into the chip from the host, as ticks.

A spike at time s * dt carries the label s; sources draw and give their spikes
per range of ticks, so a long run never holds all of them at once.
"""

import numpy as np

from ..timegrid import off_grid, spike_steps


class SpikeArrayInput:
    """A SpikeSourceArray population: its requested times on the tick grid, by the rule
    every target follows (timegrid.spike_steps)."""

    def __init__(self, description, dt):
        self.size = description.size
        cells, times = [], []
        for cell, value in enumerate(description.parameters["spike_times"]):
            t = np.asarray(getattr(value, "value", value), float).ravel()
            times.append(t)
            cells.append(np.full(t.size, cell))
        times = np.concatenate(times) if times else np.zeros(0)
        cells = np.concatenate(cells).astype(np.int64) if cells else np.zeros(0, np.int64)
        ticks = spike_steps(times, dt)
        self.off_grid = off_grid(times, ticks, dt)
        order = np.lexsort((cells, ticks))
        self.ticks, self.cells = ticks[order], cells[order]
        self.note = (f"{self.ticks.size} spike times, {self.off_grid} of them moved to the "
                     "tick grid")

    def spikes(self, first, stop):
        """(labels, cells) of the spikes labelled first <= s < stop."""
        a, b = np.searchsorted(self.ticks, [first, stop])
        return self.ticks[a:b], self.cells[a:b]


class PoissonInput:
    """A SpikeSourcePoisson population, drawn on the host one tick at a time: a Poisson
    count of spikes per cell and tick, with mean rate * dt, inside [start, start +
    duration), as NEST's poisson_generator draws it. A count above one is that many spikes
    with the same label (multiplicity): the chip's input path delivers or serialises them."""

    def __init__(self, description, dt, seed):
        p = description.parameters
        self.size = description.size
        self.expected = np.asarray(p["rate"], float) * dt / 1000.0
        self.start = np.asarray(p["start"], float)
        self.stop = self.start + np.asarray(p["duration"], float)
        self.dt = dt
        self.rng = np.random.default_rng([seed if seed is not None else 0, description.index])
        self.note = "Poisson trains drawn on the host, a Poisson count per cell and tick"

    def spikes(self, first, stop):
        labels = np.arange(first, stop)
        t = labels[:, np.newaxis] * self.dt
        active = (t >= self.start) & (t < self.stop)
        counts = self.rng.poisson(np.broadcast_to(self.expected, active.shape)) * active
        k, cells = np.nonzero(counts)
        repeats = counts[k, cells]
        return np.repeat(labels[k], repeats), np.repeat(cells, repeats)


def host_input(description, dt, seed):
    if description.celltype == "SpikeSourceArray":
        return SpikeArrayInput(description, dt)
    return PoissonInput(description, dt, seed)
