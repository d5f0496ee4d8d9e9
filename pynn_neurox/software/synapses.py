"""Brian2 forms of PyNN's synapse types, read from a SynapseDescription.

`effect` is the post-synaptic cell model's statement for one receptor, written
with `w_syn` for the weight that arrives; synapse dynamics replace it by the
efficacy of each transmission (`w_eff`).
"""

from dataclasses import dataclass, field

import numpy as np
from pyNN import errors

_WEIGHT_UPDATES = {
    # (potentiation, depression) for one pairing, with the trace in `trace`
    "AdditiveWeightDependence": ("w_max*A_plus*trace", "w_max*A_minus*trace"),
    "MultiplicativeWeightDependence": ("(w_max - w_syn)*A_plus*trace",
                                       "(w_syn - w_min)*A_minus*trace"),
    "AdditivePotentiationMultiplicativeDepression": ("w_max*A_plus*trace",
                                                     "(w_syn - w_min)*A_minus*trace"),
    "GutigWeightDependence": ("(w_max - w_syn)**mu_plus*A_plus*trace",
                              "(w_syn - w_min)**mu_minus*A_minus*trace"),
}

# the most release sites a quantal synapse may have: its draws are unrolled in the code
MAX_RELEASE_SITES = 64

_FACILITATION = "u = U + u*(1 - U)*int(tau_facil > 0)*exp(-h/(tau_facil + 1e-12))\n"


@dataclass
class SynapseModel:
    """The Brian2 Synapses arguments for one synapse type."""

    model: str
    on_pre: str
    on_post: str = None
    method: str = "euler"
    # synaptic state variable -> its value before any spike: a number, or the name of
    # a synapse parameter whose value it starts from
    state: dict = field(default_factory=dict)


def _quantal_release(sites):
    """NEST's quantal_stp_synapse: depleted sites recover, available sites release.

    One Bernoulli draw per site and statement (Brian2 allows one rand() per expression).
    """
    recover = "".join(f"a = a + int({k} <= depleted)*int(rand() < p_recover)\n"
                      for k in range(1, sites + 1))
    release = "".join(f"released = released + int({k} <= a)*int(rand() < u)\n"
                      for k in range(1, sites + 1))
    return ("h = (t - t_last)/ms\n" + _FACILITATION
            + "p_recover = 1 - exp(-h/tau_rec)\n"
            "depleted = n - a\n" + recover + "released = 0*a\n" + release
            + "w_eff = released*w_syn\n")


def synapse_model(synapse, effect):
    """The SynapseModel of `synapse` delivering through `effect`."""
    kind = synapse.kind
    base = "w_syn : 1\n" + "".join(f"{name} : 1\n" for name in synapse.parameters)
    transmit = effect.replace("w_syn", "w_eff")
    if kind == "StaticSynapse":
        return SynapseModel(base, effect)
    if kind == "SimpleStochasticSynapse":
        return SynapseModel(base, "w_eff = w_syn*int(rand() < p)\n" + transmit)
    if kind == "TsodyksMarkramSynapse":
        # NEST's tsodyks2_synapse: resources x and use u jump at each spike and relax
        # exponentially in between
        return SynapseModel(
            base + "x : 1\nu : 1\nt_last : second\n",
            "h = (t - t_last)/ms\n"
            "x = 1 + (x - x*u - 1)*exp(-h/tau_rec)\n" + _FACILITATION
            + "w_eff = x*u*w_syn\n" + transmit + "\nt_last = t",
            state={"x": 1.0, "u": 0.0})
    if kind in ("MultiQuantalSynapse", "StochasticTsodyksMarkramSynapse"):
        # the stochastic Tsodyks-Markram synapse is the quantal one with a single site
        sites = np.asarray(synapse.parameters.get("n", 1))
        top = int(sites.max()) if sites.size else 1
        if top > MAX_RELEASE_SITES or (sites < 1).any():
            raise errors.InvalidParameterValueError(
                f"{kind}: n must be between 1 and {MAX_RELEASE_SITES}, got {sites.min()} to "
                f"{top}")
        model = base + "a : 1\nu : 1\nt_last : second\n" + ("n : 1\n" if kind[0] == "S" else "")
        state = {"a": "n", "u": "U"} if kind[0] == "M" else {"a": 1.0, "n": 1.0, "u": "U"}
        return SynapseModel(model, _quantal_release(top) + transmit
                            + "\na = a - released\nt_last = t", state=state)
    if kind == "STDPMechanism":
        if synapse.timing_dependence != "SpikePairRule" \
                or synapse.weight_dependence not in _WEIGHT_UPDATES:
            raise errors.NoModelAvailableError(
                f"STDP with {synapse.timing_dependence} and {synapse.weight_dependence} "
                "is not available on the brian2 target yet")
        potentiation, depression = _WEIGHT_UPDATES[synapse.weight_dependence]
        return SynapseModel(
            base + "dapre/dt = -apre/tau_plus/ms : 1 (event-driven)\n"
            "dapost/dt = -apost/tau_minus/ms : 1 (event-driven)\n",
            effect + "\napre += 1\n"
            f"w_syn = clip(w_syn - {depression.replace('trace', 'apost')}, w_min, w_max)",
            "apost += 1\n"
            f"w_syn = clip(w_syn + {potentiation.replace('trace', 'apre')}, w_min, w_max)",
            method="exact")
    raise errors.NoModelAvailableError(
        f"synapse type {kind} is not available on the brian2 target yet")
