"""Brian2 as the software target's modules reach it.

Brian2 is imported on first use, not with this package: importing it takes seconds,
and runs on a chip target, or reading a current source's values, never need it.
"""


def b2():
    import brian2
    return brian2


def view(group, name):
    """A variable of a Brian2 group by name (PyNN names such as `start` are also
    attributes of Brian2 groups, so plain attribute access is not safe)."""
    return group.variables[name].get_addressable_value(name, group)
