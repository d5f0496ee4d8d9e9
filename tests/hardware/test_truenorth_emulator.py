"""Golden vectors for the TrueNorth emulator, worked out by hand from Cassidy et al.
2013's neuron (docs/chips/truenorth.md): leak modes, thresholds with a known
pseudo-random sequence, reset modes, negative thresholds, a 4-type crossbar, delays and
the merging of host spikes on one axon. v is sampled at the start of each tick."""

import numpy as np
import pytest

from pyNN.neurox.errors import ChipLimitError
from pyNN.neurox.hardware.chip import load_chip
from pyNN.neurox.hardware.chips.truenorth.emulator import CorePRNG, TrueNorthEmulator
from pyNN.neurox.hardware.chips.truenorth.formats import TrueNorthFormats
from pyNN.neurox.hardware.contract import kind_for

FORMATS = TrueNorthFormats.from_description(load_chip("truenorth"))
QUIET = dict(threshold=1000, neg_threshold=1000)  # far from both thresholds


def native(sim, n=1, v=0, **parameters):
    sim.setup(timestep=1.0, target="truenorth")
    cells = sim.Population(n, sim.TrueNorthNeuron(**parameters), label="cells")
    cells.initialize(v=v)
    cells.record(["spikes", "v"])
    return cells


def v_trace(cells, k=0):
    return np.asarray(cells.get_data().segments[0].filter(name="v")[0])[:, k].tolist()


def spike_times(cells, k=0):
    return np.asarray(cells.get_data().segments[0].spiketrains[k]).tolist()


class Scripted:
    """A PRNG that gives every slot the next scripted number, checking what is drawn."""

    def __init__(self, numbers, bits):
        self.numbers = list(numbers)
        self.bits = bits

    def draw(self, core, size, bits):
        assert bits == self.bits and size == FORMATS.neurons_per_core
        return np.full(size, self.numbers.pop(0), np.int64)


def scripted_run(sim, ticks, prng):
    """Run the mapped program on an emulator whose random numbers are `prng`'s."""
    mapping = sim.get_mapping()
    emulator = TrueNorthEmulator(mapping.program, FORMATS, None, prng=prng)
    k, neurons, samples = emulator.run(ticks, np.zeros(0, np.int64), np.zeros(0, np.int64),
                                       np.array([0]), 1)
    return samples[:, 0].tolist(), k[neurons == 0].tolist()


# --- leak -----------------------------------------------------------------------------

def test_monotonic_leak_adds_lambda_every_tick(sim):
    cells = native(sim, v=10, leak=-3, **QUIET)
    sim.run(6.0)
    assert v_trace(cells) == [10, 7, 4, 1, -2, -5, -8]


def test_leak_reversal_moves_v_toward_zero_and_rings_around_it(sim):
    # Omega = sgn(v): -3 above 0, +3 below; v = 0 has no leak (sgn 0 = 0)
    cells = native(sim, n=2, v=[10, 0], leak=-3, leak_reversal=1, **QUIET)
    sim.run(7.0)
    assert v_trace(cells, 0) == [10, 7, 4, 1, -2, 1, -2, 1]
    assert v_trace(cells, 1) == [0] * 8


def test_divergent_leak_moves_v_away_from_zero(sim):
    cells = native(sim, n=2, v=[5, -5], leak=2, leak_reversal=1, **QUIET)
    sim.run(3.0)
    assert v_trace(cells, 0) == [5, 7, 9, 11]
    assert v_trace(cells, 1) == [-5, -7, -9, -11]


def test_stochastic_leak_adds_its_sign_when_its_magnitude_reaches_the_number(sim):
    native(sim, leak=100, stochastic_leak=1, **QUIET)
    # |100| >= rho for rho = 50, 100 (equal counts), not for 150 and 101
    samples, _ = scripted_run(sim, 5, Scripted([50, 150, 100, 101, 0], FORMATS.prn_bits))
    assert samples == [0, 1, 1, 2, 2]


def test_stochastic_reversed_leak_follows_the_sign_of_v(sim):
    native(sim, v=-3, leak=-200, stochastic_leak=1, leak_reversal=1, **QUIET)
    # Omega = sgn(v) = -1, sgn(lambda) = -1: v rises by one when 200 >= rho
    samples, _ = scripted_run(sim, 4, Scripted([0, 255, 200, 7], FORMATS.prn_bits))
    assert samples == [-3, -2, -2, -1]


# --- threshold and reset ----------------------------------------------------------------

def test_normal_reset_sets_v_to_the_reset_potential(sim):
    cells = native(sim, leak=2, threshold=5, reset=-2, reset_mode=0)
    sim.run(8.0)
    assert v_trace(cells) == [0, 2, 4, -2, 0, 2, 4, -2, 0]
    assert spike_times(cells) == [3.0, 7.0]  # fired in ticks 2 and 6 (v = 6 >= 5)


