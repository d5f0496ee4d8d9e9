"""Hardware-vs-software comparison: reference networks, metrics and reports."""
