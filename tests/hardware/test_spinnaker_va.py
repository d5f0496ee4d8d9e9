"""The Vogels-Abbott networks on the SpiNNaker emulator and on the software target: mean
rates within 10 %, with 1000 cells instead of 4000 (validation.networks scales the
weights to keep each cell's input) for the tests' time; docs/chips/spinnaker.md gives
the full-size numbers. COBA at 1 ms is where sPyNNaker's conductance rule (the current
g (E - V) of the tick's start held for the whole tick) is unstable: there the test
holds the documented divergence and the report's note, not an agreement."""

import pytest

from pyNN.neurox.validation.networks import mean_rate, vogels_abbott

N = 1000
DURATION = 1000.0


def rates(sim, kind, dt, target):
    exc, inh, _ = vogels_abbott(sim, kind, N, DURATION, timestep=dt, delay=max(0.2, dt),
                                target=target)
    sim.run(DURATION)
    result = mean_rate(exc, DURATION), mean_rate(inh, DURATION)
    report = sim.get_mapping().report if target != "brian2" else None
    sim.end()
    return result, report


@pytest.mark.parametrize("kind, dt", [("CUBA", 1.0), ("CUBA", 0.1), ("COBA", 0.1)])
def test_vogels_abbott_rates_agree_with_the_software_target(sim, kind, dt):
    (chip, report), (software, _) = rates(sim, kind, dt, "spinnaker"), \
        rates(sim, kind, dt, "brian2")
    for got, want in zip(chip, software):
        assert want > 1.0
        assert abs(got - want) <= 0.1 * want, (kind, dt, chip, software)
    assert report.counters["ring_buffer_saturations"] == 0


def test_coba_at_one_millisecond_is_the_chips_unstable_case(sim):
    (chip, report), (software, _) = rates(sim, "COBA", 1.0, "spinnaker"), \
        rates(sim, "COBA", 1.0, "brian2")
    assert chip[0] > 2 * software[0]
    notes = " ".join(report.populations[0].approximations)
    assert "chip approximation: the inputs can bring" in notes
    assert "g R (1 - exp(-dt/tau_m)) > 2" in notes