def test_linear_reset_subtracts_the_threshold(sim):
    cells = native(sim, leak=3, threshold=5, reset_mode=1)
    sim.run(7.0)
    assert v_trace(cells) == [0, 3, 1, 4, 2, 0, 3, 1]
    assert spike_times(cells) == [2.0, 4.0, 5.0, 7.0]


def test_non_reset_keeps_v_and_fires_every_tick_above_threshold(sim):
    cells = native(sim, leak=3, threshold=5, reset_mode=2)
    sim.run(4.0)
    assert v_trace(cells) == [0, 3, 6, 9, 12]
    assert spike_times(cells) == [2.0, 3.0, 4.0]


def test_negative_threshold_saturates(sim):
    cells = native(sim, leak=-3, threshold=100, neg_threshold=7, neg_saturate=1)
    sim.run(5.0)
    assert v_trace(cells) == [0, -3, -6, -7, -7, -7]  # -9 and -10 are below -7


@pytest.mark.parametrize("mode, trace", [
    (0, [0, -3, -6, -4, -7, -4]),  # normal: v = -R
    (1, [0, -3, -6, -2, -5, -1]),  # linear: v + beta (-9 + 7, -8 + 7)
    (2, [0, -3, -6, -9, -12, -15]),  # non-reset
])
def test_negative_threshold_resets_by_mode(sim, mode, trace):
    cells = native(sim, leak=-3, threshold=100, neg_threshold=7, neg_saturate=0, reset=4,
                   reset_mode=mode)
    sim.run(5.0)
    assert v_trace(cells) == trace
    assert spike_times(cells) == []


def test_stochastic_threshold_adds_the_masked_number(sim):
    native(sim, leak=4, threshold=10, threshold_mask_bits=2, neg_threshold=100)
    # eta = rho & 0b11 = 1, 2, 3, 0: v = 4 < 11, 8 < 12, 12 < 13 (a deterministic
    # threshold of 10 would fire here), 16 >= 10 fires and resets to 0
    prng = Scripted([5, 6, 7, 4, 0], FORMATS.threshold_mask_bits_max)
    samples, fired = scripted_run(sim, 5, prng)
    assert samples == [0, 4, 8, 12, 0]
    assert fired == [3]


def test_stochastic_threshold_lowers_the_negative_threshold_too(sim):
    # neg_saturate = 0: below -(beta + eta) resets (normal: v = -R)
    native(sim, leak=-4, threshold=100, neg_threshold=5, threshold_mask_bits=3, reset=1,
           neg_saturate=0)
    # eta = 7, 7, 0: v = -4, -8 (not below -12), -12 < -5 resets to -1
    samples, _ = scripted_run(sim, 4, Scripted([7, 15, 8, 0], FORMATS.threshold_mask_bits_max))
    assert samples == [0, -4, -8, -1]


def test_core_prng_is_seeded_per_core_and_reproducible():
    numbers = CorePRNG(7).draw(3, 5, FORMATS.prn_bits)
    again = CorePRNG(7).draw(3, 5, FORMATS.prn_bits)
    expected = np.random.default_rng([7, 3]).integers(0, 2 ** FORMATS.prn_bits, 5)
    assert numbers.tolist() == again.tolist() == expected.tolist()
    assert CorePRNG(8).draw(3, 5, FORMATS.prn_bits).tolist() != numbers.tolist()
    assert CorePRNG(7).draw(4, 5, FORMATS.prn_bits).tolist() != numbers.tolist()


def test_stochastic_runs_repeat_with_the_seed(sim):
    def run(seed):
        sim.setup(timestep=1.0, target="truenorth", rng_seed=seed)
        cells = sim.Population(20, sim.TrueNorthNeuron(leak=60, stochastic_leak=1,
                                                       threshold=3, threshold_mask_bits=2))
        cells.record("spikes")
        sim.run(100.0)
        trains = [np.asarray(t).tolist() for t in cells.get_data().segments[0].spiketrains]
        sim.end()
        return trains

    first = run(1)
    assert sum(map(len, first)) > 0
    assert run(1) == first and run(2) != first


# --- synapses, delays and inputs ----------------------------------------------------------

