"""The software target: Brian2 code generation."""

from .target import Brian2Target  # noqa: F401
