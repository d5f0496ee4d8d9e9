"""The `neurox` command.

    neurox compare MODEL --targets brian2,loihi,neurocorex --out DIR [-- ARGS...]

runs MODEL unchanged once per target and writes DIR/report.html and DIR/report.json.
MODEL is a PyNN script, or the name of a model bundled in pyNN.neurox.validation.models
(`neurox compare feedforward`); a file of that name takes precedence. Ctrl-C writes the
report of the targets that finished, marked partial, and exits with status 130.
"""

import argparse
import contextlib
import io
import sys
from importlib import resources
from pathlib import Path

from .compare import compare

MODELS = "pyNN.neurox.validation.models"


def bundled_models():
    """The bundled models by name: each script in pyNN.neurox.validation.models."""
    return {entry.name[:-3]: entry for entry in resources.files(MODELS).iterdir()
            if entry.name.endswith(".py") and not entry.name.startswith("_")}


def resolve_model(model):
    """A context manager giving the script's path: `model` itself where it is a file,
    else the bundled model of that name (with or without .py), as a real file."""
    if Path(model).is_file():
        return contextlib.nullcontext(Path(model))
    models = bundled_models()
    name = model[:-3] if model.endswith(".py") else model
    if name not in models:
        raise ValueError(f"no script {model} and no bundled model of that name; the "
                         f"bundled models are: {', '.join(sorted(models))}")
    return resources.as_file(models[name])


def main(argv=None):
    parser = argparse.ArgumentParser(prog="neurox", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("compare", help="run a model on several targets and "
                                                  "write a comparison report")
    command.add_argument("model", help="a PyNN script, or the name of a bundled model: "
                                       + ", ".join(sorted(bundled_models())))
    command.add_argument("--targets", default="brian2,loihi",
                         help="comma-separated targets; the first that runs is the reference")
    command.add_argument("--out", default="neurox-report", help="the report's directory")
    command.add_argument("--timeout", type=float, default=3600.0,
                         help="seconds each target may take")
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    arguments = argv[split + 1:]  # the script's own, after --
    for stream in (sys.stdout, sys.stderr):  # a target's error may not fit the locale
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        with resolve_model(args.model) as script:
            report = compare(script, [t for t in args.targets.split(",") if t], args.out,
                             arguments, timeout=args.timeout)
    except ValueError as error:
        sys.exit(f"neurox compare: {error}")
    except KeyboardInterrupt:  # Ctrl-C: compare has written the report of what finished
        print("neurox compare: interrupted", file=sys.stderr)
        sys.exit(130)
    failed = [t for t, entry in report["targets"].items() if "error" in entry]
    if len(failed) == len(report["targets"]):
        sys.exit("neurox compare: no target ran the model")


if __name__ == "__main__":
    main()
