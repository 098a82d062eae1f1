"""Figures of a sweep: the metric against the varied settings, over the seeds.

Inputs are plain data: the sweep's ``Axis`` list (path, values, log-spaced or not), its
aggregates (per setting: ``{"settings": {path: value}, "metrics": {metric: {"mean", "min",
"max"}}, "finished"}``) or rows (per run: ``{"settings", metric: value}``), and for curves each
run's settings and history. A value missing (a run not finished yet, a metric the task has not)
is drawn as a gap, never as NaN.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from app.nn import Dataset, Network, SpecError

from .boundary import boundary_comparison_figure
from .common import fmt
from .theme import SEQUENTIAL, apply_theme, series_color

SWEEP_FIGURES = ("heatmap", "lines", "boundaries", "parallel", "curves")
MAX_LINES = 12  # lines figure: one line per combination of the other axes' values
BOUNDARY_GRID = 40  # cells per side of each small boundary panel
# A run's metrics as people read them, and how their numbers are written (percent: a fraction shown
# as %; count: a whole number; number: as it comes). The figures' titles and the pages' tables and
# choices (through /api/catalog) take them from here.
METRICS: tuple[tuple[str, str, str], ...] = (
    ("test_accuracy", "test accuracy", "percent"), ("train_accuracy", "training accuracy", "percent"),
    ("test_loss", "test loss", "number"), ("train_loss", "training loss", "number"),
    ("test_r2", "test R²", "number"), ("train_r2", "training R²", "number"),
    ("dead_fraction", "dead units", "percent"), ("steps_to_target", "steps to the target loss", "count"),
    ("seconds", "seconds", "number"),
)
METRIC_TITLES = {name: label for name, label, _ in METRICS}
FIGURE_LABELS = {"heatmap": "heatmap (two settings)", "lines": "lines (one setting)",
                 "boundaries": "decision boundaries", "parallel": "parallel coordinates",
                 "curves": "training curves"}


# The words people read for the last part of a setting's path (the request's field names otherwise).
SETTING_WORDS = {
    "learning_rate": "learning rate", "reg_strength": "regularization strength λ", "batch_size": "batch size",
    "steps": "training steps", "init": "initialization", "mu": "momentum μ", "hidden": "hidden layers",
    "n_per_class": "points per class", "n_points": "points", "test_fraction": "test share",
    "units": "units", "activation": "activation", "noise": "noise", "optimizer": "optimizer",
}
_LAYER_SETTING = re.compile(r"network\.hidden\[(\d+|\*)\]\.(\w+)")


def setting_label(path: str) -> str:
    """A setting's path as people read it: ``network.hidden[0].units`` is "units in hidden layer 1",
    ``training.learning_rate`` "learning rate", ``data.noise`` "data noise"."""
    if match := _LAYER_SETTING.fullmatch(path):
        layer = "every hidden layer" if match.group(1) == "*" else f"hidden layer {int(match.group(1)) + 1}"
        word = SETTING_WORDS.get(match.group(2), match.group(2).replace("_", " "))
        return f"{word} {'in' if match.group(2) == 'units' else 'of'} {layer}"
    section, _, last = path.rpartition(".")
    word = SETTING_WORDS.get(last, last.replace("_", " "))
    return f"data {word}" if section == "data" and last in ("noise", "seed") else word


@dataclass(frozen=True)
class Axis:
    """One varied setting of a sweep: its path in the training request and its values."""

    path: str
    values: tuple[Any, ...]
    log: bool = False  # log-spaced: drawn on a log axis

    @property
    def label(self) -> str:
        """The setting as people read it, for titles and legends (the path stays the key)."""
        return setting_label(self.path)


def value_label(value: Any) -> str:
    """A value as text (``0.001``, ``relu``, ``[3, 3]``) for tables and figures."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (str, int)):
        return str(value)
    return json.dumps(value, separators=(", ", ": "))


