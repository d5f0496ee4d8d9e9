"""The DYNAP-SE2 emulator against rockpool's DynapSim, an independent emulator of the
same circuit equations (rockpool 3.1.0, in the test extra): with mismatch off, on the
same bias currents and the same input, every spike falls on the same integration step or
a neighbouring one (DynapSim computes in float32, the emulator in float64)."""

import numpy as np

from rockpool.devices.dynapse import DynapSim

from pyNN.neurox.hardware.chip import load_chip
from pyNN.neurox.hardware.chips.dynapse2.formats import DynapSE2Formats
from pyNN.neurox.hardware.chips.dynapse2.native import DynapSE2Neuron

F = DynapSE2Formats.from_description(load_chip("dynapse2"))
DEFAULTS = DynapSE2Neuron.default_parameters
ISCALE = 1e-8  # DynapSim's weights are in units of Iscale


def _dynapsim(n, dt, parameters, w_rec=None):
    """DynapSim with our formats' circuit constants and `parameters`' biases (AMPA as its
    one synapse)."""
    p = dict(DEFAULTS, **parameters)
    return DynapSim(
        n, dt=dt * 1e-3, Idc=p["Idc"], If_nmda=p["If_nmda"], Igain_ahp=p["Igain_ahp"],
        Igain_mem=p["Igain_mem"], Igain_syn=p["Igain_ampa"], Ipulse_ahp=p["Ipulse_ahp"],
        Ipulse=p["Ipulse"], Iref=p["Iref"], Ispkthr=p["Ispkthr"], Itau_ahp=p["Itau_ahp"],
        Itau_mem=p["Itau_mem"], Itau_syn=p["Itau_ampa"], Iw_ahp=p["Iw_ahp"], C_ahp=F.c_ahp,
        C_syn=F.c_ampa, C_pulse_ahp=F.c_pulse_ahp, C_pulse=F.c_pulse, C_ref=F.c_ref,
        C_mem=F.c_mem, Io=F.io, kappa_n=F.kappa_n, kappa_p=F.kappa_p, Ut=F.ut, Vth=F.vth,
        Iscale=ISCALE, has_rec=w_rec is not None, w_rec=w_rec)


def _oracle_spikes(n, dt, ticks, arrivals, parameters, w_rec=None):
    """(tick, neuron) of DynapSim's spikes; `arrivals`: (tick, neuron, CAM entries)."""
    module = _dynapsim(n, dt, parameters, None if w_rec is None
                       else w_rec * DEFAULTS["Iw_ampa"] / ISCALE)
    data = np.zeros((ticks, n), np.float32)
    for tick, neuron, entries in arrivals:
        data[tick, neuron] += entries * parameters.get("Iw_ampa", DEFAULTS["Iw_ampa"]) / ISCALE
    spikes, _, _ = module.evolve(data, record=False)
    spikes = np.asarray(spikes)[0]
    assert spikes.max() <= 1  # one spike per step: the chip's (DynapSim may count more)
    return np.argwhere(spikes > 0)


def _our_spikes(sim, n, dt, ticks, times, weights, parameters, recurrent=None):
    sim.setup(timestep=dt, target="dynapse2", mismatch=0)
    cells = sim.Population(n, DynapSE2Neuron(**parameters), label="cells")
    source = sim.Population(n, sim.SpikeSourceArray(spike_times=times), label="input")
    sim.Projection(source, cells, sim.FromListConnector(
        [(i, i, float(w), dt) for i, w in enumerate(weights) if w > 0]),
        sim.StaticSynapse(), receptor_type="AMPA")
    if recurrent is not None:
        pre, post = np.nonzero(recurrent)
        sim.Projection(cells, cells, sim.FromListConnector(
            [(int(i), int(j), float(recurrent[i, j]), dt) for i, j in zip(pre, post)]),
            sim.StaticSynapse(), receptor_type="AMPA")
    cells.record("spikes")
    sim.run(ticks * dt)
    trains = cells.get_data("spikes").segments[0].spiketrains
    sim.end()
    # a spike of tick k has the time (k + 1) dt
    return np.array(sorted((int(round(t / dt)) - 1, i) for i, train in enumerate(trains)
                           for t in np.asarray(train)), int).reshape(-1, 2)


