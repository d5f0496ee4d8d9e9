"""pyNN.neurox: one PyNN model, run on Brian2 or on emulated neuromorphic chips.

    import pyNN.neurox as sim
    sim.setup(timestep=0.1)              # software target: Brian2 code generation
"""

import warnings

from pyNN import errors, random, space  # noqa: F401
from pyNN.connectors import *  # noqa: F401,F403
from pyNN.network import Network  # noqa: F401
from pyNN.random import GSLRNG, NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.recording import *  # noqa: F401,F403
from pyNN.space import Space  # noqa: F401
from pyNN.standardmodels import StandardCellType

from .rng import NativeRNG  # noqa: F401
from .standardmodels import *  # noqa: F401,F403
from .standardmodels import StaticSynapse
from .hardware.contract import native_cell_types
from .populations import Assembly, Population, PopulationView  # noqa: F401
from .projections import Projection
from .control import (  # noqa: F401
    setup, end, run, run_until, run_for, reset, initialize, get_current_time,
    get_time_step, get_min_delay, get_max_delay, num_processes, rank, get_mapping)
from .procedural_api import create, connect, set, record, record_v, record_gsyn  # noqa: F401
from .nir import export_nir  # noqa: F401

Projection._static_synapse_class = StaticSynapse

# each chip kind's native cell types (LoihiCompartment, NeuroCoreXNeuron, ...)
globals().update({celltype.__name__: celltype for celltype in native_cell_types()})

warnings.filterwarnings("ignore", message=".*numpy.ndarray size changed.*")


def list_standard_models():
    """The names of the standard cell types this backend provides."""
    return [obj.__name__ for obj in globals().values()
            if isinstance(obj, type) and issubclass(obj, StandardCellType)
            and obj.__module__.startswith(__name__)]
