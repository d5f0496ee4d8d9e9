"""The `neurox` command.

    neurox compare MODEL.py --targets brian2,loihi,neurocorex --out DIR [-- ARGS...]

runs MODEL.py unchanged once per target and writes DIR/report.html and DIR/report.json.
"""

import argparse
import sys

from .compare import compare


def main(argv=None):
    parser = argparse.ArgumentParser(prog="neurox", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("compare", help="run a model on several targets and "
                                                  "write a comparison report")
    command.add_argument("model", help="a PyNN script")
    command.add_argument("--targets", default="brian2,loihi",
                         help="comma-separated targets; the first that runs is the reference")
    command.add_argument("--out", default="neurox-report", help="the report's directory")
    command.add_argument("--timeout", type=float, default=3600.0,
                         help="seconds each target may take")
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    arguments = argv[split + 1:]  # the script's own, after --
    try:
        report = compare(args.model, [t for t in args.targets.split(",") if t], args.out,
                         arguments, timeout=args.timeout)
    except ValueError as error:
        sys.exit(f"neurox compare: {error}")
    failed = [t for t, entry in report["targets"].items() if "error" in entry]
    if len(failed) == len(report["targets"]):
        sys.exit("neurox compare: no target ran the model")


if __name__ == "__main__":
    main()
