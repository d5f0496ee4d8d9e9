"""Where a model runs: the registry of target names."""

DEFAULT_TARGET = "brian2"


def _brian2(network):
    from .software import Brian2Target
    return Brian2Target(network)


_TARGETS = {"brian2": _brian2}


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
