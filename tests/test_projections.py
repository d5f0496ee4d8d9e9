"""Projections: connections and their attributes come back exactly as they were made."""

import numpy as np
from hypothesis import given, settings, strategies as st


@st.composite
def connection_lists(draw):
    n_pre = draw(st.integers(1, 6))
    n_post = draw(st.integers(1, 6))
    pairs = draw(st.lists(st.tuples(st.integers(0, n_pre - 1), st.integers(0, n_post - 1)),
                          unique=True, max_size=n_pre * n_post))
    weights = draw(st.lists(st.floats(0.0, 10.0, allow_nan=False), min_size=len(pairs),
                            max_size=len(pairs)))
    delays = draw(st.lists(st.integers(1, 50), min_size=len(pairs), max_size=len(pairs)))
    return n_pre, n_post, [(i, j, w, d * 0.1) for (i, j), w, d in zip(pairs, weights, delays)]


@settings(max_examples=40, deadline=None)
@given(connection_lists(), st.booleans())
def test_from_list_round_trip(case, through_views):
    import pyNN.neurox as sim
    n_pre, n_post, connections = case
    sim.setup(timestep=0.1)
    pre = sim.Population(n_pre + 2, sim.SpikeSourceArray())
    post = sim.Population(n_post + 1, sim.IF_cond_exp())
    if through_views:  # views shift the indices the description stores
        pre, post = pre[2:], post[1:]
    else:
        pre, post = pre[:n_pre], post[:n_post]
    projection = sim.Projection(pre, post, sim.FromListConnector(connections),
                                receptor_type="excitatory")
    got = projection.get(["weight", "delay"], format="list")
    np.testing.assert_allclose(np.array(sorted(map(tuple, got))).reshape(-1, 4),
                               np.array(sorted(connections)).reshape(-1, 4))
    weights = projection.get("weight", format="array")
    expected = np.full((n_pre, n_post), np.nan)
    for i, j, w, _ in connections:
        expected[i, j] = w
    np.testing.assert_array_equal(weights, expected)
    sim.end()


def test_set_and_get_between_runs_and_after_reset(sim):
    sim.setup(timestep=0.1)
    a = sim.Population(3, sim.IF_curr_exp(i_offset=2.0))
    b = sim.Population(3, sim.IF_curr_exp())
    projection = sim.Projection(a, b, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5))
    sim.run(20.0)
    projection.set(weight=np.array([0.1, 0.2, 0.3]))
    sim.run(20.0)
    np.testing.assert_allclose(projection.get("weight", format="list", with_address=False),
                               [0.1, 0.2, 0.3])
    sim.reset()
    np.testing.assert_allclose(projection.get("weight", format="list", with_address=False),
                               [0.1, 0.2, 0.3])


def test_assembly_to_assembly_projection_splits_per_population(sim):
    sim.setup(timestep=0.1)
    p1, p2 = sim.Population(2, sim.IF_curr_exp()), sim.Population(3, sim.IF_cond_exp())
    q1, q2 = sim.Population(2, sim.IF_curr_exp()), sim.Population(2, sim.IF_curr_exp())
    projection = sim.Projection(p1 + p2, q1 + q2, sim.AllToAllConnector(),
                                sim.StaticSynapse(weight=0.25), receptor_type="excitatory")
    assert len(projection) == 20
    assert len(sim.simulator.state.network.projections) == 4
    assert projection.get("weight", format="array").shape == (5, 4)
    sim.run(5.0)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.floats(0.0, 1.0), st.integers(0, 2**31),
       st.booleans())
def test_fixed_probability_fast_path_makes_pyNNs_connections(n_pre, n_post, p, seed, self_ok):
    """The block-wise FixedProbabilityConnector gives exactly PyNN's per-column result,
    also for two projections drawing from one generator and for Assembly targets."""
    import pyNN.neurox as sim
    from pyNN.neurox import projections
    from pyNN.random import NumpyRNG
    fast = projections.Projection._connect_fixed_probability
    results = []
    try:
        for method in (fast, lambda self, connector: False):  # False: PyNN's own loop
            projections.Projection._connect_fixed_probability = method
            sim.setup()
            cells = sim.Population(max(n_pre, n_post), sim.IF_curr_exp())
            extra = sim.Population(3, sim.IF_curr_exp())
            rng = NumpyRNG(seed=seed)
            made = [sim.Projection(cells[:n_pre], target, sim.FixedProbabilityConnector(
                        p, rng=rng, allow_self_connections=self_ok),
                        sim.StaticSynapse(weight=0.5), receptor_type="excitatory")
                    for target in (cells[:n_post], cells[:n_post] + extra)]
            results.append([projection.get("weight", format="list") for projection in made])
            sim.end()
    finally:
        projections.Projection._connect_fixed_probability = fast
    assert results[0] == results[1]


def _membranes_of_targets(sim, parts):
    """v of target pairs `parts` (of two), driven through one projection whose weights
    and delays differ per connection and change between runs; and its Synapses count."""
    weights = np.arange(1.0, 9.0).reshape(2, 4) / 2
    delays = np.array([[0.1, 0.5, 1.0, 1.5], [2.0, 0.3, 0.7, 1.2]])
    sim.setup(timestep=0.1)
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0, 12.0], [4.0, 15.0]]))
    targets = [sim.Population(2, sim.IF_curr_exp(tau_syn_E=2.0)) for _ in parts]
    columns = np.concatenate([[2 * k, 2 * k + 1] for k in parts])
    projection = sim.Projection(source, sum(targets[1:], targets[0]), sim.AllToAllConnector(),
                                receptor_type="excitatory")
    projection.set(weight=weights[:, columns], delay=delays[:, columns])
    for population in targets:
        population.record("v")
    sim.run(10.0)
    projection.set(weight=weights[::-1, columns], delay=delays[::-1, columns])
    sim.run(10.0)
    np.testing.assert_array_equal(projection.get("weight", format="array"),
                                  weights[::-1, columns])
    built = len({id(s) for s in sim.simulator.state.target._projections.synapses.values()})
    v = [p.get_data().segments[0].filter(name="v")[0].magnitude for p in targets]
    return np.hstack(v), built


def test_projections_sharing_one_synapses_object_behave_as_separate_ones(sim):
    """Parts of a projection between the same groups are merged into one Brian2 Synapses,
    each writing and reading its own connections in it."""
    together, built = _membranes_of_targets(sim, [0, 1])
    assert built == 1
    apart = np.hstack([_membranes_of_targets(sim, [k])[0] for k in (0, 1)])
    assert np.ptp(together) > 1.0
    np.testing.assert_allclose(together, apart, rtol=0, atol=1e-12)
