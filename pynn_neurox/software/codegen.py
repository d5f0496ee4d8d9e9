"""Choosing Brian2's code-generation target.

numpy needs no compilation and wins for small or short runs; Cython compiles each
new model shape once (tens of seconds cold, then cached) and wins when the work
is large. `setup(codegen=...)` forces a choice.
"""

import logging

from ..errors import SetupError

logger = logging.getLogger(__name__)

# neuron-steps plus a share of synapse-steps above which compiling pays off even cold
# (measured: Vogels-Abbott, 4000 cells, 1 s, is 2e8 and runs in 1.6 s with numpy)
CYTHON_THRESHOLD = 1e9


def _cython_works():
    try:
        import Cython  # noqa: F401
        from brian2.codegen.runtime.cython_rt import CythonCodeObject
        return CythonCodeObject.is_available()
    except Exception:  # a missing compiler shows up as any of several errors
        return False


def estimated_work(network, steps):
    return steps * (network.size + network.synapse_count * 0.05)


def choose_codegen_target(network, steps):
    choice = network.options.get("codegen", "auto")
    if choice not in ("auto", "numpy", "cython"):
        raise SetupError(f"setup(codegen={choice!r}): use 'auto', 'numpy' or 'cython'")
    if choice == "auto":
        large = estimated_work(network, steps) > CYTHON_THRESHOLD
        choice = "cython" if large and _cython_works() else "numpy"
    logger.info("brian2 code generation target: %s", choice)
    return choice
