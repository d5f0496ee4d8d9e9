"""setup, run, reset, end: the simulation-control functions of the PyNN API."""

import os

from pyNN import common, errors
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.recording import get_io

from . import simulator
from .targets import create_target, DEFAULT_TARGET


# NEST's default rng_seed; any fixed value would do
DEFAULT_SEED = 143202461


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY, **extra_params):
    """Start a new simulation; any existing network is discarded.

    Extra arguments of this backend:
      target   where the model runs: "brian2" (default; the NEUROX_TARGET environment
               variable overrides the default) or a chip target name
      codegen  Brian2 code generation: "auto" (default), "numpy" or "cython"
      rng_seed seed of the simulator's random numbers (Poisson sources, noise); without
               one, DEFAULT_SEED, so that a script gives the same results on every run, as
               NEST's kernel does with its own default seed
    """
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
                       if k not in ("max_delay", "rng_seed", "seed", "target")}
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


def run_until(time_point, callbacks=None):
    """Advance the simulation to `time_point` (ms).

    `callbacks` are callables that take the current time and return the next time they
    want to be called; the target calls them inside one run, without stopping it.
    """
    state = simulator.state
    if not state.initialized:
        raise RuntimeError("run() was called before setup()")
    if time_point - state.t < -state.dt / 2.0:
        raise errors.InvalidParameterValueError(
            f"Time {time_point:g} is in the past (current time {state.t:g})")
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
    return run_until(simulator.state.t + simtime, callbacks)


run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize

get_current_time, get_time_step, get_min_delay, get_max_delay, \
    num_processes, rank = common.build_state_queries(simulator)
