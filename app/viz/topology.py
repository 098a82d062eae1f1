"""The network as a graph: neurons by layer, weights as edges, biases beside their neurons.

Edges follow the notes' column-vector notation: ``W2[j,i]`` is the weight from unit i of the
layer below to unit j of layer 2 (1-based, W2 being [units x fan_in]). Layers wider than
``max_units`` are summarised: their first few units, an ellipsis, and one node standing for the
rest, whose edges carry the mean of the weights they replace. Edges are grouped into a few
traces by sign and strength, so even a 2-100-3 network stays a light, readable figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from app.nn import FEATURES, Network, NetworkSpec, SpecError

from .common import check_int, fmt
from .theme import DIVERGING, GRID, INK, MUTED, apply_theme, class_color

WIDTH_BINS = 4  # edge strength classes per sign: widths and colours step with |w|
HOVER_POSITION = 0.38  # hover points sit this far along each edge: irrational-ish, so they rarely coincide
BIAS_OFFSET = (0.09, 0.32)  # a bias square sits up and right of its neuron
SHOWN_UNITS = 8  # units a summarised layer draws before its ellipsis (fewer if max_units is small)
MAX_UNITS = 32  # layers wider than this are summarised
# The edge line traces' styles, in trace order: (sign, strength bin), negative first.
EDGE_STYLES = tuple((sign, b) for sign in (-1, 1) for b in range(WIDTH_BINS))


@dataclass
class Slot:
    """One drawn node of a layer: a single unit, or ``units`` (a range) aggregated."""

    units: range
    y: float

    @property
    def single(self) -> bool:
        return len(self.units) == 1

    def label(self) -> str:
        return str(self.units[0] + 1) if self.single else f"{self.units[0] + 1}–{self.units[-1] + 1}"


class Edge(NamedTuple):
    """One drawn edge: its ends, signed value, strength (|w| or mean |w|), hover text, and where
    its weight is, ``(layer, i, j)`` for ``W{layer}[i, j]`` (None for an edge standing for many)."""

    x0: float
    y0: float
    x1: float
    y1: float
    value: float
    strength: float
    hover: str
    where: tuple[int, int, int] | None = None


@dataclass
class LayerView:
    name: str
    x: float
    slots: list[Slot]
    ellipsis_y: float | None  # where the "⋮" goes in a summarised layer


def _layer_view(name: str, x: float, units: int, max_units: int) -> LayerView:
    if units <= max_units:
        groups = [range(i, i + 1) for i in range(units)]
        ys = _centred(units)
        return LayerView(name, x, [Slot(g, y) for g, y in zip(groups, ys)], None)
    shown = max(1, min(SHOWN_UNITS, max_units // 2))
    ys = _centred(shown + 2)  # the shown units, the ellipsis, the aggregate
    slots = [Slot(range(i, i + 1), ys[i]) for i in range(shown)]
    slots.append(Slot(range(shown, units), ys[shown + 1]))
    return LayerView(name, x, slots, ys[shown])


def _centred(n: int) -> list[float]:
    return [(n - 1) / 2 - i for i in range(n)]


def _layer_names(spec: NetworkSpec) -> list[str]:
    return ["x", *(f"h{i + 1}" for i in range(len(spec.hidden))), "out"]


def _layer_label(spec: NetworkSpec, layer: int) -> str:
    if layer == 0:
        if not spec.raw_inputs:
            return f"<b>input features</b><br>{spec.feature_dim} of x₁, x₂"
        return f"<b>input</b><br>{spec.input_dim} units"
    if layer <= len(spec.hidden):
        h = spec.hidden[layer - 1]
        activation = h.activation
        if h.activation == "maxout":
            activation += f" ({h.pieces} pieces)"
        elif h.activation in ("leaky_relu", "prelu"):
            slope = h.slope if h.slope is not None else (0.01 if h.activation == "leaky_relu" else 0.25)
            activation += f" (α={fmt(slope)})"
        return f"<b>hidden {layer}</b><br>{h.units} · {activation}"
    kind = "outputs" if spec.loss == "mse" else "scores"
    return f"<b>output</b><br>{spec.output_dim} · {kind} ({spec.loss})"


def _slot_values(W: np.ndarray, sources: list[Slot], targets: list[Slot], units: int,
                 pieces: int) -> tuple[np.ndarray, np.ndarray]:
    """(signed values, strengths), each (targets, sources), of the drawn edges from ``sources`` to
    ``targets`` for ``W`` (fan_in, pieces × units): a lone edge's weight itself, or for maxout the
    piece with the largest |w|; an edge of aggregated slots the mean weight and mean |w|. The lone
    edges are picked out at once (most of a figure); the few aggregated blocks are averaged one by one."""
    by_piece = W.reshape(W.shape[0], pieces, units)  # column p·units + j is piece p of unit j
    strongest = (by_piece[:, 0, :] if pieces == 1 else
                 np.take_along_axis(by_piece, np.argmax(np.abs(by_piece), axis=1)[:, None, :], axis=1)[:, 0, :])
    rows = np.array([source.units[0] for source in sources])
    cols = np.array([target.units[0] for target in targets])
    values = strongest[rows[None, :], cols[:, None]]
    strengths = np.abs(values)
    wide_targets = [t for t, target in enumerate(targets) if not target.single]
    wide_sources = [s for s, source in enumerate(sources) if not source.single]
    blocks = {(t, s) for t in wide_targets for s in range(len(sources))}
    blocks |= {(t, s) for s in wide_sources for t in range(len(targets))}
    for t, s in sorted(blocks):
        source, target = sources[s].units, targets[t].units
        block = by_piece[source.start:source.stop, :, target.start:target.stop].reshape(len(source), -1)
        values[t, s], strengths[t, s] = block.mean(), np.abs(block).mean()
    return values, strengths


def _edge_where(layer: int, W: np.ndarray | None, source: Slot, target: Slot, units: int,
                pieces: int) -> tuple[int, int, int] | None:
    """``(layer, i, j)`` of the weight a single edge draws (for maxout, its strongest piece)."""
    if W is None or not (source.single and target.single):
        return None
    cols = [p * units + target.units[0] for p in range(pieces)]
    row = source.units[0]
    return layer, row, cols[int(np.argmax(np.abs(W[row, cols])))]


def _edge_hover(layer: int, W: np.ndarray | None, source: Slot, target: Slot, units: int, pieces: int,
                names: tuple[str, str], value: float, strength: float) -> str:
    name = f"W{layer}[{target.label()},{source.label()}]"
    where = f"{names[0]} unit {source.label()} → {names[1]} unit {target.label()}"
    if W is None:
        return f"{name}<br>{where}<br>(not trained: no weights yet)"
    if source.single and target.single:
        values = [W[source.units[0], p * units + target.units[0]] for p in range(pieces)]
        shown = ", ".join(fmt(v) for v in values)
        suffix = f" ({pieces} pieces)" if pieces > 1 else ""
        return f"{name} = {shown}{suffix}<br>{where}"
    count = len(source.units) * len(target.units) * pieces
    return f"{name}: {count} weights<br>mean {fmt(value)}, mean |w| {fmt(strength)}<br>{where}"


def _counts_title(spec: NetworkSpec, counts: dict[str, int]) -> str:
    sizes = "-".join(str(s) for s in spec.sizes)
    slopes = f", {counts['slopes']:,} slopes" if counts["slopes"] else ""
    return (f"Network {sizes}: {counts['neurons']:,} neurons, {counts['weights']:,} weights, "
            f"{counts['biases']:,} biases{slopes}, {counts['parameters']:,} parameters")


def _views(spec: NetworkSpec, max_units: int) -> list[LayerView]:
    return _layer_views(tuple(_layer_names(spec)), tuple(spec.sizes), max_units)


@lru_cache(maxsize=256)
def _layer_views(names: tuple[str, ...], sizes: tuple[int, ...], max_units: int) -> list[LayerView]:
    """The layers' drawn slots (kept: live frames ask for the same network's many times a second; never changed)."""
    return [_layer_view(name, float(i), units, max_units) for i, (name, units) in enumerate(zip(names, sizes))]


def _edges(net: Network, views: list[LayerView], trained: bool) -> list[Edge]:
    """The drawn edges, layer by layer, each target's edges from every source slot."""
    edges: list[Edge] = []
    for layer in range(1, len(views)):
        source_view, target_view = views[layer - 1], views[layer]
        dense = net.layers[layer - 1]
        W = net.params[f"W{layer}"] if trained else None
        shape = (len(target_view.slots), len(source_view.slots))
        values, strengths = (_slot_values(W, source_view.slots, target_view.slots, dense.units, dense.pieces)
                             if W is not None else (np.zeros(shape), np.zeros(shape)))
        for t, target in enumerate(target_view.slots):
            for s, source in enumerate(source_view.slots):
                value, strength = float(values[t, s]), float(strengths[t, s])
                text = _edge_hover(layer, W, source, target, dense.units, dense.pieces,
                                   (source_view.name, target_view.name), value, strength)
                where = _edge_where(layer, W, source, target, dense.units, dense.pieces)
                edges.append(Edge(source_view.x, source.y, target_view.x, target.y, value, strength, text, where))
    return edges


