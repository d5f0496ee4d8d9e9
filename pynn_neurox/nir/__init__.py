"""NIR in and out (docs/nir.md): `sim.export_nir(path)` writes the network description as
an NIR graph; `pyNN.neurox.nir.read(path)` builds PyNN populations and projections from
one, so a network trained elsewhere (snnTorch, Norse, ...) runs on every target."""

from .conventions import MS_PER_UNIT, PREFIX, NIRWarning  # noqa: F401
from .export import ALLOW, export_nir  # noqa: F401
from .read import NIRNetwork, read  # noqa: F401
