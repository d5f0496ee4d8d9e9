"""Reference models as PyNN scripts, runnable unchanged on every target
(`python -m pyNN.neurox.validation.models.<name>`, or `neurox compare <name>`)."""
