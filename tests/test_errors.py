"""Bad input raises a PyNN error that names the parameter, the object and the value."""

import numpy as np
import pytest
from pyNN import errors


def test_run_before_setup():
    import importlib
    import pyNN.neurox.simulator as simulator
    state = simulator.state
    was = state.initialized
    state.initialized = False
    try:
        import pyNN.neurox as sim
        with pytest.raises(RuntimeError, match="before setup"):
            sim.run(10.0)
    finally:
        state.initialized = was
    importlib.import_module("pyNN.neurox")


def test_unknown_parameter(sim):
    sim.setup()
    with pytest.raises(errors.NonExistentParameterError, match="tau_q"):
        sim.Population(2, sim.IF_curr_exp(tau_q=3.0))


def test_negative_time_constant_names_parameter_and_population(sim):
    sim.setup()
    with pytest.raises(errors.InvalidParameterValueError, match="tau_m.*'cells'.*-5"):
        sim.Population(2, sim.IF_curr_exp(tau_m=-5.0), label="cells")


def test_negative_time_constant_in_set(sim):
    sim.setup()
    p = sim.Population(2, sim.IF_cond_exp(), label="cells")
    with pytest.raises(errors.InvalidParameterValueError, match="tau_syn_E.*cells"):
        p.set(tau_syn_E=-1.0)


def test_nan_weight(sim):
    sim.setup()
    a = sim.Population(2, sim.IF_curr_exp(), label="a")
    with pytest.raises(errors.InvalidWeightError, match="'a-a'.*nan"):
        sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=np.nan),
                       receptor_type="excitatory",
                       label="a-a")


def test_delay_below_timestep(sim):
    sim.setup(timestep=0.1)
    a = sim.Population(2, sim.IF_curr_exp(), label="a")
    with pytest.raises(errors.ConnectionError, match="'a-a'.*0.05"):
        sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=0.05),
                       label="a-a")


def test_unknown_receptor_type(sim):
    sim.setup()
    a = sim.Population(2, sim.IF_curr_exp(), label="a")
    with pytest.raises(errors.ConnectionError, match="dopamine"):
        sim.Projection(a, a, sim.AllToAllConnector(), receptor_type="dopamine")


def test_recording_a_variable_the_type_lacks(sim):
    sim.setup()
    a = sim.Population(2, sim.IF_curr_exp(), label="a")
    with pytest.raises(errors.RecordingError, match="gsyn_exc"):
        a.record("gsyn_exc")


def test_unknown_target(sim):
    with pytest.raises(ValueError, match="unknown target 'tpu'.*brian2"):
        sim.setup(target="tpu")
