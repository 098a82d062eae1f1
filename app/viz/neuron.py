"""Single neurons over the input plane: one unit with given weights, and every hidden unit of a
network as small multiples (TensorFlow Playground's thumbnails)."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale
from plotly.subplots import make_subplots

from app.nn import Dataset, Network, SpecError

from .activation import evaluate
from .boundary import data_bounds, line_in_box
from .common import (
    INPUT_TITLES,
    check_bounds,
    check_int,
    check_number,
    finite32,
    fmt,
    point_traces,
    require_data,
    require_network,
)
from .theme import DIVERGING, INK, MUTED, SEQUENTIAL, apply_theme, class_color, series_color

DEFAULT_BOUNDS = (-1.5, 1.5, -1.5, 1.5)
FORMULAS = {"sigmoid": "σ", "tanh": "tanh", "relu": "max(0, ·)"}
# the neuron maps' colour scales, as lists: a page that follows live frames switches between them
LAYER_SCALES = {"signed": get_colorscale(DIVERGING), "unsigned": get_colorscale(SEQUENTIAL)}


def _plane(bounds: tuple[float, float, float, float], grid: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid axes xs, ys and the (grid², 2) points, row-major along y."""
    xs = np.linspace(bounds[0], bounds[1], grid)
    ys = np.linspace(bounds[2], bounds[3], grid)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def _resolve_bounds(data: Dataset | None, bounds: Any) -> tuple[float, float, float, float]:
    if bounds is not None:
        return check_bounds(bounds)
    return data_bounds(data) if data is not None else DEFAULT_BOUNDS


def neuron_figure(w: tuple[float, float], b: float, activation: str = "sigmoid", data: Dataset | None = None,
                  grid: int = 100, bounds: Any = None) -> go.Figure:
    """One neuron f(w·x + b) over the plane (heatmap, trace 0), its line w·x + b = 0 with w drawn
    as an arrow, and the data points. With sigmoid this is a binary softmax classifier:
    P(class 1) = σ(w·x + b), class 1 on the side w points to."""
    if not isinstance(w, (list, tuple, np.ndarray)) or len(w) != 2:
        raise SpecError("w", "must be two numbers (w1, w2)")
    w = (check_number(w[0], "w[0]"), check_number(w[1], "w[1]"))
    b = check_number(b, "b")
    if activation == "maxout":
        raise SpecError("activation", "maxout needs several weight vectors; pick a single-line activation")
    grid = check_int(grid, "grid", 2, 400)
    if data is not None:
        require_data(data)
        if data.input_dim != 2:
            raise SpecError("data", "must have 2 inputs")
    box = _resolve_bounds(data, bounds)
    xs, ys, points = _plane(box, grid)
    zero_output = float(evaluate(activation, np.zeros(1))[0][0])
    out, _ = evaluate(activation, points @ np.array(w) + b)
    colorscale = [[0, class_color(0)], [0.5, "white"], [1, class_color(1)]]
    label = f"{FORMULAS.get(activation, activation)}(w·x + b)"
    fig = go.Figure(go.Heatmap(
        x=xs.astype(np.float32), y=ys.astype(np.float32), z=finite32(out).reshape(grid, grid),
        colorscale=colorscale, zmid=zero_output, name="neuron output", colorbar=dict(title=dict(text=label)),
        hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}<br>output %{z:.3f}<extra></extra>",
    ))
    ends = line_in_box(w, b, box)
    if ends:
        fig.add_trace(go.Scatter(x=[ends[0][0], ends[1][0]], y=[ends[0][1], ends[1][1]], mode="lines",
                                 name="w·x + b = 0", line=dict(color=INK, width=2.5, dash="dash")))
        mid = np.mean(ends, axis=0)
        span = 0.12 * min(box[1] - box[0], box[3] - box[2])
        tip = mid + span * np.array(w) / np.hypot(*w)
        fig.add_annotation(x=tip[0], y=tip[1], ax=mid[0], ay=mid[1], xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=3, arrowwidth=2, arrowcolor=INK, text="w")
    if data is not None:
        fig.add_traces(point_traces(data, data.X))
    # The axes x₁ = 0 and x₂ = 0 drawn across the plane: where b alone sets the output (the origin).
    axes = dict(showgrid=False, zeroline=True, zerolinecolor=MUTED, zerolinewidth=1)
    fig.update_xaxes(title_text=INPUT_TITLES[0], range=list(box[:2]), constrain="domain", **axes)
    fig.update_yaxes(title_text=INPUT_TITLES[1], range=list(box[2:]), scaleanchor="x", **axes)
    title = f"One neuron: {label}, w = ({fmt(w[0])}, {fmt(w[1])}), b = {fmt(b)}"
    # a square plane: a fixed size keeps the colour bar next to it
    return apply_theme(fig, title=dict(text=title), height=540, width=640, legend=dict(orientation="h", y=-0.15))


