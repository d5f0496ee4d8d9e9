"""Quantize: a network description's values in a chip's number formats, with their errors."""
