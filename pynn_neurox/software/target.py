"""The software target: the network description built as Brian2 objects and run.

Objects are built on the first run from the description and kept between runs;
changes the user makes between runs (parameters, weights, spike times, current
sources, what is recorded) are pushed into them before the next run. reset()
drops the Brian2 network, so the next run starts from the description again:
time zero, initial values and the weights the user set.

Spike times follow NEST's on-grid convention: a spike produced by the update of
the step [t, t + dt) carries the time t + dt, and a delay d makes its effect
appear at t + dt + d.

The populations' objects are built and written by a NeuronBuilder (neurons.py), the
projections' by a ProjectionBuilder (projections.py), the current sources' by a
CurrentInjection (injection.py); this module runs them.
"""

import gc
import logging
import warnings
from collections.abc import Callable, Iterable

import numpy as np

from ..description import NetworkDescription
from ..errors import SimulationEndedError
from ..recorded import Recordings
from ..targets import Target
from ..timegrid import callback_step, duration_steps
from .brian import b2
from .codegen import choose_codegen_target
from .injection import CurrentInjection
from .neurons import NeuronBuilder, state_variable
from .projections import ProjectionBuilder
from .recordings import Monitors


class Brian2Target(Target):
    """Runs a network description with Brian2 (runtime mode, numpy or Cython code)."""

    name = "brian2"

    def __init__(self, network: NetworkDescription):
        super().__init__(network)
        self._release()

    def _release(self) -> None:
        self._net = None
        self._neurons = None
        self._projections = None
        self._injection = None
        self._monitors = None  # the monitors of the Brian2 run under way
        self._layout_at_start = None
        self._steps = 0

    @property
    def step(self) -> int:
        return self._steps

    # --- running ----------------------------------------------------------------

    def run_until(self, t_stop: float, callbacks: Iterable[Callable[[float], float]] = (),
                  on_time: Callable[[float], None] | None = None) -> None:
        """Run to `t_stop` (ms); PyNN callbacks run inside, at the times they ask for.

        A callback gets the current time and returns the next time it wants; `on_time`
        is told the current time before each call. Changes a callback makes to
        parameters or weights are pushed while Brian2 runs; changes that need new
        objects (new cells, recording, spike times) end the Brian2 run and start another.

        Ctrl-C: Brian2 ends its run at the end of the step (its SIGINT handler); the data
        up to that step are kept and KeyboardInterrupt is raised to the script, instead
        of starting the run again.
        """
        if self.closed:
            raise SimulationEndedError("the simulation has ended: call setup() before running "
                                       "again")
        stop = duration_steps(t_stop, self.dt)
        if stop <= self._steps:
            return
        if self._net is None:
            self._start(stop - self._steps)
        events = [[callback(self.now), callback] for callback in callbacks]
        while self._steps < stop:
            self._run_once(stop, events, on_time)
            if b2().Network._globally_stopped:
                raise KeyboardInterrupt(f"sim.run() interrupted at {self._steps * self.dt:g} ms")

    def _start(self, steps):
        """Brian2's settings, a new Brian2 network and the builders that fill it."""
        brian2 = b2()
        brian2.prefs.codegen.target = choose_codegen_target(self.network, steps)
        # the equations are in plain numbers: without this, Brian2's numpy form of
        # functions such as expm1 and exprel checks units on every call and formats
        # its whole argument array for a message it never shows (~0.1 ms per call)
        brian2.prefs.codegen.runtime.numpy.discard_units = True
        brian2.defaultclock.dt = self.dt * brian2.ms
        # the code is ours, not the user's: Brian2's warning that a synaptic update may
        # depend on execution order is about accumulating into post-synaptic variables,
        # which is order-independent here
        logging.getLogger("brian2.codegen.generators.base").setLevel(logging.ERROR)
        if self.network.seed is not None:
            brian2.seed(self.network.seed)
        self._net = brian2.Network()
        self._neurons = NeuronBuilder(self.network, self._net)
        self._projections = ProjectionBuilder(self.network, self._net, self._neurons)
        self._injection = CurrentInjection(self.network, self._net, self._neurons.slots)

    def _run_once(self, stop, events, on_time):
        """One Brian2 run, to `stop` or to a callback's change that needs new objects."""
        brian2 = b2()
        self._neurons.build_new()
        self._projections.build_new()
        self._push_changes()
        self._monitors = Monitors(brian2, self.network, self._neurons.groups,
                                  self._neurons.slots, state_variable,
                                  self._neurons.spike_time)
        self._injection.prepare(self._steps, stop - self._steps)
        self._neurons.draw_sources(self._steps, stop)
        extra = list(self._monitors.objects)
        if events:
            extra.append(brian2.NetworkOperation(
                lambda t: self._call_back(t, events, on_time), when="end"))
        self._net.add(*extra)
        self._layout_at_start = self._layout()
        gc.freeze()  # Brian2 collects garbage on every run; the frozen heap is not rescanned
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                self._net.run((stop - self._steps) * self.dt * brian2.ms, namespace={})
        finally:
            gc.unfreeze()
            self._steps = round(float(np.asarray(self._net.t_)) * 1000.0 / self.dt)
            self._neurons.rewind_sources(self._steps)
            for population_index in self._monitors.entries:
                store = self.recordings.setdefault(population_index, Recordings())
                self._monitors.transfer(population_index, store)
            self._monitors = None
            self._net.remove(*extra)

    def _call_back(self, t, events, on_time):
        """At the end of a step: call the callbacks that are due, then apply their changes.

        A callback is due at the end of its step (timegrid.callback_step).
        """
        now = round(float(t[:]) * 1000.0 / self.dt) + 1
        due = [event for event in events if callback_step(event[0], self.dt) <= now]
        if not due:
            return
        self._steps = now
        if on_time is not None:
            on_time(self.now)
        for event in due:
            event[0] = event[1](self.now)
        if self._layout() == self._layout_at_start:
            self._push_changes()  # a longer delay may grow a count ring (in the layout)
        if self._layout() != self._layout_at_start:
            self._net.stop()

    def _layout(self):
        """What, when it changes, needs new Brian2 objects or monitors."""
        network = self.network
        return (len(network.populations), len(network.projections),
                tuple((p.index, v, len(i), p.sampling_interval) for p in network.populations
                      for v, i in p.recorded.items()),
                tuple(p.index for p in network.populations
                      if p.index not in self._neurons.models and p.changed),
                tuple(s.revision for s in network.current_sources),
                tuple(self._projections.needs_rebuild(p) for p in network.projections),
                tuple(ring.rows for ring in self._neurons.rings.values()))

    def _push_changes(self):
        self._neurons.push_changes(self._steps)
        self._projections.push_changes()

    # --- reading ------------------------------------------------------------------

    def _stored(self, population_index: int) -> Recordings | None:
        """The population's data so far, including what running monitors hold."""
        store = self.recordings.get(population_index)
        if self._monitors is not None and population_index in self._monitors.entries:
            store = (store or Recordings()).with_data_of(self._monitors, population_index)
        return store

    def _live_values(self, population_index: int, variable: str,
                     indices: np.ndarray) -> np.ndarray | None:
        """The state in Brian2 now; None before the population's objects are built."""
        if self._neurons is None:
            return None
        return self._neurons.live_values(population_index, variable, indices)

    def connection_values(self, projection_index: int, name: str) -> np.ndarray | None:
        """Current values in Brian2 of the weights or of synaptic state (`u`, ...), with
        the changes not pushed yet; None where the description holds them (delays,
        parameters, anything before the synapses exist)."""
        if self._projections is None:
            return None
        return self._projections.values(projection_index, name)
