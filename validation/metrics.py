"""Hardware-vs-software metrics (hardware_facts.md §8), as plain functions.

Every function takes the reference run S (software) and the run H (a chip) as lists of
spike-time arrays in ms, one per neuron, in the same neuron order (`spike_times` turns
neo SpikeTrains into these). Spikes are matched by neuron and rank (the k-th spike of a
neuron in S with its k-th in H) where a metric needs pairs.

Victor-Purpura and van Rossum are computed for all neurons at once (vectorised over
neurons); tests check them against elephant's implementations, which work one pair of
trains at a time and are too slow for thousands of neurons.
"""

import numpy as np
from scipy import stats


def spike_times(trains):
    """neo SpikeTrains (or arrays) as a list of float arrays in ms."""
    out = []
    for train in trains:
        if hasattr(train, "rescale"):
            train = train.rescale("ms").magnitude
        out.append(np.sort(np.asarray(train, float).ravel()))
    return out


def _counts(trains):
    return np.array([t.size for t in trains])


def _padded(trains, fill):
    width = max((t.size for t in trains), default=0)
    out = np.full((len(trains), width), fill, float)
    for row, t in enumerate(trains):
        out[row, :t.size] = t
    return out


def _matched(reference, other):
    """(neuron, S time, H time) of the spikes present in both runs, matched by rank."""
    neurons, s, h = [], [], []
    for i, (a, b) in enumerate(zip(reference, other)):
        n = min(a.size, b.size)
        neurons.append(np.full(n, i))
        s.append(a[:n])
        h.append(b[:n])
    def cat(parts):
        return np.concatenate(parts) if parts else np.zeros(0)
    return cat(neurons).astype(int), cat(s), cat(h)


def raster_mismatch(reference, other, duration, dt):
    """E_raster: the fraction of (neuron, tick) cells whose spike/no-spike differs."""
    ticks = int(round(duration / dt))
    differing = 0
    for a, b in zip(reference, other):
        ra = np.unique(np.floor(a / dt + 1e-9).astype(int))
        rb = np.unique(np.floor(b / dt + 1e-9).astype(int))
        differing += ra.size + rb.size - 2 * np.intersect1d(ra, rb).size
    return differing / max(len(reference) * ticks, 1)


def rate_errors(reference, other, duration):
    """Per-neuron rates (Hz): mean absolute error, relative error of the mean rate, and
    the correlation of rates across neurons (NaN when either run has constant rates)."""
    rs = _counts(reference) / (duration / 1000.0)
    rh = _counts(other) / (duration / 1000.0)
    correlation = (float(np.corrcoef(rs, rh)[0, 1])
                   if rs.size > 1 and rs.std() > 0 and rh.std() > 0 else float("nan"))
    return {"mae_hz": float(np.abs(rh - rs).mean()) if rs.size else 0.0,
            "relative_error": float(abs(rh.mean() - rs.mean()) / rs.mean()) if rs.sum() else
            float("nan"),
            "correlation": correlation,
            "rate_reference_hz": float(rs.mean()) if rs.size else 0.0,
            "rate_other_hz": float(rh.mean()) if rh.size else 0.0}


def _cv(trains):
    values = [np.std(np.diff(t)) / np.mean(np.diff(t)) for t in trains if t.size >= 3]
    return float(np.mean(values)) if values else float("nan")


def isi_distortion(reference, other):
    """D_ISI: mean |ISI_H - ISI_S| over intervals matched by neuron and rank (ms); the
    Wasserstein distance between the pooled ISI distributions (ms); ΔCV = CV_H - CV_S."""
    differences, isi_s, isi_h = [], [], []
    for a, b in zip(reference, other):
        da, db = np.diff(a), np.diff(b)
        n = min(da.size, db.size)
        differences.append(np.abs(db[:n] - da[:n]))
        isi_s.append(da)
        isi_h.append(db)
    differences = np.concatenate(differences) if differences else np.zeros(0)
    isi_s = np.concatenate(isi_s) if isi_s else np.zeros(0)
    isi_h = np.concatenate(isi_h) if isi_h else np.zeros(0)
    return {"mean_abs_isi_difference_ms": float(differences.mean()) if differences.size
            else float("nan"),
            "wasserstein_ms": float(stats.wasserstein_distance(isi_s, isi_h))
            if isi_s.size and isi_h.size else float("nan"),
            "delta_cv": _cv(other) - _cv(reference)}


