"""Memory a model will need, estimated before anything is allocated and set against what
the machine has: a population or projection too large for it is refused at once, by name,
instead of grinding until the memory runs out and failing with an empty MemoryError.

The figures are measured peaks of this backend (tests/test_bad_input.py's sizes are far
below them): a cell costs about 1.2 kB (its PyNN ID object, its parameters, its Brian2
state), a connection about 250 B (index, weight and delay arrays in the description and
in Brian2, and the temporaries while a connector runs), a recorded sample about 32 B (the
monitor's, the store's and get_data's copies), a step of delay 16 B and 4 B per
presynaptic cell (queue slots, count rows).
"""

import os
from typing import Optional

from pyNN import connectors

from .errors import MemoryLimitError
from .timegrid import delay_steps, sampling_steps

BYTES_PER_CELL = 1200
BYTES_PER_CONNECTION = 250
BYTES_PER_SAMPLE = 32
# a step of delay: a slot of the spike queue (Brian2's, NEST's ring buffers alike), and a
# row of 4 B per cell of a source that counts spikes (software/multiplicity.py)
BYTES_PER_DELAY_STEP = 16


def available_bytes() -> int:
    """Memory the machine can still give (/proc/meminfo's MemAvailable, else the free
    physical pages)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def check_allocation(what: str, count: int, noun: str, each: int) -> None:
    """Refuse `count` `noun` of `each` bytes that would not fit in memory, naming `what`."""
    needed, available = count * each, available_bytes()
    if needed > available:
        raise MemoryLimitError(
            f"{what} needs about {needed / 2**30:.3g} GiB ({count:.4g} {noun} at about "
            f"{each} B each); this machine has {available / 2**30:.3g} GiB available")


def check_cells(label: str, size: int) -> None:
    """Refuse a population whose cells would not fit in memory."""
    check_allocation(f"population '{label}'", size, "cells", BYTES_PER_CELL)


def expected_connections(connector, n_pre: int, n_post: int) -> Optional[int]:
    """How many connections `connector` makes between n_pre and n_post cells (its mean,
    for random ones); None for connectors whose count depends on positions or data."""
    if isinstance(connector, connectors.AllToAllConnector):
        return n_pre * n_post
    if isinstance(connector, connectors.FixedProbabilityConnector):
        return int(connector.p_connect * n_pre * n_post)
    if isinstance(connector, connectors.FixedNumberPreConnector):
        return int(connector.n) * n_post if isinstance(connector.n, int) else None
    if isinstance(connector, connectors.FixedNumberPostConnector):
        return int(connector.n) * n_pre if isinstance(connector.n, int) else None
    if isinstance(connector, connectors.FixedTotalNumberConnector):
        return int(connector.n)
    return None


def check_connections(label: str, connector, n_pre: int, n_post: int) -> None:
    """Refuse a projection whose connections would not fit in memory."""
    count = expected_connections(connector, n_pre, n_post)
    if count is not None:
        check_allocation(f"projection '{label}' ({type(connector).__name__}, "
                              f"{n_pre} x {n_post} cells)", count, "connections",
                              BYTES_PER_CONNECTION)


def check_recording(network, steps: int, call: str) -> None:
    """Refuse a run whose recorded signals (v, gsyn, ...) would not fit in memory, naming
    the run and the population that records the most."""
    counts = {}
    for population in network.populations:
        signals = [v for v in population.recorded if v != "spikes"]
        if signals:
            every = sampling_steps(population.sampling_interval or network.timestep,
                                   network.timestep)
            counts[population.label] = (steps // every + 1) * sum(
                len(population.recorded[v]) for v in signals)
    if counts:
        largest = max(counts, key=counts.get)
        check_allocation(f"{call}: recording population '{largest}' and "
                              f"{len(counts) - 1} other(s)", sum(counts.values()), "samples",
                              BYTES_PER_SAMPLE)


def check_delays(label: str, delay: float, dt: float, pre_size: int) -> None:
    """Refuse a delay (ms) whose spikes in transit would not fit in memory (1e9 ms at dt
    0.1 ms is 1e10 queue slots)."""
    steps = int(delay_steps(delay, dt))
    check_allocation(f"projection '{label}' (a delay of {delay:g} ms, {steps} steps)",
                     steps, "steps of delay", BYTES_PER_DELAY_STEP + 4 * pre_size)
