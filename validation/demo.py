"""`make demo`: one unchanged PyNN model on the software target and both chip models.

Runs the feed-forward reference network (validation/models/feedforward.py) on brian2,
loihi and neurocorex with `neurox compare`, prints what each chip changed (the
registry's headline metrics, and the inputs the board serialised), and ends with the
path of the report.
"""

import argparse
from pathlib import Path

from pyNN.neurox.validation import models, registry
from pyNN.neurox.validation.compare import compare


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=str(Path(models.__file__).parent / "feedforward.py"))
    parser.add_argument("--targets", default="brian2,loihi,neurocorex")
    parser.add_argument("--out", default="demo-report")
    args = parser.parse_args(argv)
    report = compare(args.model, args.targets.split(","), args.out)
    print()
    for target, populations in report["comparisons"].items():
        entry = report["targets"][target]
        counters = entry["mapping"]["counters"] if entry.get("mapping") else {}
        for label, m in populations.items():
            if label == "task":
                continue
            print(f"{target:>11} '{label}': " + ", ".join(
                f"{column.label} {value:.3g}" + (f" {column.unit}" if column.unit else "")
                for column, value in registry.shown(m) if column.headline))
        if counters.get("events_serialised"):
            print(f"{'':>11} {counters['events_serialised']} of "
                  f"{counters['events_released']} input events serialised (one per tick), "
                  f"up to {counters['max_serialisation_ticks']} ticks late")
    for target, entry in report["targets"].items():
        if "error" in entry:
            print(f"{target:>11} refused: {entry['error']}")
    print(f"\nreport: {Path(args.out).resolve() / 'report.html'}")


if __name__ == "__main__":
    main()
