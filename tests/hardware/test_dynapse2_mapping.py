"""DYNAP-SE2's mapping: weights as CAM multiplicity, one parameter group per core, and
every limit refused naming chip, limit, object and value."""

import numpy as np
import pytest

from pyNN.neurox.errors import ChipLimitError, SetupError
from pyNN.neurox.hardware.chip import load_chip

TITLE = load_chip("dynapse2").title
CELL = dict(v_thresh=-50.0, v_reset=-65.0, v_rest=-65.0, tau_m=20.0, tau_refrac=2.0)


def _fan_in(sim, inputs, weight, **setup):
    sim.setup(timestep=1.0, target="dynapse2", **setup)
    source = sim.Population(inputs, sim.SpikeSourceArray(spike_times=[5.0]), label="input")
    cells = sim.Population(2, sim.IF_curr_delta(**CELL), label="cells")
    sim.Projection(source, cells, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=weight, delay=1.0), label="many")
    return cells


def test_weights_are_cam_multiplicities_of_a_base_weight(sim):
    sim.setup(timestep=1.0, target="dynapse2")
    source = sim.Population(4, sim.SpikeSourceArray(spike_times=[3.0]), label="input")
    cells = sim.Population(4, sim.IF_curr_delta(**CELL), label="cells")
    sim.Projection(source, cells, sim.FromListConnector(
        [(i, i, w, 1.0) for i, w in enumerate([2.0, 4.5, 6.0, 8.0])]), sim.StaticSynapse(),
        label="feed")
    q = sim.get_mapping().projections[0]
    # one synapse per neuron: the largest weight takes all 64 CAM entries
    assert q.weight.tolist() == [16, 36, 48, 64]
    np.testing.assert_allclose(1 / q.chip_per_pynn, 8.0 / 64)


def test_fan_in_beyond_the_cams_is_refused(sim):
    _fan_in(sim, 65, 1.0)
    with pytest.raises(ChipLimitError) as refusal:
        sim.get_mapping()
    message = str(refusal.value)
    assert TITLE in message and "'cells'" in message
    assert "needs 65 CAM entries" in message and "has 64" in message


def test_fan_in_is_pruned_when_allowed_and_counted(sim):
    _fan_in(sim, 70, 1.0, allow=["prune_cams"])
    mapping = sim.get_mapping()
    q = mapping.projections[0]
    assert np.bincount(q.targets, q.weight).max() == 64
    assert mapping.report.projections[0].rounded_to_zero == 2 * 6
    assert any("prune_cams: 12 CAM entries (12 synapses dropped) into population 'cells'"
               in line for line in mapping.report.lossy_steps)


def test_a_population_with_two_parameter_values_is_refused(sim):
    sim.setup(timestep=1.0, target="dynapse2")
    cells = sim.Population(4, sim.IF_curr_delta(**CELL), label="mixed")
    cells[:2].set(tau_m=10.0)
    with pytest.raises(ChipLimitError) as refusal:
        sim.get_mapping()
    message = str(refusal.value)
    assert TITLE in message and "'mixed'" in message and "2 values of tau_m" in message
    assert "10" in message and "20" in message


def test_different_parameters_take_different_cores(sim):
    sim.setup(timestep=1.0, target="dynapse2")
    a = sim.Population(100, sim.IF_curr_delta(**CELL), label="a")
    b = sim.Population(100, sim.IF_curr_delta(**CELL), label="b")
    c = sim.Population(100, sim.IF_curr_delta(**dict(CELL, tau_m=10.0)), label="c")
    del a, b, c
    placement = sim.get_mapping().placement
    # a and b share a parameter group: 200 neurons on one core; c has its own
    assert [row.population for row in sim.get_mapping().report.cores] == ["a, b", "c"]
    assert len(placement.cores) == 2


def test_more_cores_than_the_board_has_are_refused(sim):
    sim.setup(timestep=1.0, target="dynapse2")
    sim.Population(4 * 4 * 256 + 1, sim.IF_curr_delta(**CELL), label="big")
    with pytest.raises(ChipLimitError) as refusal:
        sim.get_mapping()
    message = str(refusal.value)
    assert TITLE in message and "'big'" in message
    assert "needs 17 cores" in message and "= 16" in message


def test_source_tags_of_a_core_are_limited(sim):
    _fan_in(sim, 5, 1.0, chip={"limits": {"tags_per_core": 4}})
    with pytest.raises(ChipLimitError) as refusal:
        sim.get_mapping()
    message = str(refusal.value)
    assert TITLE in message and "'cells' 0-1" in message
    assert "5 distinct sources" in message and "4 source tags" in message


def test_destinations_of_a_neuron_are_limited(sim):
    variant = {"limits": {"neurons_per_core": 1, "cores_per_chip": 1,
                          "destinations_per_neuron": 1}}
    sim.setup(timestep=1.0, target="dynapse2", chip=variant)
    pre = sim.Population(1, sim.IF_curr_delta(**CELL), label="pre")
    post = sim.Population(2, sim.IF_curr_delta(**CELL), label="post")
    sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0))
    with pytest.raises(ChipLimitError) as refusal:
        sim.get_mapping()
    message = str(refusal.value)
    assert TITLE in message and "neuron 0 of population 'pre'" in message
    assert "sends to 2 chips" in message and "1 destination entries" in message


def test_native_weights_are_whole_cam_counts(sim):
    sim.setup(timestep=1.0, target="dynapse2")
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[3.0]), label="input")
    cells = sim.Population(1, sim.DynapSE2Neuron(), label="native")
    sim.Projection(source, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=2.5),
                   receptor_type="AMPA", label="half")
    with pytest.raises(ChipLimitError, match="'half'.*whole numbers.*2.5"):
        sim.get_mapping()


@pytest.mark.parametrize("value", [-0.1, "much"])
def test_a_mismatch_that_is_no_fraction_is_refused(sim, value):
    sim.setup(timestep=1.0, target="dynapse2", mismatch=value)
    sim.Population(1, sim.IF_curr_delta(**CELL), label="cells")
    with pytest.raises(SetupError, match="mismatch"):
        sim.get_mapping()
