"""Neuron-model kinds: for each, how a network is mapped (check → quantize → place →
program) and how its emulator is driven. A chip description names its kind."""


def kind_module(name):
    from . import loihi_compartment, neurocorex_lif
    modules = {"loihi_compartment": loihi_compartment, "neurocorex_lif": neurocorex_lif}
    try:
        return modules[name]
    except KeyError:
        raise ValueError(f"no neuron-model kind '{name}'; the kinds are: "
                         + ", ".join(sorted(modules))) from None
