"""Checks of user input that PyNN itself does not make, with messages that say where."""

import numpy as np
from pyNN import errors

# parameters that must be strictly positive: time constants, capacitances, rates' scales
_POSITIVE = ("tau_m", "tau_syn_E", "tau_syn_I", "tau_syn", "tau_rise", "tau_decay", "cm",
             "tau_w", "tau_sfa", "tau_rr", "tau_eta", "tau_gamma", "delta_T", "delta_v",
             "g_leak", "tau_rec", "tau_plus", "tau_minus", "tau")
_NON_NEGATIVE = ("tau_refrac", "rate", "duration", "tau_facil", "gbar_Na", "gbar_K",
                 "lambda0", "alpha", "beta")


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
