"""A chip target: the network description mapped onto a chip and run on its emulator, or
on the chip itself over its link (a `<chip>-board` target), one class for every kind.

The mapping (check → quantize → place → program) is made on the first run, or earlier
when asked for with get_mapping(); every later run continues the emulator's state. reset()
drops both, so the next run maps the description again. A tick is one time step.
"""

from dataclasses import replace
from typing import Optional

import numpy as np

from ..description import NetworkDescription
from ..errors import ChipLimitError, NeuroxError, ProgramLoadedError, SimulationEndedError
from ..recorded import Recordings
from ..targets import Target
from ..timegrid import callback_step, delay_ms, duration_steps, sampling_steps
from .chip import load_chip
from .contract import kind_for
from .mapping import Mapping, map_network


# a long run is emulated this many ticks at a time: the arrays per tick (host spikes,
# samples) stay bounded whatever the run's length. Not on a board: it cannot continue a
# run (it stops at the end of each input stream), so a run is one stream, whole
CHUNK_TICKS = 100_000


class HardwareTarget(Target):
    def __init__(self, network: NetworkDescription, chip_name: str, board: bool = False):
        super().__init__(network)
        self.chip = load_chip(chip_name).with_overrides(network.options.get("chip"))
        self.name = chip_name
        self.board = board  # the chip itself over its link, not its emulator
        if board:
            self.chip = replace(self.chip, title=self.chip.fact("link", "title"))
            self.name = f"{chip_name}-board"
        self.kind = kind_for(self.chip)
        self._mapping = None
        self._runner = None

    @property
    def mapping(self) -> Mapping:
        """The mapping of the network as it is now (made once, until reset), its report
        with the emulator's events so far."""
        if self._mapping is None:
            self._mapping = map_network(self.network, self.kind)
            self._layout = self._current_layout()
            for item in self.network.populations + self.network.projections:
                item.changed.clear()
        if self._runner is None:
            return self._mapping
        counters = dict(self._runner.emulator.counters)
        report = replace(self._mapping.report, counters=counters,
                         warnings=self.kind.report_warnings(counters))
        return replace(self._mapping, report=report)

    @property
    def step(self) -> int:
        return self._runner.tick if self._runner is not None else 0

    def _release(self) -> None:
        self._mapping = None
        self._runner = None

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
            raise ProgramLoadedError(
                f"{self.chip.title}: the program is already loaded; changes after the first "
                "run need reset() to be mapped again: " + "; ".join(changed))

    def run_until(self, t_stop: float, callbacks=(), on_time=None) -> None:
        if self.closed:
            raise SimulationEndedError("the simulation has ended: call setup() before "
                                       "running again")
        stop = duration_steps(t_stop, self.dt)
        if self._runner is None:
            mapping = self.mapping
            engine = (self.kind.device(mapping.program, self.network.options) if self.board
                      else self.kind.emulator(mapping.program, self.network.seed))
            self._runner = Runner(mapping, engine)
        events = [[callback(self.now), callback] for callback in callbacks]
        while self._runner.tick < stop:
            self._refuse_changes()
            chunk = [] if self.board else [self._runner.tick + CHUNK_TICKS]
            due = min([stop] + chunk + [callback_step(e[0], self.dt) for e in events])
            try:
                self._run_ticks(max(due, self._runner.tick + 1) - self._runner.tick)
            except NeuroxError as error:
                if getattr(error, "partial", None) is not None and on_time is not None:
                    on_time(self._runner.tick * self.dt)  # the time the data kept reach
                raise
            now = self.now
            if on_time is not None:
                on_time(now)
            for event in events:
                if callback_step(event[0], self.dt) <= self._runner.tick:
                    event[0] = event[1](now)

    def _run_ticks(self, ticks):
        recorded_v = {p.index: np.asarray(p.recorded["v"], int)
                      for p in self.network.populations if "v" in p.recorded}
        every = {sampling_steps(p.sampling_interval or self.dt, self.dt)
                 for p in self.network.populations if "v" in p.recorded}
        if len(every) > 1:
            raise ChipLimitError(
                f"{self.chip.title}: v is sampled at one interval for all populations; "
                f"the populations ask for {sorted(k * self.dt for k in every)} ms")
        failure = None
        try:
            spikes, signals = self._runner.run(ticks, recorded_v, every.pop() if every else 1)
        except NeuroxError as error:  # a run that failed part way: keep what arrived
            if getattr(error, "result", None) is None:
                raise
            (spikes, signals), failure = error.result, error
        for population in self.network.populations:
            store = self.recordings.setdefault(population.index, Recordings())
            if "spikes" in population.recorded and population.index in spikes:
                cells, labels = spikes[population.index]
                keep = np.isin(cells, population.recorded["spikes"])
                store.add_spikes(cells[keep], labels[keep] * self.dt)
            if population.index in signals:
                ticks_, values = signals[population.index]
                store.add_samples("v", recorded_v[population.index], values, ticks_ * self.dt)
        if failure is not None:
            raise failure

    def _live_values(self, population_index, variable, indices) -> Optional[np.ndarray]:
        if self._runner is None or self.board:  # a board's v cannot be read
            return None
        return self._runner.v_now(population_index, indices)

    def connection_values(self, projection_index: int, name: str) -> np.ndarray:
        """Weights as the chip holds them (in PyNN units), delays in whole ticks."""
        description = self.network.projections[projection_index]
        if name == "weight":
            q = self.mapping.projections[projection_index]
            held = q.weight if self._runner is None else self._runner.emulator.weights(q)
            return held / q.chip_per_pynn
        if name == "delay":
            return delay_ms(description.delays, self.dt)
        return np.broadcast_to(description.synapse.parameters[name], len(description))


