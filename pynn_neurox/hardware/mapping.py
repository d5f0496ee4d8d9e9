"""A mapping: the network description checked, quantized and placed on one chip, with
the program it makes and the report that says what it cost. The same stages in the same
order for every kind; the kind fills in quantize, allocate and build_program."""

from dataclasses import dataclass

from ..description import NetworkDescription
from .check import allowed_steps, check_network
from .chip import ChipDescription
from .contract import ChipKind, QuantizedNetwork
from .host import host_input
from .report import InputRow, MappingReport, PopulationRow, ProjectionRow


@dataclass(frozen=True)
class Mapping:
    chip: ChipDescription
    populations: dict  # population index -> the kind's QuantizedCells (on-chip cells)
    projections: list  # QuantizedProjection
    placement: object  # place.Placement
    program: object  # the kind's program
    inputs: dict  # population index -> host input (spike sources)
    report: MappingReport  # as mapped: the emulator's counters join it when read


def map_network(network: NetworkDescription, kind: ChipKind) -> Mapping:
    """check → quantize → place → program, and the report."""
    allowed = allowed_steps(network)
    check_network(network, kind)
    quantized = kind.quantize(network, allowed)
    placement = kind.allocate(network, quantized)
    program = kind.build_program(network, quantized, placement)
    inputs = {p.index: host_input(p, network.timestep, network.seed)
              for p in network.populations if p.is_source}
    report = _report(kind, network, quantized, placement, inputs)
    return Mapping(kind.chip, quantized.populations, quantized.projections, placement,
                   program, inputs, report)


def _report(kind: ChipKind, network: NetworkDescription, quantized: QuantizedNetwork,
            placement, inputs) -> MappingReport:
    report = MappingReport(kind.chip.title, network.timestep, cores=list(placement.rows),
                           notes=kind.report_notes(quantized))
    labels = {p.index: p.label for p in network.populations}
    for index, q in quantized.populations.items():
        report.populations.append(PopulationRow(
            label=q.label, celltype=network.populations[index].celltype, size=q.size,
            v_unit_mV=q.v_unit, compartments_per_neuron=q.compartments_per_neuron,
            parameters=q.parameters, approximations=q.approximations))
    for q in quantized.projections:
        report.projections.append(ProjectionRow(label=q.label, pre=labels[q.pre],
                                                post=labels[q.post], learning=q.learning_report,
                                                **q.errors))
        for step, key in (("clip_weights", "clipped"), ("clip_delays", "delays_clipped")):
            if q.errors.get(key):
                report.lossy_steps.append(f"{step}: {q.errors[key]} value(s) of projection "
                                          f"'{q.label}'")
    report.lossy_steps.extend(quantized.lossy_steps)
    for index, source in inputs.items():
        report.inputs.append(InputRow(label=labels[index], note=source.note))
    return report
