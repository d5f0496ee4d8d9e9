"""How much DYNAP-SE2's analog mismatch alone changes a network's firing rates: the same
network, the same inputs, run once per mismatch seed (setup(mismatch_seed=...)) and once
with mismatch off (setup(mismatch=0)).

    from pyNN.neurox.hardware.chips.dynapse2.spread import mismatch_rate_spread
    from pyNN.neurox.validation.networks import feedforward
    spread = mismatch_rate_spread(lambda sim, **setup: feedforward(sim, **setup)[0])

`build(sim, **setup)` builds the network, passing `setup` on to sim.setup (the reference
networks of pyNN.neurox.validation.networks do), and returns the population whose rates
are measured, recording its spikes. The comparison report can show `as_dict()`.
"""

from dataclasses import asdict, dataclass

import numpy as np

SEEDS = (1, 2, 3, 4, 5)


@dataclass
class MismatchSpread:
    seeds: list
    rates: list  # Hz, the population's mean rate with each seed's mismatch
    reference: float  # Hz, with mismatch off
    spread: float  # standard deviation of `rates` over their mean
    largest_change: float  # the largest |rate - reference| / reference
    cell_spread: float  # per cell, the std of its rate over the seeds / mean rate, averaged
    duration: float  # ms

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        rates = ", ".join(f"{r:.2f}" for r in self.rates)
        return (f"mean rate {self.reference:.2f} Hz without mismatch; with mismatch seeds "
                f"{self.seeds}: {rates} Hz; spread (std / mean) {self.spread:.1%}, largest "
                f"change {self.largest_change:.1%}, per cell {self.cell_spread:.1%}")


def _rates(sim, build, duration, **setup):
    population = build(sim, target="dynapse2", **setup)
    sim.run(duration)
    trains = population.get_data("spikes").segments[0].spiketrains
    sim.end()
    return np.array([len(t) for t in trains]) / (duration / 1000.0)


def mismatch_rate_spread(build, seeds=SEEDS, duration=1000.0, mismatch=None):
    """Rates of `build`'s population with each of `seeds`' mismatch and without; `mismatch`
    is setup's deviation (None: the chip description's)."""
    import pyNN.neurox as sim
    options = {} if mismatch is None else {"mismatch": mismatch}
    reference = _rates(sim, build, duration, mismatch=0)
    per_seed = np.array([_rates(sim, build, duration, mismatch_seed=seed, **options)
                         for seed in seeds])
    means = per_seed.mean(axis=1)
    base = reference.mean()
    cell_mean = per_seed.mean(axis=0)
    active = cell_mean > 0
    return MismatchSpread(
        seeds=list(seeds), rates=[float(r) for r in means], reference=float(base),
        spread=float(means.std() / means.mean()) if means.mean() > 0 else 0.0,
        largest_change=float(np.abs(means - base).max() / base) if base > 0 else float("inf"),
        cell_spread=float((per_seed[:, active].std(axis=0) / cell_mean[active]).mean())
        if active.any() else 0.0,
        duration=float(duration))
