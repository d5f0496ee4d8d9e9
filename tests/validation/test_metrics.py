"""The comparison metrics on hand-made spike trains with known answers, and against
elephant where it has the metric."""

import neo
import numpy as np
import pytest
import quantities as pq
from elephant.spike_train_dissimilarity import van_rossum_distance, victor_purpura_distance
from elephant.statistics import cv, isi

from pyNN.neurox.validation import metrics

S = [np.array([10.0, 30.0, 50.0]), np.array([20.0, 60.0]), np.array([])]


def shifted(trains, by):
    return [t + by for t in trains]


def test_identical_trains_give_no_difference():
    assert metrics.raster_mismatch(S, S, 100.0, 1.0) == 0.0
    rates = metrics.rate_errors(S, S, 100.0)
    assert rates["mae_hz"] == 0.0 and rates["relative_error"] == 0.0
    assert rates["correlation"] == pytest.approx(1.0)
    assert metrics.isi_distortion(S, S)["mean_abs_isi_difference_ms"] == 0.0
    assert metrics.spike_disorder(S, S) == 0.0
    assert metrics.spike_latency(S, S)["max_ms"] == 0.0
    assert metrics.coincidence_factor(S, S, 1.0, 100.0) == pytest.approx(1.0)
    assert metrics.victor_purpura(S, S, 0.5) == 0.0
    assert metrics.van_rossum(S, S, 5.0) == pytest.approx(0.0)
    assert metrics.first_spike_latency_error(S, S)["mean_ms"] == 0.0


def test_a_single_shift():
    H = shifted(S, 2.0)
    # every spike moves to another tick: 5 spikes leave a cell and enter another
    assert metrics.raster_mismatch(S, H, 100.0, 1.0) == pytest.approx(10 / 300)
    assert metrics.spike_latency(S, H) == {"mean_ms": 2.0, "p99_ms": 2.0, "max_ms": 2.0}
    assert metrics.isi_distortion(S, H)["mean_abs_isi_difference_ms"] == 0.0
    assert metrics.spike_disorder(S, H) == 0.0
    # shifting costs q * 2 per spike while it is cheaper than deleting and inserting
    assert metrics.victor_purpura(S, H, 0.25) == pytest.approx((3 * 0.5 + 2 * 0.5 + 0) / 3)
    assert metrics.victor_purpura(S, H, 10.0) == pytest.approx((6 + 4 + 0) / 3)
    assert metrics.coincidence_factor(S, H, 1.0, 100.0) < 0.0  # no coincidences left
    assert metrics.coincidence_factor(S, H, 2.0, 100.0) == pytest.approx(1.0)
    assert metrics.first_spike_latency_error(S, H)["mean_ms"] == 2.0


def test_a_dropped_spike():
    H = [S[0][:2], S[1], S[2]]
    rates = metrics.rate_errors(S, H, 100.0)
    assert rates["mae_hz"] == pytest.approx(10.0 / 3)
    assert rates["relative_error"] == pytest.approx(1 / 5)
    assert metrics.victor_purpura(S, H, 1.0) == pytest.approx(1 / 3)
    assert metrics.raster_mismatch(S, H, 100.0, 1.0) == pytest.approx(1 / 300)


def test_reordered_arrivals():
    # neuron 0's first spike now comes after neuron 1's first: one of the ten pairs of
    # matched spikes swaps its order
    H = [np.array([25.0, 30.0, 50.0]), np.array([20.0, 60.0]), np.array([])]
    assert metrics.spike_disorder(S, H) == pytest.approx(1 / 10)


def test_task_agreement():
    result = metrics.task_agreement([0, 1, 1, 0], [0, 1, 0, 0], [0, 1, 1, 1])
    assert result["accuracy_reference"] == 0.75 and result["accuracy_other"] == 0.75
    assert result["prediction_agreement"] == 0.5
    # chance agreement 0.75 * 0.25 + 0.25 * 0.75 = 0.375
    assert result["cohen_kappa"] == pytest.approx((0.5 - 0.375) / (1 - 0.375))


def test_weight_divergence():
    w0 = np.array([[1.0, 2.0], [2.0, 4.0]])  # norm 5
    assert metrics.weight_divergence([w0, w0], [w0, w0 + np.eye(2) * 3]).tolist() == \
        pytest.approx([0.0, np.sqrt(18) / 5])


def random_trains(seed, n=40):
    rng = np.random.default_rng(seed)
    return [np.sort(rng.uniform(0, 500, rng.integers(0, 12))) for _ in range(n)]


@pytest.mark.parametrize("seed", [1, 2])
def test_victor_purpura_and_van_rossum_match_elephant(seed):
    a, b = random_trains(seed), random_trains(seed + 100)

    def train(t):
        return neo.SpikeTrain(t * pq.ms, t_stop=500 * pq.ms)

    vp = np.mean([victor_purpura_distance([train(x), train(y)], 0.1 / pq.ms)[0, 1]
                  for x, y in zip(a, b)])
    vr = np.mean([van_rossum_distance([train(x), train(y)], 8.0 * pq.ms)[0, 1]
                  for x, y in zip(a, b)])
    assert metrics.victor_purpura(a, b, 0.1) == pytest.approx(vp)
    assert metrics.van_rossum(a, b, 8.0) == pytest.approx(vr)


def test_delta_cv_matches_elephant():
    a, b = random_trains(5), random_trains(6)

    def mean_cv(trains):
        return np.mean([cv(isi(t)) for t in trains if t.size >= 3])

    assert metrics.isi_distortion(a, b)["delta_cv"] == pytest.approx(mean_cv(b) - mean_cv(a))