def test_four_axon_types_give_each_neuron_its_own_four_weights(sim):
    sim.setup(timestep=1.0, target="truenorth")
    sources = sim.Population(4, sim.SpikeSourceArray(spike_times=[[1.0], [2.0], [3.0], [3.0]]))
    cells = sim.Population(2, sim.TrueNorthNeuron(**QUIET), label="cells")
    connections = [(0, 0, 1, 1.0), (2, 0, 30, 1.0), (3, 0, 100, 1.0), (0, 1, 7, 1.0)]
    sim.Projection(sources, cells, sim.FromListConnector(connections), sim.StaticSynapse())
    sim.Projection(sources, cells, sim.FromListConnector([(1, 0, -2, 1.0)]),
                   sim.StaticSynapse(), receptor_type="inhibitory")
    cells.record("v")
    sim.run(5.0)
    # a spike labelled s through delay 1 is integrated in tick s, seen at the start of s + 1
    assert v_trace(cells, 0) == [0, 0, 1, -1, 129, 129]
    assert v_trace(cells, 1) == [0, 0, 7, 7, 7, 7]
    program = sim.get_mapping().program
    assert sorted(program.axon_type.tolist()) == [0, 1, 2, 3]
    assert sorted(program.weights[0].tolist()) == [-2, 1, 30, 100]
    assert sorted(program.weights[1].tolist()) == [0, 0, 0, 7]


def test_five_weight_values_onto_a_native_neuron_are_refused(sim):
    sim.setup(timestep=1.0, target="truenorth")
    sources = sim.Population(5, sim.SpikeSourceArray(spike_times=[]))
    cells = sim.Population(1, sim.TrueNorthNeuron(), label="cells")
    sim.Projection(sources, cells, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=np.array([[1], [2], [3], [4], [5]])), label="five")
    with pytest.raises(ChipLimitError, match="projection .five.*needs more than 4 values"):
        sim.get_mapping()


def test_a_neurons_spike_reaches_its_target_after_its_delay(sim):
    sim.setup(timestep=1.0, target="truenorth")
    driver = sim.Population(1, sim.TrueNorthNeuron(leak=1, threshold=3, neg_threshold=10))
    follower = sim.Population(1, sim.TrueNorthNeuron(**QUIET))
    sim.Projection(driver, follower, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=10, delay=4.0))
    driver.record("spikes")
    follower.record("v")
    sim.run(9.0)
    # the driver fires in tick 2 (v = 3), its spike labelled 3.0 ms; tick 2 + 4 = 6
    # integrates it, as NEST shows a delta synapse's jump at 3 + 4 = 7 ms
    assert spike_times(driver) == [3.0, 6.0, 9.0]
    assert v_trace(follower)[:9] == [0, 0, 0, 0, 0, 0, 0, 10, 10]


def test_host_spikes_meeting_on_one_axon_in_one_tick_are_merged(sim):
    sim.setup(timestep=1.0, target="truenorth")
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.5, 2.0, 4.0]))
    cells = sim.Population(1, sim.TrueNorthNeuron(**QUIET), label="cells")
    sim.Projection(source, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=5))
    cells.record("v")
    sim.run(6.0)
    # 1.5 and 2.0 are both labelled 2: one spike on the axon in tick 2
    assert v_trace(cells) == [0, 0, 0, 5, 5, 10, 10]
    assert sim.get_mapping().report.counters["input_spikes_merged"] == 1


def test_v_saturates_at_its_bits_and_is_counted(sim):
    sim.setup(timestep=1.0, target="truenorth")
    cells = sim.Population(1, sim.TrueNorthNeuron(leak=FORMATS.leak_max, threshold=0,
                                                  reset_mode=2, neg_threshold=0),
                           label="cells")
    cells.initialize(v=FORMATS.v_max - 1)
    cells.record("v")
    sim.run(3.0)
    assert v_trace(cells) == [FORMATS.v_max - 1] + [FORMATS.v_max] * 3
    counters = sim.get_mapping().report.counters
    assert counters["v_saturated"] == 3
    warnings = kind_for(load_chip("truenorth")).report_warnings(counters)
    assert warnings and "20-bit range 3 time(s)" in warnings[0]


def test_poisson_counts_above_one_meet_on_one_axon(sim):
    """A Poisson source may give a cell several spikes in one tick (host.py draws a count
    per tick); its axon carries one, and the rest are counted as merged."""
    sim.setup(timestep=1.0, target="truenorth", rng_seed=5)
    source = sim.Population(1, sim.SpikeSourcePoisson(rate=1500.0), label="noise")
    cells = sim.Population(1, sim.TrueNorthNeuron(**QUIET), label="cells")
    sim.Projection(source, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=1))
    source.record("spikes")
    cells.record("v")
    sim.run(50.0)
    times = np.asarray(source.get_data().segments[0].spiketrains[0])
    sent = np.unique(times[times < 50.0])  # labels 1..49 are integrated within the run
    assert v_trace(cells)[-1] == sent.size
    merged = sim.get_mapping().report.counters["input_spikes_merged"]
    assert merged == np.count_nonzero(times < 50.0) - sent.size
