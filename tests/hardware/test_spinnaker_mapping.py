"""The SpiNNaker mapping: placement as sPyNNaker counts it, every limit refused with a
message naming the chip, the limit, the population or projection and the value, the
ring-buffer shift choice, and the refusals of what sPyNNaker cannot run."""

import numpy as np
import pytest

from pyNN.neurox.errors import ChipLimitError, MappingError

TITLE = "SpiNNaker"


def network(sim, n=4, sources=4, weight=1.0, delay=1.0, source="array", **setup):
    sim.setup(timestep=1.0, target="spinnaker", **setup)
    if source == "array":
        pre = sim.Population(sources, sim.SpikeSourceArray(spike_times=[2.0]), label="input")
    else:
        pre = sim.Population(sources, sim.SpikeSourcePoisson(rate=10.0), label="input")
    cells = sim.Population(n, sim.IF_curr_exp(), label="cells")
    projection = sim.Projection(pre, cells, sim.AllToAllConnector(),
                                sim.StaticSynapse(weight=weight, delay=delay), label="feed")
    return pre, cells, projection


def atoms(mapping):
    return [(row.population, row.neurons) for row in mapping.report.cores]


def test_neurons_per_core_splits_populations_and_is_a_setting(sim):
    network(sim, n=600, sources=300)
    mapping = sim.get_mapping()
    assert atoms(mapping) == [("input", "0-255"), ("input", "256-299"), ("cells", "0-255"),
                              ("cells", "256-511"), ("cells", "512-599")]
    assert [u.limit for u in mapping.report.cores[2].usage] == [256, 8]
    sim.end()
    network(sim, n=600, sources=300, chip={"limits": {"neurons_per_core": 100}})
    mapping = sim.get_mapping()
    assert [p for p, _ in atoms(mapping)].count("cells") == 6
    assert "variant" in mapping.report.chip


def test_poisson_sources_take_500_per_core(sim):
    network(sim, n=2, sources=1200, source="poisson")
    assert atoms(sim.get_mapping())[:3] == [("input", "0-499"), ("input", "500-999"),
                                            ("input", "1000-1199")]


def test_cores_fill_16_per_chip_and_a_board_has_48_chips(sim):
    network(sim, n=700, sources=1, chip={"limits": {"neurons_per_core": 1}})
    mapping = sim.get_mapping()
    assert len(mapping.report.cores) == 701
    assert mapping.report.cores[16].chip == 1 and mapping.report.cores[700].chip == 43
    sim.end()
    network(sim, n=800, sources=1, chip={"limits": {"neurons_per_core": 1}})
    with pytest.raises(ChipLimitError) as refusal:
        sim.get_mapping()
    message = str(refusal.value)
    for part in (TITLE, "801 application cores", "'cells' 800", "'input' 1", "51 chips",
                 "1 board(s) of 48 chips"):
        assert part in message
    sim.end()
    network(sim, n=800, sources=1, chip={"limits": {"neurons_per_core": 1, "boards": 2}})
    assert sim.get_mapping().placement.chips == 51


def test_application_cores_per_chip_cannot_exceed_the_free_cores(sim):
    from pyNN.neurox.errors import SetupError
    with pytest.raises(SetupError, match="17 application cores per chip: a chip has 18 "
                                         "cores, 2 of them for the system"):
        network(sim, chip={"limits": {"application_cores_per_chip": 17}})
        sim.get_mapping()


def test_a_delay_beyond_the_delay_extension_is_refused_or_clipped(sim):
    network(sim, delay=145.0)
    with pytest.raises(ChipLimitError) as refusal:
        sim.get_mapping()
    message = str(refusal.value)
    for part in (TITLE, "projection 'feed'", "145", "[1, 144]", "8 stages", "clip_delays"):
        assert part in message
    sim.end()
    network(sim, delay=145.0, allow=["clip_delays"])
    mapping = sim.get_mapping()
    assert mapping.projections[0].delay.max() == 144
    assert mapping.report.projections[0].delays_clipped == 16
    assert mapping.report.cores[-1].usage[1].used == 8  # the delay extension's stages


def test_inputs_beyond_s16_15_are_refused(sim):
    """A tick's input bounded by 70000 nA needs a left shift of 17: the 16-bit weight
    shifted by it would leave the s16.15 word."""
    network(sim, n=1, sources=1, weight=70000.0)
    with pytest.raises(ChipLimitError) as refusal:
        sim.get_mapping()
    message = str(refusal.value)
    for part in (TITLE, "population 'cells'", "70000", "left shift of 17", "2**16"):
        assert part in message


