"""One package per chip kind; each registers its ChipKind when imported (contract.py)."""
