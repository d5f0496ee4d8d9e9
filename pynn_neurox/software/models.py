"""Brian2 forms of PyNN's standard cell types, with the dynamics NEST implements.

Every variable is a plain number in PyNN's units (mV, ms, nA, nF, uS); time
derivatives divide by `ms`. In these units nA/nF = mV/ms and uS*mV = nA, so the
equations read as in the literature.

Shared conventions (they reproduce NEST's update order on a fixed grid):
- Refractoriness is Brian2's own, with NEST's count: the `refractory` condition holds
  for exactly the number of whole steps in tau_refrac after a spike (Brian2's duration
  form would give one step less); Brian2 then gates the threshold and holds the
  equations marked `(unless refractory)`, and a model's own step uses `not_refractory`.
- `i_inj` is the current from current sources, set at the start of each step.
- Linear current-based models are advanced with exact propagators computed per
  cell (as NEST does), which stay exact when tau_m equals tau_syn; conductance-based
  LIF models with exponential conductances in closed form for the conductances at the
  middle of each step (see _if_cond_exp).
- Models whose inputs jump the membrane potential (delta synapses) evaluate the
  threshold after synaptic delivery, so an input can trigger a spike in the step
  it arrives, as in NEST.
"""

from dataclasses import dataclass

import numpy as np

from ..errors import MappingError
from ..timegrid import refractory_steps
from .multiplicity import COUNT, COUNT_NOW

# PyNN names that are Brian2 unit names (cm, m) get other names in Brian2
RENAMED = {"cm": "c_mem", "m": "m_gate", "h": "h_gate", "n": "n_gate"}


def brian_name(name):
    return RENAMED.get(name, name).replace(".", "_")


# the time since the last spike is compared with a window half a step longer than the
# refractory steps: as robust to rounding as counting steps, at a fraction of the cost
REFRACTORY = "t - lastspike < refractory_window*ms"
COMMON_EQUATIONS = "i_inj : 1\nrefractory_window : 1\n"


def refractory_window(tau_refrac, dt):
    """The window (ms) of REFRACTORY: timegrid.refractory_steps, plus half a step."""
    return (refractory_steps(tau_refrac, dt) + 0.5) * dt


@dataclass
class CellModel:
    """How one PyNN cell type becomes a Brian2 NeuronGroup."""

    equations: str
    threshold: str
    reset: str
    receptors: dict  # receptor type -> on_pre statement (the weight is `w_syn`)
    method: str = None  # Brian2's integration method for the differential equations
    # or the model's own integration of them (exact propagators, NEST's Euler map): code
    # run as the group's state updater, in the same loop as Brian2's refractoriness
    step: str = None
    update: str = None  # code run every step after the state update
    constants: object = None  # f(parameters, dt) -> per-cell constants used by the code
    threshold_after_synapses: bool = False
    # code run at the start of every step, before the state update
    step_start: str = None
    # the condition under which a cell is refractory (None: never)
    refractory: str = REFRACTORY
    # longest integration step (ms) for stiff dynamics: a longer time step is split into
    # substeps; spikes are still reported on the time grid
    max_substep: float = None

    def substeps(self, dt):
        return max(1, int(np.ceil(dt / self.max_substep - 1e-9))) if self.max_substep else 1
    # PyNN recordables computed from state (Brian2 subexpressions) cannot be initialised
    derived: tuple = ()
    # fires with a count of spikes per step, drawn on the host (multiplicity.py)
    counting: bool = False


# --- exact propagators for linear current-based IF models ------------------------

def _phi1(x):
    """(exp(x) - 1)/x, continuous at 0."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 1e-6
    safe = np.where(small, 1.0, x)
    return np.where(small, 1.0 + x / 2, np.expm1(safe) / safe)


def _phi2(x):
    """(exp(x)(x - 1) + 1)/x**2, continuous at 0 (value 1/2)."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 1e-4
    safe = np.where(small, 1.0, x)
    return np.where(small, 0.5 + x / 3, (np.exp(safe) * (safe - 1) + 1) / safe ** 2)


def _membrane(p, h):
    a = 1.0 / p["tau_m"]
    return {"p_vv": np.exp(-h * a), "p_v0": p["tau_m"] / p["c_mem"] * -np.expm1(-h * a)}