def _numeric(values: tuple[Any, ...]) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def log_spaced(values: tuple[Any, ...]) -> bool:
    """Positive numbers spread over a factor of 20 or more: drawn on a log axis."""
    if len(values) < 2 or not _numeric(values) or min(values) <= 0:
        return False
    return max(values) / min(values) >= 20


def default_figure(n_axes: int, random: bool) -> str:
    """Lines for one setting, a heatmap for two, parallel coordinates for three or a random sweep."""
    if random or n_axes >= 3:
        return "parallel"
    return "heatmap" if n_axes == 2 else "lines"


def _title(metric: str) -> str:
    if metric not in METRIC_TITLES:
        raise SpecError("metric", f"unknown metric {metric!r}; expected one of: {', '.join(METRIC_TITLES)}")
    return METRIC_TITLES[metric]


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _stat(aggregate: dict[str, Any], metric: str, stat: str) -> float | None:
    value = aggregate["metrics"].get(metric, {}).get(stat)
    return value if value is None or math.isfinite(value) else None


def _check_axes(axes: Any, count: int | None, kind: str) -> list[Axis]:
    if not isinstance(axes, (list, tuple)) or not axes or not all(isinstance(a, Axis) for a in axes):
        raise SpecError("axes", "must be a non-empty list of Axis")
    if count is not None and len(axes) != count:
        raise SpecError("kind", f"a {kind} needs a sweep over {count} settings; this one varies {len(axes)}")
    return list(axes)


def _axis_type(axis: Axis) -> dict[str, Any]:
    if _numeric(axis.values):
        return {"type": "log" if axis.log else "linear"}
    return {"type": "category"}


def _x(axis: Axis, value: Any) -> Any:
    return value if _numeric(axis.values) else value_label(value)


# --- heatmap -------------------------------------------------------------------------------------

def heatmap_figure(axes: list[Axis], aggregates: list[dict[str, Any]], metric: str) -> go.Figure:
    """Two settings: the mean of ``metric`` over the seeds as colour, one cell per combination
    (first axis across, second up); the hover shows the spread (min–max) and the runs finished."""
    x_axis, y_axis = _check_axes(axes, 2, "heatmap")
    title = _title(metric)
    by_setting = {(_key(a["settings"].get(x_axis.path)), _key(a["settings"].get(y_axis.path))): a
                  for a in aggregates}
    z, spread = [], []
    for y in y_axis.values:
        z_row, spread_row = [], []
        for x in x_axis.values:
            cell = by_setting.get((_key(x), _key(y)))
            mean = _stat(cell, metric, "mean") if cell else None
            z_row.append(mean)
            if cell is None or mean is None:
                spread_row.append(f"runs finished: {cell['finished'] if cell else 0}")
            else:
                spread_row.append(f"min {fmt(_stat(cell, metric, 'min'))}, max {fmt(_stat(cell, metric, 'max'))} "
                                  f"over {cell['finished']} of {cell['runs']} runs")
        z.append(z_row)
        spread.append(spread_row)
    labels_x = [value_label(v) for v in x_axis.values]
    labels_y = [value_label(v) for v in y_axis.values]
    fig = go.Figure(go.Heatmap(
        x=labels_x, y=labels_y, z=z, customdata=spread, colorscale=SEQUENTIAL, hoverongaps=False,
        texttemplate="%{z:.3g}", colorbar=dict(title=dict(text=title), thickness=14),
        hovertemplate=f"{x_axis.label} %{{x}}<br>{y_axis.label} %{{y}}<br>{title} (mean) %{{z:.4g}}<br>"
                      "%{customdata}<extra></extra>"))
    fig.update_xaxes(title_text=x_axis.label, type="category")
    fig.update_yaxes(title_text=y_axis.label, type="category")
    return apply_theme(fig, title=dict(text=f"{title}: mean over seeds"))


# --- lines ---------------------------------------------------------------------------------------

