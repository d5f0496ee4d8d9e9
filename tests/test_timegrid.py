"""The time grid's rules (pynn_neurox/timegrid.py) against NEST 3.10 itself.

Each rule gets a table of (value, dt) cases (halves, near-halves such as 1.45 ms at dt 0.1,
on-grid values with floating-point noise; dt 0.1, 0.25 and 1.0) and a minimal NEST
network, built in the test, whose behaviour gives the expected number of steps. Then a
hypothesis property test compares each rule with a NEST-free reference: a scalar
transcription of NEST's C++ and, away from ties, the exact rational answer.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from pyNN.errors import InvalidParameterValueError

from pyNN.neurox import timegrid
from pyNN.neurox.timegrid import (ON_GRID, delay_steps, duration_steps, refractory_steps,
                                  sampling_steps, spike_steps)

nest = pytest.importorskip("nest")
nest.verbosity = nest.VerbosityLevel.ERROR

DTS = (0.1, 0.25, 1.0)


def _kernel(dt):
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": dt})
    assert nest.resolution == pytest.approx(dt, abs=1e-12)   # 0.7 reads 0.7000000000000001


def _random_ms(dt, low, high, n=40):
    """Times in [low, high) steps: half on NEST's 1 us tic grid, half arbitrary floats
    (the same ones at every run)."""
    rng = np.random.default_rng([round(dt * 1000), low, high, n])
    tics = rng.integers(round(low * dt * 1000), round(high * dt * 1000), n // 2)
    return list(tics / 1000.0) + list(rng.uniform(low * dt, high * dt, n - n // 2))


# ----------------------------------------------------------------------------------------
# delays: Time::delay_ms_to_steps = ld_round(ms * STEPS_PER_MS)

DELAYS = {
    0.1: [0.1, 0.15, 0.25, 0.35, 0.45, 1.05, 1.15, 1.25, 1.45, 1.449999, 1.450001, 2.05,
          0.3, 0.1 + 0.2, 0.7 + 0.1, 1.1 * 3, 1.1, 0.7, 1.0, 1.5, 10.05],
    0.25: [0.25, 0.375, 0.625, 0.875, 1.125, 0.3, 0.5, 0.1 + 0.2 + 0.2, 1.0, 0.3749999],
    1.0: [1.0, 1.5, 2.5, 3.5, 1.49999, 1.50001, 2.0000000001, 0.1 * 30, 7.5],
}


def _nest_delay_steps(dt, delays):
    """Steps a spike takes through each delay: one generator spike at step 10, one parrot
    per delay, both read in steps."""
    _kernel(dt)
    generator = nest.Create("spike_generator", params={"spike_times": [10 * dt]})
    parrots = nest.Create("parrot_neuron", len(delays))
    for parrot, delay in zip(parrots, delays):
        nest.Connect(generator, parrot, syn_spec={"delay": delay})
    connections = nest.GetConnections(generator, parrots)
    stored = dict(zip(connections.get("target"), connections.get("delay")))
    recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(parrots, recorder)
    steps = np.rint(np.max(delays) / dt) + 12
    nest.Simulate(steps * dt)
    events = recorder.events
    arrival = {s: t for s, t in zip(events["senders"], events["times"])}
    through = np.array([arrival[p.global_id] - 10 for p in parrots])
    # the delay NEST stores (steps * MS_PER_STEP) is the one the spike took
    assert np.array_equal([round(stored[p.global_id] / dt) for p in parrots], through)
    return through


@pytest.mark.parametrize("dt", DTS)
def test_delay_steps_are_nest_steps(dt):
    delays = DELAYS[dt] + _random_ms(dt, 1, 30)
    assert np.array_equal(delay_steps(delays, dt), _nest_delay_steps(dt, delays))


def test_delay_halves_round_up_through_steps_per_ms():
    # NEST multiplies by STEPS_PER_MS: 1.45 * 10.0 == 14.5 rounds up, where division
    # (1.45 / 0.1 == 14.4999...) and numpy's rint (halves to even) would give 14
    assert list(delay_steps([1.05, 1.45, 0.25], 0.1)) == [11, 15, 3]
    assert list(np.rint(np.array([1.05, 1.45, 0.25]) / 0.1)) == [10, 14, 2]
    assert list(delay_steps([1.5, 2.5], 1.0)) == [2, 3]
    assert list(delay_steps([0.625, 1.125], 0.25)) == [3, 5]


# ----------------------------------------------------------------------------------------
# refractory period: Time(Time::ms(t_ref)).get_steps(), tics rounded up to steps

REFRACTORY = {
    0.1: [0.0, 0.05, 0.1, 0.15, 0.25, 0.3, 0.1 + 0.2, 0.7, 1.1, 2.0, 2.05, 0.1004, 0.1006,
          0.1005, 1.45],
    0.25: [0.0, 0.1, 0.125, 0.3, 0.375, 0.5, 0.1 + 0.2 + 0.2, 1.0, 1.2499999],
    1.0: [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 1.0004, 1.0006, 0.1 * 30],
}


def _nest_refractory_steps(dt, t_refs, model):
    """The held steps of a cell driven so hard that it fires in the first step it is free:
    its inter-spike interval is the refractory count plus one."""
    _kernel(dt)
    cells = nest.Create(model, len(t_refs), params={"I_e": 1e7})
    cells.set([{"t_ref": t} for t in t_refs])
    recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(cells, recorder)
    nest.Simulate((3 * (np.rint(max(t_refs) / dt) + 2) + 2) * dt)
    events = recorder.events
    held = []
    for cell in cells:
        fired = np.sort(events["times"][events["senders"] == cell.global_id])
        intervals = np.unique(np.diff(fired))
        assert len(intervals) == 1
        held.append(intervals[0] - 1)
    return np.array(held)


@pytest.mark.parametrize("model", ["iaf_psc_delta", "iaf_psc_exp"])
@pytest.mark.parametrize("dt", DTS)
def test_refractory_steps_are_nest_steps(dt, model):
    t_refs = REFRACTORY[dt] + _random_ms(dt, 0, 12, 20)
    held = _nest_refractory_steps(dt, t_refs, model)
    assert np.array_equal(refractory_steps(t_refs, dt), held)


def test_refractory_rounds_up_to_whole_steps():
    assert list(refractory_steps([1.5, 0.5], 1.0)) == [2, 1]
    assert list(refractory_steps([0.25, 2.0, 0.1 + 0.2, 0.1004], 0.1)) == [3, 20, 3, 1]


# ----------------------------------------------------------------------------------------
# spike_generator times: Time::ms_stamp, the grid point at or after t

SPIKE_TIMES = {
    0.1: [0.05, 0.1, 0.15, 0.3, 0.1 + 0.2, 0.7 + 0.1, 0.7, 1.1, 1.45, 0.35, 0.299999999999,
          0.3000002, 1.0, 10.05],
    0.25: [0.1, 0.125, 0.25, 0.3, 0.5, 0.1 + 0.2 + 0.2, 0.75, 1.2499999, 1.2500003],
    1.0: [0.5, 1.0, 1.5, 2.0, 2.000002, 1.9999999, 0.1 * 30, 7.5],
}
# times less than ON_GRID of a step above a grid point: NEST's exact comparison sends
# them to the next step (even 0.9 at dt 0.3 and 2.1 at dt 0.7, since 3 * 0.3 < 0.9 and
# 3 * 0.7 < 2.1 in floating point), spike_steps keeps them on the grid point
NOISE_ABOVE = [(0.1, 0.8 + 2e-16, 8), (0.1, 1.3 + 1e-15, 13), (0.1, 0.30000001, 3),
               (0.25, 0.5 + 1e-12, 2), (0.25, 1.2500001, 5), (1.0, 2.0 + 1e-13, 2),
               (1.0, 2.0000001, 2), (0.3, 0.9, 3), (0.7, 2.1, 3)]


def _nest_spike_steps(dt, times, precise_times=True):
    """The step at whose end a spike_generator (configured as pyNN.nest configures it:
    precise_times=True) emits each time: a parrot one step later repeats it on the grid."""
    _kernel(dt)
    params = [{"spike_times": [t], "precise_times": precise_times,
               "allow_offgrid_times": not precise_times} for t in times]
    generators = nest.Create("spike_generator", len(times), params=params)
    parrots = nest.Create("parrot_neuron", len(times))
    nest.Connect(generators, parrots, "one_to_one", syn_spec={"delay": dt})
    recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(parrots, recorder)
    nest.Simulate((np.ceil(max(times) / dt) + 3) * dt)
    events = recorder.events
    repeated = {s: t for s, t in zip(events["senders"], events["times"])}
    return np.array([repeated[p.global_id] - 1 for p in parrots])


@pytest.mark.parametrize("dt", DTS)
def test_spike_steps_are_nest_steps(dt):
    times = SPIKE_TIMES[dt] + _random_ms(dt, 1, 40)
    nest_steps = _nest_spike_steps(dt, times)
    assert np.array_equal(spike_steps(times, dt), nest_steps)
    assert np.array_equal(timegrid._ms_stamp(times, dt), nest_steps)
    # without precise times (allow_offgrid_times instead) NEST first rounds the time to
    # the nearest tic (Time::ms) and takes ms_stamp only of a time still off the grid
    tics = timegrid._ms_to_tics(times)
    tics_per_step = round(dt * 1000)
    on_grid_in_tics = np.where(tics % tics_per_step == 0, tics // tics_per_step, nest_steps)
    not_precise = _nest_spike_steps(dt, times, precise_times=False)
    assert np.array_equal(not_precise, on_grid_in_tics)


def test_spike_steps_keep_noisy_grid_times_where_nest_moves_them():
    for dt, t, on_grid in NOISE_ABOVE:
        assert _nest_spike_steps(dt, [t])[0] == on_grid + 1
        assert timegrid._ms_stamp([t], dt)[0] == on_grid + 1
        assert spike_steps([t], dt)[0] == on_grid


# ----------------------------------------------------------------------------------------
# run durations: nest::run refuses a time that is not a multiple of the resolution

DURATIONS = {
    0.1: [0.0, 0.1, 0.3, 0.1 + 0.2, 0.7 + 0.1, 1.1 * 3, 0.1004, 0.1006, 0.25, 0.15, 0.05,
          100.0, -0.1],
    0.25: [0.25, 0.5 + 1e-9, 0.3, 0.125, 1.0, 0.1 + 0.2 + 0.2],
    1.0: [1.0, 1.5, 0.5, 3.0000004, 2.9999996, 0.1 * 30, 17.0],
}


def _nest_simulated_steps(dt, duration):
    """Steps NEST runs for Simulate(duration), or None where it refuses."""
    _kernel(dt)
    try:
        nest.Simulate(duration)
    except nest.NESTError:
        return None
    return round(nest.biological_time / dt)


@pytest.mark.parametrize("dt", DTS)
def test_duration_steps_are_nest_steps_or_refused_as_nest_refuses(dt):
    for duration in DURATIONS[dt]:
        expected = _nest_simulated_steps(dt, duration)
        if expected is None:
            with pytest.raises(InvalidParameterValueError, match="run duration"):
                duration_steps(duration, dt)
        else:
            assert duration_steps(duration, dt) == expected, duration


def test_duration_refusal_names_value_and_time_step():
    with pytest.raises(InvalidParameterValueError,
                       match=r"run duration = 0\.25 ms at time step 0\.1 ms"):
        duration_steps(0.25, 0.1)


# ----------------------------------------------------------------------------------------
# sampling intervals: multimeter refuses an interval below or off the resolution

INTERVALS = {
    0.1: [0.1, 0.2, 0.3, 0.1 + 0.2, 0.25, 0.05, 0.0, -1.0, 0.1004, 0.1006, 1.1 * 3, 1.0],
    0.25: [0.25, 0.5, 0.3, 0.125, 0.1 + 0.2 + 0.2, 1.0],
    1.0: [1.0, 2.0, 1.5, 0.5, 0.1 * 30, -1.0],
}


def _nest_sampling_steps(dt, interval):
    """Steps between a multimeter's samples of V_m, or None where it refuses the interval."""
    _kernel(dt)
    try:
        meter = nest.Create("multimeter",
                            params={"interval": interval, "record_from": ["V_m"]})
    except nest.NESTError:
        return None
    cell = nest.Create("iaf_psc_delta")
    nest.Connect(meter, cell)
    # a sample reaches the multimeter one min_delay (here 1 ms) after it is taken
    nest.Simulate(round(10 * meter.interval / dt) * dt + 2.0)
    stamps = np.rint(meter.events["times"] / dt)
    gaps = np.unique(np.diff(np.concatenate([[0], stamps])))
    assert len(gaps) == 1 and gaps[0] == round(meter.interval / dt)
    return int(gaps[0])


