"""The metrics a comparison computes and shows, one typed entry each.

compare.py computes every registered metric for each population that both runs
recorded and keeps its result under the metric's name (so in report.json); report.html
shows the metric's columns, each with a sentence on what it means; the demo prints the
columns marked `headline`. Adding a metric is one `register(Metric(...))`, here or from
outside. The formulas stay in metrics.py as plain functions; this module says which of
them the report uses, with which parameters, and how to read their results.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np

from . import metrics

Trains = Sequence[np.ndarray]


@dataclass(frozen=True)
class Span:
    """What a metric's parameters may depend on: the compared duration and the coarser of
    the two runs' time steps (ms)."""

    duration: float
    dt: float


# a parameter's value: a number, or how to take it from the comparison's span
Parameter = float | Callable[[Span], float]
DURATION: Callable[[Span], float] = attrgetter("duration")
DT: Callable[[Span], float] = attrgetter("dt")


@dataclass(frozen=True)
class Column:
    """One value of a metric in the report's metrics table; `key` picks it from a result
    that is a dict (None: the result is the value); `headline` values are also printed by
    the demo."""

    label: str
    meaning: str
    unit: str = ""
    key: str | None = None
    headline: bool = False

    @property
    def heading(self) -> str:
        """The column's heading and the name its meaning is listed under."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


@dataclass(frozen=True)
class Metric:
    """A metric of the report: `function(reference, other, **parameters)` from metrics.py,
    and the columns the table shows of its result. `name` is the result's key in a
    population's entry of compare_runs, and so in report.json."""

    name: str
    function: Callable[..., Any]
    parameters: Mapping[str, Parameter]
    columns: tuple[Column, ...]

    def __call__(self, reference: Trains, other: Trains, span: Span) -> Any:
        """The metric of `other` against `reference` (spike times in ms, one array per
        neuron, in the same neuron order)."""
        values = {k: v(span) if callable(v) else v for k, v in self.parameters.items()}
        return self.function(reference, other, **values)

    def shown(self, entry: Mapping[str, Any]) -> list[tuple[Column, Any]]:
        """Each column with its value, read from a population's entry of compare_runs."""
        result = entry[self.name]
        return [(c, result if c.key is None else result[c.key]) for c in self.columns]


# name -> metric, in the order of the table's columns
METRICS: dict[str, Metric] = {}
# keys of a population's entry that are not metrics: the number of cells compared
RESERVED = ("cells",)


def register(metric: Metric) -> None:
    """Add `metric` to every comparison made from now on. Its name must be new, as it
    becomes a key of report.json."""
    if metric.name in METRICS or metric.name in RESERVED:
        raise ValueError(f"the name {metric.name!r} is taken")
    METRICS[metric.name] = metric


def unregister(name: str) -> None:
    """Take the metric `name` out of the comparisons made from now on."""
    del METRICS[name]


def columns() -> list[Column]:
    """Every registered metric's columns, in table order."""
    return [c for metric in METRICS.values() for c in metric.columns]


def shown(entry: Mapping[str, Any]) -> list[tuple[Column, Any]]:
    """Every column with its value in a population's entry of compare_runs."""
    return [pair for metric in METRICS.values() for pair in metric.shown(entry)]


register(Metric(
    "raster_mismatch", metrics.raster_mismatch, {"duration": DURATION, "dt": DT},
    (Column("raster mismatch", "share of (neuron, tick) cells where one run spikes and the "
            "other does not; 0 means identical rasters"),)))
register(Metric(
    "rates", metrics.rate_errors, {"duration": DURATION},
    (Column("rate MAE", "mean over neurons of the absolute difference of firing rates",
            unit="Hz", key="mae_hz"),
     Column("mean rate error", "relative difference of the population's mean rate",
            key="relative_error", headline=True),
     Column("rate correlation", "correlation of per-neuron rates across neurons; 1 means the "
            "chip keeps which neurons fire more", key="correlation"))))
register(Metric(
    "isi", metrics.isi_distortion, {},
    (Column("ISI distortion", "mean absolute difference of inter-spike intervals matched by "
            "neuron and rank", unit="ms", key="mean_abs_isi_difference_ms"),
     Column("ΔCV", "change of the mean coefficient of variation of ISIs (irregularity)",
            key="delta_cv"))))
register(Metric(
    "spike_disorder", metrics.spike_disorder, {},
    (Column("spike disorder", "share of pairs of matched spikes whose order in time is "
            "swapped"),)))
register(Metric(
    "latency", metrics.spike_latency, {},
    (Column("mean latency", "mean delay of a spike on the chip against its match in "
            "software", unit="ms", key="mean_ms", headline=True),)))
register(Metric(
    "coincidence_1ms", metrics.coincidence_factor, {"delta": 1.0, "duration": DURATION},
    (Column("Γ (1 ms)", "coincidence factor within 1 ms: 1 identical timing, 0 chance level",
            headline=True),)))
register(Metric(
    "coincidence_2ms", metrics.coincidence_factor, {"delta": 2.0, "duration": DURATION},
    (Column("Γ (2 ms)", "coincidence factor within 2 ms"),)))
# q per ms: a shift by max(dt, 1 ms) costs 1, as much as deleting the spike
register(Metric(
    "victor_purpura", metrics.victor_purpura, {"q": lambda span: 1.0 / max(span.dt, 1.0)},
    (Column("Victor-Purpura", "mean edit distance between trains (a spike moved by one tick "
            "costs as much as a spike's share of deleting it)"),)))
register(Metric(
    "van_rossum", metrics.van_rossum, {"tau": 10.0},
    (Column("van Rossum (τ 10 ms)", "mean distance of the trains filtered with a 10 ms "
            "exponential; one unmatched spike counts 1"),)))
register(Metric(
    "first_spike", metrics.first_spike_latency_error, {},
    (Column("first-spike error", "mean difference of each neuron's first spike time",
            unit="ms", key="mean_ms"),)))
