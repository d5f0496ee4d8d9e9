"""setup, run, reset, end: the simulation-control functions of the PyNN API."""

import difflib
import math
import numbers
import os
import warnings

from pyNN import common, errors
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.recording import get_io

from . import simulator
from .errors import SetupError
from .resources import check_recording
from .targets import create_target, DEFAULT_TARGET
from .timegrid import duration_steps, steps_per_ms


# NEST's default rng_seed; any fixed value would do
DEFAULT_SEED = 143202461

# setup()'s keywords this backend reads (pynn_neurox/control.py, software/codegen.py,
# hardware/check.py, hardware/target.py, hardware/chips/dynapse2/program.py: the analog
# mismatch's deviation and its own seed; hardware/chips/neurocorex/device.py: a board's
# serial port and how long a silent board is waited for); `seed` is an older name of
# rng_seed
OPTIONS = ("max_delay", "target", "codegen", "rng_seed", "seed", "allow", "chip", "mismatch",
           "mismatch_seed", "port", "link_timeout")
# an unknown keyword this close to a known one (difflib's ratio) is a typo, and refused;
# others are other backends' (PyNN's examples pass filename, label, hardwareNeuronSize):
# ignored with a warning that names them
TYPO_SIMILARITY = 0.8
# other PyNN backends' keywords, which portable scripts pass (PyNN's own scenarios do):
# accepted, with no effect here (spikes are on the time grid whatever spike_precision says)
FOREIGN_OPTIONS = ("threads", "verbosity", "spike_precision", "recording_precision",
                   "t_flush", "rng_type", "quit_on_end", "debug", "use_cvode", "rtol", "atol",
                   "default_maxstep")


def _check_setup(timestep, min_delay, extra_params):
    """Refuse what setup() would otherwise ignore or take into a later failure: an unknown
    keyword (a typo such as rng_sed), a seed that is not a whole number, a time step
    without NEST's time grid, delays out of order (PyNN raises a bare Exception)."""
    known = OPTIONS + FOREIGN_OPTIONS
    unknown = sorted(set(extra_params) - set(known))
    typos = {key: match[0] for key in unknown
             if (match := difflib.get_close_matches(key, known, n=1, cutoff=TYPO_SIMILARITY))}
    if typos:
        raise SetupError("setup() got unknown keyword(s) " + ", ".join(
            f"{key} (did you mean {match}?)" for key, match in typos.items())
            + f"; it takes timestep, min_delay, {', '.join(OPTIONS)} (and, with no effect "
            f"here, other backends' {', '.join(FOREIGN_OPTIONS)})")
    if unknown:
        warnings.warn(f"setup(): {', '.join(unknown)} are not keywords of this backend and "
                      f"are ignored; it takes timestep, min_delay, {', '.join(OPTIONS)}",
                      stacklevel=3)
    for name in ("rng_seed", "seed"):
        seed = extra_params.get(name)
        if seed is not None and not (isinstance(seed, numbers.Integral)
                                     and not isinstance(seed, bool) and 0 <= seed < 2 ** 32):
            raise errors.InvalidParameterValueError(
                f"setup({name}={seed!r}): a seed is a whole number in [0, 2**32)")
    try:
        steps_per_ms(timestep)
    except errors.InvalidParameterValueError as error:
        raise errors.InvalidParameterValueError(f"setup(timestep={timestep!r}): {error}") \
            from None
    except (TypeError, ValueError):
        raise errors.InvalidParameterValueError(
            f"setup(timestep={timestep!r}): the time step is a number of ms") from None
    max_delay = extra_params.get("max_delay", DEFAULT_MAX_DELAY)
    for name, value in (("min_delay", min_delay), ("max_delay", max_delay)):
        if value != "auto" and not (isinstance(value, numbers.Real)
                                    and math.isfinite(value) and value >= timestep):
            raise errors.InvalidParameterValueError(
                f"setup({name}={value!r}): a delay bound is a finite number of ms, at least "
                f"the time step {timestep!r} ms")
    if "auto" not in (min_delay, max_delay) and min_delay > max_delay:
        raise errors.InvalidParameterValueError(
            f"setup(min_delay={min_delay!r}, max_delay={max_delay!r}): min_delay is larger")


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY, **extra_params):
    """Start a new simulation; any existing network is discarded.

    Extra arguments of this backend:
      target   where the model runs: "brian2" (default; the NEUROX_TARGET environment
               variable overrides the default) or a chip target name
      codegen  Brian2 code generation: "auto" (default), "numpy" or "cython"
      rng_seed seed of the simulator's random numbers (Poisson sources, noise); without
               one, DEFAULT_SEED, so that a script gives the same results on every run, as
               NEST's kernel does with its own default seed

    Keywords other PyNN backends define (FOREIGN_OPTIONS) are accepted and have no
    effect; a keyword close to a known one (a typo) is refused, naming the known one; any
    other is ignored with a warning that names it.
    """
    _check_setup(timestep, min_delay, extra_params)
    max_delay = extra_params.get("max_delay", DEFAULT_MAX_DELAY)
    auto_min_delay = min_delay == "auto"
    if auto_min_delay:
        min_delay = timestep
    common.setup(timestep, min_delay, **extra_params)
    state = simulator.state
    state.clear()
    state.auto_min_delay = auto_min_delay
    network = state.network
    network.timestep = float(timestep)
    network.min_delay = float(min_delay)
    network.max_delay = max_delay if max_delay == "auto" else float(max_delay)
    network.seed = extra_params.get("rng_seed", extra_params.get("seed", DEFAULT_SEED))
    target_name = extra_params.get("target") or os.environ.get("NEUROX_TARGET") or DEFAULT_TARGET
    network.options = {k: v for k, v in extra_params.items()
                       if k not in ("max_delay", "rng_seed", "seed", "target")
                       and k not in FOREIGN_OPTIONS}
    state.target = create_target(target_name, network)
    state.initialized = True
    return rank()


