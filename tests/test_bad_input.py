"""Bad input and edge cases (issue 14), one table: each row builds a small model on each
target it applies to and expects either a PyNN or neurox error whose message names the
parameter, the object and the value, or the result NEST gives. A bug found is a new row.

Below the table: Ctrl-C during a run (a subprocess that receives SIGINT), and a fuzz test
of random small networks with random values on every target.
"""

import math
import re
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyNN import errors

from pyNN.neurox.errors import ChipLimitError, MemoryLimitError, NeuroxError, SetupError

CHIPS = ("loihi", "neurocorex")
EVERY = ("brian2", *CHIPS)
# a cell every target takes (NeuroCoreX: IF_curr_delta, v_rest = v_reset, no i_offset)
CELL = dict(v_thresh=-50.0, v_reset=-65.0, v_rest=-65.0, tau_m=20.0, tau_refrac=2.0)


def cells(sim, n=2, label="cells", **parameters):
    return sim.Population(n, sim.IF_curr_delta(**dict(CELL, **parameters)), label=label)


def feed(sim, target, times=(1.0,), n=2, weight=2.0, delay=1.0, connector=None, dt=0.1,
         receptor="excitatory"):
    """A spike array onto cells through `connector` (one to one): (input, cells, feed)."""
    sim.setup(timestep=dt, target=target)
    source = sim.Population(n, sim.SpikeSourceArray(spike_times=list(times)), label="input")
    post = cells(sim, n)
    projection = sim.Projection(source, post, connector or sim.OneToOneConnector(),
                                sim.StaticSynapse(weight=weight, delay=delay),
                                receptor_type=receptor, label="feed")
    return source, post, projection


def v_of(population):
    return np.asarray(population.get_data("v").segments[-1].filter(name="v")[0])


@dataclass
class Row:
    """One case: `build(sim, target)` makes and runs the model; it either raises `error`
    with a message matching `match`, or returns what `check` asserts on."""

    name: str
    build: Callable
    targets: tuple = EVERY
    error: Optional[type] = None
    match: str = ""
    check: Optional[Callable] = None


# --- the rows' models --------------------------------------------------------------

def empty_projections(sim, target):
    """FixedProbabilityConnector(0.0) and FromListConnector([]): nothing to connect (each
    alone in its Brian2 Synapses, which the feed's would otherwise share)."""
    source, post, _ = feed(sim, target)
    other = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="other")
    empty = [sim.Projection(other, post, sim.FixedProbabilityConnector(0.0),
                            sim.StaticSynapse(weight=1.0), label="none"),
             sim.Projection(source, post, sim.FromListConnector([]),
                            sim.StaticSynapse(weight=-1.0), receptor_type="inhibitory",
                            label="listed")]
    post.record("v")
    sim.run(3.0)
    return [len(p) for p in empty], v_of(post).shape


def set_up(**options):
    def build(sim, target):
        sim.setup(target=target, **options)
    return build


def run_for(duration):
    def build(sim, target):
        feed(sim, target)
        sim.run(duration)
    return build


def population(size, label="some"):
    def build(sim, target):
        sim.setup(target=target)
        cells(sim, size, label=label)
    return build


def cell_values(**parameters):
    def build(sim, target):
        sim.setup(target=target)
        cells(sim, 1, label="odd", **parameters)
    return build


def poisson_rate(sim, target):
    sim.setup(target=target)
    sim.Population(2, sim.SpikeSourcePoisson(rate=math.inf), label="noise")


def synapse(weight=2.0, delay=1.0, connector=None):
    def build(sim, target):
        feed(sim, target, weight=weight, delay=delay,
             connector=connector and connector(sim))
    return build


def reset_set_above_threshold(sim, target):
    _, post, _ = feed(sim, target)
    sim.run(1.0)
    post.set(v_thresh=-70.0)


def weight_set_negative(sim, target):
    _, _, projection = feed(sim, target)
    projection.set(weight=-1.0)


def stale_population(sim, target):
    sim.setup(target=target)
    old = cells(sim, 2, label="old")
    sim.setup(target=target)
    new = cells(sim, 2, label="new")
    sim.Projection(old, new, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0),
                   label="across")


