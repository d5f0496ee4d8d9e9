"""Writes snntorch_synaptic.nir: a small snnTorch network exported by snnTorch's own
export_to_nir, with the spikes snnTorch computed for a fixed input raster stored beside
the graph (group "reference": "input" and "output", steps x cells, in steps of 1e-4 s,
the step snnTorch's export assumes). nir.read reads only the "node" group.

Run in a separate environment (snnTorch needs torch, which pyNN.neurox does not install):
    python -m venv /tmp/snn && /tmp/snn/bin/pip install "numpy<2.4" "nir>=1.0,<2" \
        torch snntorch nirtorch h5py
    /tmp/snn/bin/python tests/nir_data/make_snntorch_graph.py
Made with snnTorch 1.0.0, nirtorch 2.6, nir 1.0.8, torch 2.13.0+cpu, numpy 2.3.5.
"""

from pathlib import Path

import h5py
import nir
import numpy as np
import snntorch as snn
import torch
from snntorch import utils
from snntorch.export_nir import export_to_nir

STEPS, INPUTS = 400, 8

torch.manual_seed(7)
net = torch.nn.Sequential(
    torch.nn.Linear(INPUTS, 5, bias=False),
    # per-cell parameters: with scalars the exported nodes have shape () and nir's type
    # inference refuses the graph (snnTorch 1.0, nir 1.0.8)
    snn.Synaptic(alpha=torch.full((5,), 0.8), beta=torch.full((5,), 0.9),
                 threshold=torch.ones(5), init_hidden=True, reset_mechanism="zero"),
    torch.nn.Linear(5, 3, bias=False),
    snn.Leaky(beta=torch.full((3,), 0.9), threshold=torch.ones(3), init_hidden=True,
              output=True, reset_mechanism="zero"),
)
with torch.no_grad():
    net[0].weight.copy_(torch.rand(5, INPUTS) * 0.15)
    net[2].weight.copy_(torch.rand(3, 5) * 0.6 + 0.2)

draw = np.random.default_rng(7)
raster = (draw.random((STEPS, INPUTS)) < 0.08).astype(np.float32)
utils.reset(net)
outputs = []
with torch.no_grad():
    for step in range(STEPS):
        spikes, _ = net(torch.from_numpy(raster[step:step + 1]))
        outputs.append(spikes.numpy()[0])
output = np.array(outputs)
print("snnTorch output spikes per cell:", output.sum(axis=0))

path = Path(__file__).with_name("snntorch_synaptic.nir")
graph = export_to_nir(net, torch.zeros(1, INPUTS), ignore_dims=[0])
nir.write(path, graph)
with h5py.File(path, "a") as f:
    group = f.create_group("reference")
    group["input"] = raster.astype(np.uint8)
    group["output"] = output.astype(np.uint8)
print("nodes:", {k: type(v).__name__ for k, v in nir.read(path).nodes.items()})
