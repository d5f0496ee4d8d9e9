"""Brian2 forms of PyNN's synapse types, read from a SynapseDescription.

`effect` is the post-synaptic cell model's statement for one receptor, written
with `w_syn` for the weight that arrives; synapse dynamics replace it by the
efficacy of each transmission (`w_eff`).
"""

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


def synapse_model(synapse, effect):
    """(model, on_pre, on_post, method) of the Brian2 Synapses for `synapse`."""
    kind = synapse.kind
    names = "".join(f"{name} : 1\n" for name in synapse.parameters)
    base = "w_syn : 1\n" + names
    transmit = effect.replace("w_syn", "w_eff")
    if kind == "StaticSynapse":
        return base, effect, None, "euler"
    if kind == "SimpleStochasticSynapse":
        return base, "w_eff = w_syn*int(rand() < p)\n" + transmit, None, "euler"
    if kind == "TsodyksMarkramSynapse":
        # NEST's tsodyks2_synapse: resources x and use u jump at each spike and relax
        # exponentially in between
        return (base + "x : 1\nt_last : second\n" + ("u : 1\n" if "u" not in synapse.parameters
                                                   else ""),
                "h = (t - t_last)/ms\n"
                "x = 1 + (x - x*u - 1)*exp(-h/tau_rec)\n"
                "u = U + u*(1 - U)*int(tau_facil > 0)*exp(-h/(tau_facil + 1e-12))\n"
                "w_eff = x*u*w_syn\n" + transmit + "\nt_last = t", None, "euler")
    if kind == "STDPMechanism":
        if synapse.timing_dependence != "SpikePairRule" \
                or synapse.weight_dependence not in _WEIGHT_UPDATES:
            raise errors.NoModelAvailableError(
                f"STDP with {synapse.timing_dependence} and {synapse.weight_dependence} "
                "is not available on the brian2 target yet")
        potentiation, depression = _WEIGHT_UPDATES[synapse.weight_dependence]
        model = (base + "dapre/dt = -apre/tau_plus/ms : 1 (event-driven)\n"
                 "dapost/dt = -apost/tau_minus/ms : 1 (event-driven)\n")
        on_pre = (effect + "\napre += 1\n"
                  f"w_syn = clip(w_syn - {depression.replace('trace', 'apost')}, w_min, w_max)")
        on_post = (f"apost += 1\n"
                   f"w_syn = clip(w_syn + {potentiation.replace('trace', 'apre')}, w_min, w_max)")
        return model, on_pre, on_post, "exact"
    raise errors.NoModelAvailableError(
        f"synapse type {kind} is not available on the brian2 target yet")