def multiplicity(sim, target):
    """Four spikes in two steps (two at 1.0 ms, 1.96 and 2.0 ms) onto one delta cell:
    NEST delivers all four; v at 4 ms holds the four jumps, each decayed since it came."""
    source, post, _ = feed(sim, target, times=(1.0, 1.0, 1.96, 2.0), n=1, weight=2.0)
    source.record("spikes")
    post.record("v")
    sim.run(4.0)
    sent = np.asarray(source.get_data().segments[0].spiketrains[0])
    jump = v_of(post)[-1, 0] - CELL["v_rest"]
    return sent, jump


def expected_jumps():
    # the spikes of steps 10 and 20 act on v from 2.0 and 3.0 ms on (a delay of 1 ms)
    return 2 * 2.0 * (math.exp(-2.0 / 20.0) + math.exp(-1.0 / 20.0))


def off_grid_delay(sim, target):
    _, _, projection = feed(sim, target, delay=1.45)
    before = projection.get("delay", format="list", with_address=False)
    sim.run(1.0)
    return before, projection.get("delay", format="list", with_address=False)


def record_every(interval):
    def build(sim, target):
        _, post, _ = feed(sim, target)
        post.record("v", sampling_interval=interval)
    return build


def time_on_the_grid(sim, target):
    """get_current_time() is NEST's time of the steps done, after runs and in callbacks."""
    feed(sim, target)
    for _ in range(3):
        sim.run(0.1)
    after_runs = sim.get_current_time()
    seen = []

    def callback(t):
        seen.append((t, sim.get_current_time()))
        return t + 0.25

    sim.run_until(1.3, callbacks=[callback])
    return after_runs, seen, sim.get_current_time()


def refused_run_keeps_time(sim, target):
    feed(sim, target)
    sim.run(0.3)
    with pytest.raises(errors.InvalidParameterValueError, match=r"run\(0\.05\)"):
        sim.run(0.05)
    return sim.get_current_time()


def loihi_taus(**parameters):
    def build(sim, target):
        sim.setup(timestep=0.1, target=target, **parameters.pop("setup", {}))
        source = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]), label="input")
        post = sim.Population(1, sim.IF_curr_exp(**parameters), label="slow")
        sim.Projection(source, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0))
        sim.run(2.0)
        return sim.get_mapping().report.lossy_steps
    return build


def data_after_end(sim, target):
    """Data recorded before end() stay readable after it, the last v sample included."""
    _, post, _ = feed(sim, target, weight=20.0)
    post.record(["spikes", "v"])
    sim.run(10.0)
    before = post.get_data().segments[0]
    shape, spikes = before.analogsignals[0].shape, [len(t) for t in before.spiketrains]
    sim.end()
    after = post.get_data().segments[0]
    return (shape, spikes), (after.analogsignals[0].shape, [len(t) for t in after.spiketrains])


def too_many_connections(sim, target):
    sim.setup(target=target)
    many = cells(sim, 100_000, label="many")
    sim.Projection(many, many, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0),
                   label="dense")


def assembly_receptor(sim, target):
    """PyNN 0.13.0 guesses an Assembly's receptor from a set, in an order that changes from
    one process to the next: a positive weight must go to the first receptor type."""
    sim.setup(target=target)
    pair = cells(sim, 2, label="a") + cells(sim, 2, label="b")
    source = sim.Population(4, sim.SpikeSourceArray(spike_times=[1.0]), label="input")
    return [sim.Projection(source, pair, sim.OneToOneConnector(),
                           sim.StaticSynapse(weight=weight)).receptor_type
            for weight in (2.0, -2.0)]


def onto_a_source(sim, target):
    source, _, _ = feed(sim, target)
    sim.Projection(source, source, sim.AllToAllConnector(), label="back")


def poisson_delay_changed(sim, target):
    """A Poisson projection's delay changed with spikes in transit: each reads its count
    by the delay it was sent with, so the change is refused until reset()."""
    sim.setup(timestep=0.1, target=target)
    noise = sim.Population(5, sim.SpikeSourcePoisson(rate=20_000.0), label="noise")
    projection = sim.Projection(noise, cells(sim, 5), sim.OneToOneConnector(),
                                sim.StaticSynapse(weight=1.0, delay=1.0), label="drive")
    sim.run(2.0)
    projection.set(delay=2.0)
    sim.run(2.0)