def lines_figure(axes: list[Axis], aggregates: list[dict[str, Any]], metric: str | Sequence[str],
                 over: str = "seeds") -> go.Figure:
    """``metric`` (or each of several) against the first setting, its mean as a line in a band from
    the min to the max over the runs of each value (``over``: what they differ by, for the title);
    one line per metric and combination of the other settings' values (at most ``MAX_LINES``
    combinations); a log x axis for log-spaced values."""
    axes = _check_axes(axes, None, "lines")
    metrics = [metric] if isinstance(metric, str) else list(metric)
    if not metrics:
        raise SpecError("metric", "name at least one metric")
    x_axis, others = axes[0], axes[1:]
    titles = [_title(name) for name in metrics]
    groups: dict[str, list[dict[str, Any]]] = {}
    for aggregate in aggregates:
        label = ", ".join(f"{a.path} = {value_label(aggregate['settings'].get(a.path))}" for a in others)
        groups.setdefault(label, []).append(aggregate)
    if len(groups) > MAX_LINES:
        raise SpecError("kind", f"lines draws at most {MAX_LINES} lines; the other settings make {len(groups)}")
    fig = go.Figure()
    order = {_key(v): i for i, v in enumerate(x_axis.values)}
    lines = [(label, group, name, title) for label, group in groups.items() for name, title in zip(metrics, titles)]
    for i, (label, group, name, title) in enumerate(lines):
        group = sorted(group, key=lambda a: order.get(_key(a["settings"].get(x_axis.path)), 0))
        xs = [_x(x_axis, a["settings"].get(x_axis.path)) for a in group]
        color = series_color(i)
        low = [_stat(a, name, "min") for a in group]
        high = [_stat(a, name, "max") for a in group]
        # The group keeps the paths (the page reads a line's settings from it); the name is for people.
        group_key = f"{label} {name}" if len(metrics) > 1 else label or title
        line_name = ", ".join(f"{a.label} = {value_label(group[0]['settings'].get(a.path))}" for a in others)
        line_name = ", ".join(part for part in (title if len(metrics) > 1 else "", line_name) if part) or title
        fig.add_trace(go.Scatter(x=xs, y=high, mode="lines", line=dict(width=0, color=color), legendgroup=group_key,
                                 showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=xs, y=low, mode="lines", line=dict(width=0, color=color), fill="tonexty",
                                 opacity=0.25, legendgroup=group_key, showlegend=False, hoverinfo="skip",
                                 name=f"{line_name} (min–max)"))
        fig.add_trace(go.Scatter(
            x=xs, y=[_stat(a, name, "mean") for a in group], mode="lines+markers", name=line_name,
            legendgroup=group_key, line=dict(color=color, width=2), customdata=[[lo, hi] for lo, hi in zip(low, high)],
            hovertemplate=f"{x_axis.label} %{{x}}<br>{title} mean %{{y:.4g}}<br>min %{{customdata[0]:.4g}}, "
                          f"max %{{customdata[1]:.4g}}<extra>{line_name}</extra>"))
    fig.update_xaxes(title_text=x_axis.label, **_axis_type(x_axis))
    fig.update_yaxes(title_text=" and ".join(titles))
    return apply_theme(fig, title=dict(text=f"{' and '.join(titles)} against {x_axis.label} "
                                            f"(band: min–max over {over})"),
                       showlegend=bool(others) or len(metrics) > 1)


# --- parallel coordinates ------------------------------------------------------------------------

def _dimension(axis: Axis, values: list[Any]) -> dict[str, Any]:
    if _numeric(axis.values):
        if axis.log:
            return {"label": f"log₁₀ {axis.label}", "values": [math.log10(v) for v in values]}
        return {"label": axis.label, "values": values}
    labels = list(dict.fromkeys(value_label(v) for v in axis.values))
    index = {label: i for i, label in enumerate(labels)}
    return {"label": axis.label, "values": [index[value_label(v)] for v in values],
            "tickvals": list(range(len(labels))), "ticktext": labels}


