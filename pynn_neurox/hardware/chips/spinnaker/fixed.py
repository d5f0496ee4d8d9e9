"""The chip's arithmetic: GCC's ISO 18037 fixed-point types on the ARM968, as sPyNNaker's
C code uses them, and the host's conversions into them.

- accum (s16.15, REAL): a 32-bit word; `a * b` keeps bits 15..46 of the 64-bit product
  (GCC arm-fixed.md mulsa3: smull, then shifts), which is floor(a b / 2**15) wrapped to
  32 bits: truncation toward -inf, never rounding (Mikaitis, ARITH 2020; spinn_common's
  round.h says the same). `a / b` is libgcc's division, truncation toward zero. `x >> n`
  on an accum is an arithmetic shift of its bits. Additions wrap.
- unsigned long fract (u0.32, decay_t): decay_s1615(x, d) = (int64 x * d) >> 32
  (neuron/decay.h), floor, the low 32 bits kept.
- a constant written in the C source (0.04k) is converted by GCC by truncation.
- the host writes a parameter as numpy.round(value * 2**fraction_bits)
  (DataSpecification DataType.encode_as_numpy_int_array): nearest, halves to even.
- STDP's 16x16 multiply is the ARM's SMULBB: the low 16 bits of each operand, signed.

Arrays hold raw words in numpy's int of the word's width; products go through int64.
"""

import math

import numpy as np

from .formats import SpiNNakerFormats


class FixedPoint:
    def __init__(self, formats: SpiNNakerFormats):
        self.fraction = formats.accum_fraction_bits
        self.one = formats.accum_one
        self.decay_bits = formats.decay_fraction_bits
        self.word = np.dtype(f"int{formats.word_bits}")
        self.word_min = -(1 << (formats.word_bits - 1))
        self.word_max = (1 << (formats.word_bits - 1)) - 1
        self.accum_max = (1 << formats.accum_integer_bits) - 1.0 / self.one
        self.accum_min = -float(1 << formats.accum_integer_bits)
        self.short_bits = formats.trace_bits
        self.short_mask = (1 << formats.trace_bits) - 1
        self.short_sign = 1 << (formats.trace_bits - 1)

    # --- the host's conversions ------------------------------------------------------

    def accum(self, values) -> np.ndarray:
        """Raw s16.15 words of `values` as the host writes them (nearest, halves even)."""
        return np.rint(np.asarray(values, float) * self.one).astype(np.int64)

    def u032(self, values) -> np.ndarray:
        """Raw u0.32 words of `values` (nearest, halves even)."""
        return np.rint(np.asarray(values, float) * float(1 << self.decay_bits)).astype(np.int64)

    def literal(self, value: float) -> int:
        """A constant of the C source, as GCC converts it: truncated toward zero."""
        return int(math.trunc(value * self.one))

    def real(self, raw) -> np.ndarray:
        return np.asarray(raw, float) / self.one

    # --- the chip's operations -------------------------------------------------------

    def words(self, values) -> np.ndarray:
        """Wrap int64 values to the word (the C cast to int_k_t)."""
        return np.asarray(values, np.int64).astype(self.word)

    def mul(self, a, b) -> np.ndarray:
        """accum * accum: floor(a b / 2**15), wrapped to the word."""
        product = np.multiply(a, b, dtype=np.int64)
        product >>= self.fraction
        return product.astype(self.word)

    def decay(self, x, d) -> np.ndarray:
        """decay_s1615(x, d): (int64 x * d) >> 32 for a u0.32 d. A word times a u0.32
        stays within int64: |x d| < 2**31 * 2**32."""
        product = np.multiply(x, d, dtype=np.int64)
        product >>= self.decay_bits
        return product.astype(self.word)

    def div(self, a, b) -> np.ndarray:
        """accum / accum (libgcc __divsa3): (a << 15) / b, truncated toward zero."""
        n = np.asarray(a, np.int64) << self.fraction
        d = np.asarray(b, np.int64)
        q = np.abs(n) // np.abs(d)
        return (np.sign(n) * np.sign(d) * q).astype(self.word)

    def short(self, x) -> np.ndarray:
        """The low 16 bits of x, signed (an int16 cast; SMULBB's view of an operand)."""
        x = np.asarray(x, np.int64)
        return ((x & self.short_mask) ^ self.short_sign) - self.short_sign

    def smulbb(self, a, b) -> np.ndarray:
        return self.short(a) * self.short(b)