def poisson_counts(sim, target):
    """A Poisson source at 5/dt: Poisson counts per step, kept in its recording."""
    sim.setup(timestep=0.1, target=target)
    noise = sim.Population(20, sim.SpikeSourcePoisson(rate=50_000.0), label="noise")
    noise.record("spikes")
    sim.run(20.0)
    return sum(len(t) for t in noise.get_data().segments[0].spiketrains) / (20 * 200)


ROWS = [
    Row("empty projections run", empty_projections,
        check=lambda r: r == ([0, 0], (31, 2))),
    Row("run(nan)", run_for(math.nan), error=errors.InvalidParameterValueError,
        match=r"run\(nan\).*not finite"),
    Row("run(inf)", run_for(math.inf), error=errors.InvalidParameterValueError,
        match=r"run\(inf\).*not finite"),
    Row("time step 0 refused in setup", set_up(timestep=0.0),
        error=errors.InvalidParameterValueError, match=r"setup\(timestep=0\.0\).*tic"),
    Row("Population(0)", population(0, "empty"), error=errors.InvalidDimensionsError,
        match="Population 'empty': size = 0"),
    Row("Population(-5)", population(-5, "minus"), error=errors.InvalidDimensionsError,
        match="Population 'minus': size = -5"),
    Row("delay inf", synapse(delay=math.inf), error=errors.InvalidParameterValueError,
        match="projection 'feed': delay = inf"),
    Row("i_offset inf", cell_values(i_offset=math.inf),
        error=errors.InvalidParameterValueError, match="'i_offset'.*'odd'.*inf"),
    Row("Poisson rate inf", poisson_rate, error=errors.InvalidParameterValueError,
        match="'rate'.*'noise'.*inf"),
    Row("v_thresh below v_reset", cell_values(v_thresh=-70.0),
        error=errors.InvalidParameterValueError,
        match="'odd'.*v_reset = -65 must be below v_thresh = -70"),
    Row("v_thresh set below v_reset", reset_set_above_threshold, targets=("brian2",),
        error=errors.InvalidParameterValueError,
        match="'cells'.*v_reset = -65 must be below v_thresh = -70"),
    Row("negative excitatory weight, one to one", synapse(weight=-1.0),
        error=errors.ConnectionError, match="'feed': weight = -1 onto the 'excitatory'"),
    Row("negative excitatory weight, all to all",
        synapse(weight=-1.0, connector=lambda sim: sim.AllToAllConnector()),
        error=errors.ConnectionError, match="'feed': weight = -1 onto the 'excitatory'"),
    Row("negative excitatory weight, set", weight_set_negative, targets=("brian2",),
        error=errors.ConnectionError, match="'feed': weight = -1 onto the 'excitatory'"),
    Row("population of an earlier setup()", stale_population,
        error=errors.ConnectionError, match="'across'.*'old' was created before the last"),
    Row("duplicate spike times all delivered", multiplicity, targets=("brian2", "loihi"),
        check=lambda r: (r[0].size == 4 and np.allclose(r[0], [1.0, 1.0, 1.96, 2.0], atol=0.05)
                         and r[1] == pytest.approx(expected_jumps(), rel=0.03))),
    Row("off-grid delay reads back on the grid", off_grid_delay,
        check=lambda r: r == ([1.5, 1.5], [1.5, 1.5])),
    Row("FromList index -1", synapse(connector=lambda sim: sim.FromListConnector([(-1, 0)])),
        error=errors.ConnectionError, match="'feed': presynaptic index -1 is outside"),
    Row("sampling interval off the grid", record_every(0.25),
        error=errors.InvalidParameterValueError,
        match=r"record\(sampling_interval=0\.25\) of population 'cells'.*whole number"),
    Row("sampling interval -1", record_every(-1.0), error=errors.InvalidParameterValueError,
        match=r"record\(sampling_interval=-1\.0\) of population 'cells'.*shorter"),
    Row("time stays on the steps done", time_on_the_grid,
        check=lambda r: (r[0] == 0.3 and r[2] == 1.3
                         and r[1] == [(t, t) for t in (0.3, 0.5, 0.7, 0.9, 1.1, 1.3)])),
    Row("a refused run leaves the time", refused_run_keeps_time, check=lambda t: t == 0.3),
    Row("setup() keyword typo", set_up(rng_sed=42), error=SetupError,
        match="unknown keyword.*rng_sed.*rng_seed"),
    Row("setup() seed not a number", set_up(rng_seed="abc"),
        error=errors.InvalidParameterValueError, match="rng_seed='abc'"),
    Row("Loihi: tau_m beyond its decays", loihi_taus(tau_m=1e6), targets=("loihi",),
        error=ChipLimitError, match="'slow': tau_m = 1e\\+06 ms decays as inf.*'approximate'"),
    Row("Loihi: tau 0.01 ms", loihi_taus(tau_m=0.01, tau_syn_E=0.01, tau_syn_I=0.01),
        targets=("loihi",), error=ChipLimitError,
        match="'slow': tau_m = 0.01 ms decays as 0.012.*tau_syn_E = 0.01 ms decays as 0 ms"),
    Row("Loihi: an approximate decay allowed is listed",
        loihi_taus(tau_m=1e6, setup={"allow": ["approximate"]}), targets=("loihi",),
        check=lambda lossy: lossy == ["approximate: population 'slow': tau_m = 1e+06 ms "
                                      "decays as inf ms"]),
    Row("data after end()", data_after_end, check=lambda r: r[0] == r[1] and r[0][0][0] == 101),
    Row("Population(10**9)", population(10 ** 9, "huge"), targets=("brian2",),
        error=MemoryLimitError, match="population 'huge' needs about .* GiB.*available"),
    Row("all to all of 10**10", too_many_connections, targets=("brian2",),
        error=MemoryLimitError, match="projection 'dense'.*needs about .* GiB.*available"),
    Row("delay of 1e9 ms", synapse(delay=1e9), targets=("brian2",), error=MemoryLimitError,
        match="projection 'feed' \\(a delay of 1e\\+09 ms, 10000000000 steps\\) needs about"),
    Row("receptor guessed for an Assembly", assembly_receptor,
        check=lambda receptors: receptors == ["excitatory", "inhibitory"]),
    Row("projection onto a spike source", onto_a_source, error=errors.ConnectionError,
        match="'back': population 'input' \\(SpikeSourceArray\\) has no receptors"),
    Row("Poisson delay changed with spikes in transit", poisson_delay_changed,
        targets=("brian2",), error=errors.InvalidParameterValueError,
        match="'drive': its delays cannot change while spikes of 'noise'.*reset"),
    Row("Poisson counts per step", poisson_counts, targets=("brian2", "loihi"),
        check=lambda mean: abs(mean - 5.0) < 3 * math.sqrt(5.0 / 4000)),
]


