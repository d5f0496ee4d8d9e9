"""The comparison report as one self-contained HTML page (figures embedded as PNG).

Figures: rasters side by side, per-neuron rates against the reference, ISI
histograms, and per chip the weights it holds against the requested ones; tables:
resources and cost per chip, and the metrics of the registry (registry.py), each
with a sentence on what it means.
"""

import base64
import html
import io

import numpy as np

from ..hardware.report import MappingReport
from . import registry
from .capture import paired_trains, recorded, spike_trains


def _figure_tag(figure, title):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode()
    return (f'<figure><img class="plot" alt="{html.escape(title)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{html.escape(title)}'
            "</figcaption></figure>")


def _figures(report, runs):
    """Every figure as a <figure> tag. Labels are drawn as plain text: matplotlib would
    read a '$' in a label as mathtext, and fail on what is not TeX."""
    import matplotlib
    matplotlib.use("Agg")
    ran = {t: r for t, r in runs.items() if "error" not in r}
    if not ran:
        return []
    with matplotlib.rc_context({"text.parse_math": False}):
        return _rasters(ran) + _rates_and_isis(report["reference"], ran) + _weights(ran)


def _rasters(ran):
    """Per recorded population, its rasters side by side in the runs that recorded it."""
    import matplotlib.pyplot as plt
    by_run = {target: recorded(run) for target, run in ran.items()}
    tags = []
    for key in dict.fromkeys(k for populations in by_run.values() for k in populations):
        having = {t: populations[key] for t, populations in by_run.items() if key in populations}
        figure, axes = plt.subplots(1, len(having), figsize=(4 * len(having), 3), sharey=True,
                                    squeeze=False)
        for axis, (target, population) in zip(axes[0], having.items()):
            for row, times in enumerate(spike_trains(population, 100)):
                axis.plot(times, np.full(times.size, row), "|", color="k", markersize=3)
            axis.set_title(target)
            axis.set_xlabel("time (ms)")
        axes[0][0].set_ylabel("cell")
        tags.append(_figure_tag(figure, f"rasters of '{key}' (first 100 cells)"))
    return tags


def _rates_and_isis(reference, ran):
    """Each run's per-neuron rates against the reference's, and every run's ISIs."""
    import matplotlib.pyplot as plt
    others = [t for t in ran if t != reference]
    if not others:
        return []
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    theirs = recorded(ran[reference])
    for target in others:
        duration = min(ran[reference]["duration"], ran[target]["duration"])
        for key, population in recorded(ran[target]).items():
            if key in theirs:
                a, b = paired_trains(theirs[key], population, duration)
                axes[0].plot([t.size / duration * 1000.0 for t in a],
                             [t.size / duration * 1000.0 for t in b], ".", alpha=0.5,
                             label=f"{target}: {key}")
    top = axes[0].get_xlim()[1]
    axes[0].plot([0, top], [0, top], "k--", linewidth=0.8)
    axes[0].set_xlabel(f"rate on {reference} (Hz)")
    axes[0].set_ylabel("rate on the chip (Hz)")
    axes[0].legend(fontsize=7)
    for target, run in ran.items():
        isi = np.concatenate([np.diff(t) for p in recorded(run).values()
                              for t in spike_trains(p)] or [np.zeros(0)])
        if isi.size:
            axes[1].hist(isi, bins=50, histtype="step", label=target, density=True)
    axes[1].set_xlabel("inter-spike interval (ms)")
    axes[1].legend(fontsize=7)
    return [_figure_tag(figure, f"per-neuron rates against {reference}, and ISI "
                                "distributions")]


def _weights(ran):
    """Per chip, the relative error of the weights it holds against the requested ones."""
    import matplotlib.pyplot as plt
    tags = []
    for target, run in ran.items():
        chip = [p for p in run["projections"] if "chip_weights" in p]
        if not chip:
            continue
        figure, axis = plt.subplots(figsize=(5, 3.5))
        for p in chip:
            wanted, held = p["weights"], p["chip_weights"]
            nonzero = wanted != 0
            axis.hist((held[nonzero] - wanted[nonzero]) / np.abs(wanted[nonzero]), bins=40,
                      histtype="step", label=p["label"])
        axis.set_xlabel("relative weight error (chip - requested) / |requested|")
        axis.legend(fontsize=7)
        tags.append(_figure_tag(figure, f"weight quantization on {target}"))
    return tags


def _number(value):
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    return f"{value:.4g}" if isinstance(value, float) else html.escape(str(value))


def _resources(report):
    rows = []
    for target, entry in report["targets"].items():
        mapping = entry.get("mapping")
        if "error" in entry:
            rows.append(f"<tr><td>{target}</td><td colspan=6 class=error>"
                        f"{html.escape(entry['error'])}</td></tr>")
            continue
        energy = entry.get("energy") or {}
        if mapping:
            mapped = MappingReport.from_dict(mapping)
            cores = mapped.cores
            chips = max((c.chip for c in cores), default=-1) + 1
            largest = ", ".join(f"{k} {100 * v:.0f}%"
                                for k, v in mapped.largest_shares().items())
            errors = max((p.relative_error for p in mapped.projections), default=0.0)
            clipped = sum(p.clipped for p in mapped.projections)
            counters = ", ".join(f"{k} {v}" for k, v in mapped.counters.items())
            warned = "".join(f"<b class=error>warning: {html.escape(w)}</b><br>"
                             for w in mapped.warnings)
        else:
            chips, cores, largest, errors, clipped, counters = "–", [], "software", None, "–", ""
            warned = ""
        joules = (f"{_number(energy['microjoules'])}<br><small>from "
                  f"{html.escape('; '.join(energy['sources']))}</small>"
                  if "microjoules" in energy else html.escape(energy.get("note", "–")))
        rows.append(f"<tr><td>{target}</td><td>{len(cores) or '–'} / {chips}</td>"
                    f"<td>{largest}</td><td>{_number(errors)}</td><td>{clipped}</td>"
                    f"<td>{warned}{html.escape(counters)}</td><td>{joules}</td>"
                    f"<td>{_number(entry.get('wall_seconds'))}</td></tr>")
    return ("<table><tr><th>target</th><th>cores / chips</th><th>largest share of each "
            "per-core limit</th><th>largest relative weight error</th><th>clipped weights"
            "</th><th>chip events</th><th>energy estimate (µJ)</th><th>wall time (s)</th>"
            "</tr>" + "".join(rows) + "</table>")


