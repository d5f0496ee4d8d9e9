"""The chip-kind contract: what a kind of chip supplies, and the registry of kinds.

As with Brian2's `Device`, a kind is an abstract base's documented methods filled in. A
kind (a package hardware/chips/<kind>/) supplies its formats, its quantizer, its program
builder, its emulator and its native cell types; the shared stages do the rest for every
kind: the structural check (check.py), placement (an allocator from place.py, or the
kind's own), host inputs (host.py), the run loop, the splitting of spikes and samples
into populations and the read-back of weights (target.py), and the report (report.py).

A kind registers itself with `@register_kind`; the packages under hardware/chips/ are
imported when the registry is first asked, so a new kind is a new folder.
"""

import importlib
import pkgutil
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar, Optional

import numpy as np

from ..description import NetworkDescription
from ..errors import SetupError
from .chip import ChipDescription, ChipFormats
from .quantize import QuantizedProjection


@dataclass(frozen=True)
class Accepts:
    """What a kind maps: the PyNN cell, source and synapse types, and for STDPMechanism
    the rule components its learning engine expresses."""

    cell_types: tuple
    source_types: tuple = ("SpikeSourceArray", "SpikeSourcePoisson")
    synapse_types: tuple = ("StaticSynapse",)
    timing_dependences: tuple = ()
    weight_dependences: tuple = ()


@dataclass
class QuantizedCells:
    """One population's cells in a kind's integers. A kind's own record subclasses it;
    what the shared stages read is here: v in mV is v_origin + raw / raw_per_unit * v_unit."""

    index: int
    label: str
    size: int
    v_origin: np.ndarray  # mV at raw v = 0, per cell
    v_unit: float  # mV per unit of v (1 for a native type: v in the chip's units)
    raw_per_unit: int = 1  # raw counts per unit of v (a fixed-point v's 1.0)
    native: bool = False
    parameters: list = field(default_factory=list)  # report.ParameterRow
    approximations: list = field(default_factory=list)
    compartments_per_neuron: int = 1

    def mV(self, cells: np.ndarray, raw: np.ndarray) -> np.ndarray:
        """Raw v of `cells` (one column each) in mV."""
        if self.native:
            return raw.astype(float)
        return self.v_origin[cells] + raw / self.raw_per_unit * self.v_unit


@dataclass
class QuantizedNetwork:
    """A network description in a kind's integers."""

    populations: dict  # population index -> QuantizedCells (on-chip cells, in order)
    projections: list  # QuantizedProjection, in the description's order
    # lossy steps the kind took beyond clipping (the user allowed them): one line each
    lossy_steps: list = field(default_factory=list)


@dataclass
class PartialRun:
    """What a run received before a fault (a device's link failing): its first `ticks`
    ticks, complete, and the spikes in them, as `ChipEmulator.run` returns them."""

    ticks: int
    spike_ticks: np.ndarray
    neurons: np.ndarray


class ChipEmulator(ABC):
    """A kind's tick-exact engine for one program; it holds every run-time state (the
    mapping and the program are never written to). A chip itself behind a link (a
    kind's `device`) is a second implementation for the same program.

    `run` takes the host inputs' spikes as labels (a spike at time s dt has label s) and
    input numbers (the program's `input_offset[population] + cell`), sorted by label; the
    shared runner hands each spike over once it is due within `input_lookahead` ticks
    after the run, and again in the run where its label falls if it was handed early.
    A run that fails part way raises an error whose `partial` is a PartialRun, with
    `tick` advanced over the ticks it covers: the runner records those, then re-raises.
    """

    tick: int
    input_lookahead: int = 0

    @property
    @abstractmethod
    def counters(self) -> dict:
        """The chip's own events since loading (wraps, clipping, serialised inputs)."""

    @abstractmethod
    def run(self, ticks: int, labels: np.ndarray, inputs: np.ndarray,
            record: Optional[np.ndarray], sample_every: int):
        """Advance `ticks` ticks. Returns (spike ticks, spiking neurons, samples): the raw
        v of the neurons `record`, one row per tick k with k % sample_every == 0, taken at
        the start of tick k (None when nothing is recorded)."""

    @abstractmethod
    def v(self, neurons: np.ndarray) -> np.ndarray:
        """Raw v of `neurons` now."""

    @abstractmethod
    def weights(self, projection: QuantizedProjection) -> np.ndarray:
        """The chip integers a projection's synapses hold now (learned ones too), in the
        projection's own order."""


