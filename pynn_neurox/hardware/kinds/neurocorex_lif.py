"""The neurocorex_lif kind: the NeuroCoreX board's 90 neurons fed by up to 96 inputs.

map_network checks, quantizes, assigns board neurons and input addresses, and fills
the board image; Runner plays the host inputs into the emulator as the board's input
stream (one release per tick, serialising what collides) and gives the results in
PyNN's units.

A spike source's spike at time s dt, through a delay of d ticks, is released in tick
s + d - 2: it acts on V in tick s + d - 1, so V at time (s + d) dt holds it, as in NEST
and on the software target. The board tests V before adding the tick's input, so the
spike it causes comes one tick later than in software. Every synapse of a source is one column of the board, so
a source's synapses must share their delay.
"""

import numpy as np

from ..check import ChipLimitError, allowed_steps, check_network
from ..emulator.neurocorex import NeuroCoreXEmulator
from ..host import host_input
from ..mapping import Mapping
from ..place import Core, Placement
from ..program import neurocorex as board
from ..quantize.neurocorex import KIND, NeuroCoreXQuantizer
from ..report import MappingReport


class BoardProgram:
    """The image, which board neuron and input address each population's cells got, and
    each input's delay in ticks."""

    def __init__(self, image, neuron_offset, address_offset, input_delay, filler):
        self.image = image
        self.neuron_offset = neuron_offset
        self.address_offset = address_offset
        self.input_delay = input_delay  # population index -> ticks per source cell
        self.filler = filler  # an input address with an all-zero column, or None


def map_network(network, chip):
    allowed = allowed_steps(network)
    check_network(network, chip, KIND)
    quantizer = NeuroCoreXQuantizer(chip, network, allowed)
    cells = [p for p in network.populations if not p.is_source]
    sources = [p for p in network.populations if p.is_source]
    for what, items, limit in (("neurons", cells, "neurons"),
                               ("input cells (spike sources)", sources, "input_addresses")):
        total = sum(p.size for p in items)
        if total > chip.limit(limit):
            raise ChipLimitError(
                f"{chip.title}: the network has {total} {what} "
                f"({', '.join(repr(p.label) for p in items)}); the board has "
                f"{chip.limit(limit)}")
    incoming = {p.index: [d for d in network.projections if d.post == p.index] for p in cells}
    v_unit = quantizer.board_scale([p for p in cells if p.celltype != "NeuroCoreXNeuron"],
                                   incoming)
    populations = {p.index: quantizer.neurons(p, v_unit, incoming[p.index]) for p in cells}
    image = board.BoardImage.blank()
    image.ff_gain, image.leak = _board_wide(network, cells, chip)
    neuron_offset, start = {}, 0
    for index, q in populations.items():
        neuron_offset[index] = start
        image.set_threshold(start + np.arange(q.size), q.threshold)
        image.set_refractory(start + np.arange(q.size), q.tref)
        start += q.size
    address_offset, start = {}, 0
    for p in sources:
        address_offset[p.index] = start
        start += p.size
    filler = start if start < chip.limit("input_addresses") else None
    projections, input_delay = [], {p.index: np.full(p.size, -1) for p in sources}
    rule = None
    for description in network.projections:
        post = populations[description.post]
        plastic = description.synapse.kind == "STDPMechanism"
        if plastic:
            values, rows, notes = quantizer.learning(description)
            if rule is not None and rule[0] != values:
                raise ChipLimitError(
                    f"{chip.title}: the learning rule is one for the whole board; projection "
                    f"'{description.label}' asks for {values}, another for {rule[0]}")
            rule = (values, rows, notes)
        if description.pre in populations:
            quantizer.refuse_recurrent(description, populations[description.pre], post)
        q = quantizer.projection(description, post)
        if plastic:
            q.learning_report = dict(rule="the board's box-window pair rule",
                                     integers=values, parameters=rows, approximations=notes)
        projections.append(q)
        if description.pre in populations:
            late = q.delay[q.delay != 1]
            if late.size:
                raise ChipLimitError(
                    f"{chip.title}: projection '{description.label}' has a delay of "
                    f"{late[0] * network.timestep:g} ms; the board has no programmable "
                    "delays: a recurrent spike acts in the next tick (delay = one time step)")
            pre, targets = neuron_offset[q.pre] + q.sources, neuron_offset[q.post] + q.targets
            image.connect_recurrent(pre, targets, q.weight)
            if plastic:
                image.enable_stdp_recurrent(pre, targets)
            continue
        _share_delay(chip, description, network, q, input_delay[q.pre])
        image.connect_inputs(address_offset[q.pre] + q.sources,
                             neuron_offset[q.post] + q.targets, q.weight)
    if rule is not None:
        for name, value in rule[0].items():
            setattr(image, name, value)
    program = BoardProgram(image, neuron_offset, address_offset, input_delay, filler)
    neurons = sum(q.size for q in populations.values())
    core = Core(0, 0, cells[0].index if cells else -1, 0, neurons, neurons,
                input_axons=sum(p.size for p in sources),
                synapses=sum(len(q.sources) for q in projections))
    placement = Placement([core], {i: np.zeros(q.size, int) for i, q in populations.items()})
    inputs = {p.index: host_input(p, network.timestep, network.seed) for p in sources}
    report = _report(chip, network, populations, projections, core, inputs, allowed)
    return Mapping(chip, populations, projections, placement, program, inputs, report)