def end(compatible_output=True):
    """Write data requested with write_on_end, let the end hooks read the results (the
    comparison's capture is one), then release the target."""
    state = simulator.state
    for population, variables, filename in state.write_on_end:
        population.write_data(get_io(filename), variables)
    state.write_on_end = []
    if state.target is not None and not state.target.closed:
        for hook in state.end_hooks:
            hook(state)
        state.target.close()


def _steps_of(call, time, dt):
    """A time given to run() or run_until() in whole steps, refused in the caller's name."""
    try:
        return duration_steps(time, dt)
    except errors.InvalidParameterValueError as error:
        raise errors.InvalidParameterValueError(f"{call}({time!r}): {error}") from None
    except (TypeError, ValueError):
        raise errors.InvalidParameterValueError(
            f"{call}({time!r}): a time is a number of ms") from None


def run_until(time_point, callbacks=None):
    """Advance the simulation to `time_point` (ms).

    `callbacks` are callables that take the current time and return the next time they
    want to be called; the target calls them inside one run, without stopping it.
    """
    state = simulator.state
    if not state.initialized:
        raise RuntimeError("run() was called before setup()")
    stop = _steps_of("run_until", time_point, state.dt)
    if time_point - state.t < -state.dt / 2.0:
        raise errors.InvalidParameterValueError(
            f"Time {time_point:g} is in the past (current time {state.t:g})")
    check_recording(state.network, stop - state.target.step, f"run_until({time_point!r})")
    state.run_until(time_point, callbacks or ())
    return state.t


def get_mapping():
    """The chip target's mapping of the network: `.report` (print it, or `.as_dict()`)
    and `.program` (the integers the chip is loaded with). Maps now if no run has."""
    target = simulator.state.target
    if not hasattr(target, "mapping"):
        raise TypeError(f"the {target.name} target is not a chip: it has no mapping")
    return target.mapping


def run(simtime, callbacks=None):
    """Advance the simulation by `simtime` ms (see run_until for `callbacks`)."""
    state = simulator.state
    if not state.initialized:
        raise RuntimeError("run() was called before setup()")
    check_recording(state.network, _steps_of("run", simtime, state.dt), f"run({simtime!r})")
    return run_until(state.t + simtime, callbacks)


run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize

get_current_time, get_time_step, get_min_delay, get_max_delay, \
    num_processes, rank = common.build_state_queries(simulator)