@pytest.mark.parametrize("dt", DTS)
def test_sampling_steps_are_nest_steps_or_refused_as_nest_refuses(dt):
    for interval in INTERVALS[dt]:
        expected = _nest_sampling_steps(dt, interval)
        if expected is None:
            with pytest.raises(InvalidParameterValueError, match="sampling_interval"):
                sampling_steps(interval, dt)
        else:
            assert sampling_steps(interval, dt) == expected, interval


def test_sampling_refusal_names_value_and_time_step():
    with pytest.raises(InvalidParameterValueError,
                       match=r"sampling_interval = 0\.25 ms at time step 0\.1 ms: not"):
        sampling_steps(0.25, 0.1)
    with pytest.raises(InvalidParameterValueError,
                       match=r"sampling_interval = -1 ms at time step 0\.1 ms: shorter"):
        sampling_steps(-1, 0.1)


def test_a_time_step_off_the_tic_grid_is_refused():
    with pytest.raises(InvalidParameterValueError, match="time step 0.0005 ms"):
        delay_steps([1.0], 0.0005)


# ----------------------------------------------------------------------------------------
# properties against NEST-free references: the C++ transcribed line by line, scalar, and
# (away from ties, where the floating-point path decides) the exact rational answer

def _c_grid(dt):
    tics_per_step = math.floor(1000.0 * dt + 0.5)                  # dround
    ms_per_step = tics_per_step / 1000.0
    return tics_per_step, ms_per_step, 1 / ms_per_step


