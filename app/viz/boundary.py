"""Decision boundaries: the network's answer over the whole input plane, with the data on top.

Classification: each grid cell gets its argmax class, shaded by the winning probability. Both
live in one number per cell, ``z = k + 0.99·c``, where k is the class and c in [0, 1] rescales the
winning probability from chance (1/K) to certainty (1). A colour scale made of one band per class
(white-ish to the class colour) then draws regions and confidence with a single heatmap, whose z
a live view can replace with a fresh ``boundary_grid`` in one restyle.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.nn import Dataset, Network, SpecError

from .common import INPUT_TITLES, check_bounds, check_int, finite32, fmt, plain_text, require_data, require_network
from .theme import INK, SEQUENTIAL, apply_theme, class_color, class_symbol, tint

CONFIDENCE_SPAN = 0.99  # z stays below k + 1, inside class k's colour band
LIGHTEST, STRONGEST = 0.08, 0.62  # tint of a region at chance and at certainty: points stay visible
MAX_GRID = 500
MAX_PANELS = 36  # small multiples in one figure


def data_bounds(data: Dataset, margin: float = 0.1) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) of every point, widened by ``margin`` times each span.

    2-D data: the two inputs. 1-D regression: the input and the target.
    """
    require_data(data)
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 <= margin <= 10:
        raise SpecError("margin", "must be a number between 0 and 10")
    X = data.X
    if X.shape[0] == 0:
        raise SpecError("data", "has no points")
    if data.input_dim == 2:
        horizontal, vertical = X[:, 0], X[:, 1]
    elif data.input_dim == 1 and data.task == "regression":
        horizontal, vertical = X[:, 0], np.asarray(data.y, dtype=np.float64)
    else:
        raise SpecError("data", "must have 2 inputs (or 1 input for regression) to be drawn on a plane")
    bounds = []
    for values in (horizontal, vertical):
        lo, hi = float(np.min(values)), float(np.max(values))
        pad = margin * (hi - lo) if hi > lo else 0.5
        bounds += [lo - pad, hi + pad]
    return check_bounds(bounds, "data")


def grid_kind(net: Network) -> str:
    """Which picture a network's outputs make over its input space."""
    dim, task = net.spec.input_dim, net.loss.task
    if dim == 2:
        return "classification" if task == "classification" else "regression"
    if dim == 1 and task == "regression":
        return "regression-1d"
    raise SpecError("net", f"a boundary view needs 2 inputs (or 1 input for regression); this network has {dim}")


@np.errstate(over="ignore", invalid="ignore")  # exploded weights: drawn clipped, see finite32
def boundary_grid(net: Network, bounds: Any, grid: int = 150) -> dict[str, Any]:
    """The numbers behind the decision-boundary heatmap.

    Returns ``x: (grid,)``, ``y: (grid,)``, ``z: (grid, grid)`` float32 with rows along y, and
    ``kind``. Classification: ``z = k + 0.99·c`` (class k, confidence c in [0, 1], see module doc).
    Regression: z is the network's output. ``regression-1d``: x is the input grid, ``y`` is None and
    ``z: (grid,)`` the fitted curve (trace 0's y values); bounds' y part is ignored.
    """
    require_network(net)
    grid = check_int(grid, "grid", 2, MAX_GRID)
    x_min, x_max, y_min, y_max = check_bounds(bounds)
    kind = grid_kind(net)
    xs = np.linspace(x_min, x_max, grid)
    if kind == "regression-1d":
        return {"x": xs.astype(np.float32), "y": None, "z": finite32(net.forward(xs[:, None])[:, 0]), "kind": kind}
    ys = np.linspace(y_min, y_max, grid)
    gx, gy = np.meshgrid(xs, ys)  # row i is y = ys[i]
    points = np.column_stack([gx.ravel(), gy.ravel()])
    scores = net.forward(points)
    z = class_confidence(net.loss.probabilities(scores)) if kind == "classification" else scores[:, 0]
    return {"x": xs.astype(np.float32), "y": ys.astype(np.float32), "z": finite32(z).reshape(grid, grid), "kind": kind}


