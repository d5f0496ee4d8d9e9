"""The Vogels-Abbott CUBA network as a script: `python vogels_abbott_cuba.py [cells]`.

4000 cells by default (1 s, dt 0.1 ms); spikes of both populations recorded.
"""

import sys

import pyNN.neurox as sim
from pyNN.neurox.validation.networks import vogels_abbott

cells = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
vogels_abbott(sim, "CUBA", n=cells, duration=1000.0)
sim.run(1000.0)
sim.end()
