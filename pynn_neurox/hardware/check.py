"""Check: what a chip cannot run is refused before anything runs, with a message that
names the chip, the limit, the population or projection and the value.

Lossy steps (clipping weights or delays to the chip's range) are taken only when the
user allows them, with setup(allow=[...]) or NEUROX_ALLOW=step,step; the report
counts every value they changed.
"""

import os

import numpy as np

from ..errors import ChipLimitError, MappingError, SetupError

# approximate: a form the chip lacks replaced by the nearest it has (TrueNorth: an
# exponential PSC as a one-tick current with its charge); each use is listed in the report
# prune_cams: DYNAP-SE2's fan-in beyond its CAM entries, the smallest weights' entries dropped
LOSSY_STEPS = ("clip_weights", "clip_delays", "approximate", "prune_cams")


def allowed_steps(network):
    """The lossy steps the user allowed (setup's `allow`, else NEUROX_ALLOW)."""
    value = network.options.get("allow")
    if value is None:
        value = os.environ.get("NEUROX_ALLOW", "")
    steps = set(value.split(",") if isinstance(value, str) else value) - {""}
    unknown = steps - set(LOSSY_STEPS)
    if unknown:
        raise SetupError(f"unknown lossy step(s) {sorted(unknown)} in allow=; the steps are "
                         + ", ".join(LOSSY_STEPS))
    return steps


def out_of_range(chip, what, where, values, low, high, step=None, allowed=(),
                 requested=None):
    """Raise ChipLimitError if any of `values` lies outside [low, high], unless the lossy
    `step` is allowed; returns the mask of values outside. `requested` (the user's values,
    in PyNN's units, where `values` are the chip's conversion of them) names the value the
    user gave beside the chip's."""
    values = np.asarray(values)
    outside = (values < low) | (values > high)
    if outside.any() and (step is None or step not in allowed):
        position = np.flatnonzero(outside)[np.argmax(np.abs(values[outside]))]
        asked = None if requested is None else \
            np.broadcast_to(requested, values.shape).flat[position]
        given = "" if asked is None or asked == values.flat[position] else f" (from {asked:g})"
        hint = f"; allow={step!r} clips such values" if step else ""
        raise ChipLimitError(
            f"{chip.title}: {what} of {where} is {values.flat[position]:g}{given}, outside "
            f"the chip's range [{low:g}, {high:g}] ({np.count_nonzero(outside)} value(s))"
            f"{hint}")
    return outside


def check_network(network, kind):
    """Refuse cell types, synapse types and current sources the kind lacks (what a cell
    type records, spikes and v, every kind records)."""
    chip_name = kind.chip.title
    accepts = kind.accepts
    for population in network.populations:
        types = accepts.cell_types + accepts.source_types
        if population.celltype not in types:
            raise MappingError(
                f"{chip_name} cannot run population '{population.label}': cell type "
                f"{population.celltype} does not map onto its {kind.name} neurons; it takes "
                + ", ".join(types))
    for projection in network.projections:
        synapse = projection.synapse.kind
        if synapse not in accepts.synapse_types:
            raise MappingError(
                f"{chip_name} cannot run projection '{projection.label}': synapse type "
                f"{synapse} is not mapped onto the chip; it takes "
                + ", ".join(accepts.synapse_types))
        if synapse == "STDPMechanism":
            _check_rule(projection, chip_name, accepts)
    for source in network.current_sources:
        if source.targets:
            raise MappingError(
                f"{chip_name} has no current injection: {source.kind} (current source "
                f"{source.index}) cannot be mapped; use the cells' i_offset for a constant "
                "current")


def _check_rule(projection, chip_name, accepts):
    """Refuse the STDP components the chip's learning engine cannot express, by name."""
    synapse = projection.synapse
    where = f"{chip_name} cannot run projection '{projection.label}'"
    for component, name, known in (
            ("timing dependence", synapse.timing_dependence, accepts.timing_dependences),
            ("weight dependence", synapse.weight_dependence, accepts.weight_dependences)):
        if name not in known:
            raise MappingError(
                f"{where}: STDP {component} {name} has no form in its learning rules; it "
                "takes " + ", ".join(known))
    if synapse.dendritic_delay_fraction != 1.0:
        raise MappingError(
            f"{where}: dendritic_delay_fraction = {synapse.dendritic_delay_fraction:g}; its "
            "traces see spikes when they are sent, as with the default 1.0 (the whole delay "
            "dendritic)")