def _exp_constants(p, h):
    """dv/dt = -v/tau_m + i/c_mem, di/dt = -i/tau_s: propagators over one step h."""
    out = _membrane(p, h)
    a = 1.0 / p["tau_m"]
    for syn, tau in (("exc", p["tau_syn_E"]), ("inh", p["tau_syn_I"])):
        b = 1.0 / tau
        out[f"p_{syn}"] = np.exp(-h * b)
        out[f"p_v{syn}"] = np.exp(-h * a) * h * _phi1(h * (a - b)) / p["c_mem"]
    return out


def _alpha_constants(p, h):
    """As _exp_constants with di/dt = y - i/tau_s, dy/dt = -y/tau_s (alpha-shaped PSC)."""
    out = _exp_constants(p, h)
    a = 1.0 / p["tau_m"]
    for syn, tau in (("exc", p["tau_syn_E"]), ("inh", p["tau_syn_I"])):
        b = 1.0 / tau
        out[f"p_vy{syn}"] = np.exp(-h * a) * h ** 2 * _phi2(h * (a - b)) / p["c_mem"]
        out[f"p_iy{syn}"] = h * np.exp(-h * b)
    return out


def _linear_if(alpha):
    if alpha:
        currents_eqs = "".join(
            f"disyn_{x}/dt = (y_{x} - isyn_{x}/tau_syn_{X})/ms : 1\n"
            f"dy_{x}/dt = -y_{x}/tau_syn_{X}/ms : 1\n" for x, X in (("exc", "E"), ("inh", "I")))
    else:
        currents_eqs = ("disyn_exc/dt = -isyn_exc/tau_syn_E/ms : 1\n"
                        "disyn_inh/dt = -isyn_inh/tau_syn_I/ms : 1\n")
    constant_names = ["p_vv", "p_v0", "p_exc", "p_inh", "p_vexc", "p_vinh"]
    if alpha:
        constant_names += ["p_vyexc", "p_vyinh", "p_iyexc", "p_iyinh"]
    v_input = "isyn_exc*p_vexc + isyn_inh*p_vinh"
    currents = "isyn_exc = isyn_exc*p_exc\nisyn_inh = isyn_inh*p_inh\n"
    if alpha:
        v_input += " + y_exc*p_vyexc + y_inh*p_vyinh"
        currents = ("isyn_exc = isyn_exc*p_exc + y_exc*p_iyexc\n"
                    "isyn_inh = isyn_inh*p_inh + y_inh*p_iyinh\n"
                    "y_exc = y_exc*p_exc\ny_inh = y_inh*p_inh\n")
    step = ("v = v_rest + int(not_refractory)*((v - v_rest)*p_vv + "
            f"{v_input} + (i_offset + i_inj)*p_v0) + (1 - int(not_refractory))*(v - v_rest)\n"
            + currents)
    e = np.e
    return CellModel(
        equations=("dv/dt = ((v_rest - v)/tau_m + (isyn_exc + isyn_inh + i_offset + i_inj)"
                   "/c_mem)/ms : 1\n" + currents_eqs
                   + "".join(f"{name} : 1\n" for name in constant_names)),
        threshold="v >= v_thresh",
        reset="v = v_reset",
        receptors={"excitatory": f"y_exc_post += {e!r}/tau_syn_E_post*w_syn" if alpha
                   else "isyn_exc_post += w_syn",
                   "inhibitory": f"y_inh_post += {e!r}/tau_syn_I_post*w_syn" if alpha
                   else "isyn_inh_post += w_syn"},
        step=step,
        constants=_alpha_constants if alpha else _exp_constants)


IF_curr_delta = CellModel(
    equations="dv/dt = ((v_rest - v)/tau_m + (i_offset + i_inj)/c_mem)/ms : 1\n"
              "p_vv : 1\np_v0 : 1\n",
    threshold="v >= v_thresh",
    reset="v = v_reset",
    receptors={"excitatory": "v_post += w_syn*int(not_refractory_post)",
               "inhibitory": "v_post += w_syn*int(not_refractory_post)"},
    step="v = v_rest + int(not_refractory)*((v - v_rest)*p_vv + (i_offset + i_inj)*p_v0)"
         " + (1 - int(not_refractory))*(v - v_rest)\n",
    constants=_membrane,
    threshold_after_synapses=True)


# --- conductance-based models (integrated by Brian2) --------------------------------

