"""The mapping report: what the chip holds, what quantization cost, what is approximated.

Rows are typed records, read by the text report here and by the comparison's HTML report
(from `as_dict()`, through `MappingReport.from_dict`); the emulator's event counts
(wraps, clipping, serialised inputs) are the runner's and join the report when it is read,
with the warnings the kind draws from them (`warnings`: results not to be taken at face
value, such as a membrane that wrapped), which both reports show first.
"""

from dataclasses import asdict, dataclass, field, fields
from typing import Optional


@dataclass
class Usage:
    """One per-core limit: how much a core uses of it."""

    name: str
    used: int
    limit: int

    @property
    def share(self) -> float:
        return self.used / self.limit if self.limit else 0.0


@dataclass
class CoreRow:
    core: int
    chip: int
    population: str
    neurons: str  # "first-last" of the population's cells on the core
    synapses: int
    usage: list  # Usage, one per limit the allocator checks


@dataclass
class ParameterRow:
    """A parameter as requested and as the chip has it."""

    name: str
    unit: str
    requested: float
    effective: float
    max_relative_error: float


@dataclass
class PopulationRow:
    label: str
    celltype: str
    size: int
    v_unit_mV: float
    compartments_per_neuron: int
    parameters: list  # ParameterRow
    approximations: list  # str


@dataclass
class LearningRow:
    """A plastic projection's rule in the chip's integers."""

    rule: str
    integers: dict
    parameters: list  # ParameterRow
    approximations: list  # str
    epoch_ticks: Optional[int] = None


@dataclass
class ProjectionRow:
    label: str
    pre: str
    post: str
    synapses: int
    relative_error: float
    max_abs_error: float
    clipped: int
    rounded_to_zero: int
    delays_off_grid: int
    delays_clipped: int = 0
    weight_exponent: int = 0
    learning: Optional[LearningRow] = None


@dataclass
class InputRow:
    label: str
    note: str


_ROW_TYPES = {"cores": CoreRow, "populations": PopulationRow, "projections": ProjectionRow,
              "inputs": InputRow}


@dataclass
class MappingReport:
    chip: str
    tick_ms: float
    cores: list = field(default_factory=list)  # CoreRow
    populations: list = field(default_factory=list)  # PopulationRow
    projections: list = field(default_factory=list)  # ProjectionRow
    inputs: list = field(default_factory=list)  # InputRow
    lossy_steps: list = field(default_factory=list)  # steps the user allowed that changed values
    notes: list = field(default_factory=list)  # the kind's board-wide notes
    counters: dict = field(default_factory=dict)  # the emulator's events
    warnings: list = field(default_factory=list)  # correctness warnings drawn from them

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "MappingReport":
        """The report written by as_dict() (report.json), with its typed rows."""
        values = dict(data)
        for name, row_type in _ROW_TYPES.items():
            values[name] = [_row(row_type, row) for row in data.get(name, [])]
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})

    def largest_shares(self) -> dict:
        """Per limit, the largest share any core uses."""
        shares = {}
        for core in self.cores:
            for usage in core.usage:
                shares[usage.name] = max(shares.get(usage.name, 0.0), usage.share)
        return shares

    def __str__(self) -> str:
        lines = [f"Mapping onto {self.chip}, one tick = {self.tick_ms:g} ms"]
        lines.extend(f"WARNING: {warning}" for warning in self.warnings)
        if self.cores:
            chips = max(c.chip for c in self.cores) + 1
            lines.append(f"\n{len(self.cores)} core(s) on {chips} chip(s)")
            names = [u.name for u in self.cores[0].usage]
            lines.append("  core chip population          neurons   " + "  ".join(names))
            for c in self.cores:
                lines.append(f"  {c.core:4d} {c.chip:4d} {c.population[:20]:20s} "
                             f"{c.neurons:>9s}   "
                             + "  ".join(f"{100 * u.share:{len(u.name)}.0f}%" for u in c.usage))
        for p in self.populations:
            lines.append(f"\npopulation '{p.label}' ({p.celltype}, {p.size} cells)")
            lines.extend(_parameter_lines(p.parameters, "max relative error"))
            lines.extend(f"  ~ {note}" for note in p.approximations)
        if self.projections:
            lines.append("\nprojection (pre -> post)           synapses  weight error  "
                         "max abs error  clipped  to zero  delays off grid")
            for p in self.projections:
                name = f"{p.label} ({p.pre} -> {p.post})"
                lines.append(f"  {name[:32]:32s} {p.synapses:9d}  "
                             f"{p.relative_error:11.3%}  {p.max_abs_error:13.4g}  "
                             f"{p.clipped:7d}  {p.rounded_to_zero:7d}  "
                             f"{p.delays_off_grid:15d}")
        for p in self.projections:
            if p.learning is not None:
                lines.extend(_learning_lines(p.label, p.learning))
        for i in self.inputs:
            lines.append(f"\nhost input '{i.label}': {i.note}")
        for note in self.notes:
            lines.append(f"\n{note}")
        for step in self.lossy_steps:
            lines.append(f"\nlossy step taken (allowed): {step}")
        if self.counters:
            lines.append("\nemulator events: " + ", ".join(f"{k} {v}"
                                                          for k, v in self.counters.items()))
        return "\n".join(lines)


def _row(row_type, data):
    if not isinstance(data, dict):
        return data
    values = dict(data)
    if row_type is CoreRow:
        values["usage"] = [_row(Usage, u) for u in values["usage"]]
    if row_type in (PopulationRow, LearningRow):
        values["parameters"] = [_row(ParameterRow, p) for p in values["parameters"]]
    if row_type is ProjectionRow and values.get("learning") is not None:
        values["learning"] = _row(LearningRow, values["learning"])
    return row_type(**values)


def _parameter_lines(rows, error_name):
    return [f"  {row.name:24s} requested {row.requested:10.4g} "
            f"effective {row.effective:10.4g} {row.unit:8s} "
            f"({error_name} {row.max_relative_error:.2%})" for row in rows]


def _learning_lines(label, learning):
    lines = [f"\nplastic projection '{label}': {learning.rule}"
             + (f", weights change every {learning.epoch_ticks} ticks"
                if learning.epoch_ticks else ""),
             "  " + ", ".join(f"{k} {v}" for k, v in learning.integers.items())]
    lines.extend(_parameter_lines(learning.parameters, "relative error"))
    lines.extend(f"  ~ {note}" for note in learning.approximations)
    return lines