def class_confidence(probs: np.ndarray) -> np.ndarray:
    """probs: (N, K) -> (N,) ``k + 0.99·c`` with k the argmax and c = (p_k − 1/K) / (1 − 1/K)."""
    n_classes = probs.shape[1]
    probs = np.nan_to_num(probs, nan=1.0 / n_classes)
    winner = np.argmax(probs, axis=1)
    top = probs[np.arange(probs.shape[0]), winner]
    chance = 1.0 / n_classes
    confidence = np.clip((top - chance) / (1.0 - chance), 0.0, 1.0)
    return winner + CONFIDENCE_SPAN * confidence


def line_in_box(w: tuple[float, float], b: float, bounds: tuple[float, float, float, float]) -> list[tuple]:
    """Where w·x + b = 0 crosses the box's edges (0 or 2 points)."""
    x_min, x_max, y_min, y_max = bounds
    points = []
    if w[1] != 0:
        for x in (x_min, x_max):
            y = -(w[0] * x + b) / w[1]
            if y_min <= y <= y_max:
                points.append((x, y))
    if w[0] != 0:
        for y in (y_min, y_max):
            x = -(w[1] * y + b) / w[0]
            if x_min <= x <= x_max:
                points.append((x, y))
    unique = sorted(set(points))
    return [unique[0], unique[-1]] if len(unique) >= 2 else []


def class_colorscale(n_classes: int) -> list[list[Any]]:
    """One band per class over z in [0, K]: class k's band runs from a light to a strong tint."""
    scale = []
    for k in range(n_classes):
        color = class_color(k)
        scale += [[k / n_classes, tint(color, LIGHTEST)], [(k + 1) / n_classes, tint(color, STRONGEST)]]
    return scale


def n_classes_of(net: Network) -> int:
    return 2 if net.loss.single_output else net.spec.output_dim


def class_names(data: Dataset, n_classes: int) -> list[str]:
    """Each class's name as the figure shows it: the data's own (a CSV's labels) as plain text."""
    names = [plain_text(name) for name in data.class_names]
    return names + [str(k) for k in range(len(names), n_classes)]


def _heatmap(grid: dict[str, Any], net: Network, coloraxis: str | None = None) -> go.Heatmap:
    # "none", not "skip": no label, but a click on the regions is a click event (the Playground adds a point).
    common = dict(x=grid["x"], y=grid["y"], z=grid["z"], hoverinfo="none", name="network output")
    if grid["kind"] == "classification":
        n_classes = n_classes_of(net)
        return go.Heatmap(**common, colorscale=class_colorscale(n_classes), zmin=0, zmax=n_classes,
                          showscale=False, zsmooth=False)
    return go.Heatmap(**common, coloraxis=coloraxis or "coloraxis")


def _class_points(net: Network, data: Dataset, showlegend: bool, misclassified: bool = True) -> list[go.Scatter]:
    """Per class: training points, then (if any) test points outlined; last, the misclassified (an
    empty trace, which the legend leaves out, when ``misclassified`` is false)."""
    n_classes = n_classes_of(net)
    names = class_names(data, n_classes)
    traces, wrong_x, wrong_pred = [], [], []
    for split, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        if split == "test" and len(y) == 0:
            continue
        predicted = net.predict(X)
        wrong = predicted != y
        wrong_x.append(X[wrong])
        wrong_pred.append(predicted[wrong])
        outline = dict(color="white", width=0.8) if split == "train" else dict(color=INK, width=1.8)
        for k in range(n_classes):
            pts = X[y == k].astype(np.float32)
            traces.append(go.Scatter(
                x=pts[:, 0], y=pts[:, 1], mode="markers", name=f"class {names[k]} ({split})",
                legendgroup=f"class-{k}", showlegend=showlegend,
                marker=dict(color=class_color(k), symbol=class_symbol(k), size=7 if split == "train" else 8,
                            line=outline),
                hovertemplate=f"class {names[k]} ({split})<br>x₁ %{{x:.3f}}, x₂ %{{y:.3f}}<extra></extra>",
            ))
    wrong_pts = np.concatenate(wrong_x).astype(np.float32)
    predicted = np.concatenate(wrong_pred)
    if not misclassified:
        wrong_pts, predicted = wrong_pts[:0], predicted[:0]
    traces.append(go.Scatter(
        x=wrong_pts[:, 0], y=wrong_pts[:, 1], mode="markers", name=f"misclassified ({len(predicted)})",
        legendgroup="misclassified", showlegend=showlegend,
        marker=dict(symbol="x-thin-open", size=11, color=INK, line=dict(width=2, color=INK)),
        customdata=predicted, hovertemplate="misclassified: predicted %{customdata}<extra></extra>",
    ))
    return traces


