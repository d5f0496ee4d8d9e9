"""The loihi_compartment kind: Loihi's current-based LIF compartments.

map_network runs check → quantize → place → program; Runner drives the emulator and
gives its results in PyNN's units.
"""

import numpy as np

from ..check import allowed_steps, check_network
from ..emulator.loihi import LoihiEmulator
from ..host import host_input
from ..mapping import Mapping
from ..place import Placer
from ..program.loihi import build_program
from ..quantize.loihi import KIND, LoihiQuantizer
from ..report import MappingReport


def map_network(network, chip):
    allowed = allowed_steps(network)
    check_network(network, chip, KIND)
    quantizer = LoihiQuantizer(chip, network, allowed)
    cells = [p for p in network.populations if not p.is_source]
    sources = [p for p in network.populations if p.is_source]
    populations = {p.index: quantizer.population(
        p, [q for q in network.projections if q.post == p.index]) for p in cells}
    projections = [quantizer.projection(q, populations[q.post]) for q in network.projections]
    axon_offset, axons = {}, 0
    for p in cells + sources:
        axon_offset[p.index] = axons
        axons += p.size
    placement = Placer(chip, populations, projections,
                       lambda q: axon_offset[q.pre] + q.sources).place()
    program = build_program(populations, projections, placement, axon_offset, axons,
                            chip, network.seed)
    inputs = {p.index: host_input(p, network.timestep, network.seed) for p in sources}
    report = _report(chip, network, populations, projections, placement, inputs, allowed)
    return Mapping(chip, populations, projections, placement, program, inputs, report)


def _report(chip, network, populations, projections, placement, inputs, allowed):
    limits = {"compartments": "compartments_per_core", "input_axons": "input_axons_per_core",
              "output_axons": "output_axons_per_core", "synapse_bits": "synapse_bits_per_core"}
    report = MappingReport(chip.title, network.timestep)
    labels = {p.index: p.label for p in network.populations}
    for core in placement.cores:
        row = dict(core=core.index, chip=core.chip, population=labels[core.population],
                   neurons=f"{core.first}-{core.stop - 1}", synapses=core.synapses)
        for name, limit in limits.items():
            row[name] = getattr(core, name)
            row[f"{name}_share"] = getattr(core, name) / chip.limit(limit)
        report.cores.append(row)
    for index, q in populations.items():
        description = network.populations[index]
        report.populations.append(dict(
            label=q.label, celltype=description.celltype, size=q.size,
            compartments_per_neuron=q.compartments_per_neuron, v_unit_mV=q.v_unit,
            parameters=q.parameters, approximations=q.approximations))
    for q in projections:
        report.projections.append(dict(label=q.label, pre=labels[q.pre], post=labels[q.post],
                                       **q.errors))
        if q.learning_report is not None:
            report.projections[-1]["learning"] = q.learning_report
        for step, key in (("clip_weights", "clipped"), ("clip_delays", "delays_clipped")):
            if q.errors[key]:
                report.lossy_steps.append(f"{step}: {q.errors[key]} value(s) of projection "
                                          f"'{q.label}'")
    for index, source in inputs.items():
        report.inputs.append(dict(label=labels[index], note=source.note))
    return report


class Runner:
    """Runs a mapping's program on the emulator; results in PyNN's units."""

    def __init__(self, mapping):
        self.mapping = mapping
        self.emulator = LoihiEmulator(mapping.program)
        self._ahead = {}  # host input -> its spikes labelled with the next run's first tick

    def _host_spikes(self, index, source, first, stop):
        """A host input's spikes labelled first <= s < stop; with learning also those
        labelled stop, whose traces fall in this run's last tick. Each tick is asked of
        the source once (Poisson sources draw as they are asked)."""
        if not self.mapping.program.rules:
            return source.spikes(first, stop)
        held = self._ahead.pop(index, None)
        s, cells = source.spikes(first if held is None else first + 1, stop + 1)
        if held is not None:
            s, cells = np.concatenate([held[0], s]), np.concatenate([held[1], cells])
        self._ahead[index] = (s[s == stop], cells[s == stop])
        return s, cells

    @property
    def tick(self):
        return self.emulator.tick

    def run(self, ticks, recorded, sample_every):
        """`recorded`: population index -> sorted cells whose v is recorded. Returns
        {population: (cells, spike labels)}, {population: (sample ticks, v in mV)}."""
        program, mapping = self.mapping.program, self.mapping
        first = self.emulator.tick
        stop = first + ticks
        labels, axons = [], []
        for index, source in mapping.inputs.items():
            s, cells = self._host_spikes(index, source, first, stop)
            labels.append(s)
            axons.append(program.axon_offset[index] + cells)
        labels = np.concatenate(labels) if labels else np.zeros(0, np.int64)
        axons = np.concatenate(axons) if axons else np.zeros(0, np.int64)
        order = np.argsort(labels, kind="stable")
        labels, axons = labels[order], axons[order]
        record = np.concatenate([program.neuron_offset[p] + c for p, c in recorded.items()]) \
            if recorded else None
        k, neurons, samples = self.emulator.run(ticks, labels, axons,
                                                record, sample_every)
        spikes = {}
        for index in mapping.populations:
            start = program.neuron_offset[index]
            mine = (neurons >= start) & (neurons < start + mapping.populations[index].size)
            spikes[index] = (neurons[mine] - start, k[mine] + 1)
        for index in mapping.inputs:
            mine = (axons >= program.axon_offset[index]) & (labels < stop)
            mine &= axons < program.axon_offset[index] + mapping.inputs[index].size
            spikes[index] = (axons[mine] - program.axon_offset[index], labels[mine])
        signals, column = {}, 0
        sample_ticks = np.arange(first, first + ticks)
        sample_ticks = sample_ticks[sample_ticks % sample_every == 0]
        for index, cells in recorded.items():
            q = mapping.populations[index]
            v = samples[:, column:column + cells.size]
            signals[index] = (sample_ticks, q.v_origin[cells] + v * q.v_unit)
            column += cells.size
        mapping.report.counters = dict(self.emulator.counters)
        return spikes, signals

    def v_now(self, index, cells):
        q = self.mapping.populations[index]
        start = self.mapping.program.neuron_offset[index]
        return q.v_origin[cells] + self.emulator.v[start + cells] * q.v_unit

    @staticmethod
    def weights_of(mapping, projection_index):
        """The weights the chip's synapse memory holds (learned ones too), in PyNN units."""
        q = mapping.projections[projection_index]
        post = mapping.populations[q.post]
        weight = mapping.program.weight[mapping.program.synapse_index[projection_index]]
        return weight / post.input_per_unit[q.receptor][q.targets]