def _cond_synapses(shape):
    """(equations, half-step code, receptors) of 'exp' or 'alpha' conductances (uS).

    Exponential conductances are advanced exactly, half a step before the membrane
    update and half a step after it, so the membrane's RK4 sees them at the middle of
    the step: as accurate against NEST (1e-4 mV) and two fewer equations in the RK4
    system, which halves its cost. Alpha conductances rise within a step, where the
    midpoint value is 100 times less accurate, so they stay in the RK4 system.
    """
    if shape == "exp":
        return ("gsyn_exc : 1\ngsyn_inh : 1\nq_exc : 1\nq_inh : 1\n",
                "gsyn_exc = gsyn_exc*q_exc\ngsyn_inh = gsyn_inh*q_inh\n",
                {"excitatory": "gsyn_exc_post += w_syn",
                 "inhibitory": "gsyn_inh_post += w_syn"})
    return ("dgsyn_exc/dt = (y_exc - gsyn_exc/tau_syn_E)/ms : 1\n"
            "dy_exc/dt = -y_exc/tau_syn_E/ms : 1\n"
            "dgsyn_inh/dt = (y_inh - gsyn_inh/tau_syn_I)/ms : 1\n"
            "dy_inh/dt = -y_inh/tau_syn_I/ms : 1\n", "",
            {"excitatory": f"y_exc_post += {np.e!r}/tau_syn_E_post*w_syn",
             "inhibitory": f"y_inh_post += {np.e!r}/tau_syn_I_post*w_syn"})


def _half_step_decay(parameters, dt):
    return {"q_exc": np.exp(-dt / 2 / parameters["tau_syn_E"]),
            "q_inh": np.exp(-dt / 2 / parameters["tau_syn_I"])}


_SYNAPTIC_CURRENT = "gsyn_exc*(e_rev_E - v) + gsyn_inh*(e_rev_I - v)"


def _lif_membrane(synaptic):
    """(membrane current, extra equations, threshold, reset) of a leaky IF neuron."""
    return (f"c_mem/tau_m*(v_rest - v) + {synaptic}", "", "v >= v_thresh",
            "v = v_reset\n")


def _adexp_membrane(synaptic):
    """The same for the adaptive exponential IF neuron (NEST's aeif_* models).

    NEST caps the potential at v_spike inside the exponential and the synaptic
    driving forces, which keeps the integration finite during the upstroke.
    """
    return (f"c_mem/tau_m*(v_rest - vc) + c_mem/tau_m*delta_T*exp((vc - v_thresh)/delta_T)"
            f" + {synaptic.replace('- v)', '- vc)')} - w",
            "vc = clip(v, -1e9, v_spike) : 1\n"
            "dw/dt = (0.001*a*(v - v_rest) - w)/tau_w/ms : 1\n",
            "v >= v_spike", "v = v_reset\nw += b\n")


def _integrated(membrane, synapse_equations, receptors, constants=None, half_step=""):
    """A CellModel whose membrane is integrated by Brian2 with RK4.

    `half_step` is code that advances synaptic state by half a step; it runs before and
    after the membrane update (see _cond_synapses).
    """
    current, equations, threshold, reset = membrane
    return CellModel(
        equations=(f"dv/dt = ({current} + i_offset + i_inj)/c_mem/ms : 1 (unless refractory)\n"
                   + equations + synapse_equations),
        threshold=threshold, reset=reset,
        receptors=receptors, method="rk4", constants=constants,
        step_start=half_step or None, update=half_step or None)


def _if_cond_alpha():
    synapse_eqs, _, receptors = _cond_synapses("alpha")
    return _integrated(_lif_membrane(_SYNAPTIC_CURRENT), synapse_eqs, receptors)


