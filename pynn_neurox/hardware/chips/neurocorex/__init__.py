"""The NeuroCoreX kind: the ORNL FPGA board, one core of LIF neurons fed by host inputs,
with a recurrent path and its box-window STDP (docs/chips/neurocorex.md)."""

from dataclasses import dataclass, field

import numpy as np

from ....errors import ChipLimitError
from ...contract import Accepts, ChipKind, QuantizedNetwork, register_kind
from ...place import OneCore
from ...report import LearningRow
from .device import DEFAULT_TIMEOUT, SerialBoard, port_from
from .formats import NeuroCoreXFormats
from .native import NeuroCoreXNeuron
from .program import build_program
from .quantize import NeuroCoreXQuantizer
from .stream import StreamedBoard

# the values standard cells need of the board-wide settings
_STANDARD = {"ff_gain": 1, "leak": 0}


@dataclass
class BoardNetwork(QuantizedNetwork):
    """The quantized network and the settings that are one value for the whole board."""

    ff_gain: int = 1
    leak: int = 0
    learning: dict = field(default_factory=dict)  # the STDP bytes, when a path learns


@register_kind
class NeuroCoreXKind(ChipKind):
    name = "neurocorex"
    formats_class = NeuroCoreXFormats
    accepts = Accepts(
        cell_types=("IF_curr_delta", "NeuroCoreXNeuron"),
        synapse_types=("StaticSynapse", "STDPMechanism"),
        timing_dependences=("SpikePairRule",),
        weight_dependences=("AdditiveWeightDependence",))
    native_cell_types = (NeuroCoreXNeuron,)

    def quantize(self, network, allowed):
        quantizer = NeuroCoreXQuantizer(self, network, allowed)
        cells = [p for p in network.populations if not p.is_source]
        incoming = {p.index: [d for d in network.projections if d.post == p.index]
                    for p in cells}
        v_unit = quantizer.board_scale([p for p in cells if p.celltype != "NeuroCoreXNeuron"],
                                       incoming)
        populations = {p.index: quantizer.neurons(p, v_unit, incoming[p.index]) for p in cells}
        settings = self._board_wide(cells)
        projections, rule = [], None
        for description in network.projections:
            post = populations[description.post]
            plastic = description.synapse.kind == "STDPMechanism"
            if plastic:
                values, rows, notes = quantizer.learning(description)
                if rule is not None and rule != values:
                    raise ChipLimitError(
                        f"{self.chip.title}: the learning rule is one for the whole board; "
                        f"projection '{description.label}' asks for {values}, another for "
                        f"{rule}")
                rule = values
            recurrent = description.pre in populations
            if recurrent:
                quantizer.refuse_recurrent(description, populations[description.pre], post)
            q = quantizer.projection(description, post)
            if plastic:
                q.learning_report = LearningRow(rule="the board's box-window pair rule",
                                                integers=values, parameters=rows,
                                                approximations=notes)
            if recurrent:
                late = q.delay[q.delay != 1]
                if late.size:
                    raise ChipLimitError(
                        f"{self.chip.title}: projection '{description.label}' has a delay of "
                        f"{late[0] * network.timestep:g} ms; the board has no programmable "
                        "delays: a recurrent spike acts in the next tick (delay = one time "
                        "step)")
            projections.append(q)
        return BoardNetwork(populations, projections, learning=rule or {}, **settings)

    def _board_wide(self, cells):
        """The FF gain and the leak: one value each for the whole board."""
        native = [p for p in cells if p.celltype == "NeuroCoreXNeuron"]
        values = {}
        for name, standard in _STANDARD.items():
            found = {float(v) for p in native for v in np.ravel(p.parameters[name])}
            if len(cells) > len(native):
                found.add(standard)
            if len(found) > 1:
                raise ChipLimitError(
                    f"{self.chip.title}: {name} is one value for the whole board; the "
                    f"populations ask for {sorted(found)} (standard cells need {name} = "
                    f"{standard})")
            values[name] = int(found.pop()) if found else standard
        return values

    def allocate(self, network, quantized):
        return OneCore(self.chip, self.formats, network, quantized).place()

    def build_program(self, network, quantized, placement):
        return build_program(self.chip, self.formats, network, quantized)

    def emulator(self, program, seed):
        return StreamedBoard(program, self.formats)

    def device(self, program, options):
        """The board on a serial port: setup(port=...) or NEUROX_PORT; `link_timeout`
        (s) is how long a silent board is waited for (device.SerialBoard)."""
        return SerialBoard(program, self.formats, self.chip, port_from(options),
                           float(options.get("link_timeout", DEFAULT_TIMEOUT)))

    def report_notes(self, quantized):
        return ["host inputs are played as the board's input stream, one release per tick "
                "(collisions are serialised; the emulator's events count them)"]

    def report_warnings(self, counters):
        """Every wrap the emulator counted: the board's registers wrap instead of
        saturating, and what follows a wrap is not the model's behaviour."""
        wraps = [(name, counters.get(name, 0), what) for name, what in _WRAPS]
        return [f"{count} {what} ({name}): {_WRAP_ADVICE[name]}"
                for name, count, what in wraps if count]


_WRAPS = (("membrane_wraps", "membrane updates wrapped round 18 bits"),
          ("current_wraps", "lateral-current sums wrapped round 18 bits"),
          ("weight_gain_wraps", "weight x gain products lost their high bits"),
          ("stdp_clamp_wraps", "learning steps wrapped through the 8-bit clamp"))
_WRAP_ADVICE = {
    "membrane_wraps": "a V driven below -128 units wraps to the top and the cell fires "
                      "(IF_curr_delta has no leak on the board, so sustained inhibition "
                      "winds V down until it does); spikes after a wrap are not the "
                      "model's. docs/chips/neurocorex.md, 'Wraps', says how to avoid it",
    "current_wraps": "the shared lateral current overflowed; spikes after it are not the "
                     "model's",
    "weight_gain_wraps": "an input arrived as w x gain modulo 128; keep |w x gain| <= 127",
    "stdp_clamp_wraps": "a learned weight passed 127 and came back as -128 (or -128 - 1 "
                        "as 127)",
}