def edge_numbers(net: Network, max_units: int = MAX_UNITS) -> tuple[np.ndarray, np.ndarray, float]:
    """What ``topology_figure(net, max_units)`` draws of the weights, in its edges' order (the
    hover points' order): each edge's line style (an index into ``EDGE_STYLES``), its value
    relative to the colour scale (−1 … 1) and that scale (the largest |value|)."""
    views = _views(net.spec, check_int(max_units, "max_units", 2, 1000))
    layers = [_slot_values(net.params[f"W{layer}"], views[layer - 1].slots, views[layer].slots,
                           net.layers[layer - 1].units, net.layers[layer - 1].pieces) for layer in range(1, len(views))]
    values = np.concatenate([layer_values.ravel() for layer_values, _ in layers])
    strengths = np.concatenate([layer_strengths.ravel() for _, layer_strengths in layers])
    styles, scale = edge_styles(values, strengths, trained=True)
    return styles, values / scale, scale


def edge_styles(values: np.ndarray, strengths: np.ndarray, trained: bool) -> tuple[np.ndarray, float]:
    """(E,) values and strengths -> each edge's index into ``EDGE_STYLES`` (sign, strength bin
    relative to the strongest edge) and the colour scale: the largest |value| (1 when untrained)."""
    top = float(strengths.max()) if trained and strengths.size and strengths.max() > 0 else 1.0
    scale = float(np.abs(values).max()) if trained and values.size and np.abs(values).max() > 0 else 1.0
    bins = np.minimum((strengths / top * WIDTH_BINS).astype(int), WIDTH_BINS - 1)
    return np.where(values < 0, 0, WIDTH_BINS) + bins, scale


