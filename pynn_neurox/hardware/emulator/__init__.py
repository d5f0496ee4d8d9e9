"""Emulators: tick-exact integer engines, one per neuron-model kind."""