def _if_cond_exp(leak=lambda p: p["c_mem"] / p["tau_m"], extra=(), reset_extra=""):
    """A conductance-based LIF cell with exponential conductances, advanced in closed form.

    The conductances decay exactly by half a step before and after the membrane update,
    which holds them at their midpoint values (see _cond_synapses); with them fixed the
    membrane equation is linear in v and is solved exactly. This is the solution RK4
    approximates on the same split, at one exponential per cell instead of four stage
    evaluations, and with the half steps in the same loop. `leak` gives the leak
    conductance (uS) from the parameters; `extra` lists further exponential conductances
    as (variable, scale to uS, reversal potential, time constant).
    """
    conductances = [("gsyn_exc", "", "e_rev_E", "q_exc", "tau_syn_E"),
                    ("gsyn_inh", "", "e_rev_I", "q_inh", "tau_syn_I")]
    conductances += [(g, f"{scale}*", reversal, f"q_{g}", tau)
                     for g, scale, reversal, tau in extra]
    decay = "".join(f"{g} = {g}*{q}\n" for g, _, _, q, _ in conductances)
    total = " + ".join(f"{s}{g}" for g, s, _, _, _ in conductances)
    driven = " + ".join(f"{s}{g}*{e}" for g, s, e, _, _ in conductances)
    step = (decay + f"g_sum = g_leak_total + {total}\n"
            f"v_inf = (i_steady + {driven} + i_inj)/g_sum\n"
            "v = v + int(not_refractory)*(v_inf - v)*(1 - exp(-g_sum*dt_over_c))\n" + decay)
    synaptic = " + ".join(f"{s}{g}*({e} - v)" for g, s, e, _, _ in conductances)
    equations = (f"dv/dt = (g_leak_total*(v_rest - v) + {synaptic} + i_offset + i_inj)"
                 "/c_mem/ms : 1\n"
                 + "".join(f"d{g}/dt = -{g}/{tau}/ms : 1\n" for g, _, _, _, tau in conductances))

    def constants(parameters, dt):
        """Per-cell numbers of the step that change only with the parameters."""
        g_leak = leak(parameters)
        return {**{q: np.exp(-dt / 2 / parameters[tau]) for _, _, _, q, tau in conductances},
                "g_leak_total": g_leak, "dt_over_c": dt / parameters["c_mem"],
                "i_steady": g_leak * parameters["v_rest"] + parameters["i_offset"]}

    names = [*(q for _, _, _, q, _ in conductances), "g_leak_total", "i_steady", "dt_over_c"]
    return CellModel(
        equations=equations + "".join(f"{name} : 1\n" for name in names),
        threshold="v >= v_thresh", reset="v = v_reset\n" + reset_extra,
        receptors={"excitatory": "gsyn_exc_post += w_syn",
                   "inhibitory": "gsyn_inh_post += w_syn"},
        step=step, constants=constants)


def _eif(shape):
    synapse_eqs, half_step, receptors = _cond_synapses(shape)
    return _integrated(_adexp_membrane(_SYNAPTIC_CURRENT), synapse_eqs, receptors,
                       constants=_half_step_decay if half_step else None, half_step=half_step)


HH_cond_exp = CellModel(
    equations=(
        "dv/dt = (g_leak*(e_rev_leak - v) + gbar_Na*m_gate**3*h_gate*(e_rev_Na - v)"
        " + gbar_K*n_gate**4*(e_rev_K - v) + " + _SYNAPTIC_CURRENT
        + " + i_offset + i_inj)/c_mem/ms : 1\n"
        "vs = v - v_offset : 1\n"
        "dm_gate/dt = (0.32*4/exprel((13 - vs)/4)*(1 - m_gate)"
        " - 0.28*5/exprel((vs - 40)/5)*m_gate)/ms : 1\n"
        "dh_gate/dt = (0.128*exp((17 - vs)/18)*(1 - h_gate)"
        " - 4/(1 + exp((40 - vs)/5))*h_gate)/ms : 1\n"
        "dn_gate/dt = (0.032*5/exprel((15 - vs)/5)*(1 - n_gate)"
        " - 0.5*exp((10 - vs)/40)*n_gate)/ms : 1\n"
        "dgsyn_exc/dt = -gsyn_exc/tau_syn_E/ms : 1\n"
        "dgsyn_inh/dt = -gsyn_inh/tau_syn_I/ms : 1\n"
        "v_before : 1\n"),
    # the Na current moves v by hundreds of mV per ms, which makes Runge-Kutta unstable
    # at dt = 0.1 ms: the cell is integrated in steps of at most 0.01 ms (NEST uses an
    # adaptive solver)
    # NEST's hh_cond_exp_traub: a spike is the peak of an upstroke above v_offset + 30 mV,
    # followed by a 2 ms refractory period without reset
    threshold="v >= v_offset + 30 and v < v_before",
    reset="",
    refractory="timestep(t - lastspike, dt) <= timestep(2*ms, dt)",
    receptors={"excitatory": "gsyn_exc_post += w_syn", "inhibitory": "gsyn_inh_post += w_syn"},
    method="rk4",
    max_substep=0.01,
    step_start="v_before = v")


