"""A feed-forward reference network every target takes (64 inputs, 80 cells, 1 s):
`python feedforward.py`. See pyNN.neurox.validation.networks.feedforward."""

import pyNN.neurox as sim
from pyNN.neurox.validation.networks import feedforward

feedforward(sim)
sim.run(1000.0)
sim.end()
