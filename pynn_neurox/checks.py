"""Checks of user input that PyNN itself does not make, with messages that say where."""

import numpy as np
from pyNN import errors

# parameters that must be strictly positive: time constants, capacitances, rates' scales
_POSITIVE = ("tau_m", "tau_syn_E", "tau_syn_I", "tau_syn", "tau_rise", "tau_decay", "cm",
             "tau_w", "tau_sfa", "tau_rr", "tau_eta", "tau_gamma", "delta_T", "delta_v",
             "g_leak", "tau_rec", "tau_plus", "tau_minus", "tau")
_NON_NEGATIVE = ("tau_refrac", "rate", "duration", "tau_facil", "gbar_Na", "gbar_K",
                 "lambda0", "alpha", "beta", "mu_plus", "mu_minus", "rho")
# probabilities of synapse types: transmission, use of resources
_PROBABILITIES = ("p", "U")
# a source's duration may be forever; every other value must be finite
_MAY_BE_INFINITE = ("duration",)
# a Poisson source's mean spikes per cell and step at most (each is an event to deliver)
MAX_SPIKES_PER_STEP = 1e4
# the names _check_thresholds compares (a set() of one of them needs the others)
THRESHOLDS = ("v_reset", "v_thresh", "v_spike")


def _numeric(value):
    if value.dtype == object:
        parts = [np.asarray(getattr(v, "value", v), dtype=float).ravel() for v in value.ravel()]
        return np.concatenate(parts) if parts else np.array([])
    return np.asarray(value, dtype=float)


def check_parameters(model, parameters, where, dt=None):
    """Raise InvalidParameterValueError naming the parameter, the model and `where`; with
    the time step `dt`, also a Poisson rate beyond MAX_SPIKES_PER_STEP."""
    model_name = type(model).__name__
    for name, value in parameters.items():
        short = name.rsplit(".", 1)[-1]
        try:
            numbers = _numeric(np.asarray(value))
        except (TypeError, ValueError):
            continue
        if numbers.size == 0:
            continue
        bad = None
        if np.isnan(numbers).any():
            bad = "NaN"
        elif short not in _MAY_BE_INFINITE and np.isinf(numbers).any():
            bad = f"{numbers[np.isinf(numbers)][0]:g} (must be finite)"
        elif short in _POSITIVE and (numbers <= 0).any():
            bad = f"{numbers[numbers <= 0][0]:g} (must be > 0)"
        elif short in _NON_NEGATIVE and (numbers < 0).any():
            bad = f"{numbers[numbers < 0][0]:g} (must be >= 0)"
        elif short in _PROBABILITIES and ((numbers < 0) | (numbers > 1)).any():
            bad = f"{numbers[(numbers < 0) | (numbers > 1)][0]:g} (must be within [0, 1])"
        elif short == "n" and ((numbers < 1) | (numbers != np.round(numbers))).any():
            bad = f"{numbers[(numbers < 1) | (numbers != np.round(numbers))][0]:g} " \
                  "(must be a whole number >= 1)"
        if bad:
            raise errors.InvalidParameterValueError(
                f"{model_name} parameter '{name}' in {where} has the invalid value {bad}")
    if model_name == "SpikeSourceArray" and "spike_times" in parameters:
        for i, times in enumerate(np.asarray(parameters["spike_times"]).ravel()):
            times = np.asarray(getattr(times, "value", times), dtype=float)
            if times.size and (np.diff(times) < 0).any():
                raise errors.InvalidParameterValueError(
                    f"SpikeSourceArray 'spike_times' of cell {i} in {where} are not sorted")
            if (times < 0).any():
                raise errors.InvalidParameterValueError(
                    f"SpikeSourceArray 'spike_times' of cell {i} in {where} has the invalid "
                    f"value {times[times < 0][0]:g} (must be >= 0)")
    _check_thresholds(model_name, parameters, where)
    if dt is not None and model_name.startswith("SpikeSourcePoisson") and "rate" in parameters:
        rates = np.asarray(parameters["rate"], dtype=float)
        if (rates * dt / 1000.0 > MAX_SPIKES_PER_STEP).any():
            raise errors.InvalidParameterValueError(
                f"{model_name} parameter 'rate' in {where} has the invalid value "
                f"{rates.max():g} Hz: more than {MAX_SPIKES_PER_STEP:g} spikes per cell and "
                f"step of {dt:g} ms")


