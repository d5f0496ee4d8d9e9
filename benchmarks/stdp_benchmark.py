"""Plastic recurrent network (1000 cells, 100 000 STDP synapses, 10 s) against its anchors.

1000 excitatory IF_curr_exp cells, each driven by its own Poisson source, connected
recurrently with probability 0.1 through additive pair STDP (all-to-all traces, the
delay dendritic as in NEST). Each run is a fresh process (imports not timed); every
row prints build, run, retrieval (spike counts and final weights) and total seconds,
and the ratio of neurox's total to each anchor measured in the same call:

    .venv/bin/python benchmarks/stdp_benchmark.py
    .venv/bin/python benchmarks/stdp_benchmark.py --codegen cython --skip pyNN.nest

Anchors: the same network written by hand in Brian2 with the same rule, on the same
code-generation target (numpy by default), and pyNN.nest (stdp_synapse). Target
(issue 3): neurox total <= 1.25x hand-written Brian2 (warm cache); NEST is printed
beside both.
"""

import argparse
import json
import time

from measuring import compared, run_in_process, total

RUNNERS = ("neurox", "brian2-by-hand", "pyNN.nest")
CELLS = 1000
P_CONNECT = 0.1
SECONDS = 10.0
DT = 0.1
DELAY = 1.5            # ms, recurrent
DRIVE_RATE = 2000.0    # Hz, one Poisson source per cell
DRIVE_WEIGHT = 0.08    # nA
W_START, W_MAX = 0.01, 0.03   # nA
RULE = dict(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.012)
CELL = dict(tau_m=20.0, cm=1.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0,
            tau_syn_E=5.0, tau_syn_I=5.0, tau_refrac=2.0, i_offset=0.0)
SEED = 20260101


def _pynn(module, codegen):
    import brian2  # noqa: F401  (imported before timing, as for the hand-written network)
    import numpy as np
    from pyNN.random import NumpyRNG
    sim = __import__(module, fromlist=["setup"])
    options = {"codegen": codegen} if module == "pyNN.neurox" else {}
    start = time.perf_counter()
    sim.setup(timestep=DT, min_delay=DT, max_delay=10.0, rng_seed=SEED, **options)
    cells = sim.Population(CELLS, sim.IF_curr_exp(**CELL), initial_values={"v": -65.0})
    drive = sim.Population(CELLS, sim.SpikeSourcePoisson(rate=DRIVE_RATE))
    sim.Projection(drive, cells, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=DRIVE_WEIGHT, delay=DT),
                   receptor_type="excitatory")
    stdp = sim.STDPMechanism(sim.SpikePairRule(**RULE),
                             sim.AdditiveWeightDependence(w_min=0.0, w_max=W_MAX),
                             weight=W_START, delay=DELAY)
    plastic = sim.Projection(cells, cells, sim.FixedProbabilityConnector(
        P_CONNECT, allow_self_connections=False, rng=NumpyRNG(SEED)), stdp,
        receptor_type="excitatory")
    cells.record("spikes")
    built = time.perf_counter()
    sim.run(SECONDS * 1000.0)
    ran = time.perf_counter()
    rate = cells.mean_spike_count() / SECONDS
    weights = np.asarray(plastic.get("weight", format="list", with_address=False))
    done = time.perf_counter()
    sim.end()
    return built - start, ran - built, done - ran, rate, len(weights), float(weights.mean())


def _by_hand(codegen):
    """The same network written directly in Brian2, as a Brian2 user would: the pre-
    synaptic pathway updates then transmits when the spike arrives, the post-synaptic
    one runs 2*delay after the post-synaptic spike (the delay is dendritic)."""
    import brian2 as b2
    import numpy as np
    b2.prefs.codegen.target = codegen
    b2.defaultclock.dt = DT * b2.ms
    b2.seed(SEED)
    start = time.perf_counter()
    cells = b2.NeuronGroup(
        CELLS, """dv/dt = (-65 - v + 20*i_syn)/(20*ms) : 1 (unless refractory)
                  di_syn/dt = -i_syn/(5*ms) : 1""",
        threshold="v >= -50", reset="v = -65", refractory=2 * b2.ms, method="exact")
    cells.v = -65
    drive = b2.PoissonGroup(CELLS, DRIVE_RATE * b2.Hz)
    feed = b2.Synapses(drive, cells, on_pre=f"i_syn_post += {DRIVE_WEIGHT}", delay=DT * b2.ms)
    feed.connect(j="i")
    plastic = b2.Synapses(
        cells, cells,
        """w : 1
           dapre/dt = -apre/(20*ms) : 1 (event-driven)
           dapost/dt = -apost/(20*ms) : 1 (event-driven)""",
        on_pre=f"""w = clip(w - {W_MAX * RULE['A_minus']}*apost, 0, {W_MAX})
                   i_syn_post += w
                   apre += 1""",
        on_post=f"""w = clip(w + {W_MAX * RULE['A_plus']}*apre, 0, {W_MAX})
                    apost += 1""",
        method="exact")
    plastic.connect(condition="i != j", p=P_CONNECT)
    plastic.w = W_START
    plastic.pre.delay = DELAY * b2.ms
    plastic.post.delay = 2 * DELAY * b2.ms
    monitor = b2.SpikeMonitor(cells)
    net = b2.Network(cells, drive, feed, plastic, monitor)
    built = time.perf_counter()
    net.run(SECONDS * b2.second)
    ran = time.perf_counter()
    rate = monitor.num_spikes / CELLS / SECONDS
    weights = np.asarray(plastic.w[:])
    done = time.perf_counter()
    return built - start, ran - built, done - ran, rate, len(weights), float(weights.mean())


def measure(runner, codegen):
    if runner == "brian2-by-hand":
        return _by_hand(codegen)
    return _pynn("pyNN.neurox" if runner == "neurox" else runner, codegen)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--codegen", default="numpy", choices=["numpy", "cython"])
    parser.add_argument("--skip", action="append", default=[], choices=RUNNERS[1:])
    parser.add_argument("--child", choices=RUNNERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        build, run, retrieve, rate, synapses, mean_weight = measure(args.child, args.codegen)
        print(json.dumps({"build": build, "run": run, "retrieval": retrieve, "rate": rate,
                          "synapses": synapses, "mean_weight": mean_weight}))
        return
    runners = [r for r in RUNNERS if r not in args.skip]
    if "brian2-by-hand" in runners:  # warm Brian2's caches for both, untimed
        run_in_process(__file__, "brian2-by-hand", "--codegen", args.codegen)
        run_in_process(__file__, "neurox", "--codegen", args.codegen)
    results = {runner: run_in_process(__file__, runner, "--codegen", args.codegen)
               for runner in runners}
    ours = total(results["neurox"])
    print(f"{'runner':15} {'build':>8} {'run':>8} {'retrieve':>8} {'total':>8} "
          f"{'rate Hz':>8} {'synapses':>9} {'mean w':>8}  neurox is")
    for runner, r in results.items():
        ratio = "" if runner == "neurox" else compared(total(r), ours)
        print(f"{runner:15} {r['build']:8.2f} {r['run']:8.2f} {r['retrieval']:8.2f} "
              f"{total(r):8.2f} {r['rate']:8.2f} {r['synapses']:9d} {r['mean_weight']:8.4f}"
              f"  {ratio}")


if __name__ == "__main__":
    main()
