"""A network read from an NIR graph (docs/nir.md): `python nir_feedforward.py [graph.nir]`,
or `neurox compare nir_feedforward [-- graph.nir]`.

Without a file, the graph is built here with the nir package's own API, as a network
trained elsewhere would arrive: Input (40) -> Linear (30 % of the weights non-zero) ->
LIF (30 cells: tau 20 ms, r 20 MOhm, v_leak = v_reset = -65 mV, v_threshold -50 mV),
written to a temporary file and read back from it. Every Input node of the graph gets
Poisson trains (20 Hz, drawn here, so every target gets the same); the cells feeding the
Output nodes are recorded. 1 s at dt = 1 ms, small enough for NeuroCoreX.
"""

import os
import sys
import tempfile

import nir
import numpy as np

import pyNN.neurox as sim
from pyNN.neurox import nir as neurox_nir

SEED = 20260101
DURATION = 1000.0  # ms
TIMESTEP = 1.0  # ms


def example_graph(inputs=40, cells=30, seed=SEED):
    """Input -> Linear -> LIF -> Output with nir's own classes, in the units of docs/nir.md
    (s, mV, MOhm; a spike is a Dirac delta of area 1 s): a weight W moves v by
    r W / tau = 1000 W mV."""
    draw = np.random.default_rng(seed)
    weight = draw.uniform(0.0, 0.006, (cells, inputs)) * (draw.random((cells, inputs)) < 0.3)
    ones = np.ones(cells)
    return nir.NIRGraph(
        nodes={"input": nir.Input(input_type=np.array([inputs])),
               "linear": nir.Linear(weight=weight),
               "lif": nir.LIF(tau=0.02 * ones, r=20.0 * ones, v_leak=-65.0 * ones,
                              v_threshold=-50.0 * ones, v_reset=-65.0 * ones),
               "output": nir.Output(output_type=np.array([cells]))},
        edges=[("input", "linear"), ("linear", "lif"), ("lif", "output")])


def poisson_trains(size, rate=20.0, seed=SEED):
    draw = np.random.default_rng(seed)
    ticks = int(DURATION / TIMESTEP)
    return [np.flatnonzero(draw.random(ticks) < rate * TIMESTEP / 1000.0) * TIMESTEP
            + TIMESTEP for _ in range(size)]


def main(path=None):
    sim.setup(timestep=TIMESTEP, min_delay=TIMESTEP, rng_seed=SEED)
    with tempfile.TemporaryDirectory() as folder:
        if path is None:
            path = os.path.join(folder, "example.nir")
            nir.write(path, example_graph())
        graph = nir.read(path)
    inputs = {name: poisson_trains(int(np.prod(node.input_type["input"])), seed=SEED + k)
              for k, (name, node) in enumerate(graph.nodes.items())
              if isinstance(node, nir.Input)}
    network = neurox_nir.read(graph, inputs=inputs)
    sim.run(DURATION)
    for name, population in network.outputs.items():
        print(f"{name}: {population.mean_spike_count():.2f} spikes per cell")
    sim.end()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