def _check_thresholds(model_name, parameters, where):
    """The reset below the threshold, as NEST requires (iaf_*: "Reset potential must be
    smaller than threshold"; aeif_*: V_reset < V_peak and V_th <= V_peak). Without it a
    cell fires in every step it is not refractory."""
    values = {name: np.asarray(parameters[name], dtype=float)
              for name in ("v_reset", "v_thresh", "v_spike") if name in parameters}
    if "v_reset" not in values or "v_thresh" not in values:
        return
    rules = ([("v_reset", "v_spike", np.less), ("v_thresh", "v_spike", np.less_equal)]
             if "v_spike" in values else [("v_reset", "v_thresh", np.less)])
    for low, high, holds in rules:
        bad = ~holds(*np.broadcast_arrays(values[low], values[high]))
        if bad.any():
            first = np.flatnonzero(bad)[0]
            raise errors.InvalidParameterValueError(
                f"{model_name} parameters in {where}: {low} = "
                f"{np.broadcast_to(values[low], bad.shape)[first]:g} must be "
                f"{'below' if holds is np.less else 'at most'} {high} = "
                f"{np.broadcast_to(values[high], bad.shape)[first]:g} (cell {first}); NEST "
                "refuses it too")


def check_connections(projection_label, weights, delays, timestep, sign, receptor_type):
    """Weights finite and of the receptor's sign (`sign`: 1 for an excitatory or
    conductance-based receptor, -1 for current-based inhibition, 0 for either, as PyNN's
    check_weights and NEST require); delays finite and at least one time step."""
    weights = np.asarray(weights, dtype=float)
    if not np.isfinite(weights).all():
        raise errors.InvalidWeightError(
            f"projection '{projection_label}': weights contain NaN or infinity "
            f"({weights[~np.isfinite(weights)][0]:g})")
    wrong = sign * weights < 0
    if wrong.any():
        kind = "excitatory or conductance-based" if sign > 0 else "current-based inhibitory"
        raise errors.ConnectionError(
            f"projection '{projection_label}': weight = {weights[wrong][0]:g} onto the "
            f"'{receptor_type}' receptor ({kind}), which takes weights "
            f"{'>= 0' if sign > 0 else '<= 0'}")
    delays = np.asarray(delays, dtype=float)
    if not np.isfinite(delays).all():
        raise errors.InvalidParameterValueError(
            f"projection '{projection_label}': delay = {delays[~np.isfinite(delays)][0]:g} "
            "(delays must be finite)")
    if delays.size and delays.min() < timestep - 1e-9:
        raise errors.ConnectionError(
            f"projection '{projection_label}': delay {delays.min():g} ms is shorter than "
            f"the time step {timestep:g} ms")


def check_plasticity(projection_label, receptor_type, values, negative_receptor):
    """STDP bounds in order, and weights and bounds of the receptor's sign.

    `values` holds per-connection arrays of `weight`, `w_min` and `w_max`; a receptor
    takes negative weights where `negative_receptor` (current-based inhibition),
    non-negative ones otherwise.
    """
    weights, w_min, w_max = (np.atleast_1d(np.asarray(values[name], dtype=float))
                             for name in ("weight", "w_min", "w_max"))
    w_min, w_max = np.broadcast_arrays(w_min, w_max)
    reversed_ = w_min > w_max
    if reversed_.any():
        raise errors.InvalidParameterValueError(
            f"STDPMechanism parameters 'w_min' and 'w_max' in projection "
            f"'{projection_label}' are reversed: w_min = {w_min[reversed_][0]:g} > "
            f"w_max = {w_max[reversed_][0]:g}")
    sign, allowed, kind = ((-1, "<= 0", "current-based inhibitory") if negative_receptor
                           else (1, ">= 0", "excitatory or conductance-based"))
    for name, numbers in (("weight", weights), ("w_min", w_min), ("w_max", w_max)):
        wrong = sign * numbers < 0
        if wrong.any():
            raise errors.InvalidWeightError(
                f"projection '{projection_label}': plastic synapses onto the "
                f"'{receptor_type}' receptor ({kind}) need {name} {allowed}, got "
                f"{name} = {numbers[wrong][0]:g}")
