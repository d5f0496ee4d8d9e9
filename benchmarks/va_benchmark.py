"""Vogels-Abbott CUBA and COBA (4000 cells, 1 s): pyNN.neurox against its anchors.

Each run is a fresh process (imports not timed); every row prints build, run,
retrieval and total seconds, and the ratios of neurox's total to each anchor measured in
the same call:

    .venv/bin/python benchmarks/va_benchmark.py                 # all anchors
    .venv/bin/python benchmarks/va_benchmark.py --skip pyNN.brian2   # it takes minutes

Anchors: hand-written Brian2 on the same code-generation target as neurox (numpy by
default; --codegen cython for both), pyNN.brian2 and pyNN.nest. Targets (issue 2):
neurox total <= 1.25x hand-written Brian2 (warm cache), >= 50x faster than
pyNN.brian2, >= 2x faster than pyNN.nest. The hand-written COBA network integrates
with RK4 (as accurate as neurox's closed form, 1e-4 mV from NEST); a second one,
"brian2-exp-euler", with Brian2's exponential Euler, cheaper and less accurate (it
holds each step's conductances at their start), shows what that accuracy costs.
"""

import argparse
import json
import time

from measuring import compared, run_in_process, total

RUNNERS = ("neurox", "brian2-by-hand", "brian2-exp-euler", "pyNN.brian2", "pyNN.nest")


def _pynn(module, kind, cells, codegen):
    import brian2  # noqa: F401  (imported before timing, as for the hand-written network)
    from pyNN.neurox.validation.networks import mean_rate, vogels_abbott
    sim = __import__(module, fromlist=["setup"])
    options = {"codegen": codegen} if module == "pyNN.neurox" else {}
    start = time.perf_counter()
    exc, inh, _ = vogels_abbott(sim, kind, cells, **options)
    built = time.perf_counter()
    sim.run(1000.0)
    ran = time.perf_counter()
    rates = mean_rate(exc, 1000.0), mean_rate(inh, 1000.0)
    done = time.perf_counter()
    sim.end()
    return built - start, ran - built, done - ran, rates


def _by_hand(kind, cells, codegen, method="rk4"):
    """The same network written directly in Brian2, as a Brian2 user would (`method`
    integrates COBA's equations)."""
    import brian2 as b2
    import numpy as np
    b2.prefs.codegen.target = codegen
    b2.defaultclock.dt = 0.1 * b2.ms
    b2.seed(20260101)
    start = time.perf_counter()
    n_exc = int(cells * 0.8)
    common = """
        dge/dt = -ge/(5*ms) : 1
        dgi/dt = -gi/(10*ms) : 1
    """
    if kind == "CUBA":
        model = "dv/dt = ((-49 - v) + (ge + gi)*20/0.2)/(20*ms) : 1 (unless refractory)\n"
        w_exc, w_inh = 0.0162 * 4000 / cells, -0.09 * 4000 / cells
    else:
        model = ("dv/dt = ((-60 - v) + (ge*(0 - v) + gi*(-80 - v))/(0.2/20))/(20*ms)"
                 " : 1 (unless refractory)\n")
        w_exc, w_inh = 0.004 * 4000 / cells, 0.051 * 4000 / cells
    group = b2.NeuronGroup(cells, model + common, threshold="v > -50", reset="v = -60",
                           refractory=5 * b2.ms, method="exact" if kind == "CUBA" else method)
    group.v = "-60 + 10*rand()"
    exc, inh = group[:n_exc], group[n_exc:]
    s_exc = b2.Synapses(exc, group, "w : 1", on_pre="ge_post += w", delay=0.2 * b2.ms)
    s_exc.connect(p=0.02)
    s_exc.w = w_exc
    s_inh = b2.Synapses(inh, group, "w : 1", on_pre="gi_post += w", delay=0.2 * b2.ms)
    s_inh.connect(p=0.02)
    s_inh.w = w_inh
    draw = np.random.default_rng(20260101)
    kick_cells, kick_times = [], []
    for i in range(n_exc // 20):
        times = np.round(np.sort(draw.uniform(1.0, 50.0, draw.poisson(2.5))), 1)
        kick_cells += [i] * len(np.unique(times))
        kick_times += list(np.unique(times))
    kick = b2.SpikeGeneratorGroup(n_exc // 20, kick_cells, kick_times * b2.ms)
    s_kick = b2.Synapses(kick, exc, "w : 1", on_pre="ge_post += w", delay=0.2 * b2.ms)
    s_kick.connect(p=0.02)
    s_kick.w = 2 * w_exc
    monitor = b2.SpikeMonitor(group)
    net = b2.Network(group, s_exc, s_inh, kick, s_kick, monitor)
    built = time.perf_counter()
    net.run(1 * b2.second)
    ran = time.perf_counter()
    counts = np.bincount(monitor.i[:], minlength=cells)
    rates = counts[:n_exc].mean(), counts[n_exc:].mean()
    done = time.perf_counter()
    return built - start, ran - built, done - ran, rates


def measure(runner, kind, cells, codegen):
    if runner.startswith("brian2-"):
        return _by_hand(kind, cells, codegen,
                        "exponential_euler" if runner == "brian2-exp-euler" else "rk4")
    return _pynn("pyNN.neurox" if runner == "neurox" else runner, kind, cells, codegen)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=["CUBA", "COBA"], action="append")
    parser.add_argument("--cells", type=int, default=4000)
    parser.add_argument("--codegen", default="numpy", choices=["numpy", "cython"])
    parser.add_argument("--skip", action="append", default=[], choices=RUNNERS[1:])
    parser.add_argument("--child", choices=RUNNERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    kinds = args.kind or ["CUBA", "COBA"]
    if args.child:
        build, run, retrieve, rates = measure(args.child, kinds[0], args.cells, args.codegen)
        print(json.dumps({"build": build, "run": run, "retrieval": retrieve,
                          "rates": [float(r) for r in rates]}))
        return
    runners = [r for r in RUNNERS if r not in args.skip]
    print(f"{'network':6} {'runner':16} {'build':>8} {'run':>8} {'retrieve':>8} {'total':>8}"
          f"  rates exc/inh (Hz)   neurox is")
    for kind in kinds:
        # the exponential Euler anchor differs from the other only for COBA
        timed = [r for r in runners if kind == "COBA" or r != "brian2-exp-euler"]
        options = ("--kind", kind, "--cells", args.cells, "--codegen", args.codegen)
        for runner in ("brian2-by-hand", "brian2-exp-euler", "neurox"):  # untimed warm-up
            if runner in timed:                                         # of Brian2's caches
                run_in_process(__file__, runner, *options)
        results = {runner: run_in_process(__file__, runner, *options) for runner in timed}
        ours = total(results["neurox"])
        for runner, r in results.items():
            ratio = "" if runner == "neurox" else compared(total(r), ours)
            print(f"{kind:6} {runner:16} {r['build']:8.2f} {r['run']:8.2f} "
                  f"{r['retrieval']:8.2f} {total(r):8.2f}  "
                  f"{r['rates'][0]:6.2f}/{r['rates'][1]:<6.2f}      {ratio}")


if __name__ == "__main__":
    main()