def spike_disorder(reference, other):
    """The fraction of pairs of matched spikes whose order in time differs between the
    runs (a Kendall-tau distance; pairs tied in either run are not counted)."""
    _, s, h = _matched(reference, other)
    if s.size < 2:
        return 0.0
    tau = stats.kendalltau(s, h, variant="b").statistic
    # rounded: scipy's tau carries float error that would show as 1e-17 of disorder
    return round(float((1.0 - tau) / 2.0), 12) if np.isfinite(tau) else 0.0


def spike_latency(reference, other):
    """t_H - t_S of spikes matched by neuron and rank (ms): mean, 99th percentile, max."""
    _, s, h = _matched(reference, other)
    if s.size == 0:
        return {"mean_ms": float("nan"), "p99_ms": float("nan"), "max_ms": float("nan")}
    d = h - s
    return {"mean_ms": float(d.mean()), "p99_ms": float(np.percentile(d, 99)),
            "max_ms": float(np.abs(d).max())}


def coincidence_factor(reference, other, delta, duration):
    """Kistler et al. (1997) Γ with tolerance `delta` (ms), averaged over neurons that
    spike in either run: 1 for identical trains, 0 at chance level."""
    values = []
    for a, b in zip(reference, other):
        if a.size + b.size == 0:
            continue
        if a.size == 0 or b.size == 0:
            values.append(0.0)
            continue
        position = np.clip(np.searchsorted(b, a), 1, b.size)
        nearest = np.minimum(np.abs(a - b[position - 1]),
                             np.abs(b[np.minimum(position, b.size - 1)] - a))
        coincidences = np.count_nonzero(nearest <= delta + 1e-9)
        rate = a.size / duration  # per ms
        expected = 2 * rate * delta * b.size
        norm = 1 - 2 * rate * delta
        values.append((coincidences - expected) / (0.5 * (a.size + b.size)) / norm)
    return float(np.mean(values)) if values else float("nan")


def victor_purpura(reference, other, q):
    """Victor-Purpura distance (cost q per ms of shift), mean over neurons: the edit
    distance between trains, by dynamic programming over the spikes of `reference`,
    vectorised over neurons and over the spikes of `other` (the chain of insertions in a
    row is a running minimum)."""
    if not reference:
        return float("nan")
    a, b = _padded(reference, 0.0), _padded(other, 0.0)
    na, nb = _counts(reference), _counts(other)
    columns = np.arange(b.shape[1] + 1, dtype=float)
    row = np.tile(columns, (len(reference), 1))  # distances with none of a's spikes
    result = row[np.arange(len(reference)), nb] * (na == 0)
    for i in range(1, a.shape[1] + 1):
        best = np.empty_like(row)
        best[:, 0] = i
        best[:, 1:] = np.minimum(row[:, 1:] + 1,
                                 row[:, :-1] + q * np.abs(a[:, i - 1:i] - b))
        row = np.minimum.accumulate(best - columns, axis=1) + columns
        done = na == i
        result[done] = row[done, nb[done]]
    return float(result.mean())