class Runner:
    """Drives a kind's emulator over one mapping: host inputs in, each spike handed over
    once (in the first run whose ticks, with the emulator's lookahead, hold its label);
    spikes and samples out, split into populations, in PyNN's units."""

    def __init__(self, mapping: Mapping, emulator):
        self.mapping = mapping
        self.emulator = emulator
        self._drawn = 0  # labels drawn from the host inputs so far
        # population index -> (labels, cells) drawn but not yet recorded (label >= tick)
        self._ahead = {index: (np.zeros(0, np.int64), np.zeros(0, np.int64))
                       for index in mapping.inputs}

    @property
    def tick(self) -> int:
        return self.emulator.tick

    def _host_spikes(self, stop):
        """The host inputs' new spikes up to the lookahead (sorted by label, as input
        numbers), and per source the spikes labelled before `stop`, to be recorded."""
        program = self.mapping.program
        until = stop + self.emulator.input_lookahead
        labels, inputs, recorded = [], [], {}
        for index, source in self.mapping.inputs.items():
            s, cells = source.spikes(self._drawn, until)
            labels.append(s)
            inputs.append(program.input_offset[index] + cells)
            held = self._ahead[index]
            s, cells = np.concatenate([held[0], s]), np.concatenate([held[1], cells])
            now = s < stop
            recorded[index] = (cells[now], s[now])
            self._ahead[index] = (s[~now], cells[~now])
        self._drawn = max(self._drawn, until)
        labels = np.concatenate(labels) if labels else np.zeros(0, np.int64)
        inputs = np.concatenate(inputs) if inputs else np.zeros(0, np.int64)
        order = np.argsort(labels, kind="stable")
        return labels[order], inputs[order], recorded

    def run(self, ticks: int, recorded: dict, sample_every: int):
        """`recorded`: population index -> sorted cells whose v is recorded. Returns
        {population: (cells, spike labels)}, {population: (sample ticks, v in mV)}."""
        program = self.mapping.program
        first = self.emulator.tick
        labels, inputs, spikes = self._host_spikes(first + ticks)
        record = np.concatenate([program.neuron_offset[p] + c for p, c in recorded.items()]) \
            if recorded else None
        try:
            k, neurons, samples = self.emulator.run(ticks, labels, inputs, record, sample_every)
        except NeuroxError as error:
            partial = getattr(error, "partial", None)
            if partial is None:
                raise
            # what arrived before the fault: its ticks, its spikes, the inputs sent in them
            ticks, k, neurons = partial.ticks, partial.spike_ticks, partial.neurons
            spikes = {index: (cells[s < first + ticks], s[s < first + ticks])
                      for index, (cells, s) in spikes.items()}
            error.result = self._split(first, ticks, k, neurons, None, recorded, spikes,
                                       sample_every)
            raise
        return self._split(first, ticks, k, neurons, samples, recorded, spikes, sample_every)

    def _split(self, first, ticks, k, neurons, samples, recorded, spikes, sample_every):
        """Spikes and samples of the chip's neurons into populations, in PyNN's units."""
        program, populations = self.mapping.program, self.mapping.populations
        for index, q in populations.items():
            start = program.neuron_offset[index]
            mine = (neurons >= start) & (neurons < start + q.size)
            spikes[index] = (neurons[mine] - start, k[mine] + 1)
        signals, column = {}, 0
        sample_ticks = np.arange(first, first + ticks)
        sample_ticks = sample_ticks[sample_ticks % sample_every == 0]
        for index, cells in recorded.items() if samples is not None else ():
            raw = samples[:, column:column + cells.size]
            signals[index] = (sample_ticks, populations[index].mV(cells, raw))
            column += cells.size
        return spikes, signals

    def v_now(self, index: int, cells) -> np.ndarray:
        cells = np.asarray(cells, int)
        start = self.mapping.program.neuron_offset[index]
        return self.mapping.populations[index].mV(cells, self.emulator.v(start + cells))
