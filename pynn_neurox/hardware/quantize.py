"""What every chip's quantizer shares: the result records and the error measures."""

from dataclasses import dataclass, field

import numpy as np

from ..errors import MappingError


@dataclass
class QuantizedProjection:
    """One projection's synapses in the chip's integers, with what quantization cost.

    `weight` holds the values the chip adds to the target's input (its own integer
    units); `delay` whole ticks.
    """

    index: int
    label: str
    pre: int
    post: int
    sources: np.ndarray
    targets: np.ndarray
    channel: int
    weight: np.ndarray
    delay: np.ndarray
    # per synapse, the chip units one PyNN weight unit makes (read-back: weight / this)
    chip_per_pynn: np.ndarray
    receptor: str = None
    exponent: int = 0
    errors: dict = field(default_factory=dict)  # weight_errors() and the delays' counts
    learning: object = None  # the kind's learning rule, for a plastic projection
    mantissa: np.ndarray = None  # a plastic projection's weight mantissas (they learn)
    learning_report: object = None  # report.LearningRow


class Quantizer:
    """What every kind's quantizer holds: the chip, its formats, the network, the lossy
    steps the user allowed, the tick, and the report's lines for the lossy steps it took
    (QuantizedNetwork.lossy_steps)."""

    def __init__(self, kind, network, allowed):
        self.chip = kind.chip
        self.formats = kind.formats
        self.network = network
        self.allowed = allowed
        self.dt = network.timestep
        self.lossy = []


def weight_errors(requested, achieved, clipped):
    """The report's weight-quantization figures (hardware_facts.md §8.2, item 4).

    Both arrays are in the same units; `clipped` marks the values that were clipped.
    """
    requested = np.asarray(requested, float)
    achieved = np.asarray(achieved, float)
    norm = np.linalg.norm(requested)
    difference = achieved - requested
    return {
        "synapses": int(requested.size),
        "relative_error": float(np.linalg.norm(difference) / norm) if norm > 0 else 0.0,
        "max_abs_error": float(np.abs(difference).max()) if requested.size else 0.0,
        "clipped": int(np.count_nonzero(clipped)),
        "rounded_to_zero": int(np.count_nonzero((achieved == 0) & (requested != 0))),
    }


def uniform_rule_parameters(description, names, where, scope):
    """One value per STDP parameter in `names`: a chip whose learning engine holds one rule
    for a whole group of synapses (`scope` says which) refuses values that differ."""
    values = {}
    for group in (description.synapse.timing_parameters, description.synapse.weight_parameters):
        for name in names & set(group):
            v = np.unique(np.asarray(group[name], float))
            if v.size > 1:
                raise MappingError(
                    f"{where}: {name} differs between connections ({v.min():g} to "
                    f"{v.max():g}); {scope}")
            values[name] = float(v[0]) if v.size else 0.0
    return values
