"""The network description shared by the PyNN layer and every target."""

from .network import (  # noqa: F401
    NetworkDescription,
    PopulationDescription,
    ProjectionDescription,
    SynapseDescription,
    CurrentSourceDescription,
)
