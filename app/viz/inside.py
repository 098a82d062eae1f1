"""Inside the network: how a hidden layer warps the input plane, and one input's forward pass."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.nn import FEATURES, Dataset, Network, SpecError

from .boundary import data_bounds
from .common import (
    INPUT_TITLES,
    check_int,
    finite32,
    fmt,
    point_groups,
    point_traces,
    require_data,
    require_network,
)
from .theme import DIVERGING, INK, SEQUENTIAL, apply_theme, series_color

LINE_POINTS = 60  # samples along each grid line: enough for the warp to look smooth
TEXT_UNITS = 24  # columns taller than this show colours only, no numbers


def _grid_lines(bounds: tuple[float, float, float, float], count: int) -> tuple[np.ndarray, int]:
    """Points of ``count`` vertical then ``count`` horizontal lines across the box:
    (2·count·LINE_POINTS, 2)."""
    x_min, x_max, y_min, y_max = bounds
    along_y = np.linspace(y_min, y_max, LINE_POINTS)
    along_x = np.linspace(x_min, x_max, LINE_POINTS)
    vertical = [np.column_stack([np.full(LINE_POINTS, v), along_y]) for v in np.linspace(x_min, x_max, count)]
    horizontal = [np.column_stack([along_x, np.full(LINE_POINTS, v)]) for v in np.linspace(y_min, y_max, count)]
    return np.concatenate(vertical + horizontal), count


def _polylines(points: np.ndarray, first: int, lines: int) -> tuple[list, list]:
    """Lines ``first .. first + lines`` of a (k·LINE_POINTS, 2) array as x, y lists with None breaks,
    rounded to 1e-5 of the points' extent (short JSON, no visible change at any scale)."""
    extent = float(np.max(np.abs(points))) or 1.0
    decimals = int(5 - np.floor(np.log10(extent)))
    xs: list[float | None] = []
    ys: list[float | None] = []
    for i in range(first, first + lines):
        seg = np.round(points[i * LINE_POINTS:(i + 1) * LINE_POINTS].astype(np.float64), decimals)
        xs += [*seg[:, 0].tolist(), None]
        ys += [*seg[:, 1].tolist(), None]
    return xs, ys


