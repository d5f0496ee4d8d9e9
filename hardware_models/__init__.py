"""Chip descriptions (one per chip) read by the hardware pipeline."""