def topology_figure(model: Network | NetworkSpec, max_units: int = MAX_UNITS) -> go.Figure:
    """Neurons as nodes by layer; edges coloured by weight sign (diverging scale) and widened by
    |w|; biases as small squares beside their neurons; hover like ``W2[3,1] = -0.42``.

    Trace order: edge line groups, the edge hover points (one per drawn edge), neurons, aggregated
    units (if any), ellipses (if any), biases. A spec without weights draws grey edges.
    """
    if isinstance(model, Network):
        net, trained = model, True
    elif isinstance(model, NetworkSpec):
        net, trained = Network(model), False  # only for the counts and shapes
    else:
        raise SpecError("model", "must be a Network or a NetworkSpec")
    max_units = check_int(max_units, "max_units", 2, 1000)
    spec = net.spec
    views = _views(spec, max_units)
    edges = _edges(net, views, trained)
    fig = go.Figure()
    fig.add_traces(_edge_traces(edges, trained))
    fig.add_traces(_node_traces(net, views, trained))
    counts = net.counts()
    tallest = max(len(v.slots) + (v.ellipsis_y is not None) for v in views)
    for layer, view in enumerate(views):
        fig.add_annotation(x=view.x, y=(tallest - 1) / 2 + 0.9, text=_layer_label(spec, layer), showarrow=False,
                           yanchor="bottom", font=dict(size=12))
    axis = dict(visible=False, showgrid=False, zeroline=False)
    fig.update_xaxes(axis, range=[-0.45, len(views) - 0.55])
    fig.update_yaxes(axis, range=[-(tallest - 1) / 2 - 0.7, (tallest - 1) / 2 + 2.0])
    height = int(min(900, max(340, 150 + 34 * tallest)))
    title = _counts_title(spec, counts) + ("" if trained else " (spec, not trained)")
    return apply_theme(fig, title=dict(text=title), height=height, hovermode="closest",
                       legend=dict(orientation="h", x=0, y=0, yanchor="top", itemsizing="constant"),
                       margin=dict(l=40, r=40, t=60, b=40))


