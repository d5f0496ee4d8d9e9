"""A chip target: the network description mapped onto a chip and run on its emulator.

The mapping (check → quantize → place → program) is made on the first run, or
earlier when asked for with get_mapping(); every later run continues the emulator's
state. reset() drops both, so the next run maps the description again. Times are
ticks: a PyNN time t is tick t / dt, and the time step is the length of one tick.
"""

import numpy as np
from pyNN import errors

from ..recorded import Recordings
from .check import ChipLimitError
from .chip import load_chip
from .kinds import kind_module


class HardwareTarget:
    def __init__(self, network, chip_name):
        self.chip = load_chip(chip_name)
        self.kind = kind_module(self.chip.neuron_model)
        self.name = chip_name
        self.network = network
        self.closed = False
        self.recordings = {}
        self._mapping = None
        self._runner = None

    @property
    def dt(self):
        return self.network.timestep

    @property
    def mapping(self):
        """The mapping of the network as it is now (made once, until reset)."""
        if self._mapping is None:
            self._mapping = self.kind.map_network(self.network, self.chip)
            self._layout = self._current_layout()
            for item in self.network.populations + self.network.projections:
                item.changed.clear()
        return self._mapping

    def close(self):
        self.reset()
        self.closed = True

    def reset(self):
        self._mapping = None
        self._runner = None
        self.recordings = {}

    def _current_layout(self):
        return (len(self.network.populations), len(self.network.projections),
                tuple((p.index, v, len(i), p.sampling_interval)
                      for p in self.network.populations for v, i in p.recorded.items()))

    def _refuse_changes(self):
        """A chip's program is loaded once per mapping: changes after it need reset()."""
        changed = [f"population '{p.label}' ({', '.join(sorted(p.changed))})"
                   for p in self.network.populations if p.changed]
        changed += [f"projection '{p.label}' ({', '.join(sorted(p.changed))})"
                    for p in self.network.projections if p.changed]
        if self._current_layout() != self._layout:
            changed.append("the network's cells, connections or recording")
        if changed:
            raise errors.NoModelAvailableError(
                f"{self.chip.title}: the program is already loaded; changes after the first "
                "run need reset() to be mapped again: " + "; ".join(changed))

    def run_until(self, t_stop, callbacks=(), on_time=None):
        if self.closed:
            raise RuntimeError("the simulation has ended: call setup() before running again")
        stop = int(round(t_stop / self.dt))
        if self._runner is None:
            self._runner = self.kind.Runner(self.mapping)
        events = [[callback(self._runner.tick * self.dt), callback] for callback in callbacks]
        while self._runner.tick < stop:
            self._refuse_changes()
            due = min([stop] + [int(round(e[0] / self.dt)) for e in events])
            self._run_ticks(max(due, self._runner.tick + 1) - self._runner.tick)
            now = self._runner.tick * self.dt
            if on_time is not None:
                on_time(now)
            for event in events:
                if event[0] <= now + self.dt / 2:
                    event[0] = event[1](now)

    def _ticks_per_sample(self, population):
        return max(int(round((population.sampling_interval or self.dt) / self.dt)), 1)

    def _run_ticks(self, ticks):
        recorded_v = {p.index: np.asarray(p.recorded["v"], int)
                      for p in self.network.populations if "v" in p.recorded}
        every = {self._ticks_per_sample(p)
                 for p in self.network.populations if "v" in p.recorded}
        if len(every) > 1:
            raise ChipLimitError(
                f"{self.chip.title}: v is sampled at one interval for all populations; "
                f"the populations ask for {sorted(k * self.dt for k in every)} ms")
        spikes, signals = self._runner.run(ticks, recorded_v, every.pop() if every else 1)
        for population in self.network.populations:
            store = self.recordings.setdefault(population.index, Recordings())
            if "spikes" in population.recorded and population.index in spikes:
                cells, labels = spikes[population.index]
                keep = np.isin(cells, population.recorded["spikes"])
                store.add_spikes(cells[keep], labels[keep] * self.dt)
            if population.index in signals:
                ticks_, values = signals[population.index]
                store.add_samples("v", recorded_v[population.index], values, ticks_ * self.dt)

    # --- what the PyNN layer reads -------------------------------------------------

    def spikes(self, population_index):
        store = self.recordings.get(population_index)
        if store is None:
            return np.array([], dtype=int), np.array([])
        return store.spikes()

    def signals(self, population_index, variable, indices):
        store = self.recordings.get(population_index)
        samples = store.samples(variable, indices) if store else np.zeros((0, len(indices)))
        description = self.network.populations[population_index]
        every = self._ticks_per_sample(description)
        if self._runner is not None and self._runner.tick % every == 0:
            live = self._runner.v_now(population_index, np.asarray(indices, int))
            samples = np.vstack([samples, live[np.newaxis, :]])
        return samples

    def clear_recordings(self, population_index):
        tick = self._runner.tick if self._runner is not None else 0
        self.recordings[population_index] = Recordings(start=tick * self.dt)

    def connection_values(self, projection_index, name):
        """Weights as the chip holds them (in PyNN units), delays in whole ticks."""
        description = self.network.projections[projection_index]
        if name == "weight":
            return self.kind.Runner.weights_of(self.mapping, projection_index)
        if name == "delay":
            return np.rint(description.delays / self.dt) * self.dt
        return np.broadcast_to(description.synapse.parameters[name], len(description))
