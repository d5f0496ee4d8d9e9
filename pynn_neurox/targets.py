"""Where a model runs: what every target supplies (`Target`), and the registry of target
names (Brian2, one per chip description, and `<chip>-board` for a chip whose description
has a "link" section: the chip itself over that link)."""

from abc import ABC, abstractmethod
from typing import Callable, Optional

import numpy as np

from .description import NetworkDescription
from .errors import SetupError
from .hardware.chip import chip_names, load_chip
from .recorded import Recordings
from .timegrid import sampling_steps, step_ms

DEFAULT_TARGET = "brian2"
BOARD_SUFFIX = "-board"


class Target(ABC):
    """A target runs a network description and keeps what it records, one store per
    population; the PyNN layer reads recorded data only through the methods here.

    A target supplies the run (`run_until`), the steps done (`step`), the dropping of
    its simulated state (`_release`), the state of a cell now (`_live_values`) and the
    values of connections (`connection_values`).
    """

    name: str

    def __init__(self, network: NetworkDescription):
        self.network = network
        self.closed = False
        self.recordings: dict = {}  # population index -> Recordings

    @property
    def dt(self) -> float:
        return self.network.timestep

    @property
    @abstractmethod
    def step(self) -> int:
        """Steps run since time zero."""

    @property
    def now(self) -> float:
        """The time (ms) of the steps run, as NEST gives it: get_current_time() and the
        time callbacks get, equal to the steps done on every path."""
        return float(step_ms(self.step, self.dt))

    @abstractmethod
    def run_until(self, t_stop: float, callbacks=(),
                  on_time: Optional[Callable[[float], None]] = None) -> None:
        """Run to `t_stop` (ms), calling each callback (given the time, it returns the next
        time it wants) when due; `on_time` is told the time whenever a callback may run."""

    @abstractmethod
    def _release(self) -> None:
        """Drop the simulated state, so that the next run starts from the description."""

    @abstractmethod
    def connection_values(self, projection_index: int, name: str) -> Optional[np.ndarray]:
        """The target's values of a connection attribute, or None where the description
        holds them."""

    def _live_values(self, population_index: int, variable: str,
                     indices: np.ndarray) -> Optional[np.ndarray]:
        """`variable` of the cells `indices` now, or None where nothing runs."""
        return None

    def _stored(self, population_index: int) -> Optional[Recordings]:
        """The population's recorded data so far."""
        return self.recordings.get(population_index)

    def reset(self) -> None:
        """Back to time zero: the simulated state and the recorded data are dropped."""
        self._release()
        self.recordings = {}

    def close(self) -> None:
        """Release the simulated state; what was recorded stays readable (end()), with the
        sample due now, which only the simulated state held."""
        for population in self.network.populations:
            for variable, indices in population.recorded.items():
                if variable != "spikes":
                    self._keep_sample_due(population.index, variable, indices)
        self._release()
        self.closed = True

    def _keep_sample_due(self, population_index: int, variable: str, indices) -> None:
        """Move the value now into the store, when a sample is due now."""
        description = self.network.populations[population_index]
        if self.step % sampling_steps(description.sampling_interval or self.dt, self.dt):
            return
        indices = np.asarray(indices, int)
        live = self._live_values(population_index, variable, indices)
        if live is not None:
            store = self.recordings.setdefault(population_index, Recordings())
            store.add_samples(variable, indices, live[np.newaxis, :],
                              np.array([self.step * self.dt]))

    # --- what the PyNN layer reads ---------------------------------------------

    def spikes(self, population_index: int):
        """(cells, times in ms) of the population's recorded spikes."""
        store = self._stored(population_index)
        if store is None:
            return np.array([], dtype=int), np.array([])
        return store.spikes()

    def signals(self, population_index: int, variable: str, indices) -> np.ndarray:
        """Samples x len(indices) of `variable`, with the value now when a sample is due."""
        store = self._stored(population_index)
        samples = store.samples(variable, indices) if store else np.zeros((0, len(indices)))
        description = self.network.populations[population_index]
        every = sampling_steps(description.sampling_interval or self.dt, self.dt)
        if self.step % every == 0:
            live = self._live_values(population_index, variable, np.asarray(indices, int))
            if live is not None:
                samples = np.vstack([samples, live[np.newaxis, :]])
        return samples

    def clear_recordings(self, population_index: int) -> None:
        self.recordings[population_index] = Recordings(start=self.step * self.dt)


def board_targets() -> dict:
    """`<chip>-board` -> chip, for each chip whose description has a "link" section: the
    physical chip over that link, with the same kind, mapping and program as the
    emulated `<chip>` (docs/chips/neurocorex_board.md)."""
    return {name + BOARD_SUFFIX: name for name in chip_names()
            if load_chip(name).section("link")}


def target_names() -> list:
    """Brian2, one target per chip description (chip.chip_names), and the boards."""
    return sorted([DEFAULT_TARGET] + chip_names() + list(board_targets()))


def create_target(name: str, network: NetworkDescription) -> Target:
    """The target called `name`, bound to `network`; unknown names list the known ones."""
    if name == DEFAULT_TARGET:
        from .software import Brian2Target
        return Brian2Target(network)
    boards = board_targets()
    if name not in chip_names() and name not in boards:
        raise SetupError(f"unknown target '{name}'; the targets are: "
                         + ", ".join(target_names()))
    from .hardware.target import HardwareTarget
    if name in boards:
        return HardwareTarget(network, boards[name], board=True)
    return HardwareTarget(network, name)
