"""Current sources as step-wise functions of time, evaluated on the time grid.

A source's value at step k is the current injected during the step that starts at
k*dt; a change at time T therefore shows in the membrane potential at T + dt, as
PyNN specifies. Noise values are drawn once, in order, and kept in the source's
description, so the injected and the recorded current are the same numbers.
"""

import numpy as np
from pyNN.random import NumpyRNG


def _steps(times, dt):
    return np.rint(np.asarray(times, dtype=float) / dt).astype(np.int64)


def _noise_values(description, count):
    """The first `count` noise samples of a NoisyCurrentSource, drawn once and kept."""
    drawn = description.parameters.setdefault("_drawn", np.array([]))
    if drawn.size < count:
        rng = description.rng
        if rng is None:
            rng = description.rng = NumpyRNG()
        extra = rng.normal(size=count - drawn.size)
        drawn = np.concatenate([drawn, extra])
        description.parameters["_drawn"] = drawn
    p = description.parameters
    return p["mean"] + p["stdev"] * drawn[:count]


def current_at_steps(description, steps, dt):
    """The source's current (nA) in each of the given integer time steps."""
    p, kind = description.parameters, description.kind
    steps = np.asarray(steps, dtype=np.int64)
    values = np.zeros(steps.shape)
    if kind == "StepCurrentSource":
        change = _steps(p["times"], dt)
        if change.size:
            which = np.searchsorted(change, steps, side="right") - 1
            on = which >= 0
            values[on] = np.asarray(p["amplitudes"], dtype=float)[which[on]]
        return values
    on = (steps >= _steps(p["start"], dt)) & (steps < _steps(p["stop"], dt))
    if kind == "DCSource":
        values[on] = p["amplitude"]
    elif kind == "ACSource":
        # PyNN's phase is the phase at `start`
        t = steps[on] * dt - p["start"]
        values[on] = p["offset"] + p["amplitude"] * np.sin(
            2 * np.pi * p["frequency"] * t / 1000.0 + np.deg2rad(p["phase"]))
    elif kind == "NoisyCurrentSource":
        period = max(int(round(p["dt"] / dt)), 1)
        sample = (steps[on] - _steps(p["start"], dt)) // period
        if sample.size:
            values[on] = _noise_values(description, int(sample.max()) + 1)[sample]
    else:
        raise ValueError(f"unknown current source kind '{kind}'")
    return values


def sampled_current(description, dt, t_now):
    """(times in ms, current in nA) at every step from 0 to t_now inclusive, for recording."""
    steps = np.arange(int(round(t_now / dt)) + 1)
    return steps * dt, current_at_steps(description, steps, dt)
