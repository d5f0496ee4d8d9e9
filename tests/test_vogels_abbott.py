"""The Vogels-Abbott networks give NEST's mean rates within 10 %.

Both simulators run the same network: pyNN.neurox draws the connections, NEST
receives them as lists, and the kick that starts the activity is a fixed set of
spike trains, so only the simulators differ.
"""

import pytest

from pyNN.neurox.validation.networks import connection_lists, mean_rate, vogels_abbott

nest = pytest.importorskip("pyNN.nest")
DURATION = 1000.0


@pytest.mark.parametrize("kind", ["CUBA", "COBA"])
def test_rates_match_nest(kind):
    import pyNN.neurox as neurox
    exc, inh, projections = vogels_abbott(neurox, kind, duration=DURATION)
    lists = connection_lists(projections)
    neurox.run(DURATION)
    ours = mean_rate(exc, DURATION), mean_rate(inh, DURATION)
    neurox.end()
    exc, inh, _ = vogels_abbott(nest, kind, duration=DURATION, connections=lists,
                                spike_precision="on_grid")
    nest.run(DURATION)
    reference = mean_rate(exc, DURATION), mean_rate(inh, DURATION)
    nest.end()
    assert min(reference) > 1.0, f"NEST's network is silent: {reference}"
    for name, mine, theirs in zip(("excitatory", "inhibitory"), ours, reference):
        assert abs(mine - theirs) <= 0.1 * theirs, (name, mine, theirs)
