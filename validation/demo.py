"""`make demo`: the Vogels-Abbott network on the software target, with a summary.

Until the hardware comparison report exists (see docs/architecture.md), this is
the main job: run the reference network and print what a user first wants to
know (rates, irregularity, timings, the code-generation target chosen).
"""

import argparse
import time

import numpy as np

import pyNN.neurox as sim
from pyNN.neurox.validation.networks import mean_rate, vogels_abbott


def coefficient_of_variation(population):
    cvs = []
    for train in population.get_data("spikes").segments[0].spiketrains:
        isi = np.diff(np.asarray(train))
        if isi.size > 1:
            cvs.append(isi.std() / isi.mean())
    return float(np.mean(cvs)) if cvs else float("nan")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kind", default="CUBA", choices=["CUBA", "COBA"])
    parser.add_argument("--cells", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=1000.0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    exc, inh, projections = vogels_abbott(sim, args.kind, args.cells, args.duration)
    built = time.perf_counter()
    sim.run(args.duration)
    ran = time.perf_counter()
    from brian2 import prefs
    print(f"Vogels-Abbott {args.kind}: {args.cells} cells, "
          f"{sum(len(p) for p in projections.values())} synapses, {args.duration:g} ms "
          f"on the brian2 target ({prefs.codegen.target} code)")
    print(f"  excitatory rate {mean_rate(exc, args.duration):6.2f} Hz, "
          f"CV of ISIs {coefficient_of_variation(exc):.2f}")
    print(f"  inhibitory rate {mean_rate(inh, args.duration):6.2f} Hz, "
          f"CV of ISIs {coefficient_of_variation(inh):.2f}")
    print(f"  build {built - start:.1f} s, run {ran - built:.1f} s, "
          f"retrieval {time.perf_counter() - ran:.1f} s")
    sim.end()


if __name__ == "__main__":
    main()