def _kernel_sums(x, nx, y, ny, tau):
    """Per neuron, the sums over pairs of exp(-|x_i - x_j| / tau), of
    exp(-|y_i - y_j| / tau) and of exp(-|x_i - y_j| / tau), in one pass over the merged
    spikes (each sum carried forward and decayed), vectorised over neurons."""
    n = x.shape[0]
    times = np.concatenate([x, y], axis=1)
    is_x = np.concatenate([np.arange(x.shape[1]) < nx[:, None],
                           np.zeros(y.shape, bool)], axis=1)
    valid = is_x | np.concatenate([np.zeros(x.shape, bool),
                                   np.arange(y.shape[1]) < ny[:, None]], axis=1)
    times = np.where(valid, times, np.inf)
    order = np.argsort(times, axis=1, kind="stable")
    times = np.take_along_axis(times, order, axis=1)
    is_x = np.take_along_axis(is_x, order, axis=1)
    valid = np.take_along_axis(valid, order, axis=1)
    carry_x, carry_y = np.zeros(n), np.zeros(n)
    xx, yy, xy = nx.astype(float), ny.astype(float), np.zeros(n)
    # the carries are zero until a neuron's first spike, so any start will do: one that
    # needs no spike, as neither run may have any
    previous = np.zeros(n)
    for k in range(times.shape[1]):
        live = valid[:, k]
        now = np.where(live, times[:, k], previous)
        fade = np.exp(-(now - previous) / tau)
        carry_x *= fade
        carry_y *= fade
        previous = now
        at_x, at_y = live & is_x[:, k], live & ~is_x[:, k]
        xx += 2 * carry_x * at_x
        yy += 2 * carry_y * at_y
        xy += carry_y * at_x + carry_x * at_y
        carry_x += at_x
        carry_y += at_y
    return xx, yy, xy


def van_rossum(reference, other, tau):
    """van Rossum distance with time constant `tau` (ms), mean over neurons:
    sqrt((2/tau) * integral of the squared difference of the exponentially filtered
    trains), elephant's normalisation, in which one spike against none gives 1."""
    if not reference:
        return float("nan")
    xx, yy, xy = _kernel_sums(_padded(reference, 0.0), _counts(reference),
                              _padded(other, 0.0), _counts(other), tau)
    squared = xx + yy - 2 * xy
    # the three sums round differently: what is left of identical trains is noise
    squared[squared <= 1e-12 * (xx + yy)] = 0.0
    return float(np.sqrt(squared).mean())


def first_spike_latency_error(reference, other):
    """|t1_H - t1_S| (ms) averaged over neurons that spike in both runs, and how many
    neurons spike in one run only."""
    errors = [abs(b[0] - a[0]) for a, b in zip(reference, other) if a.size and b.size]
    alone = sum((a.size > 0) != (b.size > 0) for a, b in zip(reference, other))
    return {"mean_ms": float(np.mean(errors)) if errors else float("nan"),
            "neurons_spiking_in_one_run_only": int(alone)}


def weight_divergence(reference_weights, other_weights):
    """||W_H(t) - W_S(t)||_F / ||W_S(0)||_F for each pair of weight snapshots."""
    reference_weights = [np.asarray(w, float) for w in reference_weights]
    norm = np.linalg.norm(reference_weights[0]) or 1.0
    return np.array([np.linalg.norm(np.asarray(h, float) - s) / norm
                     for s, h in zip(reference_weights, other_weights)])


def task_agreement(labels, reference_predictions, other_predictions):
    """Accuracy of both runs, their difference, the fraction of samples where the two
    predict the same label, and Cohen's kappa of that agreement."""
    labels = np.asarray(labels)
    s, h = np.asarray(reference_predictions), np.asarray(other_predictions)
    agreement = float(np.mean(s == h))
    classes = np.union1d(s, h)
    chance = sum(np.mean(s == c) * np.mean(h == c) for c in classes)
    kappa = (agreement - chance) / (1 - chance) if chance < 1 else 1.0
    accuracy_s, accuracy_h = float(np.mean(s == labels)), float(np.mean(h == labels))
    return {"accuracy_reference": accuracy_s, "accuracy_other": accuracy_h,
            "delta_accuracy": accuracy_s - accuracy_h, "prediction_agreement": agreement,
            "cohen_kappa": float(kappa)}
