"""DYNAP-SE2's native cell type: a neuron with the chip's own bias currents (in amperes,
as rockpool's DynapSim takes them), loaded without conversion. It runs only on a
DYNAP-SE2 target."""

from pyNN.models import BaseCellType

from ...chip import load_chip
from .formats import SYNAPSE_TYPES, DynapSE2Formats

_FORMATS = DynapSE2Formats.from_description(load_chip("dynapse2"))

# rockpool's default time constants (s) and gain ratios (lookup/defaults.py): not facts of
# the chip but of DynapSim's default configuration, which the native type starts from
_TAU = {"mem": 20e-3, "ahp": 50e-3, "ampa": 10e-3, "gaba": 10e-3, "nmda": 10e-3,
        "shunt": 10e-3}
_GAIN_RATIO = {"mem": 4.0, "ahp": 1.0, "ampa": 100.0, "gaba": 100.0, "nmda": 100.0,
               "shunt": 100.0}
_WIDTH = {"pulse": 10e-6, "pulse_ahp": 1e-6, "ref": 1e-3}
_SPIKE_THRESHOLD = 1e-7  # A, DynapSim's default Ispkthr
_BASE_WEIGHT = 1e-9  # A, DynapSim's default Iw_0


def _defaults(F: DynapSE2Formats) -> dict:
    capacitance = {"mem": F.c_mem, "ahp": F.c_ahp}
    capacitance.update({t: F.capacitance(t) for t in SYNAPSE_TYPES})
    tau = {name: F.tau_current(_TAU[name], capacitance[name]) for name in _TAU}
    values = {
        "Idc": F.io, "If_nmda": F.io, "Ispkthr": _SPIKE_THRESHOLD, "Iw_ahp": F.io,
        "Itau_mem": tau["mem"], "Igain_mem": tau["mem"] * _GAIN_RATIO["mem"],
        "Itau_ahp": tau["ahp"], "Igain_ahp": tau["ahp"] * _GAIN_RATIO["ahp"],
        "Ipulse": F.pulse_current(_WIDTH["pulse"], F.c_pulse),
        "Ipulse_ahp": F.pulse_current(_WIDTH["pulse_ahp"], F.c_pulse_ahp),
        "Iref": F.pulse_current(_WIDTH["ref"], F.c_ref),
    }
    for t in SYNAPSE_TYPES:
        values[f"Itau_{t}"] = tau[t]
        values[f"Igain_{t}"] = tau[t] * _GAIN_RATIO[t]
        values[f"Iw_{t}"] = _BASE_WEIGHT
    return values


class DynapSE2Neuron(BaseCellType):
    """A DYNAP-SE2 neuron with its bias currents in amperes, as rockpool's DynapSim takes
    them: the membrane (Itau_mem, Igain_mem, Idc, Ispkthr), the pulse width of synaptic
    inputs (Ipulse), the refractory period (Iref), spike-frequency adaptation (Itau_ahp,
    Igain_ahp, Iw_ahp, Ipulse_ahp), the NMDA gate (If_nmda) and, per synapse type
    (receptor_type "AMPA", "GABA", "NMDA" or "SHUNT"), its leak, gain and the weight current
    of one CAM entry (Itau_*, Igain_*, Iw_*). All neurons of a core share these values.
    Weights onto it are CAM multiplicities (whole numbers of entries); v is the membrane
    voltage Vmem = Ut / kappa ln(Imem / Io) in mV. See docs/chips/dynapse2.md."""

    default_parameters = _defaults(_FORMATS)
    default_initial_values = {"v": 0.0}
    recordable = ["spikes", "v"]
    units = {"v": "mV"}
    receptor_types = tuple(t.upper() for t in SYNAPSE_TYPES)
    conductance_based = False