def _target_points(data: Dataset, showlegend: bool, coloraxis: str = "coloraxis") -> list[go.Scatter]:
    """Regression points coloured by their target on the heatmap's colour axis (2-D)."""
    traces = []
    for split, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        if len(y) == 0:
            continue
        outline = dict(color="white", width=1) if split == "train" else dict(color=INK, width=1.8)
        traces.append(go.Scatter(
            x=X[:, 0].astype(np.float32), y=X[:, 1].astype(np.float32), mode="markers", name=f"{split} points",
            showlegend=showlegend, marker=dict(color=finite32(y), coloraxis=coloraxis, size=7, line=outline),
            hovertemplate=f"{split}: target %{{marker.color:.3f}}<extra></extra>",
        ))
    return traces


def _curve_traces(grid: dict[str, Any], data: Dataset, showlegend: bool) -> list[go.Scatter]:
    """1-D regression: the fitted curve (trace 0), then the training and test points."""
    traces = [go.Scatter(x=grid["x"], y=grid["z"], mode="lines", name="network output",
                         line=dict(color=INK, width=2.5), showlegend=showlegend)]
    for i, (split, X, y) in enumerate((("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test))):
        if len(y) == 0:
            continue
        marker = dict(color=class_color(i), size=7, line=dict(color="white" if i == 0 else INK, width=1))
        traces.append(go.Scatter(x=X[:, 0].astype(np.float32), y=finite32(y), mode="markers",
                                 name=f"{split} targets", marker=marker, showlegend=showlegend))
    return traces


def _linear_boundary(net: Network, bounds: tuple[float, float, float, float]) -> list[go.Scatter]:
    """A single-output network without hidden layers is a linear classifier: class 1 where the
    score w·x + b is positive (σ > 0.5 for the logistic loss), so its boundary is that line."""
    w = (float(net.params["W1"][0, 0]), float(net.params["W1"][1, 0]))
    ends = line_in_box(w, float(net.params["b1"][0]), bounds)
    if not ends:
        return []
    return [go.Scatter(x=[ends[0][0], ends[1][0]], y=[ends[0][1], ends[1][1]], mode="lines", name="w·x + b = 0",
                       line=dict(color=INK, width=2.5, dash="dash"), hoverinfo="skip")]


def boundary_traces(net: Network, data: Dataset, grid: dict[str, Any], showlegend: bool = True,
                    coloraxis: str = "coloraxis", misclassified: bool = True) -> list[go.BaseTraceType]:
    """The traces of one boundary panel: the heatmap or curve first, then the points."""
    if grid["kind"] == "regression-1d":
        return _curve_traces(grid, data, showlegend)
    if grid["kind"] == "regression":
        return [_heatmap(grid, net, coloraxis), *_target_points(data, showlegend, coloraxis)]
    return [_heatmap(grid, net), *_class_points(net, data, showlegend, misclassified)]


def regression_range(grid: dict[str, Any], data: Dataset) -> tuple[float, float]:
    values = np.concatenate([np.ravel(grid["z"]), finite32(data.y)])
    return float(values.min()), float(values.max())


def score_text(net: Network, data: Dataset, predictions: dict[str, np.ndarray] | None = None) -> str:
    """'train accuracy 97.3 %, test 95.0 %' (or R² for regression). ``predictions``: the network's
    ``predict`` of each split ("train", "test"), when the caller has them already."""
    parts = []
    for split, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        if len(y) == 0:
            continue
        predicted = predictions[split] if predictions else net.predict(X)
        if data.task == "classification":
            parts.append(f"{split} {100 * float(np.mean(predicted == y)):.1f} %")
        else:
            residual = float(np.sum((predicted - y) ** 2))
            spread = float(np.sum((y - np.mean(y)) ** 2))
            parts.append(f"{split} R² {fmt(1 - residual / spread)}" if spread > 0 and np.isfinite(residual) else "")
    label = "accuracy " if data.task == "classification" else ""
    return label + ", ".join(p for p in parts if p)


@np.errstate(over="ignore", invalid="ignore")
def decision_boundary_figure(net: Network, data: Dataset, grid: int = 150, bounds: Any = None,
                             misclassified: bool = True) -> go.Figure:
    """Classification: argmax regions shaded by confidence, training points, test points (dark
    outline) and misclassified points (×; left empty when ``misclassified`` is false: an untrained
    network's guesses would cover the data before anything was learnt). 2-D regression: the output
    as a heatmap under the points coloured by target. 1-D regression: the fitted curve over the
    points.

    Trace 0 is the heatmap (or curve) whose z (or y) is ``boundary_grid(net, bounds, grid)["z"]``.
    """
    require_network(net)
    require_data(data, net)
    bounds = data_bounds(data) if bounds is None else check_bounds(bounds)
    values = boundary_grid(net, bounds, grid)
    fig = go.Figure(boundary_traces(net, data, values, misclassified=misclassified))
    kind = values["kind"]
    if kind == "classification" and not net.spec.hidden and net.loss.single_output and net.spec.input_dim == 2:
        fig.add_traces(_linear_boundary(net, bounds))
    if kind == "regression-1d":
        titles = ("x (input, data units)", "y (target and output, data units)")
        heading = "Fitted curve"
    else:
        titles = INPUT_TITLES
        heading = "Decision regions (shade = winning probability)" if kind == "classification" else "Network output"
        fig.update_yaxes(scaleanchor="x", scaleratio=1)
        fig.update_xaxes(constrain="domain")
    if kind == "regression":
        lo, hi = regression_range(values, data)
        fig.update_layout(coloraxis=dict(colorscale=SEQUENTIAL, cmin=lo, cmax=hi,
                                         colorbar=dict(title=dict(text="output ŷ"), thickness=14)))
    fig.update_xaxes(title_text=titles[0], range=list(bounds[:2]), showgrid=False)
    fig.update_yaxes(title_text=titles[1], showgrid=False)
    if kind != "regression-1d":  # a 1-D curve may leave the targets' range: let the axis follow it
        fig.update_yaxes(range=list(bounds[2:]))
    legend = dict(itemsizing="constant")
    if kind == "regression":  # the colour bar takes the right-hand side
        legend |= dict(orientation="h", y=-0.15)
    # The scores go on a second, smaller line: one line does not fit a half-width panel.
    title = f"{heading}<br><span style='font-size:0.8em'>{score_text(net, data)}</span>"
    return apply_theme(fig, title=dict(text=title), legend=legend)


# What the panels of a comparison show, by the kind of task (``grid_kind``).
COMPARISON_TITLES = {"classification": "Decision regions compared", "regression-1d": "Fitted functions compared",
                     "regression": "Outputs over the plane compared"}

# A comparison laid out in pixels, whatever its number of rows: each panel's plot area; the room
# between rows for the tick labels and x-axis title above and the next panels' two-line titles;
# the legend under the last row's x-axis titles. The bottom margin holds the legend, so Plotly
# never grows it (which would shrink the plot area that these spacings are fractions of).
PANEL_HEIGHT, ROW_GAP, LEGEND_BELOW = 275, 110, 65
COMPARISON_MARGIN = {"t": 90, "b": LEGEND_BELOW + 60}
SCORE_LINE = 28  # px: the top row's panel titles grow by a line of scores (and the title keeps clear of them)


@np.errstate(over="ignore", invalid="ignore")
def _panel_title(label: str, scores: str, columns: int) -> str:
    """A panel's label over its scores; four or more panels to a row are too narrow for the scores on
    one line ("accuracy train 97.5 %, test 95.0 %" ran into the next panel's), so each split gets its own."""
    lines = scores.split(", ") if columns >= 4 else [scores]
    return "<br>".join([label, *(f"<sup>{line}</sup>" for line in lines)])


def boundary_comparison_figure(panels: list[tuple[str, Network, Dataset]], grid: int = 80,
                               columns: int | None = None) -> go.Figure:
    """Small multiples of decision boundaries (e.g. 3 / 6 / 20 hidden neurons, or λ = 0.001 /
    0.01 / 0.1, or every setting of a sweep), one shared colour scheme, each panel titled with its
    label and scores; in one row, or in rows of ``columns`` panels."""
    if not isinstance(panels, (list, tuple)) or not 1 <= len(panels) <= MAX_PANELS:
        raise SpecError("panels", f"must be a list of 1 to {MAX_PANELS} (label, network, data) tuples")
    grid = check_int(grid, "grid", 2, MAX_GRID)
    columns = len(panels) if columns is None else check_int(columns, "columns", 1, MAX_PANELS)
    checked = []
    for i, panel in enumerate(panels):
        if not isinstance(panel, (list, tuple)) or len(panel) != 3:
            raise SpecError(f"panels[{i}]", "must be a (label, network, data) tuple")
        label, net, data = panel
        require_network(net, f"panels[{i}].net")
        require_data(data, net, f"panels[{i}].data")
        checked.append((plain_text(label), net, data, grid_kind(net)))
    kinds = {c[3] for c in checked}
    if len(kinds) != 1:
        raise SpecError("panels", "must all be classification or all regression, with the same number of inputs")
    rows = -(-len(checked) // columns)
    title_lines = 1 if columns >= 4 else 0  # the scores' second line (_panel_title) pushes the figure's title up
    plot_height = rows * PANEL_HEIGHT + (rows - 1) * ROW_GAP  # px, the plot area's
    fig = make_subplots(rows=rows, cols=columns, horizontal_spacing=0.04, vertical_spacing=ROW_GAP / plot_height,
                        subplot_titles=[_panel_title(label, score_text(net, data), columns)
                                        for label, net, data, _ in checked])
    grids = [boundary_grid(net, data_bounds(data), grid) for _, net, data, _ in checked]
    for i, ((_, net, data, _), values) in enumerate(zip(checked, grids)):
        row, col = divmod(i, columns)
        fig.add_traces(boundary_traces(net, data, values, showlegend=i == 0), rows=row + 1, cols=col + 1)
        if values["kind"] != "regression-1d":
            fig.update_yaxes(scaleanchor=f"x{i + 1 if i else ''}", row=row + 1, col=col + 1)
    # one legend for all panels (the first one's count would mislead): scores are in the titles
    fig.for_each_trace(lambda t: t.update(name="misclassified"), selector=dict(legendgroup="misclassified"))
    kind = kinds.pop()
    if kind == "regression":
        ranges = [regression_range(values, data) for values, (_, _, data, _) in zip(grids, checked)]
        fig.update_layout(coloraxis=dict(colorscale=SEQUENTIAL, cmin=min(r[0] for r in ranges),
                                         cmax=max(r[1] for r in ranges),
                                         colorbar=dict(title=dict(text="output ŷ"), thickness=14)))
    titles = ("x (input)", "y") if kind == "regression-1d" else INPUT_TITLES
    if columns >= 4:  # "x₁ (input 1, data units)" is wider than a panel: under a row they ran together
        titles = tuple(title.split(" (")[0] for title in titles)
    # The axes' names once per column (under its lowest panel) and row: repeated under every panel
    # they run together.
    fig.update_xaxes(showgrid=False)
    for i in range(max(0, len(checked) - columns), len(checked)):
        fig.update_xaxes(title_text=titles[0], row=i // columns + 1, col=i % columns + 1)
    fig.update_yaxes(title_text=titles[1], showgrid=False, col=1)
    fig.update_yaxes(showgrid=False)
    margin = {**COMPARISON_MARGIN, "t": COMPARISON_MARGIN["t"] + title_lines * SCORE_LINE}
    return apply_theme(fig, height=plot_height + margin["t"] + margin["b"],
                       title=dict(text=COMPARISON_TITLES[kind]), margin=margin,
                       legend=dict(orientation="h", y=-LEGEND_BELOW / plot_height, yanchor="top",
                                   itemsizing="constant"))
