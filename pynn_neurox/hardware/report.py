"""The mapping report: what the chip holds, what quantization cost, what is approximated.

A plain object (`as_dict()` gives every number) and text (`str(report)`); the
emulator's event counts (wraps, clipping, serialised inputs) are added as runs go.
"""

from dataclasses import dataclass, field


@dataclass
class MappingReport:
    chip: str
    tick_ms: float
    cores: list = field(default_factory=list)  # dicts: where, what, share of each limit
    populations: list = field(default_factory=list)
    projections: list = field(default_factory=list)
    inputs: list = field(default_factory=list)
    lossy_steps: list = field(default_factory=list)  # steps the user allowed and that changed values
    counters: dict = field(default_factory=dict)

    def as_dict(self):
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def __str__(self):
        lines = [f"Mapping onto {self.chip}, one tick = {self.tick_ms:g} ms"]
        if self.cores:
            chips = max(c["chip"] for c in self.cores) + 1
            lines.append(f"\n{len(self.cores)} core(s) on {chips} chip(s)")
            shares = [k for k in self.cores[0] if k.endswith("_share")]
            lines.append("  core chip population          neurons   "
                         + "  ".join(s[:-6] for s in shares))
            for c in self.cores:
                lines.append(f"  {c['core']:4d} {c['chip']:4d} {c['population'][:20]:20s} "
                             f"{c['neurons']:>9s}   "
                             + "  ".join(f"{100 * c[s]:{len(s) - 6}.0f}%" for s in shares))
        for p in self.populations:
            lines.append(f"\npopulation '{p['label']}' ({p['celltype']}, {p['size']} cells)")
            for row in p["parameters"]:
                lines.append(f"  {row['name']:24s} requested {row['requested']:10.4g} "
                             f"effective {row['effective']:10.4g} {row['unit']:8s} "
                             f"(max relative error {row['max_relative_error']:.2%})")
            for note in p["approximations"]:
                lines.append(f"  ~ {note}")
        if self.projections:
            lines.append("\nprojection (pre -> post)           synapses  weight error  "
                         "max abs error  clipped  to zero  delays off grid")
            for p in self.projections:
                name = f"{p['label']} ({p['pre']} -> {p['post']})"
                lines.append(f"  {name[:32]:32s} {p['synapses']:9d}  "
                             f"{p['relative_error']:11.3%}  {p['max_abs_error']:13.4g}  "
                             f"{p['clipped']:7d}  {p['rounded_to_zero']:7d}  "
                             f"{p['delays_off_grid']:15d}")
        for p in self.projections:
            if "learning" in p:
                lines.extend(_learning_lines(p["label"], p["learning"]))
        for i in self.inputs:
            lines.append(f"\nhost input '{i['label']}': {i['note']}")
        for step in self.lossy_steps:
            lines.append(f"\nlossy step taken (allowed): {step}")
        if self.counters:
            lines.append("\nemulator events: " + ", ".join(f"{k} {v}"
                                                          for k, v in self.counters.items()))
        return "\n".join(lines)


def _learning_lines(label, learning):
    lines = [f"\nplastic projection '{label}': {learning['rule']}"
             + (f", weights change every {learning['epoch_ticks']} ticks"
                if "epoch_ticks" in learning else ""),
             "  " + ", ".join(f"{k} {v}" for k, v in learning["integers"].items())]
    for row in learning["parameters"]:
        lines.append(f"  {row['name']:24s} requested {row['requested']:10.4g} "
                     f"effective {row['effective']:10.4g} {row['unit']:8s} "
                     f"(relative error {row['max_relative_error']:.2%})")
    lines.extend(f"  ~ {note}" for note in learning["approximations"])
    return lines
