"""The time grid: every conversion of a PyNN time (ms) into whole steps, one named rule
each, shared by the software target and every chip (a chip's tick is one step).

Each rule is NEST 3.10's, computed the way NEST computes it: NEST counts time in tics
(TICS_PER_MS = 1000, one tic = 1 us), a step is TICS_PER_STEP = dround(1000 * dt) tics,
and MS_PER_STEP = TICS_PER_STEP / 1000.0, STEPS_PER_MS = 1 / MS_PER_STEP
(nestkernel/nest_time.cpp, Time::set_resolution). The floating-point path is NEST's too:
a delay is multiplied by STEPS_PER_MS, never divided by dt, so 1.45 ms at dt 0.1 is
1.45 * 10.0 = 14.5, which rounds to 15 steps (1.45 / 0.1 = 14.4999... would give 14).
tests/test_timegrid.py checks every rule against NEST itself.

    rule              NEST                                         dt 0.1
    delay_steps       Time::delay_ms_to_steps, nearest, halves up  1.05 -> 11, 1.45 -> 15
    refractory_steps  Time(Time::ms(t_ref)).get_steps(), round up  0.25 -> 3, 2.0 -> 20
    spike_steps       Time::ms_stamp, grid point at or after t     0.05 -> 1, 0.3 -> 3
    duration_steps    nest.cpp run(): whole steps, else refused    0.3 -> 3, 0.25 refused
    callback_step     the nearest step end, halves down            0.25 -> 2, 0.26 -> 3
    sampling_steps    multimeter: whole steps >= 1, else refused   0.3 -> 3, 0.25 refused

A time within ON_GRID of a step above a grid point counts as on it (0.1 + 0.2 + 1e-15
is step 3), where NEST's spike_generator alone would move it to the next step; the rules
that round to tics first (refractory, duration, sampling) absorb such noise as NEST does.
"""

import math

import numpy as np
from pyNN import errors

# the fraction of a step within which a time counts as lying on a grid point
ON_GRID = 1e-6

# NEST's default time base (nestkernel/config.h CONFIG_TICS_PER_MS), which PyNN keeps
TICS_PER_MS = 1000.0


def _grid(dt):
    """NEST's constants for a resolution of dt ms: (TICS_PER_STEP, MS_PER_STEP,
    STEPS_PER_MS), as nestkernel/nest_time.cpp Time::set_resolution computes them. A
    time step that is not a whole number of tics is refused, as NEST refuses it
    (simulation_manager.cpp: "Resolution must be a multiple of the tic length")."""
    dt = float(dt)
    in_tics = dt * TICS_PER_MS
    if not (math.isfinite(dt) and in_tics >= 1.0
            and abs(in_tics - round(in_tics)) < 4 * in_tics * np.finfo(float).eps):
        raise errors.InvalidParameterValueError(
            f"time step {dt!r} ms is not a positive multiple of NEST's tic "
            f"({1 / TICS_PER_MS:g} ms); no step rule is defined for it")
    tics_per_step = int(math.floor(in_tics + 0.5))                 # dround
    ms_per_step = tics_per_step / TICS_PER_MS
    return tics_per_step, ms_per_step, 1 / ms_per_step


def steps_per_ms(dt) -> float:
    """NEST's STEPS_PER_MS at a time step of dt ms; refuses a time step NEST refuses."""
    return _grid(dt)[2]


def step_ms(steps, dt):
    """The time (ms) of a whole number of steps as NEST gives it (Time::get_ms, tics /
    TICS_PER_MS): 15 steps of 0.1 ms are 1.5 ms, not 15 * 0.1 = 1.5000000000000002."""
    tics_per_step, _, _ = _grid(dt)
    return np.asarray(steps, np.int64) * tics_per_step / TICS_PER_MS


