"""A cell model's own step (CellModel.step) integrates the differential equations the
model declares: Brian2's RK4 on those equations, at a step a hundred times finer, gives
the same trajectory (for Izhikevich, whose step is NEST's Euler map, Brian2's Euler at
the same step). A wrong propagator, sign or unit in either would show here."""

import numpy as np
import pytest

b2 = pytest.importorskip("brian2")

from pyNN.neurox.software.models import COMMON_EQUATIONS, MODELS  # noqa: E402

DT = 0.1
DURATION = 10.0
LIF = dict(tau_m=15.0, c_mem=0.5, v_rest=-62.0, i_offset=0.4, tau_refrac=2.0,
           v_thresh=1e9, v_reset=-70.0)
COND = dict(LIF, tau_syn_E=3.0, tau_syn_I=7.0, e_rev_E=0.0, e_rev_I=-75.0)
# model, parameters, initial state, reference method and its step (ms), tolerance (mV)
CASES = {
    "IF_curr_exp": (dict(LIF, tau_syn_E=3.0, tau_syn_I=7.0),
                    dict(v=-55.0, isyn_exc=0.8, isyn_inh=-0.5), "rk4", DT / 100, 1e-9),
    "IF_curr_alpha": (dict(LIF, tau_syn_E=3.0, tau_syn_I=7.0),
                      dict(v=-55.0, isyn_exc=0.3, isyn_inh=-0.2, y_exc=0.4, y_inh=-0.1),
                      "rk4", DT / 100, 1e-9),
    "IF_curr_delta": (LIF, dict(v=-55.0), "rk4", DT / 100, 1e-9),
    # the conductances are held at their midpoint values within a step (measured
    # 4e-5 to 4e-4 mV over these 10 ms)
    "IF_cond_exp": (COND, dict(v=-55.0, gsyn_exc=0.03, gsyn_inh=0.08), "rk4", DT / 100,
                    1e-3),
    "IF_cond_exp_gsfa_grr": (
        dict(COND, tau_sfa=100.0, e_rev_sfa=-75.0, tau_rr=2.0, e_rev_rr=-75.0,
             q_sfa=15.0, q_rr=3000.0),
        dict(v=-55.0, gsyn_exc=0.03, gsyn_inh=0.08, g_s=20.0, g_r=100.0), "rk4", DT / 100,
        1e-3),
    "IF_facets_hardware1": (dict(COND, c_mem=0.2, g_leak=40.0),
                            dict(v=-55.0, gsyn_exc=0.03, gsyn_inh=0.08), "rk4", DT / 100,
                            1e-3),
    "Izhikevich": (dict(a=0.02, b=0.2, c=-65.0, d=2.0, i_offset=0.0),
                   dict(v=-75.0, u=-14.0), "euler", DT, 1e-9),
}


def _trajectory(model, parameters, state, dt, method):
    """v every DT ms from a group of one cell that never spikes."""
    declared = {line.split(":")[0].strip() for line in model.equations.splitlines()}
    names = [n for n in parameters if n not in declared and f"d{n}/dt" not in declared]
    equations = (model.equations + COMMON_EQUATIONS
                 + "".join(f"{name} : 1 (constant)\n" for name in names))
    group = b2.NeuronGroup(1, equations, method=method, refractory=model.refractory or False,
                           dt=dt * b2.ms, namespace={})
    values = {name: np.array([value]) for name, value in parameters.items()}
    constants = model.constants(values, dt) if model.constants else {}
    for name, value in {**values, **constants, **state, "refractory_window": -1.0}.items():
        if name in group.variables:
            group.variables[name].set_value(np.atleast_1d(value))
    monitor = b2.StateMonitor(group, "v", record=0, dt=DT * b2.ms)
    b2.Network(group, monitor).run(DURATION * b2.ms, namespace={})
    return monitor.v[0]


@pytest.mark.parametrize("name", CASES)
def test_step_integrates_the_declared_equations(name):
    model = MODELS[name]
    parameters, state, method, reference_dt, tolerance = CASES[name]
    b2.prefs.codegen.target = "numpy"
    own = _trajectory(model, parameters, state, DT,
                      lambda equations, variables=None, method_options=None: model.step)
    reference = _trajectory(model, parameters, state, reference_dt, method)
    assert np.ptp(reference) > 1.0   # the cell moves
    np.testing.assert_allclose(own, reference, rtol=0, atol=tolerance)