def color_range(lo: float, hi: float) -> tuple[float, float, bool]:
    """A layer's colour axis from its activations' range: ``(cmin, cmax, signed)``. Signed values
    get a diverging scale centred on 0 (±max |a|), others the sequential one over [lo, hi]."""
    signed = lo < 0 < hi
    if signed:
        limit = max(abs(lo), abs(hi))
        return -limit, limit, True
    return lo, (hi if hi > lo else lo + 1), False


def neuron_maps_figure(net: Network, data: Dataset | None = None, grid: int = 40, bounds: Any = None,
                       max_units: int = 16) -> go.Figure:
    """Every hidden unit's activation over the input plane: one row of thumbnails per hidden
    layer (at most ``max_units`` per row), one colour scale per layer shared by its thumbnails.
    A 1-input network gets curves a(x) instead, one y range per layer."""
    require_network(net)
    if net.spec.input_dim > 2:
        raise SpecError("net", f"neuron maps need a network with 1 or 2 inputs; this one has {net.spec.input_dim}")
    if data is not None:
        require_data(data, net)
    grid = check_int(grid, "grid", 2, 200)
    max_units = check_int(max_units, "max_units", 1, 64)
    box = _resolve_bounds(data, bounds)
    hidden = net.spec.hidden
    if not hidden:
        fig = go.Figure()
        fig.add_annotation(text="No hidden layers: this network is a linear classifier.", showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.5)
        return apply_theme(fig, title=dict(text="Hidden units"), height=300)
    if net.spec.input_dim == 1:
        xs = np.linspace(box[0], box[1], 4 * grid)
        ys, points = None, xs[:, None]
    else:
        xs, ys, points = _plane(box, grid)
    with np.errstate(over="ignore", invalid="ignore"):
        outputs = net.hidden_outputs(points)[: len(hidden)]
    cols = min(max_units, max(h.units for h in hidden))
    titles = [f"{'h' + str(r + 1) if c == 0 else ''} unit {c + 1}" if c < layer.units else ""
              for r, layer in enumerate(hidden) for c in range(cols)]
    fig = make_subplots(rows=len(hidden), cols=cols, subplot_titles=titles, horizontal_spacing=0.012,
                        vertical_spacing=0.12 / len(hidden))
    for r, (layer, values) in enumerate(zip(hidden, outputs), start=1):
        a = finite32(values["a"])
        lo, hi = float(a.min()), float(a.max())
        shown = f"{min(cols, layer.units)} of {layer.units}" if layer.units > cols else f"{layer.units}"
        if ys is None:
            pad = 0.05 * (hi - lo) or 0.5
            for c in range(min(cols, layer.units)):
                fig.add_trace(go.Scatter(
                    x=xs.astype(np.float32), y=a[:, c], mode="lines", name=f"h{r} unit {c + 1}", showlegend=False,
                    line=dict(color=series_color(r - 1), width=2),
                    hovertemplate=f"h{r} unit {c + 1} ({shown} shown)<br>x %{{x:.2f}}: %{{y:.3f}}<extra></extra>",
                ), row=r, col=c + 1)
            fig.update_yaxes(range=[lo - pad, hi + pad], row=r)
            continue
        cmin, cmax, signed = color_range(lo, hi)
        axis = "coloraxis" if r == 1 else f"coloraxis{r}"
        domain = fig.get_subplot(r, 1).yaxis.domain
        fig.update_layout({axis: dict(
            colorscale=LAYER_SCALES["signed" if signed else "unsigned"], cmin=cmin, cmax=cmax,
            colorbar=dict(title=dict(text=f"h{r}<br>{layer.activation}", side="top"), thickness=10,
                          y=(domain[0] + domain[1]) / 2, len=max(0.12, domain[1] - domain[0]), x=1.01),
        )})
        for c in range(min(cols, layer.units)):
            fig.add_trace(go.Heatmap(
                x=xs.astype(np.float32), y=ys.astype(np.float32), z=a[:, c].reshape(grid, grid), coloraxis=axis,
                name=f"h{r} unit {c + 1}", meta={"node": [r, c]},  # a live frame's node map (node_maps' layer r)
                hovertemplate=f"h{r} unit {c + 1} ({shown} shown)<br>x₁ %{{x:.2f}}, x₂ %{{y:.2f}}"
                              "<br>activation %{z:.3f}<extra></extra>",
            ), row=r, col=c + 1)
    fig.update_xaxes(showticklabels=False, showgrid=False, ticks="", constrain="domain")
    fig.update_yaxes(showticklabels=False, showgrid=False, ticks="", constrain="domain")
    if ys is not None:
        fig.for_each_yaxis(lambda axis: axis.update(scaleanchor=axis.anchor))  # square thumbnails
    fig.update_annotations(font_size=10)
    if ys is not None:  # what a live frame's layer ranges (node_maps) restyle: each layer's colour axis
        fig.update_layout(meta={"colorscales": LAYER_SCALES})
    thumb = max(60, min(130, 1100 // cols))
    heading = "over the input (x across)" if ys is None else "over the input plane (x₁ across, x₂ up)"
    return apply_theme(fig, title=dict(text=f"Hidden units {heading}"),
                       height=110 + len(hidden) * (thumb + 40),
                       margin=dict(l=30, r=80, t=80, b=20))