def _board_wide(network, cells, chip):
    """The FF gain and the leak: one value each for the whole board."""
    native = [p for p in cells if p.celltype == "NeuroCoreXNeuron"]
    values = {}
    for name, standard in (("ff_gain", 1), ("leak", 0)):
        found = {float(v) for p in native for v in np.ravel(p.parameters[name])}
        if len(cells) > len(native):
            found.add(standard)
        if len(found) > 1:
            raise ChipLimitError(
                f"{chip.title}: {name} is one value for the whole board; the populations "
                f"ask for {sorted(found)} (standard cells need {name} = {standard})")
        values[name] = int(found.pop()) if found else standard
    return values["ff_gain"], values["leak"]


def _share_delay(chip, description, network, q, delays):
    """Record each source cell's delay; one cell is one column, so one delay."""
    known = delays[q.sources]
    conflict = (known >= 0) & (known != q.delay)
    per_source = np.full(delays.size, -1)
    np.maximum.at(per_source, q.sources, q.delay)
    lowest = np.full(delays.size, np.iinfo(np.int64).max)
    np.minimum.at(lowest, q.sources, q.delay)
    uneven = (per_source >= 0) & (lowest != per_source)
    if conflict.any() or uneven.any():
        cell = int(q.sources[np.argmax(conflict)]) if conflict.any() else int(np.argmax(uneven))
        raise ChipLimitError(
            f"{chip.title}: projection '{description.label}' gives cell {cell} of "
            f"'{network.populations[q.pre].label}' more than one delay; the board plays an "
            "input to all its targets at once, so a source's synapses share one delay")
    delays[q.sources] = q.delay


def _report(chip, network, populations, projections, core, inputs, allowed):
    report = MappingReport(chip.title, network.timestep)
    labels = {p.index: p.label for p in network.populations}
    report.cores.append(dict(
        core=0, chip=0, population=", ".join(labels[i] for i in populations) or "-",
        neurons=f"0-{core.stop - 1}", synapses=core.synapses, neurons_used=core.stop,
        neurons_share=core.stop / chip.limit("neurons"), inputs=core.input_axons,
        inputs_share=core.input_axons / chip.limit("input_addresses")))
    for index, q in populations.items():
        report.populations.append(dict(
            label=q.label, celltype=network.populations[index].celltype, size=q.size,
            v_unit_mV=q.v_unit, parameters=q.parameters, approximations=q.approximations))
    for q in projections:
        report.projections.append(dict(label=q.label, pre=labels[q.pre], post=labels[q.post],
                                       **q.errors))
        if q.learning_report:
            report.projections[-1]["learning"] = q.learning_report
        if q.errors["clipped"]:
            report.lossy_steps.append(f"clip_weights: {q.errors['clipped']} value(s) of "
                                      f"projection '{q.label}'")
    for index, source in inputs.items():
        report.inputs.append(dict(label=labels[index], note=source.note + "; played as the "
                                  "board's input stream, one release per tick"))
    return report