class ChipKind(ABC):
    """A kind of chip: one neuron update, one number system, one program format.

    A subclass sets `name` (the kind a description names), `formats_class`, `accepts`
    and `native_cell_types`, and supplies `quantize`, `build_program` and `emulator`;
    `allocate` places the quantized network, and `report_notes` adds the kind's own
    lines to the report.
    """

    name: ClassVar[str]
    formats_class: ClassVar[type]
    accepts: ClassVar[Accepts]
    native_cell_types: ClassVar[tuple] = ()

    def __init__(self, chip: ChipDescription):
        self.chip = chip
        self.formats: ChipFormats = self.formats_class.from_description(chip)

    @abstractmethod
    def quantize(self, network: NetworkDescription, allowed: set) -> QuantizedNetwork:
        """The on-chip populations and every projection in the chip's integers, with the
        report rows of what quantization cost; refusals raise ChipLimitError or
        MappingError naming chip, limit, object and value."""

    @abstractmethod
    def allocate(self, network: NetworkDescription, quantized: QuantizedNetwork):
        """A place.Placement of the quantized network within the chip's limits."""

    @abstractmethod
    def build_program(self, network: NetworkDescription, quantized: QuantizedNetwork,
                      placement):
        """The integers the chip is loaded with. The program has `neuron_offset`
        (population index -> its first neuron) and `input_offset` (spike source's
        population index -> its first input)."""

    @abstractmethod
    def emulator(self, program, seed: Optional[int]) -> ChipEmulator:
        """A fresh emulator of `program` (seed: of the chip's own random numbers)."""

    def device(self, program, options: dict) -> ChipEmulator:
        """The chip itself, loaded with `program`, behind the link its description's
        "link" section describes (the target `<chip>-board`); `options` are setup()'s
        extra arguments (the port, say). A kind without a driver refuses."""
        raise SetupError(f"{self.chip.title}: the {self.name} kind has no driver for a "
                         "physical chip")

    def report_notes(self, quantized: QuantizedNetwork) -> list:
        """Lines the kind adds to the report's notes (board-wide settings, say)."""
        return []

    def report_warnings(self, counters: dict) -> list:
        """Correctness warnings the chip's events so far call for (a register that
        wrapped, say): results a user must not take at face value."""
        return []


_KINDS: dict = {}


def register_kind(cls: type) -> type:
    """Class decorator: make a ChipKind subclass known under its `name`."""
    if cls.name in _KINDS and _KINDS[cls.name] is not cls:
        raise SetupError(f"two chip kinds are called {cls.name!r}")
    _KINDS[cls.name] = cls
    return cls


def _discover() -> None:
    from . import chips
    for module in pkgutil.iter_modules(chips.__path__):
        importlib.import_module(f"{chips.__name__}.{module.name}")


def kind_names() -> list:
    _discover()
    return sorted(_KINDS)


def kind_for(chip: ChipDescription) -> ChipKind:
    """The kind a description names, bound to that description."""
    _discover()
    try:
        cls = _KINDS[chip.kind]
    except KeyError:
        raise SetupError(f"the {chip.name} chip description names the kind {chip.kind!r}; "
                         "the kinds are: " + ", ".join(sorted(_KINDS))) from None
    return cls(chip)


def native_cell_types() -> list:
    """Every registered kind's native cell types."""
    _discover()
    return [t for cls in _KINDS.values() for t in cls.native_cell_types]
