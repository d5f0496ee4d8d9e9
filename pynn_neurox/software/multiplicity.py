"""Several spikes of one cell in one step (multiplicity), which a Brian2 cell cannot emit.

NEST's poisson_generator draws a Poisson count per step and sends it as one spike with
that multiplicity (pyNN.nest's parrot neurons pass it on and record each spike); its
spike_generator does the same for spike times that fall into one step. A target then
receives multiplicity x the weight, and a plastic synapse updates once (stdp_synapse and
tsodyks_synapse send their efficacy, which the target multiplies).

Here such a source is a NeuronGroup that fires in a step when its count for the step,
n_spikes, is above zero. The counts are drawn on the host (numpy), a chunk of steps
ahead, into a ring of rows, one per step, that Brian2's code reads through a Function
(CountRing). A Synapses from the group transmits count x its efficacy, the count of the
step its spike was emitted in (the step now less its delay), which the ring still holds:
every synapse type updates once and sends count x what it sends for one spike. There is no cap
on the count, and nothing per step beyond reading the ring: a NetworkOperation on a clock
of CHUNK steps refills every ring (one numpy draw per population and chunk).
"""

import itertools

import numpy as np

from ..resources import check_allocation

COUNT = "n_spikes"
_FUNCTION = "spike_count"  # the ring's Brian2 Function, in its group's and synapses' namespace
DELAY_STEPS = "delay_steps"  # a counting source's synapse: its Brian2 delay in steps

# steps drawn at a time (a Brian2 NetworkOperation costs ~25 us, run once per chunk)
CHUNK = 100

# a counting group's equation: its count in this step (a subexpression: its threshold and
# its SpikeMonitor read the ring, nothing runs for it)
COUNT_NOW = f"{COUNT} = {_FUNCTION}(t_in_timesteps, i) : integer\n"

_names = itertools.count()


def counted(effect: str) -> str:
    """A receptor's on_pre effect sending the count of the delivered spike's step times
    the weight (the synapse's efficacy, which synapse types put in place of w_syn)."""
    sent = f"{_FUNCTION}(t_in_timesteps - {DELAY_STEPS}, i)"
    return effect.replace("w_syn", f"(w_syn*{sent})")


class PoissonCounts:
    """A SpikeSourcePoisson population's counts: Poisson(rate dt) per cell and step inside
    [start, start + duration) (the step's start time, as Brian2's t), from its own
    generator (rng_seed and the population's index).

    Drawn as a Poisson process: each cell's number of spikes in its active steps of a
    chunk, then each spike's step uniformly among them, which gives independent Poisson
    counts per step (exactly) at the cost of one draw per cell and spike, not per step.
    """

    def __init__(self, description, dt, seed):
        self.description = description
        self.dt = dt
        self.rng = np.random.default_rng(
            np.random.SeedSequence([0 if seed is None else seed, description.index]))

    def counts(self, first: int, stop: int) -> np.ndarray:
        p = self.description.parameters
        size = self.description.size
        start = np.asarray(p["start"], float) * np.ones(size)
        end = start + np.asarray(p["duration"], float)
        # the steps whose start time lies in [start, end): [low, high) within the chunk
        low = np.clip(np.ceil(start / self.dt - 1e-9), first, stop).astype(np.int64)
        high = np.clip(np.ceil(end / self.dt - 1e-9), first, stop).astype(np.int64)
        active = np.maximum(high - low, 0)
        totals = self.rng.poisson(np.asarray(p["rate"], float) * self.dt / 1000.0 * active)
        cells = np.repeat(np.arange(size), totals)
        steps = low[cells] + (self.rng.random(cells.size) * active[cells]).astype(np.int64)
        return np.bincount((steps - first) * size + cells,
                           minlength=(stop - first) * size).reshape(stop - first, size)


class ScheduledCounts:
    """A spike array's counts from its spikes (cells, steps), repeated ones included."""

    def __init__(self, size, cells, steps):
        self.size = size
        self.schedule(cells, steps)

    def schedule(self, cells, steps):
        order = np.argsort(steps, kind="stable")
        self.cells, self.steps = np.asarray(cells)[order], np.asarray(steps)[order]

    def counts(self, first: int, stop: int) -> np.ndarray:
        a, b = np.searchsorted(self.steps, [first, stop])
        flat = (self.steps[a:b] - first) * self.size + self.cells[a:b]
        return np.bincount(flat, minlength=(stop - first) * self.size).reshape(
            stop - first, self.size)


class CountRing:
    """One counting group's counts, a row per step, which its group and the Synapses from
    it read through a Brian2 Function (in their shared `namespace`), count(step, cell).
    Rows hold up to a chunk of steps ahead and `reach` steps back, the longest delay of a
    spike in transit."""

    def __init__(self, b2, size: int):
        self.size = size
        self.sources = []  # (first column, counts source)
        self.filled = 0  # rows hold the counts of the steps before this one
        self.reach = 1
        self.table = np.zeros((CHUNK + self.reach + 1, size), np.int32)
        self.namespace = {_FUNCTION: self._function(b2)}

    def _function(self, b2):
        """count(step, cell) as a Brian2 Function: numpy indexing, and Cython code that
        reads the table (its rows and the array as they are when code is generated)."""
        name = f"{_FUNCTION}_{next(_names)}"

        def count(step, cell):
            return self.table[step % len(self.table), cell]

        function = b2.Function(count, arg_units=[1, 1], return_unit=1,
                               arg_types=["integer", "integer"], return_type="integer",
                               stateless=True)
        function.implementations.add_dynamic_implementation(
            "cython", code=lambda owner: (
                f"cdef int {name}(const int step, const int cell):\n"
                f"    global _namespace{name}_values\n"
                f"    return _namespace{name}_values[(step % {len(self.table)})"
                f" * {self.size} + cell]\n"),
            namespace=lambda owner: {f"{name}_values": self.table.ravel()}, name=name)
        return function

    @property
    def rows(self) -> int:
        return len(self.table)

    def add(self, first_column: int, source) -> None:
        self.sources.append((first_column, source))

    def reserve(self, delay_steps: int, what: str) -> bool:
        """Keep `delay_steps` steps back (for `what`, named if that needs more memory than
        the machine has); True when the rows had to grow (a Brian2 run under way must end:
        its code holds the old table)."""
        rows = CHUNK + max(self.reach, int(delay_steps)) + 1
        if rows <= self.rows:
            return False
        check_allocation(what, rows, "steps of spike counts", self.size * self.table.itemsize)
        self.reach = max(self.reach, int(delay_steps))
        table = np.zeros((rows, self.size), np.int32)
        steps = np.arange(max(0, self.filled - self.rows), self.filled)
        table[steps % rows] = self.table[steps % self.rows]  # the steps still in transit
        self.table = table
        return True

    def redraw(self, step: int) -> None:
        """Draw again from `step` on (parameters or spikes changed), to its chunk's end."""
        self.filled = min(self.filled, step)
        self.fill(next_chunk(step))

    def fill(self, stop: int) -> None:
        """Draw the steps before `stop` that have no row yet."""
        if stop <= self.filled:
            return
        first = self.filled
        rows = np.arange(first, stop) % self.rows
        for column, source in self.sources:
            counts = source.counts(first, stop)
            self.table[rows, column:column + counts.shape[1]] = counts
        self.filled = stop


def next_chunk(step: int) -> int:
    """The first step of the chunk after `step`'s: counts are drawn up to there."""
    return (step // CHUNK + 1) * CHUNK