def _project(hidden_grid: np.ndarray, hidden_points: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Two coordinates per row: the units themselves for 1 or 2 units, else the first two principal
    components of the data's hidden values (the grid projected onto the same axes)."""
    units = hidden_points.shape[1]
    if units == 2:
        return hidden_grid, hidden_points, ["unit 1 (activation)", "unit 2 (activation)"]
    if units == 1:
        pad = (np.zeros((hidden_grid.shape[0], 1)), np.zeros((hidden_points.shape[0], 1)))
        return (np.hstack([hidden_grid, pad[0]]), np.hstack([hidden_points, pad[1]]),
                ["unit 1 (activation)", "(one unit: the plane collapses onto a line)"])
    mean = hidden_points.mean(axis=0)
    _, singular, vt = np.linalg.svd(hidden_points - mean, full_matrices=False)
    share = singular**2 / max(float(np.sum(singular**2)), 1e-300)
    axes = vt[:2].T
    titles = [f"principal component {k + 1} ({100 * share[k]:.0f} % of variance)" for k in range(2)]
    return (hidden_grid - mean) @ axes, (hidden_points - mean) @ axes, titles


@np.errstate(over="ignore", invalid="ignore")
def hidden_space_numbers(net: Network, data: Dataset, layer: int = 1, grid_lines: int = 11) -> dict[str, Any]:
    """The numbers behind ``hidden_space_figure``'s right panel (as ``boundary_grid`` is for the
    boundary): ``lines`` (R, 2), the image in the hidden space of the input's lines, each
    ``line_points`` long (2 inputs: ``grid_lines`` vertical then as many horizontal grid lines; 1
    input: the data's interval as one line); ``points`` (N, 2), the data's points (training then
    test); ``titles`` of the two axes; ``input_lines``, the lines in the input plane (2 inputs)."""
    require_network(net)
    require_data(data, net)
    if net.spec.input_dim > 2:
        raise SpecError("net", f"the hidden-space view needs 1 or 2 inputs; this network has {net.spec.input_dim}")
    if not net.spec.hidden:
        raise SpecError("net", "has no hidden layer to look into")
    layer = check_int(layer, "layer", 1, len(net.spec.hidden))
    count = check_int(grid_lines, "grid_lines", 2, 41)
    if net.spec.input_dim == 1:
        x_min, x_max, _, _ = data_bounds(data)
        input_lines, line_points = np.linspace(x_min, x_max, 4 * LINE_POINTS)[:, None], 4 * LINE_POINTS
    else:
        input_lines, _ = _grid_lines(data_bounds(data), count)
        line_points = LINE_POINTS
    lines, points, titles = _project(finite32(net.hidden_outputs(input_lines)[layer - 1]["a"]).astype(np.float64),
                                     finite32(net.hidden_outputs(data.X)[layer - 1]["a"]).astype(np.float64))
    return {"lines": lines, "line_points": line_points, "points": points, "titles": titles,
            "input_lines": input_lines if net.spec.input_dim == 2 else None}


def hidden_space_figure(net: Network, data: Dataset, layer: int = 1, grid_lines: int = 11) -> go.Figure:
    """Left: the input plane with a grid and the data. Right: the same grid lines and points after
    hidden layer ``layer`` (1-based). A 2-unit layer is drawn as it is (ConvNetJS's view); a wider
    one by its first two principal components. The output layer separates the last hidden
    layer's points with straight lines: a good layer makes the classes linearly separable.
    A 1-input network: the input interval becomes a curve in the hidden space.

    The right panel's traces carry ``meta = {"hidden_rows": [start, stop, break_every]}``: the rows
    of ``hidden_space_numbers``' lines then points (grouped as ``point_groups``) they draw, with a
    break after every ``break_every`` rows (0: none), so that a live frame's rows restyle them."""
    numbers = hidden_space_numbers(net, data, layer, grid_lines)
    if net.spec.input_dim == 1:
        return _hidden_curve_figure(net, data, layer, numbers)
    count = len(numbers["lines"]) // (2 * LINE_POINTS)
    units = net.spec.hidden[layer - 1].units
    activation = net.spec.hidden[layer - 1].activation
    right = f"h{layer} space ({units} units, {activation})" + (": 2 principal components" if units > 2 else "")
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Input plane", right), horizontal_spacing=0.1)
    for col, (lines, points) in enumerate(((numbers["input_lines"], data.X), (numbers["lines"], numbers["points"])),
                                          start=1):
        for direction, first in (("vertical", 0), ("horizontal", count)):
            xs, ys = _polylines(lines, first, count)
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=f"{direction} grid lines", hoverinfo="skip",
                                     legendgroup=direction, showlegend=col == 1,
                                     line=dict(color=series_color(4 if first else 5), width=1)), row=1, col=col)
        fig.add_traces(point_traces(data, points, showlegend=col == 1, colorbar=col == 2), rows=1, cols=col)
    _mark_live_rows(fig.data[-(2 + len(point_groups(data))):], numbers, data)
    fig.update_xaxes(title_text=INPUT_TITLES[0], row=1, col=1)
    fig.update_yaxes(title_text=INPUT_TITLES[1], row=1, col=1, scaleanchor="x")
    fig.update_xaxes(constrain="domain", row=1, col=1)
    titles = numbers["titles"]
    fig.update_xaxes(title_text=f"h{layer} {titles[0]}", row=1, col=2)
    fig.update_yaxes(title_text=f"h{layer} {titles[1]}", row=1, col=2)
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(showgrid=False)
    return apply_theme(fig, title=dict(text=f"How hidden layer {layer} warps the input plane"), height=500,
                       legend=dict(orientation="h", y=-0.2), margin=dict(t=90))