def _ms_to_tics(times):
    """nest_time.h Time( Time::ms( t ) ): the nearest tic, halves up (a C cast of
    t * TICS_PER_MS + 0.5, which truncates towards zero)."""
    return np.trunc(np.asarray(times, float) * TICS_PER_MS + 0.5).astype(np.int64)


def _tics_to_steps(tics, tics_per_step):
    """nest_time.h Time::get_steps(): tics rounded up to whole steps, computed as
    ( tics + TICS_PER_STEP - 1 ) * ( 1.0 / TICS_PER_STEP ), truncated."""
    return np.trunc((np.asarray(tics, np.int64) + (tics_per_step - 1))
                    * (1.0 / tics_per_step)).astype(np.int64)


def _ms_stamp(times, dt):
    """nest_time.cpp Time::fromstamp (Time::ms_stamp), exactly: the first grid point at or
    after t, in steps; a grid point is n * (1.0 / TICS_PER_STEP) * MS_PER_STEP ms and is
    compared with t as it stands (no tolerance)."""
    tics_per_step, ms_per_step, _ = _grid(dt)
    t = np.asarray(times, float)
    n = np.trunc(t * TICS_PER_MS).astype(np.int64)
    n = n - np.fmod(n, tics_per_step)
    at = n * (1.0 / tics_per_step) * ms_per_step
    n = np.where(at < t, n + tics_per_step, n)
    return n // tics_per_step


def _refuse(what, value, dt, why):
    raise errors.InvalidParameterValueError(
        f"{what} = {value!r} ms at time step {dt!r} ms: {why} (NEST refuses it too)")


def callback_step(time, dt):
    """The step at whose end a PyNN callback asked for at `time` runs: the nearest step
    end, a time halfway between two ends coming at the earlier (PyNN's callbacks return
    any float; pyNN.nest runs them between runs of whole steps)."""
    return int(math.ceil(float(time) / dt - 0.5))


def duration_steps(duration, dt):
    """Steps of a run(): the duration in steps, which must be a whole number of steps.

    NEST's rule, nestkernel/nest.cpp run(): t_sim = Time::ms( time ) (the nearest tic);
    a negative time, or one that is not a grid time (tics % TICS_PER_STEP != 0), is
    refused ("The simulation time must be a multiple of the simulation resolution."),
    then simulation_manager.cpp SimulationManager::run adds t.get_steps(). So 0.3 ms at
    dt 0.1 is 3 steps (as is 0.1 + 0.2), 0.1004 is 1 step (within half a tic), 0.25 is
    refused with InvalidParameterValueError.
    """
    tics_per_step, _, _ = _grid(dt)
    value = float(duration)
    if not math.isfinite(value):
        _refuse("run duration", duration, dt, "not finite")
    if value < 0:
        _refuse("run duration", duration, dt, "negative")
    tics = int(_ms_to_tics(value))
    if tics % tics_per_step:
        _refuse("run duration", duration, dt, "not a whole number of steps")
    return tics // tics_per_step


def delay_steps(delays, dt):
    """Steps of a synaptic delay: the nearest whole step, halves rounded up.

    NEST's rule, nestkernel/nest_time.h Time::delay_ms_to_steps (used by
    syn_id_delay.h set_delay_ms for every connection): ld_round( ms * STEPS_PER_MS ),
    ld_round(x) = floor( x + 0.5 ) (libnestutil/numerics.cpp). At dt 0.1, 1.05 ms is 11
    steps and 1.45 ms is 15 (1.45 * 10.0 == 14.5); at dt 1.0, 1.5 ms is 2 and 2.5 is 3.
    NEST then refuses a delay of fewer than one step (delay_checker.cpp); that check is
    the caller's, this rule only converts. A delay that is not finite has no steps: it is
    refused, never cast to an integer.
    """
    _, _, per_ms = _grid(dt)
    delays = np.asarray(delays, float)
    if not np.isfinite(delays).all():
        raise errors.InvalidParameterValueError(
            f"delay = {float(delays[~np.isfinite(delays)].flat[0])!r} ms is not finite")
    return np.floor(delays * per_ms + 0.5).astype(np.int64)


