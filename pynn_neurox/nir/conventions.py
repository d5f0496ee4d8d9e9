"""What pyNN.neurox's NIR files mean: units, the spike convention and the metadata keys.

NIR gives equations without units (nir/ir/neuron.py: LIF `tau dv/dt = (v_leak - v) + r I`,
CubaLIF `tau_syn dI/dt = -I + w_in S`, `tau_mem dv/dt = (v_leak - v) + r I`); these are
the units we write and, unless told otherwise, read (docs/nir.md):

- time (tau, tau_mem, tau_syn, Delay) in seconds, as snnTorch and Norse write it;
- voltages (v_leak, v_threshold, v_reset) in mV;
- currents in nA, so r is a resistance in MOhm (mV/nA): r = tau_m / cm with tau_m in ms
  and cm in nF, whatever the unit of time;
- a spike is a Dirac delta of area 1 (in the file's unit of time), so a Linear weight W
  into a LIF moves v by r W / tau and into a CubaLIF moves I by w_in W / tau_syn.
"""

import warnings

import numpy as np

# metadata keys of ours start with this
PREFIX = "neurox."

# milliseconds per unit of time in the file
MS_PER_UNIT = {"s": 1000.0, "ms": 1.0}


class NIRWarning(UserWarning):
    """Something NIR does not carry went into node metadata (export), or a graph's
    reading needed an approximation (read); the message names what and where."""


def load_nir():
    """The `nir` package (a dependency of pyNN.neurox, imported only when used)."""
    try:
        import nir
    except ImportError as error:  # pragma: no cover - nir is in install_requires
        raise ImportError("NIR support needs the 'nir' package: pip install 'nir>=1.0,<2'") \
            from error
    return nir


def warn(message, stacklevel=3):
    """A NIRWarning, shown at the user's call (`stacklevel` counts from here)."""
    warnings.warn(message, NIRWarning, stacklevel=stacklevel)


def scalar_or_array(values):
    """One number where every cell has the same value, else the array (metadata stays
    small for homogeneous populations)."""
    values = np.asarray(values, dtype=float)
    if values.size and np.all(values == values.flat[0]):
        return float(values.flat[0])
    return values