def hidden_space_rows(numbers: dict[str, Any], data: Dataset) -> np.ndarray:
    """(R + N, 2): ``hidden_space_numbers``' lines, then its points grouped by ``point_groups``:
    the rows the right panel's traces name in their ``meta``."""
    points = numbers["points"][np.concatenate(point_groups(data))]
    return np.concatenate([numbers["lines"], points])


def _mark_live_rows(traces: Any, numbers: dict[str, Any], data: Dataset) -> None:
    """Each right-panel trace (its line traces, then its point traces) gets its rows of
    ``hidden_space_rows`` in ``meta``."""
    step = numbers["line_points"]
    lines = len(numbers["lines"]) // step
    line_traces = len(traces) - len(point_groups(data))
    per_trace = lines // line_traces
    start = 0
    for trace in traces[:line_traces]:
        trace.meta = {"hidden_rows": [start, start + per_trace * step, step]}
        start += per_trace * step
    for trace, group in zip(traces[line_traces:], point_groups(data)):
        trace.meta = {"hidden_rows": [start, start + len(group), 0]}
        start += len(group)


def _hidden_curve_figure(net: Network, data: Dataset, layer: int, numbers: dict[str, Any]) -> go.Figure:
    """1-D inputs: left the data (input, target), right the hidden image of the input interval."""
    x_min, x_max, _, _ = data_bounds(data)
    curve, titles = numbers["lines"], numbers["titles"]
    units = net.spec.hidden[layer - 1].units
    right = f"h{layer} space ({units} units)" + (": 2 principal components" if units > 2 else "")
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Data", right), horizontal_spacing=0.1)
    fig.add_trace(go.Scatter(x=data.X[:, 0], y=finite32(data.y), mode="markers", name="points", showlegend=False,
                             marker=dict(color=finite32(data.y), colorscale=SEQUENTIAL, size=6)), row=1, col=1)
    fig.add_trace(go.Scatter(x=finite32(curve[:, 0]), y=finite32(curve[:, 1]), mode="lines",
                             name=f"the input interval [{fmt(x_min)}, {fmt(x_max)}]",
                             line=dict(color=series_color(4), width=1.5)), row=1, col=2)
    fig.add_traces(point_traces(data, numbers["points"], colorbar=True), rows=1, cols=2)
    _mark_live_rows(fig.data[1:], numbers, data)
    fig.update_xaxes(title_text="x (input, data units)", row=1, col=1)
    fig.update_yaxes(title_text="y (target, data units)", row=1, col=1)
    fig.update_xaxes(title_text=f"h{layer} {titles[0]}", row=1, col=2)
    fig.update_yaxes(title_text=f"h{layer} {titles[1]}", row=1, col=2)
    return apply_theme(fig, title=dict(text=f"How hidden layer {layer} bends the input line"), height=500,
                       legend=dict(orientation="h", y=-0.2), margin=dict(t=90))