Izhikevich = CellModel(
    equations="dv/dt = (0.04*v**2 + 5*v + 140 - u + 1000*(i_offset + i_inj))/ms : 1\n"
              "du/dt = a*(b*v - u)/ms : 1\n",
    threshold="v >= 30",
    reset="v = c\nu += d",
    receptors={"excitatory": "v_post += w_syn", "inhibitory": "v_post += w_syn"},
    # NEST's izhikevich with consistent integration: one forward-Euler step from the
    # old values of v and u; the offset current is scaled as NEST does (1 nA -> 1000)
    # (u's step is computed first: a temporary copy of v would alias v in numpy code)
    step=("u_next = u + dt/ms*a*(b*v - u)\n"
          "v = v + dt/ms*(0.04*v**2 + 5*v + 140 - u + 1000*(i_offset + i_inj))\n"
          "u = u_next\n"),
    threshold_after_synapses=True,
    refractory=None)


GIF_cond_exp = CellModel(
    equations=(
        "dv/dt = (c_mem/tau_m*(v_rest - v) + " + _SYNAPTIC_CURRENT
        + " - i_eta + i_offset + i_inj)/c_mem/ms : 1 (unless refractory)\n"
        "i_eta = eta1 + eta2 + eta3 : 1\n"
        "v_t = v_t_star + gamma1 + gamma2 + gamma3 : 1\n"
        "deta1/dt = -eta1/tau_eta1/ms : 1\n"
        "deta2/dt = -eta2/tau_eta2/ms : 1\n"
        "deta3/dt = -eta3/tau_eta3/ms : 1\n"
        "dgamma1/dt = -gamma1/tau_gamma1/ms : 1\n"
        "dgamma2/dt = -gamma2/tau_gamma2/ms : 1\n"
        "dgamma3/dt = -gamma3/tau_gamma3/ms : 1\n"
        "dgsyn_exc/dt = -gsyn_exc/tau_syn_E/ms : 1\n"
        "dgsyn_inh/dt = -gsyn_inh/tau_syn_I/ms : 1\n"),
    # escape noise: the probability to fire in one step is 1 - exp(-lambda*dt)
    threshold="rand() < -expm1(-lambda0*exp((v - v_t)/delta_v)*dt/second)",
    reset=("v = v_reset\neta1 += a_eta1\neta2 += a_eta2\neta3 += a_eta3\n"
           "gamma1 += a_gamma1\ngamma2 += a_gamma2\ngamma3 += a_gamma3"),
    receptors={"excitatory": "gsyn_exc_post += w_syn", "inhibitory": "gsyn_inh_post += w_syn"},
    method="rk4",
    derived=("i_eta", "v_t"))


# --- spike sources ---------------------------------------------------------------

_WINDOW = "t >= start*ms and t < (start + duration)*ms"

# NEST's poisson_generator: a Poisson count of spikes per step, drawn on the host in its
# window [start, start + duration) (multiplicity.PoissonCounts)
SpikeSourcePoisson = CellModel(
    equations=COUNT_NOW, threshold=f"{COUNT} > 0",
    reset="", receptors={}, refractory=None, counting=True)

# the hazard outside the dead time is raised so that the mean rate stays `rate`
SpikeSourcePoissonRefractory = CellModel(
    equations="",
    threshold=(f"{_WINDOW} and "
               "rand() < rate/(1 - rate*tau_refrac/1000.0)*dt/second"),
    reset="", receptors={})

# a gamma process of integer order alpha: alpha exponential stages of rate beta
SpikeSourceGamma = CellModel(
    equations="stage : 1\n",
    update=f"stage = stage + int({_WINDOW} and rand() < beta*dt/second)\n",
    threshold="stage >= alpha", reset="stage = 0", receptors={}, refractory=None)