def _offsets(ours, oracle, n):
    """Per neuron, the same number of spikes; the offsets (steps) of ours from the
    oracle's, spike by spike."""
    offsets = []
    for neuron in range(n):
        a = ours[ours[:, 1] == neuron, 0]
        b = oracle[oracle[:, 1] == neuron, 0]
        assert a.size == b.size, (neuron, a, b)
        offsets.append(np.abs(a - b))
    return np.concatenate(offsets)


def _match(ours, oracle, n):
    """The largest offset in steps (the spike counts per neuron being equal)."""
    return int(_offsets(ours, oracle, n).max(initial=0))


def _inputs(n, ticks, dt, rate, seed):
    rng = np.random.default_rng(seed)
    times, arrivals = [], []
    for neuron in range(n):
        steps = np.flatnonzero(rng.random(ticks - 1) < rate * dt * 1e-3) + 1
        times.append(list(steps * dt))
        arrivals.extend((int(s), neuron) for s in steps)  # a spike at s dt: tick s
    return times, arrivals


def _driven(sim, dt, parameters):
    n, ticks = 12, int(round(1000 / dt))
    weights = np.arange(1, n + 1, dtype=float)  # CAM entries per input spike
    times, arrivals = _inputs(n, ticks, dt, 150.0, 1)
    ours = _our_spikes(sim, n, dt, ticks, times, weights, parameters)
    oracle = _oracle_spikes(n, dt, ticks, [(t, i, weights[i]) for t, i in arrivals],
                            parameters)
    assert len(oracle) > 50  # the comparison has spikes to compare
    return _offsets(ours, oracle, n)


def test_spike_times_agree_with_dynapsim(sim):
    """At DynapSim's own step (1 ms), every spike within one step (measured: all on the
    same step)."""
    offsets = _driven(sim, 1.0, {"Iw_ampa": 4e-10})
    assert offsets.max() <= 1


def test_spike_times_agree_with_dynapsim_at_a_finer_step(sim):
    """At 0.1 ms, 10 000 steps: the same spike counts, and 98 % of the spikes within one
    step; a few, where the membrane creeps past the feedback's threshold, drift further
    (measured: 295 of 300 on the same step, the worst 5 steps). Our emulator in float32
    gives exactly our float64 spikes, so float precision alone does not explain them; the
    refractory period is off the step grid (1.05 ms), where DynapSim's float32 timer and
    ours would otherwise block a different number of steps."""
    offsets = _driven(sim, 0.1, {"Iw_ampa": 4e-10, "Iref": DEFAULTS["Iref"] / 1.05})
    assert np.mean(offsets <= 1) >= 0.98
    assert offsets.max() <= 10  # one ms


def test_adaptation_and_refractoriness_agree_with_dynapsim(sim):
    n, dt, ticks = 8, 1.0, 2000
    parameters = {"Iw_ahp": 4e-11, "Iref": DEFAULTS["Iref"] / 3, "Idc": 2e-11,
                  "Iw_ampa": 4e-10}
    weights = np.full(n, 3.0)
    times, arrivals = _inputs(n, ticks, dt, 60.0, 2)
    ours = _our_spikes(sim, n, dt, ticks, times, weights, parameters)
    oracle = _oracle_spikes(n, dt, ticks, [(t, i, 3.0) for t, i in arrivals], parameters)
    assert len(oracle) > 50
    assert _match(ours, oracle, n) <= 1


def test_recurrent_spikes_agree_with_dynapsim(sim):
    """A chain 0 -> 1 -> 2 -> 3 of 20 CAM entries each: a spike acts on the next neuron
    one step later, on both."""
    n, dt, ticks = 4, 1.0, 500
    recurrent = np.zeros((n, n))
    for i in range(n - 1):
        recurrent[i, i + 1] = 20.0
    times = [[10.0, 200.0, 300.0]] + [[] for _ in range(n - 1)]
    weights = np.array([40.0, 0, 0, 0])
    ours = _our_spikes(sim, n, dt, ticks, times, weights, {}, recurrent)
    oracle = _oracle_spikes(n, dt, ticks, [(int(t), 0, 40.0) for t in times[0]], {},
                            recurrent)
    assert set(oracle[:, 1]) == set(range(n))  # the chain fires through
    assert _match(ours, oracle, n) <= 1