@pytest.mark.parametrize("row, target", [pytest.param(row, target, id=f"{row.name}-{target}")
                                         for row in ROWS for target in row.targets])
def test_bad_input(sim, row, target):
    if row.error is not None:
        with pytest.raises(row.error, match=row.match):
            row.build(sim, target)
    else:
        result = row.build(sim, target)
        assert row.check(result), result


# --- Ctrl-C ------------------------------------------------------------------------

INTERRUPTED = textwrap.dedent("""
    import sys
    import pyNN.neurox as sim
    sim.setup(timestep=0.1, codegen="numpy")
    cells = sim.Population(50, sim.IF_curr_exp(i_offset=1.0))
    cells.record("spikes")
    cells[:1].record("v", sampling_interval=1.0)
    sim.run(1.0)
    print("running", flush=True)
    try:
        sim.run(1e6)
    except KeyboardInterrupt:
        v = cells.get_data().segments[0].filter(name="v")[0]
        steps = round(sim.get_current_time() / 0.1)
        print("stopped", steps, v.shape[0], flush=True)
        sys.exit(3)
""")


def test_one_ctrl_c_ends_a_run_keeping_its_data():
    child = subprocess.Popen([sys.executable, "-c", INTERRUPTED], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    try:
        assert child.stdout.readline().strip() == "running"
        time.sleep(1.0)  # into the Brian2 run
        child.send_signal(signal.SIGINT)
        line = child.stdout.readline().split()
        assert child.wait(timeout=20) == 3
    finally:
        child.kill()
    steps, samples = int(line[1]), int(line[2])
    assert line[0] == "stopped" and steps > 10 and samples == steps // 10 + 1


# --- fuzz --------------------------------------------------------------------------

ODD = st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -1.0, -1e9, 1e9, 1e300, 1e-300])
STEP = 0.1