def parallel_figure(axes: list[Axis], rows: list[dict[str, Any]], metric: str) -> go.Figure:
    """One line per finished run through each setting's value and ``metric`` (its colour); log-spaced
    settings on a log₁₀ scale, categories as ticks."""
    axes = _check_axes(axes, None, "parallel")
    title = _title(metric)
    drawn = [row for row in rows if row.get(metric) is not None and math.isfinite(row[metric])]
    dimensions = [_dimension(axis, [row["settings"].get(axis.path) for row in drawn]) for axis in axes]
    values = [row[metric] for row in drawn]
    dimensions.append({"label": title, "values": values})
    fig = go.Figure(go.Parcoords(dimensions=dimensions, line=dict(
        color=values, colorscale=SEQUENTIAL, showscale=True, colorbar=dict(title=dict(text=title), thickness=14))))
    return apply_theme(fig, title=dict(text=f"Every run: the settings and the {title}"))


# --- curves --------------------------------------------------------------------------------------

def _colors(axis: Axis) -> dict[str, str]:
    """A colour per value: along a sequential scale for numbers (by log for log-spaced ones), the
    series colours for categories."""
    if not _numeric(axis.values) or len(axis.values) < 2:
        return {_key(v): series_color(i) for i, v in enumerate(axis.values)}
    scale = [math.log(v) if axis.log else float(v) for v in axis.values]
    low, high = min(scale), max(scale)
    where = [(s - low) / (high - low) if high > low else 0.5 for s in scale]
    return {_key(v): c for v, c in zip(axis.values, sample_colorscale(SEQUENTIAL, where))}


def curves_figure(runs: list[tuple[dict[str, Any], list[dict[str, Any]]]], axis: Axis,
                  metric: str = "train_loss") -> go.Figure:
    """Every run's training curve of ``metric`` (a history value), coloured by its value of ``axis``;
    one legend entry per value."""
    title = _title(metric)
    _check_axes([axis], None, "curves")
    colors = _colors(axis)
    seen: set[str] = set()
    fig = go.Figure()
    for settings, history in runs:
        value = settings.get(axis.path)
        key = _key(value)
        label = value_label(value)
        points = [(r["step"], r.get(metric)) for r in history]
        ys = [y if isinstance(y, (int, float)) and math.isfinite(y) else None for _, y in points]
        color = colors.get(key, series_color(0))
        hover = f"{axis.label} = {label}<br>step %{{x}}: %{{y:.4g}}<extra></extra>"
        fig.add_trace(go.Scatter(x=[step for step, _ in points], y=ys, mode="lines", name=label, legendgroup=key,
                                 showlegend=key not in seen, line=dict(color=color, width=1.5), opacity=0.8,
                                 hovertemplate=hover))
        seen.add(key)
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(title_text=title, type="log" if metric.endswith("loss") else "linear")
    return apply_theme(fig, title=dict(text=f"{title} of every run, coloured by {axis.label}"),
                       legend=dict(title=dict(text=axis.label)))


# --- boundaries ----------------------------------------------------------------------------------

def boundaries_figure(panels: list[tuple[str, Network, Dataset]], settings: Sequence[str] = ()) -> go.Figure:
    """Small multiples of decision boundaries, one per setting (at most 36), six to a row. With
    ``settings`` (their paths), the panels are titled by their values alone and the figure's title
    names the settings once: at six to a row a title of names and values runs into its neighbours."""
    if not panels:
        raise SpecError("kind", "no run has finished with a network to draw yet")
    columns = min(6, math.ceil(math.sqrt(len(panels))))
    fig = boundary_comparison_figure(panels, grid=BOUNDARY_GRID, columns=columns)
    if settings:
        fig.update_layout(title_text=f"Decision regions, each titled {' · '.join(map(setting_label, settings))}")
    return fig


def panel_label(settings: dict[str, Any]) -> str:
    """A setting's values in the order of its paths (``0.01 · 8``), for a small panel's title."""
    return " · ".join(value_label(value) for value in settings.values())
