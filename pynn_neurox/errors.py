"""The errors of pyNN.neurox: each is also the PyNN error (or builtin) that fits, so that
code written for PyNN's errors catches ours, and `NeuroxError` catches all of ours."""

from pyNN import errors


class NeuroxError(Exception):
    """Every error this backend raises of its own."""


class SetupError(NeuroxError, ValueError):
    """A setup() option names something that does not exist (a target, a lossy step)."""


class ChipLimitError(NeuroxError, errors.InvalidParameterValueError):
    """The model needs more than the chip has, or a value outside the chip's range; the
    message names the chip, the limit, the population or projection and the value."""


class MappingError(NeuroxError, errors.NoModelAvailableError):
    """Part of the model has no form on the target (a cell type, a synapse type, a
    learning rule, a current source); the message names what and where."""


class ProgramLoadedError(NeuroxError, RuntimeError):
    """A chip's program is loaded once per mapping: a change after the first run needs
    reset() before it can be mapped."""


class SimulationEndedError(NeuroxError, RuntimeError):
    """run() after end(): the target has been released."""


class ProtocolError(NeuroxError, ValueError):
    """Bytes to or from a chip that break its protocol (a truncated or unknown command, a
    missing marker); the message names the field and the offset."""


class DeviceError(NeuroxError, IOError):
    """The link to a chip failed: its port cannot be opened (absent, busy, not permitted),
    the chip does not answer within the timeout, or the device went away during a run.
    The message names the port, what was asked and what arrived. An error raised by a
    run carries `partial` (contract.PartialRun): what arrived before the fault, which the
    run's recorded data keep."""


class MemoryLimitError(NeuroxError, MemoryError):
    """The model needs more memory than the machine has, estimated before allocating it;
    the message names the population or projection, the estimate and what is available."""
