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


def _numeric(value):
    if value.dtype == object:
        parts = [np.asarray(getattr(v, "value", v), dtype=float).ravel() for v in value.ravel()]
        return np.concatenate(parts) if parts else np.array([])
    return np.asarray(value, dtype=float)


def check_parameters(model, parameters, where):
    """Raise InvalidParameterValueError naming the parameter, the model and `where`."""
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


def check_connections(projection_label, weights, delays, timestep, conductance_based):
    """Weights must be finite and of the receptor's sign; delays at least one time step."""
    weights = np.asarray(weights, dtype=float)
    if np.isnan(weights).any() or np.isinf(weights).any():
        raise errors.InvalidWeightError(
            f"projection '{projection_label}': weights contain NaN or infinity")
    if conductance_based and (weights < 0).any():
        raise errors.InvalidWeightError(
            f"projection '{projection_label}': conductance-based weights must be >= 0, "
            f"got {weights[weights < 0][0]:g}")
    delays = np.asarray(delays, dtype=float)
    if np.isnan(delays).any():
        raise errors.InvalidParameterValueError(
            f"projection '{projection_label}': delays contain NaN")
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
