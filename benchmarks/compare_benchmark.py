"""The comparison's own cost: `neurox compare` end to end, and the metrics alone.

    .venv/bin/python benchmarks/compare_benchmark.py

1. Vogels-Abbott CUBA (4000 cells, 1 s) compared on brian2, loihi and neurocorex (which
   refuses it: 4000 cells and IF_curr_exp do not fit the board), end to end with the
   report. Target: <= 60 s.
2. Every metric of the report on 4000 neurons x 1 s of spikes at 10 Hz (a run against
   a copy with 1 ms of jitter). Target: <= 2 s.
"""

import tempfile
import time
from pathlib import Path

import numpy as np

from pyNN.neurox.validation import metrics, models
from pyNN.neurox.validation.compare import compare


def metric_seconds():
    rng = np.random.default_rng(0)
    reference = [np.sort(rng.uniform(0, 1000, rng.poisson(10))) for _ in range(4000)]
    other = [np.sort(t + rng.normal(0, 1.0, t.size)) for t in reference]
    start = time.perf_counter()
    metrics.raster_mismatch(reference, other, 1000.0, 0.1)
    metrics.rate_errors(reference, other, 1000.0)
    metrics.isi_distortion(reference, other)
    metrics.spike_disorder(reference, other)
    metrics.spike_latency(reference, other)
    for window in (1.0, 2.0):
        metrics.coincidence_factor(reference, other, window, 1000.0)
    metrics.victor_purpura(reference, other, 1.0)
    metrics.van_rossum(reference, other, 10.0)
    metrics.first_spike_latency_error(reference, other)
    return time.perf_counter() - start


def main():
    script = Path(models.__file__).parent / "vogels_abbott_cuba.py"
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        report = compare(script, ["brian2", "loihi", "neurocorex"], out, progress=lambda _: None)
        total = time.perf_counter() - start
    walls = ", ".join(f"{t} {e['wall_seconds']:.1f} s" if "wall_seconds" in e else f"{t} refused"
                      for t, e in report["targets"].items())
    print(f"neurox compare, VA CUBA on three targets: {total:.1f} s end to end "
          f"(scripts: {walls}; target <= 60 s)")
    print(f"metrics, 4000 neurons x 1 s: {metric_seconds():.2f} s (target <= 2 s)")


if __name__ == "__main__":
    main()