class Runner:
    """Plays the host inputs into the board emulator; results in PyNN's units."""

    def __init__(self, mapping):
        self.mapping = mapping
        self.program = mapping.program
        self.emulator = NeuroCoreXEmulator(self.program.image)
        self._drawn = 0  # labels drawn from the host inputs so far
        self._pending = np.zeros((0, 2), np.int64)  # (release tick wanted, address)
        self._last_release = -1  # the tick the last queued event will be released at
        self._v_before = self.emulator.v.copy()
        # population index -> (labels, cells) drawn but not yet reported as recorded spikes
        self._drawn_spikes = {index: (np.zeros(0, np.int64), np.zeros(0, np.int64))
                              for index in mapping.inputs}
        self.counters = dict(events_late=0, events_serialised=0, max_serialisation_ticks=0)

    @property
    def tick(self):
        return self.emulator.tick

    def _queue_inputs(self, stop):
        """Queue the events to be released before `stop`, drawing labels ahead so that
        none is missed (a delay of d puts label s at tick s + d - 2)."""
        program = self.program
        wanted = [self._pending]
        for index, source in self.mapping.inputs.items():
            labels, cells = source.spikes(self._drawn, stop + 2)
            kept = self._drawn_spikes[index]
            self._drawn_spikes[index] = (np.concatenate([kept[0], labels]),
                                         np.concatenate([kept[1], cells]))
            delay = program.input_delay[index][cells]
            used = delay >= 0  # a cell with no synapse sends nothing
            wanted.append(np.stack([labels[used] + delay[used] - 2,
                                    program.address_offset[index] + cells[used]], axis=1))
        self._drawn = stop + 2
        events = np.concatenate(wanted)
        events = events[np.lexsort((events[:, 1], events[:, 0]))]
        now = events[:, 0] < stop
        self._pending = events[~now]
        events = events[now]
        if not events.size:
            return
        base = max(self.emulator.tick, self._last_release + 1)
        requested = np.maximum(events[:, 0], base)
        self.counters["events_late"] += int(np.count_nonzero(events[:, 0] < base))
        encoded = board.encode_events(requested - base, events[:, 1], self.program.filler)
        self.emulator.queue(encoded.records)
        delays = encoded.delays
        self.counters["events_serialised"] += int(np.count_nonzero(delays))
        self.counters["max_serialisation_ticks"] = max(
            self.counters["max_serialisation_ticks"], int(delays.max()))
        self._last_release = base + int(encoded.release_ticks[-1])

    def run(self, ticks, recorded, sample_every):
        first = self.emulator.tick
        self._queue_inputs(first + ticks)
        result = self.emulator.run(ticks, record_v=bool(recorded))
        counters = self.mapping.report.counters
        for name, value in result.counters.items():
            if name == "events_queued":
                counters[name] = value
            else:
                counters[name] = counters.get(name, 0) + value
        counters.update(self.counters)
        spikes = {}
        k, neurons = np.nonzero(result.spikes)
        for index, q in self.mapping.populations.items():
            start = self.program.neuron_offset[index]
            mine = (neurons >= start) & (neurons < start + q.size)
            spikes[index] = (neurons[mine] - start, first + k[mine] + 1)
        for index, (labels, cells) in self._drawn_spikes.items():
            now = labels < first + ticks
            spikes[index] = (cells[now], labels[now])
            self._drawn_spikes[index] = (labels[~now], cells[~now])
        signals = {}
        if recorded:
            before = np.vstack([self._v_before[np.newaxis], result.v[:-1]])
            sample_ticks = np.arange(first, first + ticks)
            keep = sample_ticks % sample_every == 0
            for index, cells in recorded.items():
                q = self.mapping.populations[index]
                raw = before[keep][:, self.program.neuron_offset[index] + cells]
                signals[index] = (sample_ticks[keep], self._mV(q, cells, raw))
        self._v_before = self.emulator.v.copy()
        self._read_learned_weights()
        return spikes, signals

    def _read_learned_weights(self):
        """Put the board's learned recurrent weights into the plastic projections."""
        plastic = [q for q in self.mapping.projections if q.learning_report]
        if not plastic:
            return
        learned = self.emulator.learned_image().recurrent_weights()
        for q in plastic:
            q.weight = learned[self.program.neuron_offset[q.pre] + q.sources,
                               self.program.neuron_offset[q.post] + q.targets].astype(np.int64)

    def _mV(self, q, cells, raw):
        one = 2 ** board.Q_FRAC
        return raw.astype(float) if q.native else q.v_origin[cells] + raw / one * q.v_unit

    def v_now(self, index, cells):
        q = self.mapping.populations[index]
        raw = self.emulator.v[self.program.neuron_offset[index] + cells]
        return self._mV(q, cells, raw)

    @staticmethod
    def weights_of(mapping, projection_index):
        q = mapping.projections[projection_index]
        return q.weight * mapping.populations[q.post].v_unit
