"""A mapping: the network description checked, quantized and placed on one chip, with
the program it makes and the report that says what it cost."""

from dataclasses import dataclass


@dataclass
class Mapping:
    chip: object  # ChipDescription
    populations: dict  # population index -> the kind's quantized population (on-chip cells)
    projections: list  # QuantizedProjection
    placement: object
    program: object
    inputs: dict  # population index -> host input (spike sources)
    report: object  # MappingReport