def _c_time_ms(t):                                                # Time( Time::ms( t ) )
    return int(t * 1000.0 + 0.5)


def _c_get_steps(tics, tics_per_step):                            # Time::get_steps()
    return int((tics + tics_per_step - 1) * (1.0 / tics_per_step))


def _c_ms_stamp(t, dt):                                           # Time::fromstamp
    tics_per_step, ms_per_step, _ = _c_grid(dt)
    n = int(t * 1000.0)
    n -= int(math.fmod(n, tics_per_step))
    if n * (1.0 / tics_per_step) * ms_per_step < t:
        n += tics_per_step
    return n // tics_per_step


def _exact_dt(dt):
    return Fraction(_c_grid(dt)[0], 1000)


def _far_from(x, boundaries_at, margin=Fraction(1, 10**9)):
    """Whether x is further than margin from every boundary k + boundaries_at."""
    frac = (x - boundaries_at) - math.floor(x - boundaries_at)
    return margin < frac < 1 - margin


dts = st.sampled_from([0.1, 0.25, 1.0, 0.2, 0.05, 0.3])
times = st.floats(min_value=0.0, max_value=1000.0, allow_nan=False)
grid_times = st.integers(min_value=0, max_value=10**6).map(lambda tics: tics / 1000.0)
noise = st.floats(min_value=-1e-9, max_value=1e-9)
PROPERTY = settings(max_examples=300, deadline=None)


