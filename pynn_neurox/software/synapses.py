"""Brian2 forms of PyNN's synapse types, read from a SynapseDescription.

`effect` is the post-synaptic cell model's statement for one receptor, written
with `w_syn` for the weight that arrives; synapse dynamics replace it by the
efficacy of each transmission (`w_eff`). The equations, and the NEST model each
form reproduces, are in docs/synapses/.
"""

from dataclasses import dataclass, field

import numpy as np
from pyNN import errors

from .multiplicity import DELAY_STEPS, counted

# STDP weight dependences: (potentiation, depression) factors of the weight, relative
# to w_max (NEST's stdp_synapse with mu_plus, mu_minus; PyNN's four are its special cases)
_WEIGHT_FACTORS = {
    "AdditiveWeightDependence": ("1", "1"),
    "MultiplicativeWeightDependence": ("(w_max - w_syn)/w_max", "(w_syn - w_min)/w_max"),
    "AdditivePotentiationMultiplicativeDepression": ("1", "(w_syn - w_min)/w_max"),
    "GutigWeightDependence": ("((w_max - w_syn)/w_max)**mu_plus",
                              "((w_syn - w_min)/w_max)**mu_minus"),
}

# STDP timing dependences: the time constants of the pre- and post-synaptic traces,
# the amplitude of potentiation (per unit of trace) and of depression (per unit of
# trace), and a depression at each pre-synaptic spike whatever the timing
_TIMING_RULES = {
    # NEST's stdp_synapse: lambda = A_plus, alpha = A_minus/A_plus, Wmax = w_max
    "SpikePairRule": dict(tau_pre="tau_plus", tau_post="tau_minus",
                          potentiation="w_max*A_plus", depression="w_max*A_minus",
                          constant_depression=None),
    # NEST's vogels_sprekeler_synapse: alpha = 2*rho*tau (rho in Hz, tau in ms)
    "Vogels2011Rule": dict(tau_pre="tau", tau_post="tau", potentiation="eta",
                           depression=None, constant_depression="eta*2*rho*tau/1000"),
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
    # synaptic state variable -> its value before any spike: a number, the name of a
    # synapse parameter whose value it starts from, or "time zero" (when the
    # pre-synaptic pathway would run for a spike at time 0, so that the first interval
    # counts from time 0 as in NEST)
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


def _tsodyks_markram(psc_tau):
    """NEST's tsodyks_synapse: resources are available (x), active (y, decaying with the
    post-synaptic current's time constant) or recovering (1 - x - y, with tau_rec).

    Without a current time constant (delta synapses) the active state is empty and the
    form is NEST's tsodyks2_synapse.
    """
    if psc_tau is None:
        recovery = "x = x + (1 - exp(-h/tau_rec))*(1 - x)\n"
    else:
        # the share of active resources that has recovered after h, continuous when
        # both time constants are equal
        recovery = (f"p_zz = exp(-h/tau_rec)\np_yy = exp(-h/{psc_tau})\n"
                    f"x = x + (1 - p_yy - p_zz*h/{psc_tau}*exprel(h/tau_rec - h/{psc_tau}))*y"
                    " + (1 - p_zz)*(1 - x - y)\n"
                    "y = y*p_yy\n")
    return ("h = (t - t_last)/ms\n" + recovery + _FACILITATION
            + "w_eff = u*x*w_syn\n")


def _stdp(synapse, effect):
    """All-to-all pair STDP as NEST computes it, with traces per synapse.

    The pre-synaptic pathway updates the weight, then transmits it (NEST sends the
    updated weight); the target sets the post-synaptic pathway's delay and place in
    the schedule so that both pathways see the spikes at the synapse
    (ProjectionBuilder._write_post_pathway). A pre- and a post-synaptic spike at the same
    moment do not pair with each other, and the post-synaptic spike's update comes
    first, as in NEST: the target runs the post-synaptic pathway before the
    pre-synaptic one, which then leaves out the post-synaptic spike of its own step
    (`lastupdate` is the time of the last pathway run of the synapse before this one;
    it starts long before time 0). Where the post-synaptic pathway has to run after the
    pre-synaptic one (a cell that spikes after its synapses act, with no dendritic
    delay), it leaves out the pre-synaptic spike of its own step in the same way.
    """
    rule = _TIMING_RULES.get(synapse.timing_dependence)
    factors = _WEIGHT_FACTORS.get(synapse.weight_dependence)
    if rule is None or factors is None:
        raise errors.NoModelAvailableError(
            f"STDP with {synapse.timing_dependence} and {synapse.weight_dependence} "
            "is not available on the brian2 target")
    grow, shrink = (f"*{factor}" if factor != "1" else "" for factor in factors)
    pre = ""
    earlier_post, earlier_pre = ("(apost - int(lastupdate == t))",
                                 "(apre - int(lastupdate == t))")
    if rule["depression"]:
        pre += (f"w_syn = clip(w_syn - {rule['depression']}{shrink}*{earlier_post}, w_min, "
                "w_max)\n")
    else:  # Vogels-Sprekeler: a pre-synaptic spike also potentiates with earlier post spikes
        pre += (f"w_syn = clip(w_syn + {rule['potentiation']}{grow}*{earlier_post}, w_min, "
                "w_max)\n")
    if rule["constant_depression"]:
        pre += f"w_syn = clip(w_syn - {rule['constant_depression']}{shrink}, w_min, w_max)\n"
    post = (f"w_syn = clip(w_syn + {rule['potentiation']}{grow}*{earlier_pre}, w_min, "
            "w_max)\n"
            "apost += 1")
    return SynapseModel(
        f"dapre/dt = -apre/{rule['tau_pre']}/ms : 1 (event-driven)\n"
        f"dapost/dt = -apost/{rule['tau_post']}/ms : 1 (event-driven)\n",
        pre + effect + "\napre += 1", post, method="exact",
        state={"lastupdate": -1e6})


def synapse_model(synapse, effect, psc_tau=None, shared=(), counting=False):
    """The SynapseModel of `synapse` delivering through `effect`.

    `psc_tau` is the post-synaptic variable holding the receptor's current time
    constant (e.g. `tau_syn_E_post`), None for delta synapses. Parameters named in
    `shared` have one value for all connections: Brian2 then reads a number instead
    of gathering an array at every spike. From a `counting` source (several spikes per
    step, multiplicity.py) the synapse updates once per step and sends count x its
    efficacy, as NEST does with a spike's multiplicity.
    """
    if not counting:
        return _synapse_model(synapse, effect, psc_tau, shared)
    model = _synapse_model(synapse, counted(effect), psc_tau, shared)
    model.model += f"{DELAY_STEPS} : integer (constant)\n"
    return model


def _synapse_model(synapse, effect, psc_tau, shared):
    kind = synapse.kind
    base = "w_syn : 1\n" + "".join(f"{name} : 1{' (shared)' if name in shared else ''}\n"
                                    for name in synapse.parameters)
    transmit = effect.replace("w_syn", "w_eff")
    if kind == "StaticSynapse":
        return SynapseModel(base, effect)
    if kind == "SimpleStochasticSynapse":
        return SynapseModel(base, "w_eff = w_syn*int(rand() < p)\n" + transmit)
    if kind == "TsodyksMarkramSynapse":
        return SynapseModel(
            base + "x : 1\ny : 1\nu : 1\nt_last : second\n",
            _tsodyks_markram(psc_tau) + transmit + "\ny = y + u*x\nx = x - u*x\nt_last = t",
            state={"x": 1.0, "y": 0.0, "u": 0.0, "t_last": "time zero"})
    if kind in ("MultiQuantalSynapse", "StochasticTsodyksMarkramSynapse"):
        # the stochastic Tsodyks-Markram synapse is the quantal one with a single site
        sites = np.asarray(synapse.parameters.get("n", 1))
        top = int(sites.max()) if sites.size else 1
        if top > MAX_RELEASE_SITES:
            raise errors.NoModelAvailableError(
                f"{kind}: the brian2 target draws at most {MAX_RELEASE_SITES} release sites, "
                f"got n = {top}")
        model = base + "a : 1\nu : 1\nt_last : second\n" + ("n : 1\n" if kind[0] == "S" else "")
        state = {"a": "n", "u": "U"} if kind[0] == "M" else {"a": 1.0, "n": 1.0, "u": "U"}
        return SynapseModel(model, _quantal_release(top) + transmit
                            + "\na = a - released\nt_last = t",
                            state=dict(state, t_last="time zero"))
    if kind == "STDPMechanism":
        model = _stdp(synapse, effect)
        model.model = base + model.model
        return model
    raise errors.NoModelAvailableError(
        f"synapse type {kind} is not available on the brian2 target")
