"""Shared fixtures: a fresh pyNN.neurox simulator for each test."""

import pytest


@pytest.fixture
def sim():
    import pyNN.neurox as sim
    yield sim
    sim.end()
