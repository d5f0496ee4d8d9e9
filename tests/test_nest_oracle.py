"""NEST as the oracle: one cell under a current step gives NEST's spike times.

NEST runs with spike_precision="on_grid", the same grid as Brian2. Linear IF
models must agree spike for spike within one time step; models NEST integrates
with an adaptive solver (adaptive, HH, Izhikevich) within 0.5 ms.
"""

import numpy as np
import pytest

nest = pytest.importorskip("pyNN.nest")

DT = 0.1
CASES = [
    ("IF_curr_exp", {}, 1.2, DT),
    ("IF_curr_alpha", {}, 1.2, DT),
    pytest.param("IF_curr_delta", {}, 1.2, DT, marks=pytest.mark.xfail(
        strict=True, reason="first spike 1.4 ms later than NEST's iaf_psc_delta; open")),
    ("IF_cond_exp", {}, 1.2, DT),
    ("IF_cond_alpha", {}, 1.2, DT),
    pytest.param("IF_cond_exp_gsfa_grr", {}, 2.0, 0.5, marks=pytest.mark.xfail(
        strict=True, reason="pyNN.nest 0.13 cannot initialise g_r of iaf_cond_exp_sfa_rr")),
    ("EIF_cond_exp_isfa_ista", {}, 0.8, 0.5),
    ("EIF_cond_alpha_isfa_ista", {}, 0.8, 0.5),
    ("HH_cond_exp", {}, 0.5, 0.5),
    pytest.param("Izhikevich", {}, 0.02, 0.5, marks=pytest.mark.xfail(
        strict=True, reason="drifts from NEST's izhikevich after ~8 spikes (54 vs 55); open")),
]


def spike_times(sim, celltype, parameters, amplitude, **setup):
    sim.setup(timestep=DT, min_delay=DT, **setup)
    cell = sim.Population(1, getattr(sim, celltype)(**parameters))
    sim.StepCurrentSource(times=[20.0, 150.0], amplitudes=[amplitude, 1.5 * amplitude]
                          ).inject_into(cell)
    cell.record("spikes")
    sim.run(300.0)
    times = np.asarray(cell.get_data().segments[0].spiketrains[0].magnitude)
    sim.end()
    return times


@pytest.mark.parametrize("celltype, parameters, amplitude, tolerance", CASES)
def test_spike_times_match_nest(celltype, parameters, amplitude, tolerance):
    import pyNN.neurox as neurox
    expected = spike_times(nest, celltype, parameters, amplitude, spike_precision="on_grid")
    actual = spike_times(neurox, celltype, parameters, amplitude)
    assert expected.size > 5, f"NEST produced too few spikes ({expected.size}) to compare"
    assert actual.size == expected.size, (expected, actual)
    assert np.abs(actual - expected).max() <= tolerance + 1e-9, (expected, actual)
