"""DYNAP-SE2's numbers, read from the chip description (hardware_models/dynapse2.json):
the circuit constants of DynapSim's equations, the mismatch model and the board's limits."""

from dataclasses import dataclass

from ...chip import ChipFormats, fact

# the four synapse types (dendrites) of a neuron, in the order of the emulator's arrays
SYNAPSE_TYPES = ("ampa", "gaba", "nmda", "shunt")
INHIBITORY = ("gaba", "shunt")


@dataclass(frozen=True)
class DynapSE2Formats(ChipFormats):
    # circuit constants (DynapSim's layout parameters)
    io: float = fact()  # dark current (A): every current's floor
    ut: float = fact()  # thermal voltage (V)
    kappa_n: float = fact()
    kappa_p: float = fact()
    vth: float = fact()  # pulse-width circuits: t = vth C / I
    c_mem: float = fact()
    c_ampa: float = fact()
    c_gaba: float = fact()
    c_nmda: float = fact()
    c_shunt: float = fact()
    c_ahp: float = fact()
    c_pulse: float = fact()
    c_pulse_ahp: float = fact()
    c_ref: float = fact()
    # rockpool's mismatch model: relative sigma = deviation / sigma_rule
    mismatch_deviation: float = fact()
    mismatch_sigma_rule: float = fact()
    # the board
    neurons_per_core: int = fact("limits")
    cores_per_chip: int = fact("limits")
    chips: int = fact("limits")
    cams_per_neuron: int = fact("limits")
    destinations_per_neuron: int = fact("limits")
    tags_per_core: int = fact("limits")

    @property
    def kappa(self) -> float:
        """DynapSim's kappa: the mean of the n- and p-type slope factors."""
        return (self.kappa_n + self.kappa_p) / 2

    def capacitance(self, synapse_type: str) -> float:
        """The capacitance of a synapse type's DPI circuit."""
        return {"ampa": self.c_ampa, "gaba": self.c_gaba, "nmda": self.c_nmda,
                "shunt": self.c_shunt}[synapse_type]

    def tau_current(self, tau_s, capacitance):
        """The leak current that gives a DPI circuit of `capacitance` the time constant
        `tau_s` (s): tau = Ut C / (kappa I)."""
        return self.ut / self.kappa * capacitance / tau_s

    def pulse_current(self, width_s, capacitance):
        """The bias current that makes a pulse `width_s` long: t = vth C / I."""
        return self.vth * capacitance / width_s

    @property
    def cores(self) -> int:
        return self.cores_per_chip * self.chips