@PROPERTY
@given(d=st.one_of(times, grid_times), dt=dts)
def test_delay_steps_property(d, dt):
    steps = int(delay_steps([d], dt)[0])
    assert steps == math.floor(d * _c_grid(dt)[2] + 0.5)             # ld_round
    exact = Fraction(d) / _exact_dt(dt)
    if _far_from(exact, Fraction(1, 2)):
        assert steps == math.floor(exact + Fraction(1, 2))


@PROPERTY
@given(k=st.integers(min_value=0, max_value=10**5), dt=dts)
def test_delay_half_steps_round_up(k, dt):
    # the decimal delay of k + 1/2 steps (1.45 ms at dt 0.1) is k + 1 steps: NEST's
    # multiplication by STEPS_PER_MS keeps the half, where dividing by dt often loses it
    d = float(Fraction(2 * k + 1, 2) * _exact_dt(dt))
    assert delay_steps([d], dt)[0] == k + 1


@PROPERTY
@given(t=st.one_of(times, grid_times), dt=dts)
def test_refractory_steps_property(t, dt):
    steps = int(refractory_steps([t], dt)[0])
    assert steps == _c_get_steps(_c_time_ms(t), _c_grid(dt)[0])
    exact_tics = Fraction(t) * 1000
    if _far_from(exact_tics, Fraction(1, 2)):
        assert steps == math.ceil(math.floor(exact_tics + Fraction(1, 2)) / _c_grid(dt)[0])


@PROPERTY
@given(t=st.one_of(times, grid_times), jitter=noise, dt=dts)
def test_spike_steps_property(t, jitter, dt):
    t = max(t + jitter, 0.0)
    step = _exact_dt(dt)
    steps = int(spike_steps([t], dt)[0])
    assert steps == _c_ms_stamp(t - ON_GRID * _c_grid(dt)[1], dt)
    exact = Fraction(t) / step - Fraction(ON_GRID)
    if _far_from(exact, 0):
        assert steps == math.ceil(exact)
    # a time on a grid point up to noise is that grid point
    k = round(Fraction(t) / step)
    if abs(Fraction(t) - k * step) < Fraction(ON_GRID) * step / 2:
        assert steps == k


@PROPERTY
@given(t=st.one_of(times, grid_times), jitter=noise, dt=dts)
def test_duration_steps_property(t, jitter, dt):
    t = t + jitter
    tics_per_step = _c_grid(dt)[0]
    tics = _c_time_ms(t)
    if t < 0 or tics % tics_per_step:
        with pytest.raises(InvalidParameterValueError, match="run duration"):
            duration_steps(t, dt)
    else:
        assert duration_steps(t, dt) == tics // tics_per_step
        assert abs(Fraction(t) - duration_steps(t, dt) * _exact_dt(dt)) <= Fraction(1, 2000)


@PROPERTY
@given(t=st.one_of(times, grid_times, st.floats(-10, 0)), jitter=noise, dt=dts)
def test_sampling_steps_property(t, jitter, dt):
    t = t + jitter
    tics_per_step = _c_grid(dt)[0]
    tics = _c_time_ms(t)
    if tics < tics_per_step or tics % tics_per_step:
        with pytest.raises(InvalidParameterValueError, match="sampling_interval"):
            sampling_steps(t, dt)
    else:
        assert sampling_steps(t, dt) >= 1
        assert sampling_steps(t, dt) == tics // tics_per_step
