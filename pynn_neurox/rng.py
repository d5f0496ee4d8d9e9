"""The simulator's "native" random number generator."""

from pyNN.random import NumpyRNG


class NativeRNG(NumpyRNG):
    """Brian2's runtime draws its random numbers from numpy, so the native generator of
    this backend is a seeded numpy generator; PyNN scripts that ask for a NativeRNG get
    reproducible numbers from it."""