def test_parameters_outside_s16_15_are_refused(sim):
    sim.setup(timestep=1.0, target="spinnaker")
    sim.Population(1, sim.IF_curr_exp(i_offset=70000.0), label="cells")
    with pytest.raises(ChipLimitError, match="SpiNNaker.*i_offset \\(s16.15 accum\\) of "
                                             "population 'cells' is 70000"):
        sim.get_mapping()


def test_ring_buffer_shift_follows_the_bound(sim):
    """Spikes per tick 1 (a spike array), fan-in 3: 3 * w. Bound 3.0 gives power 2
    (2**2 > 3); bound 4.0 is a power of two and gets one more, 3; weights are then
    round(w 2**(15 - shift))."""
    for weight, shift in ((1.0, 2), (4.0 / 3.0, 3), (0.25, 0)):
        network(sim, n=2, sources=3, weight=weight)
        mapping = sim.get_mapping()
        assert mapping.populations[1].shifts[0] == shift
        assert set(mapping.projections[0].weight.tolist()) == {
            round(weight * 2 ** (15 - shift))}
        sim.end()


def test_poisson_sources_count_their_likely_spikes_per_tick(sim):
    """A 10 Hz SpikeSourcePoisson at 1 ms: 0.01 spikes per tick, not below sPyNNaker's
    cutoff (0.01): the Poisson quantile 1 - 1/1000 of 0.01 spikes (1) plus one, 2
    spikes per tick; fan-in 4 at 1.0 nA: bound 8, shift 4."""
    network(sim, n=2, sources=4, source="poisson")
    assert sim.get_mapping().populations[1].shifts[0] == 4


def test_weights_read_back_with_their_sign(sim):
    sim.setup(timestep=1.0, target="spinnaker")
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[2.0]), label="input")
    cells = sim.Population(2, sim.IF_curr_exp(), label="cells")
    projection = sim.Projection(pre, cells, sim.OneToOneConnector(),
                                sim.StaticSynapse(weight=-0.5, delay=1.0),
                                receptor_type="inhibitory", label="inhibit")
    mapping = sim.get_mapping()
    assert mapping.projections[0].channel == 1
    assert np.allclose(np.asarray(projection.get("weight", format="list"))[:, 2], -0.5)


def test_one_stdp_rule_per_post_population(sim):
    sim.setup(timestep=1.0, target="spinnaker")
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[2.0]), label="input")
    cells = sim.Population(2, sim.IF_curr_exp(), label="cells")
    for label, tau in (("first", 20.0), ("second", 10.0)):
        rule = sim.STDPMechanism(
            timing_dependence=sim.SpikePairRule(tau_plus=tau, tau_minus=20.0),
            weight_dependence=sim.AdditiveWeightDependence(w_max=1.0), weight=0.5)
        sim.Projection(pre, cells, sim.OneToOneConnector(), rule, label=label)
    with pytest.raises(MappingError, match="projection 'second'.*projection 'first'.*one "
                                           "synapse dynamics per post-synaptic population"):
        sim.get_mapping()


def test_other_stdp_components_are_refused(sim):
    sim.setup(timestep=1.0, target="spinnaker")
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[2.0]), label="input")
    cells = sim.Population(2, sim.IF_curr_exp(), label="cells")
    rule = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(),
                             weight_dependence=sim.GutigWeightDependence(), weight=0.5)
    sim.Projection(pre, cells, sim.OneToOneConnector(), rule, label="gutig")
    with pytest.raises(MappingError, match="GutigWeightDependence"):
        sim.get_mapping()


def test_the_report_names_the_chip_rules(sim):
    network(sim)
    sim.run(10.0)
    report = sim.get_mapping().report
    notes = " ".join(report.populations[0].approximations)
    assert "truncation toward -inf" in notes and "saturates at 0xFFFF" in notes
    assert "PSCs lead by up to one tick" in notes
    assert set(report.counters) >= {"ring_buffer_saturations", "plastic_saturations",
                                     "delay_extension_spikes", "spikes", "synaptic_events"}
    assert report.projections[0].weight_exponent == 3  # fan-in 4 at 1 nA: bound 4.0
