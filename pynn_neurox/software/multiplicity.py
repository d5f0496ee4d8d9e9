"""Several spikes of one cell in one step (multiplicity), which a Brian2 cell cannot emit.

NEST's poisson_generator draws a Poisson count per step and sends it as one spike with
that multiplicity (pyNN.nest's parrot neurons pass it on and record each spike); its
spike_generator does the same for spike times that fall into one step. A target then
receives multiplicity x the weight, and a plastic synapse updates once (stdp_synapse and
tsodyks_synapse send their efficacy, which the target multiplies).

Here a source that can emit several spikes in a step is a NeuronGroup holding its count,
`n_spikes` (it fires when n_spikes > 0), with one Brian2 event per bit of n_spikes - 1,
its *lanes*: lane k fires when bit k is set. A Synapses from such a group has one pathway
per lane besides its own: the pre-synaptic pathway runs the synapse as for one spike and
transmits its efficacy; lane k's pathway, with the same delay, transmits 2**k times the
efficacy the pre-synaptic pathway sent in that step. So n spikes deliver n x the efficacy,
for any n up to 2**lanes, and every synapse type updates once, as in NEST.
"""

import math

import numpy as np
from scipy.stats import poisson

# a Poisson source is built for counts up to 2**lanes per step: a larger count has at most
# this chance per cell and step at the highest rate it had when built (it is then clipped)
CAP_TAIL = 1e-12
# the fewest lanes of a Poisson source: counts up to 4, exact to CAP_TAIL up to
# rate * dt = 0.01 (100 Hz at dt 0.1 ms), so that a rate raised between runs rarely needs
# a rebuild; each lane costs one pathway per step on every Synapses from the source
MIN_POISSON_LANES = 2

COUNT = "n_spikes"


def lanes_for(most: int) -> int:
    """Lanes that carry counts up to `most`: the bits of most - 1."""
    return max(0, math.ceil(math.log2(most))) if most > 1 else 0


def poisson_lanes(rates_hz, dt: float) -> int:
    """Lanes of a Poisson source whose cells have `rates_hz`: counts beyond 2**lanes have
    less than CAP_TAIL chance per cell and step."""
    expected = float(np.max(rates_hz, initial=0.0)) * dt / 1000.0
    lanes = MIN_POISSON_LANES
    while poisson.sf(2 ** lanes, expected) >= CAP_TAIL:
        lanes += 1
    return lanes


def lane_events(lanes: int) -> dict:
    """Brian2 events of a counting group: lane k fires when bit k of n_spikes - 1 is set."""
    return {f"lane{k}": f"{COUNT} > 1 and (({COUNT} - 1) // {2 ** k}) % 2 == 1"
            for k in range(lanes)}


def lane_pathways(lanes: int) -> list:
    """The Synapses pathway names of the lanes (beside 'pre')."""
    return [f"lane{k}" for k in range(lanes)]


def lane_code(effect: str, sent: str, lanes: int) -> dict:
    """Each lane's on_pre: the receptor's `effect` with 2**k times `sent` (the synapse
    variable that holds the efficacy the pre-synaptic pathway transmitted)."""
    return {f"lane{k}": effect.replace("w_syn", f"({2 ** k}*{sent})") for k in range(lanes)}


def unary_lanes(cells: np.ndarray, steps: np.ndarray, size: int):
    """Spread spikes over copies of the cells so that no copy fires twice in a step: the
    m-th spike of cell i in a step goes to copy m (index m * size + i). Returns the copies'
    indices and the number of copies. `cells` and `steps` are sorted by step, then cell."""
    cells, steps = np.asarray(cells, np.int64), np.asarray(steps, np.int64)
    if cells.size == 0:
        return cells, 1
    key = steps * size + cells
    first = np.searchsorted(key, key)  # the first spike of its (cell, step)
    copy = np.arange(key.size) - first
    return copy * size + cells, int(copy.max()) + 1