def delay_ms(delays, dt):
    """The delay a connection has (ms): delay_steps in NEST's time, as NEST reads it back
    (1.45 ms at dt 0.1 is 1.5)."""
    return step_ms(delay_steps(delays, dt), dt)


def refractory_steps(tau_refrac, dt):
    """Steps of the refractory period: the steps after a spike during which the membrane
    potential is held, tau_refrac rounded to the nearest tic, then up to whole steps.

    NEST's rule, models/iaf_psc_exp.cpp pre_run_hook: RefractoryCounts_ =
    Time( Time::ms( P_.t_ref_ ) ).get_steps() (the same line in iaf_psc_delta,
    iaf_psc_alpha, iaf_cond_exp/alpha, iaf_cond_exp_sfa_rr, aeif_*, gif_cond_exp,
    hh_cond_exp_traub, *_multisynapse); the count is loaded at the spike and V is held
    while it counts down, so a cell driven hard fires every count + 1 steps. At dt 1.0,
    1.5 ms holds 2 steps; at dt 0.1, 0.25 ms holds 3 and 2.0 ms holds 20.
    """
    tics_per_step, _, _ = _grid(dt)
    return _tics_to_steps(_ms_to_tics(tau_refrac), tics_per_step)


def spike_steps(times, dt):
    """The step on whose end a SpikeSourceArray's spike at `times` is emitted: the grid
    point at or after the time (a time between grid points moves to the next one).

    NEST's rule, models/spike_generator.cpp assert_valid_spike_time_and_insert_ with
    precise_times = true (pyNN/nest/control.py setup() sets it for every
    spike_generator): t_spike = Time::ms_stamp( t ) (nestkernel/nest_time.cpp
    Time::fromstamp), the spike carrying the offset t_spike - t, which grid-based
    targets (parrot_neuron) drop. With precise_times false and allow_offgrid_times true
    NEST uses the same ms_stamp. At dt 0.1, 0.05 ms is step 1, 0.15 is 2, 0.3 is 3.

    One difference from NEST: a time within ON_GRID of a step above a grid point counts
    as on it (NEST's exact comparison sends 0.8 + 2e-16 to step 9, and 0.9 at dt 0.3 to
    step 4 because 3 * 0.3 < 0.9 in floating point; here both stay on the grid point).
    """
    _, ms_per_step, _ = _grid(dt)
    return _ms_stamp(np.asarray(times, float) - ON_GRID * ms_per_step, dt)


def sampling_steps(interval, dt):
    """Steps between two samples of a recorded state variable: the interval in steps,
    which must be a whole number of steps, at least one.

    NEST's rule, models/multimeter.cpp Parameters_::set: interval_ = Time( Time::ms(
    interval ) ) (the nearest tic), refused if shorter than the resolution ("The sampling
    interval must be at least as long as the simulation resolution.") or not a multiple
    of it ("... must be a multiple of the simulation resolution."). So 0.3 ms at dt 0.1
    is 3 steps; 0.25, 0.05, 0 and -1 are refused with InvalidParameterValueError.
    """
    tics_per_step, _, _ = _grid(dt)
    value = float(interval)
    if not math.isfinite(value):
        _refuse("sampling_interval", interval, dt, "not finite")
    tics = int(_ms_to_tics(value))
    if tics < tics_per_step:
        _refuse("sampling_interval", interval, dt, "shorter than one step")
    if tics % tics_per_step:
        _refuse("sampling_interval", interval, dt, "not a whole number of steps")
    return tics // tics_per_step


def off_grid(times, steps, dt):
    """How many of `times` are not where their `steps` put them."""
    return int(np.count_nonzero(np.abs(np.asarray(steps) * dt - times) > ON_GRID * dt))