def _edge_traces(edges: list[Edge], trained: bool) -> list[go.Scatter]:
    """Edge lines grouped by (sign, strength bin), then one hover point per edge."""
    if not edges:
        return []
    values = np.array([e.value for e in edges])
    strengths = np.array([e.strength for e in edges])
    styles, scale = edge_styles(values, strengths, trained)
    traces = []
    for style, (sign, b) in enumerate(EDGE_STYLES):
        members = np.flatnonzero(styles == style)
        if members.size == 0 and not trained:  # a trained figure has every style's trace, for live frames
            continue
        xs: list[float | None] = []
        ys: list[float | None] = []
        for i in members:
            xs += [edges[i].x0, edges[i].x1, None]
            ys += [edges[i].y0, edges[i].y1, None]
        level = (b + 0.5) / WIDTH_BINS
        color = sample_colorscale(DIVERGING, [0.5 + 0.5 * sign * level])[0] if trained else MUTED
        traces.append(go.Scatter(
            x=xs, y=ys, mode="lines", hoverinfo="skip", name=f"edges {'+' if sign > 0 else '−'}{b}",
            showlegend=False,
            line=dict(color=color, width=0.6 + 4.0 * level if trained else 0.8),
            opacity=0.35 + 0.55 * level if trained else 0.5, meta={"edge_style": style},
        ))
    t = HOVER_POSITION
    marker: dict[str, Any] = dict(size=5, color=MUTED, opacity=0.6)
    if trained:
        marker = dict(size=5, color=values, colorscale=DIVERGING, cmin=-scale, cmax=scale, opacity=0.55,
                      colorbar=dict(title=dict(text="weight"), thickness=12, len=0.6))
    traces.append(go.Scatter(
        x=[e.x0 + t * (e.x1 - e.x0) for e in edges], y=[e.y0 + t * (e.y1 - e.y0) for e in edges],
        mode="markers", name="weights", marker=marker, text=[e.hover for e in edges],
        # [layer, i, j, value] of the weight W{layer}[i, j] an edge draws: what a page reads and edits
        customdata=[[*e.where, e.value] if e.where else None for e in edges],
        hovertemplate="%{text}<extra></extra>", showlegend=False,
        meta={"edge_ends": [[e.x0, e.y0, e.x1, e.y1] for e in edges]},  # where a live frame's styles draw lines
    ))
    return traces


def _node_traces(net: Network, views: list[LayerView], trained: bool) -> list[go.Scatter]:
    spec = net.spec
    last = len(views) - 1
    neurons: dict[str, list] = {"x": [], "y": [], "text": [], "hover": [], "color": [], "position": [], "where": []}
    aggregates: dict[str, list] = {"x": [], "y": [], "text": [], "hover": []}
    for layer, view in enumerate(views):
        for slot in view.slots:
            if slot.single:
                j = slot.units[0]
                neurons["x"].append(view.x)
                neurons["y"].append(slot.y)
                neurons["text"].append(_node_text(spec, layer, j, last))
                neurons["position"].append("middle left" if layer == 0 else "middle right")
                neurons["color"].append(_node_color(spec, layer, j, last))
                neurons["hover"].append(f"{view.name} unit {j + 1}" + _activation_note(spec, layer, j, last))
                neurons["where"].append([layer, j])
            else:
                aggregates["x"].append(view.x)
                aggregates["y"].append(slot.y)
                aggregates["text"].append(f"{len(slot.units)} units")
                aggregates["hover"].append(f"{view.name} units {slot.label()}: {len(slot.units)} units drawn as one")
    traces = [go.Scatter(
        x=neurons["x"], y=neurons["y"], mode="markers+text", name="neurons", text=neurons["text"],
        textposition=neurons["position"], hovertext=neurons["hover"], hoverinfo="text", showlegend=False,
        customdata=neurons["where"],  # (layer, unit): layer 0 is the input (features), the last the output
        marker=dict(size=20, color=neurons["color"], line=dict(color=INK, width=1.5)),
        textfont=dict(size=11),
    )]
    if aggregates["x"]:
        traces.append(go.Scatter(
            x=aggregates["x"], y=aggregates["y"], mode="markers+text", name="aggregated units",
            text=aggregates["text"], textposition="middle right", showlegend=False,
            hovertext=aggregates["hover"], hoverinfo="text",
            marker=dict(size=26, color=GRID, symbol="square", line=dict(color=INK, width=1.5)),
        ))
    ellipses = [(v.x, v.ellipsis_y) for v in views if v.ellipsis_y is not None]
    if ellipses:
        traces.append(go.Scatter(
            x=[e[0] for e in ellipses], y=[e[1] for e in ellipses], mode="text", text=["⋮"] * len(ellipses),
            name="ellipsis", textfont=dict(size=22, color=INK), hoverinfo="skip", showlegend=False,
        ))
    biases = _bias_squares(net, views, trained)
    scale = max((abs(v) for v in biases["value"]), default=0.0) or 1.0
    bias_marker: dict[str, Any] = dict(size=8, symbol="square", line=dict(color=INK, width=0.8))
    bias_marker |= (dict(color=biases["value"], colorscale=DIVERGING, cmin=-scale, cmax=scale) if trained
                    else dict(color="white"))
    # the legend explains the squares: the trace's name is its legend entry
    name = "biases: the square beside each neuron" + (" (colour: sign and size)" if trained else "")
    traces.append(go.Scatter(x=biases["x"], y=biases["y"], mode="markers", name=name, marker=bias_marker,
                             hovertext=biases["hover"], hoverinfo="text", showlegend=bool(biases["x"]),
                             customdata=biases["where"]))
    return traces