MODELS = {
    "IF_curr_exp": _linear_if(alpha=False),
    "IF_curr_alpha": _linear_if(alpha=True),
    "IF_curr_delta": IF_curr_delta,
    "IF_cond_exp": _if_cond_exp(),
    "IF_cond_alpha": _if_cond_alpha(),
    "IF_cond_exp_gsfa_grr": _if_cond_exp(
        extra=[("g_s", 0.001, "e_rev_sfa", "tau_sfa"), ("g_r", 0.001, "e_rev_rr", "tau_rr")],
        reset_extra="g_s += q_sfa\ng_r += q_rr"),
    "IF_facets_hardware1": _if_cond_exp(leak=lambda p: 0.001 * p["g_leak"]),
    "HH_cond_exp": HH_cond_exp,
    "EIF_cond_exp_isfa_ista": _eif("exp"),
    "EIF_cond_alpha_isfa_ista": _eif("alpha"),
    "Izhikevich": Izhikevich,
    "GIF_cond_exp": GIF_cond_exp,
    "SpikeSourcePoisson": SpikeSourcePoisson,
    "SpikeSourcePoissonRefractory": SpikeSourcePoissonRefractory,
    "SpikeSourceGamma": SpikeSourceGamma,
}

# fixed parameters of IF_facets_hardware1 (PyNN's documentation of the model)
FIXED_PARAMETERS = {"IF_facets_hardware1": {"c_mem": 0.2, "tau_refrac": 1.0, "e_rev_E": 0.0,
                                            "i_offset": 0.0}}


# --- PointNeuron: a neuron component plus named receptors ---------------------------

def _receptor(name, psr):
    """(equations, current into the membrane, on_pre) of one post-synaptic receptor."""
    kind = type(psr).__name__
    g, tau = f"{name}_gsyn", f"{name}_tau_syn"
    if kind == "CurrExpPostSynapticResponse":
        i = f"{name}_isyn"
        return f"d{i}/dt = -{i}/{tau}/ms : 1\n", i, f"{i}_post += w_syn"
    if kind == "CondExpPostSynapticResponse":
        return (f"d{g}/dt = -{g}/{tau}/ms : 1\n", f"{g}*({name}_e_syn - v)",
                f"{g}_post += w_syn")
    if kind == "CondAlphaPostSynapticResponse":
        y = f"{name}_y"
        return (f"d{g}/dt = ({y} - {g}/{tau})/ms : 1\nd{y}/dt = -{y}/{tau}/ms : 1\n",
                f"{g}*({name}_e_syn - v)", f"{y}_post += {np.e!r}/{tau}_post*w_syn")
    if kind == "CondBetaPostSynapticResponse":
        a, b = f"{name}_a", f"{name}_b"
        return (f"{g} = {a} - {b} : 1\nd{a}/dt = -{a}/{name}_tau_decay/ms : 1\n"
                f"d{b}/dt = -{b}/{name}_tau_rise/ms : 1\n{name}_norm : 1\n",
                f"{g}*({name}_e_syn - v)",
                f"{a}_post += {name}_norm_post*w_syn\n{b}_post += {name}_norm_post*w_syn")
    raise MappingError(f"receptor '{name}': {kind} is not available on the brian2 target")


def _beta_normalisation(parameters, names):
    """Scale of a difference of exponentials so that its peak equals the weight."""
    out = {}
    for name in names:
        rise, decay = parameters[f"{name}_tau_rise"], parameters[f"{name}_tau_decay"]
        peak = decay * rise / (decay - rise) * np.log(decay / rise)
        out[f"{name}_norm"] = 1.0 / (np.exp(-peak / decay) - np.exp(-peak / rise))
    return out


def point_neuron_model(celltype):
    """The CellModel of a PointNeuron, assembled from its neuron and receptor components."""
    equations, currents, receptors, beta = "", [], {}, []
    for name, psr in celltype.post_synaptic_receptors.items():
        eqs, current, on_pre = _receptor(name, psr)
        equations += eqs
        currents.append(current)
        receptors[name] = on_pre
        if type(psr).__name__ == "CondBetaPostSynapticResponse":
            beta.append(name)
    synaptic = " + ".join(currents) or "0"
    neuron = type(celltype.neuron).__name__
    membranes = {"LIF": _lif_membrane, "AdExp": _adexp_membrane}
    if neuron not in membranes:
        raise MappingError(f"PointNeuron with a {neuron} neuron is not available on the brian2 "
                         "target")
    return _integrated(
        membranes[neuron](synaptic), equations, receptors,
        constants=(lambda parameters, dt: _beta_normalisation(parameters, beta)) if beta
        else None)


def model_for(description):
    """The CellModel of a population description, or None when no Brian2 form exists."""
    if description.celltype == "PointNeuron":
        return point_neuron_model(description.celltype_object)
    return MODELS.get(description.celltype)