def _check_input(net: Network, x: Any) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise SpecError("x", "must be a list of numbers") from None
    if arr.size != net.spec.input_dim:
        raise SpecError("x", f"must have {net.spec.input_dim} values (one per input), got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise SpecError("x", "must contain finite numbers")
    return arr


def _shape(rows: int, cols: int = 1) -> str:
    return f"[{rows}x{cols}]"


@np.errstate(over="ignore", invalid="ignore")
def forward_trace_figure(net: Network, x: Any) -> go.Figure:
    """One input flowing through the network, in the notes' column-vector notation: x, then per
    layer the pre-activation W·h + b and the activation h = f(·), each a column of cells (colour and
    value), titled with its shapes (e.g. W1 [4x3], h1 [4x1]); class probabilities last."""
    require_network(net)
    x = _check_input(net, x)
    steps = net.trace(x)
    columns: list[tuple[str, np.ndarray, str]] = [(f"x {_shape(x.size)}", x, "x")]
    previous = "x"
    if not net.spec.raw_inputs:  # the feature layer: what W1 multiplies
        names = ", ".join(FEATURES[name].label for name in net.spec.features)
        phi = net.input_features(x[None, :])[0]
        columns.append((f"φ(x) = ({names})<br>φ {_shape(phi.size)}", phi, "φ"))
        previous = "φ"
    for step in steps:
        i, name = step["layer"], step["name"]
        w_rows, w_cols = step["W_shape"]
        pieces = f", {step['pieces']} pieces" if step["pieces"] > 1 else ""
        if name == "out":
            columns.append((f"out = W{i}·{previous} + b{i}<br>W{i} {_shape(w_rows, w_cols)}, out {_shape(w_rows)}",
                            step["pre_activation"], "out"))
            continue
        columns.append((f"z{i} = W{i}·{previous} + b{i}<br>W{i} {_shape(w_rows, w_cols)}{pieces}",
                        step["pre_activation"], f"z{i}"))
        columns.append((f"{name} = {step['activation']}(z{i})<br>{name} {_shape(*step['output_shape'])}",
                        step["activation_value"], name))
        previous = name
    probabilities = None
    if net.loss.task == "classification":
        probabilities = net.loss.probabilities(steps[-1]["pre_activation"][None, :])[0]
        columns.append((f"probabilities<br>{net.loss.name} {_shape(probabilities.size)}", probabilities, "p"))
    signed = columns[:-1] if probabilities is not None else columns
    limit = max(float(np.max(np.abs(finite32(v)))) for _, v, _ in signed) or 1.0
    fig = make_subplots(rows=1, cols=len(columns), subplot_titles=[c[0] for c in columns],
                        horizontal_spacing=0.25 / len(columns))
    for col, (_, vector, label) in enumerate(columns, start=1):
        values = finite32(vector).reshape(-1, 1)
        is_probability = probabilities is not None and col == len(columns)
        cell_text = [[fmt(float(v))] for v in values[:, 0]] if values.shape[0] <= TEXT_UNITS else None
        fig.add_trace(go.Heatmap(
            z=values, x=[label], y=np.arange(1, values.shape[0] + 1), text=cell_text,
            texttemplate="%{text}" if cell_text else None, textfont=dict(size=11),
            coloraxis="coloraxis2" if is_probability else "coloraxis", xgap=2, ygap=2, name=label,
            hovertemplate=f"{label}[%{{y}}] = %{{z:.4g}}<extra></extra>",
        ), row=1, col=col)
    fig.update_yaxes(autorange="reversed", showgrid=False, ticks="", dtick=1 if max(
        v.size for _, v, _ in columns) <= TEXT_UNITS else None)
    fig.update_xaxes(showgrid=False, ticks="", showticklabels=False)
    fig.update_yaxes(title_text="unit (row)", row=1, col=1)
    fig.update_layout(
        coloraxis=dict(colorscale=DIVERGING, cmin=-limit, cmax=limit, colorbar=dict(title=dict(text="value"),
                                                                                    thickness=12, x=1.02)),
        coloraxis2=dict(colorscale=SEQUENTIAL, cmin=0, cmax=1, showscale=False),
    )
    fig.update_annotations(font_size=11)
    inputs = ", ".join(fmt(v) for v in x)
    predicted = net.predict(x[None, :])[0]
    if net.loss.task == "classification":
        result = f"class {predicted}"
    else:
        result = "ŷ = " + ", ".join(fmt(float(v)) for v in np.ravel(predicted))
    tallest = max(v.size for _, v, _ in columns)
    return apply_theme(fig, title=dict(text=f"Forward pass of x = ({inputs}) → {result}"),
                       height=int(min(900, max(360, 170 + 26 * tallest))), margin=dict(t=110, b=30),
                       font=dict(color=INK))