def _bias_squares(net: Network, views: list[LayerView], trained: bool) -> dict[str, list]:
    """The bias squares, one beside each drawn neuron or aggregated unit of a layer after the input:
    x, y, value (its colour: a lone unit's bias, a maxout unit's largest piece, an aggregate's mean;
    0 untrained), hover text and where ([layer, j, value] of a lone unit's bias, else None)."""
    biases: dict[str, list] = {"x": [], "y": [], "value": [], "hover": [], "where": []}
    for layer, view in enumerate(views[1:], start=1):
        bias = net.params[f"b{layer}"] if trained else None
        units, pieces = net.layers[layer - 1].units, net.layers[layer - 1].pieces
        colours = _bias_values(net, layer, view.slots) if trained else None
        for index, slot in enumerate(view.slots):
            biases["x"].append(view.x + BIAS_OFFSET[0])
            biases["y"].append(slot.y + BIAS_OFFSET[1])
            # (layer, j, value) of a lone unit's bias (a maxout unit's first piece), as the edges have theirs
            biases["where"].append([layer, slot.units[0], float(bias[slot.units[0]])]
                                   if slot.single and bias is not None else None)
            if bias is None:
                biases["value"].append(0.0)
                biases["hover"].append(f"b{layer}[{slot.label()}] (not trained)")
                continue
            biases["value"].append(float(colours[index]))
            if slot.single:
                values = bias[[p * units + slot.units[0] for p in range(pieces)]]
                biases["hover"].append(f"b{layer}[{slot.label()}] = {', '.join(fmt(v) for v in values)}")
            else:
                biases["hover"].append(f"b{layer}[{slot.label()}]: mean {fmt(float(colours[index]))}")
    return biases


def bias_numbers(net: Network, max_units: int = MAX_UNITS) -> tuple[np.ndarray, float]:
    """What ``topology_figure(net, max_units)`` draws of the biases, in its squares' order: each
    square's value relative to its colour scale (−1 … 1) and that scale (the largest |value|)."""
    views = _views(net.spec, check_int(max_units, "max_units", 2, 1000))
    values = np.concatenate([_bias_values(net, layer, view.slots) for layer, view in enumerate(views[1:], start=1)])
    scale = float(np.abs(values).max()) if values.size and np.abs(values).max() > 0 else 1.0
    return values / scale, scale


def _bias_values(net: Network, layer: int, slots: list[Slot]) -> np.ndarray:
    """(slots,) the colour of each bias square of ``layer``: a lone unit's bias (a maxout unit's piece
    with the largest |b|), an aggregate's mean; the edges' rule with one source."""
    bias, dense = net.params[f"b{layer}"], net.layers[layer - 1]
    values, _ = _slot_values(bias.reshape(1, -1), [Slot(range(1), 0.0)], slots, dense.units, dense.pieces)
    return values[:, 0]


def _node_text(spec: NetworkSpec, layer: int, j: int, last: int) -> str:
    if layer == 0:
        return f"x{j + 1}" if spec.raw_inputs else FEATURES[spec.features[j]].label
    if layer == last:
        return f"s{j + 1}" if spec.loss != "mse" else f"ŷ{j + 1}"
    return ""


def _node_color(spec: NetworkSpec, layer: int, j: int, last: int) -> str:
    if layer == 0:
        return GRID
    if layer == last and spec.loss in ("softmax", "svm"):
        return class_color(j)  # output unit j scores class j: the class colour, as everywhere else
    return "white"


def _activation_note(spec: NetworkSpec, layer: int, j: int, last: int) -> str:
    if layer == 0:
        return " (input)" if spec.raw_inputs else f" (input feature {FEATURES[spec.features[j]].formula})"
    if layer == last:
        return f" (output score, {spec.loss} loss)"
    return f" ({spec.hidden[layer - 1].activation})"