def _on_grid(low, high):
    return st.integers(low, high).map(lambda k: round(k * STEP, 10))


# a plausible network: every value in a range a model could have
USUAL = {
    "cells": st.integers(1, 4),
    "v_thresh": st.floats(-60.0, -40.0), "v_reset": st.floats(-80.0, -55.0),
    "v_rest": st.floats(-80.0, -50.0), "tau_m": st.floats(1.0, 100.0),
    "tau_refrac": st.floats(0.0, 5.0),
    "rate": st.floats(0.0, 20_000.0), "weight": st.floats(0.0, 20.0),
    "delay": _on_grid(1, 30), "duration": _on_grid(0, 100),
    "sampling": st.one_of(st.none(), _on_grid(1, 5)),
    "time": st.floats(0.0, 10.0),
}
# one of them (or none) replaced by an odd value: NaN, infinities, zero, negative, huge
NETWORK = st.tuples(st.fixed_dictionaries(USUAL),
                    st.one_of(st.none(), st.tuples(st.sampled_from(sorted(USUAL)), ODD)))

ALLOWED = (errors.InvalidParameterValueError, errors.InvalidDimensionsError,
           errors.ConnectionError, errors.InvalidWeightError, errors.NoModelAvailableError,
           errors.RecordingError, NeuroxError)


def _build_and_run(sim, target, values):
    sim.setup(timestep=STEP, target=target)
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[values["time"]]),
                            label="input")
    noise = sim.Population(2, sim.SpikeSourcePoisson(rate=values["rate"]), label="noise")
    post = sim.Population(values["cells"], sim.IF_curr_delta(
        **{name: values[name] for name in CELL}), label="cells")
    for pre in (source, noise):
        sim.Projection(pre, post, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=values["weight"], delay=values["delay"]),
                       receptor_type="excitatory", label=f"{pre.label}-cells")
    post.record(["spikes", "v"], sampling_interval=values["sampling"])
    sim.run(values["duration"])
    data = post.get_data().segments[0]
    return ([np.asarray(t) for t in data.spiketrains],
            [np.asarray(signal) for signal in data.analogsignals])


def _named(value, message):
    """Whether an error message names `value` (as %g, repr or str prints it), as a word."""
    if isinstance(value, float) and math.isnan(value):
        return re.search(r"\bnan\b", message, re.IGNORECASE) is not None
    forms = {f"{value:g}", repr(value), str(value)}
    return any(re.search(rf"(?<![\w.]){re.escape(form)}(?![\w.])", message) for form in forms)


def _given(values, odd):
    """The values an error may be about: the odd one and every float (a small cell count
    would be found in any number)."""
    return [value for name, value in values.items()
            if value is not None and (name != "cells" or (odd and odd[0] == "cells"))]


@pytest.mark.parametrize("target", EVERY)
def test_fuzz_errors_name_the_value_or_results_are_finite(sim, target):
    """Random small networks, each with at most one odd value: every run raises a PyNN or
    neurox error whose message names a value it was given, or gives finite results."""
    @settings(max_examples=30, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(network=NETWORK)
    def fuzz(network):
        values, odd = network
        if odd is not None:
            name, value = odd
            values = dict(values, **{name: int(value) if name == "cells" and math.isfinite(value)
                                     else value})
        try:
            trains, v = _build_and_run(sim, target, values)
        except ALLOWED as error:
            assert any(_named(value, str(error)) for value in _given(values, odd)), \
                f"{type(error).__name__}: {error}"
        else:
            assert all(np.isfinite(x).all() for x in trains + v)
        finally:
            sim.end()

    fuzz()