def _task_table(report):
    def task(target):
        return report["comparisons"].get(target, {}).get("task", {})
    rows = [f"<tr><td>{target}</td><td>{_number(entry.get('accuracy'))}</td>"
            f"<td>{_number(task(target).get('prediction_agreement'))}</td>"
            f"<td>{_number(task(target).get('cohen_kappa'))}</td></tr>"
            for target, entry in report["targets"].items() if "accuracy" in entry]
    if not rows:
        return ""
    return ("<h2>Task</h2><table><tr><th>target</th><th>test accuracy</th><th>prediction "
            f"agreement with {html.escape(str(report['reference']))}</th><th>Cohen's κ"
            "</th></tr>" + "".join(rows) + "</table><p class=meaning>Agreement: the share "
            "of samples where both runs predict the same label, right or wrong; κ corrects "
            "it for chance.</p>")


def _metric_cells(metric, entry):
    """A metric's cells in a population's row: its values, or the error that stopped it
    across all its columns."""
    value = entry[metric.name]
    if isinstance(value, dict) and "error" in value:
        return (f"<td colspan={len(metric.columns)} class=error>"
                f"{html.escape(value['error'])}</td>")
    return "".join(f"<td>{_number(v)}</td>" for _, v in metric.shown(entry))


def _partial(report):
    """The first screen's warning that targets are missing, when Ctrl-C stopped the run."""
    partial = report.get("partial")
    if not partial:
        return ""
    return (f"<p class=error><b>Partial report</b>: interrupted while "
            f"{html.escape(str(partial['interrupted']))} ran; not run: "
            f"{html.escape(', '.join(partial['not_run']))}.</p>")


def _metrics_table(report):
    """A row per (target, population), a column per value the registry shows."""
    rows = []
    for target, populations in report["comparisons"].items():
        for label, m in populations.items():
            if label == "task":
                continue
            cells = "".join(_metric_cells(metric, m) for metric in registry.METRICS.values())
            rows.append(f"<tr><td>{target}</td><td>{html.escape(label)}</td>{cells}</tr>")
    columns = registry.columns()
    head = "".join(f"<th>{html.escape(c.heading)}</th>" for c in columns)
    meaning = "".join(f"<li><b>{html.escape(c.heading)}</b>: {html.escape(c.meaning)}</li>"
                      for c in columns)
    return (f"<table><tr><th>target</th><th>population</th>{head}</tr>{''.join(rows)}"
            f"</table><ul class=meaning>{meaning}</ul>")


def _approximations(report):
    warnings, items = [], []
    for target, entry in report["targets"].items():
        if not entry.get("mapping"):
            continue
        mapped = MappingReport.from_dict(entry["mapping"])
        warnings += [f"<li class=error>{target}: warning: {html.escape(w)}</li>"
                     for w in mapped.warnings]
        for population in mapped.populations:
            for note in population.approximations:
                items.append(f"<li>{target}, '{html.escape(population.label)}': "
                             f"{html.escape(note)}</li>")
        for note in mapped.notes:
            items.append(f"<li>{target}: {html.escape(note)}</li>")
        for step in mapped.lossy_steps:
            items.append(f"<li>{target}: lossy step allowed by the user: "
                         f"{html.escape(step)}</li>")
    items = warnings + items  # what must not be taken at face value comes first
    return "<ul>" + "".join(items) + "</ul>" if items else "<p>none</p>"


def write_html(report, runs, path):
    figures = _figures(report, runs)
    script = html.escape(report["script"])
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>pyNN.neurox comparison: {script}</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse;font-size:90%}}
td,th{{border:1px solid #aaa;padding:3px 6px}} .error{{color:#a00}} figure{{display:inline-block}}
.meaning{{font-size:85%}}</style></head>
<body data-plots="{len(figures)}">
<h1>Hardware vs software: {script}</h1>
{_partial(report)}
<p>Reference: <b>{html.escape(str(report['reference']))}</b>. Every number is in report.json.</p>
<h2>Resources and cost</h2>{_resources(report)}
{_task_table(report)}
<h2>Metrics against the reference</h2>{_metrics_table(report)}
<h2>Figures</h2>{''.join(figures)}
<h2>What the mapping approximates</h2>{_approximations(report)}
<script>
window.addEventListener("load", () => {{
  const drawn = [...document.querySelectorAll("img.plot")].filter(i => i.naturalWidth > 0);
  document.body.dataset.drawn = drawn.length;
}});
</script>
</body></html>"""
    path.write_text(page, encoding="utf-8")  # as <meta charset> says, whatever the locale
