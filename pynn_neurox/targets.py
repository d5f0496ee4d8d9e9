"""Where a model runs: the registry of target names (Brian2, and one per chip description)."""

from .hardware.chip import chip_names

DEFAULT_TARGET = "brian2"


def _brian2(network):
    from .software import Brian2Target
    return Brian2Target(network)


def _chip(name):
    def factory(network):
        from .hardware.target import HardwareTarget
        return HardwareTarget(network, name)
    return factory


_TARGETS = {"brian2": _brian2, **{name: _chip(name) for name in chip_names()}}


def target_names():
    return sorted(_TARGETS)


def create_target(name, network):
    """The target called `name`, bound to `network`; unknown names list the known ones."""
    try:
        factory = _TARGETS[name]
    except KeyError:
        raise ValueError(f"unknown target '{name}'; the targets are: "
                         + ", ".join(target_names())) from None
    return factory(network)
