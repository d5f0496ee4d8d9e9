"""Recording: neo Blocks with units and annotations, subsets, views, Assemblies, files."""

import neo
import numpy as np
import pytest
import quantities as pq


def _network(sim, sampling_interval=None):
    sim.setup(timestep=0.1)
    cells = sim.Population(5, sim.IF_cond_exp(i_offset=[0.0, 0.5, 1.0, 1.5, 2.0]),
                           label="cells")
    cells.record("spikes")
    cells[1:4].record(["v", "gsyn_exc"], sampling_interval=sampling_interval)
    return cells


def test_block_shape_units_and_annotations(sim):
    cells = _network(sim, sampling_interval=1.0)
    sim.run(100.0)
    block = cells.get_data()
    segment = block.segments[0]
    v = segment.filter(name="v")[0]
    assert v.shape == (101, 3)  # samples at 0, 1, ..., 100 ms for cells 1..3
    assert v.units == pq.mV
    assert v.sampling_period == 1.0 * pq.ms
    assert list(v.array_annotations["channel_index"]) == [1, 2, 3]
    assert segment.filter(name="gsyn_exc")[0].units == pq.uS
    assert len(segment.spiketrains) == 5
    counts = [len(train) for train in segment.spiketrains]
    assert counts[0] == 0 and counts == sorted(counts) and counts[-1] > 5
    assert block.annotations["simulator"] == "neurox"
    assert segment.spiketrains[4].annotations["source_population"] == "cells"


def test_view_and_assembly_data(sim):
    cells = _network(sim)
    other = sim.Population(2, sim.IF_cond_exp(i_offset=2.0), label="other")
    other.record("v")
    sim.run(50.0)
    view_v = cells[2:4].get_data().segments[0].filter(name="v")[0]
    assert view_v.shape[1] == 2
    full_v = cells.get_data().segments[0].filter(name="v")[0]
    np.testing.assert_array_equal(view_v.magnitude, full_v.magnitude[:, 1:3])
    signals = (cells + other).get_data().segments[0].filter(name="v")
    assert sum(s.shape[1] for s in signals) == 5


def test_clear_starts_a_new_recording(sim):
    cells = _network(sim)
    sim.run(50.0)
    first = cells.get_data(clear=True).segments[0]
    sim.run(50.0)
    second = cells.get_data().segments[0]
    assert all((train.magnitude <= 50.0).all() for train in first.spiketrains)
    assert all((train.magnitude > 50.0).all() for train in second.spiketrains)
    v = second.filter(name="v")[0]
    assert v.t_start == 50.0 * pq.ms and v.shape[0] == 501


@pytest.mark.parametrize("suffix", ["pkl", "nix"])
def test_write_data_round_trip(sim, tmp_path, suffix):
    pytest.importorskip("nixio") if suffix == "nix" else None
    cells = _network(sim)
    sim.run(60.0)
    path = tmp_path / f"cells.{suffix}"
    cells.write_data(str(path))
    written = cells.get_data().segments[0]
    io = neo.io.get_io(str(path))
    read = io.read_block().segments[0]
    if hasattr(io, "close"):
        io.close()
    assert [len(t) for t in read.spiketrains] == [len(t) for t in written.spiketrains]
    for ours, theirs in zip(written.spiketrains, read.spiketrains):
        np.testing.assert_allclose(theirs.rescale(pq.ms).magnitude, ours.magnitude)
    v_read = [s for s in read.analogsignals if s.name == "v"][0]
    np.testing.assert_allclose(v_read.rescale(pq.mV).magnitude,
                               written.filter(name="v")[0].magnitude)


def test_reset_starts_a_new_segment(sim):
    cells = _network(sim)
    sim.run(30.0)
    sim.reset()
    sim.run(30.0)
    block = cells.get_data()
    assert len(block.segments) == 2
    first, second = (s.filter(name="v")[0].magnitude for s in block.segments)
    np.testing.assert_allclose(first, second)  # same initial state, same deterministic run


def test_data_read_inside_a_callback(sim):
    """Callbacks run inside one Brian2 run and see everything recorded up to their time."""
    sim.setup(timestep=0.1)
    cell = sim.Population(1, sim.IF_curr_exp(i_offset=1.0))
    cell.record(["spikes", "v"])
    seen = []

    def look(t):
        if t > 0:
            segment = cell.get_data().segments[0]
            seen.append((t, len(segment.spiketrains[0]), segment.analogsignals[0].shape[0]))
        return t + 40.0

    sim.run(100.0, callbacks=[look])
    assert seen == [(40.0, 1, 401), (80.0, 2, 801)]  # spikes at 27.8 and 55.7 ms
    assert len(cell.get_data().segments[0].spiketrains[0]) == 3
