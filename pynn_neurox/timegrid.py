"""The time grid: every conversion of a PyNN time (ms) into whole steps, one named rule
each, shared by the software target and every chip (a chip's tick is one step).

Each rule follows NEST's (tests/test_timegrid.py checks them against NEST 3.10); a
time within ON_GRID of a grid point counts as on it, so that 0.3 / 0.1 is 3 steps.
"""

import numpy as np

# the fraction of a step within which a time counts as lying on a grid point
ON_GRID = 1e-6


def _in_steps(times, dt):
    return np.asarray(times, float) / dt


def duration_steps(duration, dt):
    """Steps of a run() or of the time to a callback: the nearest whole step."""
    return int(np.rint(duration / dt))


def delay_steps(delays, dt):
    """Steps of a synaptic delay: the nearest whole step."""
    return np.rint(_in_steps(delays, dt)).astype(np.int64)


def refractory_steps(tau_refrac, dt):
    """Steps of the refractory period."""
    return np.floor(_in_steps(tau_refrac, dt) + 1e-3).astype(np.int64)


def spike_steps(times, dt):
    """The step on whose end a SpikeSourceArray's spike at `times` is emitted: a time
    between grid points moves to the next one."""
    return np.ceil(_in_steps(times, dt) - ON_GRID).astype(np.int64)


def sampling_steps(interval, dt):
    """Steps between two samples of a recorded state variable (at least one)."""
    return max(int(np.rint(interval / dt)), 1)


def off_grid(times, steps, dt):
    """How many of `times` are not where their `steps` put them."""
    return int(np.count_nonzero(np.abs(np.asarray(steps) * dt - times) > ON_GRID * dt))
