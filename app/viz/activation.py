"""Activation functions drawn: f and f′, the saturated regions, and the notes' special cases.

Saturated means |f′(x)| < ``SATURATED_GRADIENT``: there almost no gradient flows back through the
unit (sigmoid and tanh at the tails). The figure shades those x ranges. For the piecewise-linear
units only a zero slope counts (ReLU for x < 0): leaky ReLU's small slope is their cure, not a
saturation.

Every value comes from the core: elementwise activations from ``get_activation``, PReLU and maxout
from a one-input, one-unit ``PReLU`` / ``Maxout`` layer, with f′ from the layer's own backward pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from app.nn import ACTIVATIONS, SpecError
from app.nn.activations import get_activation, stable_sigmoid
from app.nn.cache import Cache
from app.nn.layers import Dense, Maxout, PReLU

from .common import check_int, check_number, fmt
from .theme import INK, apply_theme, rgba, series_color, tint

SATURATED_GRADIENT = 0.05
ZERO_SLOPE = 1e-12
DEFAULT_MAXOUT_PIECES: tuple[tuple[float, float], ...] = ((1.0, 0.0), (-0.5, 0.0))
MAX_PIECES = 8
MAX_NAMES = 8
MAX_POINTS = 5001
MAX_ABS_X = 1000.0  # wide enough for any saturation story; keeps every f and f′ finite


def _check_name(name: Any, field: str = "name") -> str:
    if name not in ACTIVATIONS:
        raise SpecError(field, f"unknown activation {name!r}; expected one of: {', '.join(ACTIVATIONS)}")
    return name


def check_pieces(pieces: Any) -> tuple[tuple[float, float], ...]:
    """Maxout pieces as (w, b) pairs: 1 to ``MAX_PIECES`` pairs of finite numbers."""
    if pieces is None:
        return DEFAULT_MAXOUT_PIECES
    if not isinstance(pieces, Sequence) or not 1 <= len(pieces) <= MAX_PIECES:
        raise SpecError("maxout_pieces", f"must be a list of 1 to {MAX_PIECES} (w, b) pairs")
    checked = []
    for i, piece in enumerate(pieces):
        if not isinstance(piece, Sequence) or len(piece) != 2:
            raise SpecError(f"maxout_pieces[{i}]", "must be a (w, b) pair")
        checked.append((check_number(piece[0], f"maxout_pieces[{i}]"),
                        check_number(piece[1], f"maxout_pieces[{i}]")))
    return tuple(checked)


def _one_unit(layer: Dense, x: np.ndarray, **params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and df/dx of a one-input, one-unit ``layer`` with the given parameters, elementwise."""
    layer.bind(params, {name: np.zeros_like(value) for name, value in params.items()})
    cache = Cache()
    column = x.reshape(-1, 1)
    y = layer.forward(column, cache)
    dx = layer.backward(np.ones_like(y), cache)
    return y.reshape(x.shape).copy(), dx.reshape(x.shape).copy()


def evaluate(name: str, x: np.ndarray, slope: float | None = None,
             maxout_pieces: Sequence[tuple[float, float]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and f′(x) of any activation, elementwise on x of any shape.

    PReLU uses ``slope`` as its (learned) α; leaky ReLU its fixed slope (both default to the
    registry's); maxout is the 1-D unit max_i(w_i·x + b_i) over ``maxout_pieces``."""
    info = ACTIVATIONS[_check_name(name)]
    x = np.asarray(x, dtype=np.float64)
    alpha = info.slope if slope is None or info.slope is None else check_number(slope, "slope")
    if name == "maxout":
        pieces = np.array(check_pieces(maxout_pieces))
        return _one_unit(Maxout(1, 1, len(pieces)), x, W=pieces[None, :, 0].copy(), b=pieces[:, 1].copy())
    if name == "prelu":
        return _one_unit(PReLU(1, 1), x, W=np.ones((1, 1)), b=np.zeros(1), alpha=np.full(1, alpha))
    act = get_activation(name, **({"slope": alpha} if name == "leaky_relu" else {}))
    y = act.fn(x)
    return y, act.grad(x, y)


def _check_range(start: Any, stop: Any, num: Any) -> np.ndarray:
    """``num`` points from ``start`` to ``stop`` (either may be the larger)."""
    start, stop = check_number(start, "start"), check_number(stop, "stop")
    for name, value in (("start", start), ("stop", stop)):
        if abs(value) > MAX_ABS_X:
            raise SpecError(name, f"must be between {-MAX_ABS_X:g} and {MAX_ABS_X:g}")
    low, high = sorted((start, stop))
    return np.linspace(low, high, check_int(num, "num", 2, MAX_POINTS))


def activation_values(name: str, start: float = -5.0, stop: float = 5.0, num: int = 201,
                      slope: float | None = None,
                      maxout_pieces: Sequence[tuple[float, float]] | None = None) -> dict[str, np.ndarray]:
    """``{"x": (num,), "y": f(x), "dy": f′(x)}`` between start and stop (see ``evaluate``)."""
    _check_name(name)
    x = _check_range(start, stop, num)
    y, dy = evaluate(name, x, slope, maxout_pieces)
    return {"x": x, "y": y, "dy": dy}


def saturated_ranges(x: np.ndarray, dy: np.ndarray, threshold: float = SATURATED_GRADIENT) -> list[tuple[float, float]]:
    """The x intervals where |f′| < ``threshold``, as (first x, last x) of each run."""
    flat = np.abs(dy) < threshold
    edges = np.flatnonzero(np.diff(flat.astype(np.int8)))
    starts = [0, *(edges + 1)]
    stops = [*edges, len(x) - 1]
    return [(float(x[a]), float(x[b])) for a, b in zip(starts, stops) if flat[a]]


def activation_figure(names: list[str], start: float = -5.0, stop: float = 5.0, num: int = 201,
                      derivative: bool = True, slope: float | None = None,
                      maxout_pieces: Sequence[tuple[float, float]] | None = None,
                      tanh_identity: bool = False) -> go.Figure:
    """Each activation's f (solid) and, with ``derivative``, f′ (dashed) in the same colour; its
    saturated x ranges shaded; maxout's affine pieces dotted under their max; the negative slope
    of leaky ReLU / PReLU labelled; with ``tanh_identity``, 2σ(2x) − 1 drawn over tanh."""
    if isinstance(names, str) or not isinstance(names, Sequence) or not 1 <= len(names) <= MAX_NAMES:
        raise SpecError("names", f"must be a list of 1 to {MAX_NAMES} activation names")
    names = list(dict.fromkeys(_check_name(n, "names") for n in names))
    x = _check_range(start, stop, num)
    pieces = check_pieces(maxout_pieces)
    fig = go.Figure()
    for i, name in enumerate(names):
        color = series_color(i)
        label = ACTIVATIONS[name].label  # what the reader sees; the name stays the legend group's key
        y, dy = evaluate(name, x, slope, pieces)
        if name == "maxout":
            for k, (w, b) in enumerate(pieces):
                fig.add_trace(go.Scatter(x=x, y=w * x + b, mode="lines", name=f"piece {k + 1}: {fmt(w)}·x + {fmt(b)}",
                                         line=dict(color=tint(color, 0.55), width=1.5, dash="dot")))
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=label, legendgroup=name,
                                 line=dict(color=color, width=3)))
        if derivative:
            fig.add_trace(go.Scatter(x=x, y=dy, mode="lines", name=f"{label}′ (derivative)", legendgroup=name,
                                     line=dict(color=color, width=2, dash="dash")))
        linear = ACTIVATIONS[name].piecewise_linear
        flat = f"{label}: f′ = 0 (no gradient)" if linear else f"{label} saturated (|f′| < {SATURATED_GRADIENT})"
        for k, (lo, hi) in enumerate(saturated_ranges(x, dy, ZERO_SLOPE if linear else SATURATED_GRADIENT)):
            fig.add_vrect(x0=lo, x1=hi, fillcolor=rgba(color, 0.12), line_width=0, layer="below",
                          name=flat, legendgroup=name, showlegend=k == 0)
        if ACTIVATIONS[name].slope is not None and x[0] < 0:
            alpha = ACTIVATIONS[name].slope if slope is None else slope
            negative = min(0.0, float(x[-1])) - float(x[0])
            at = float(x[0] + (0.25 + 0.2 * (i % 3)) * negative)
            # The caption (its colour says whose slope it is) sits in the empty upper left, from the
            # left edge to before x = 0, where the derivative's step and the curve rise: placed beside
            # its arrow's head it was crossed by them. An opaque box keeps grid lines out of it.
            top = max(float(np.max(y)), 1.0)
            fig.add_annotation(x=at, y=alpha * at, text=f"α = {fmt(alpha)} for x < 0", showarrow=True,
                               axref="x", ayref="y", ax=float(x[0]) + 0.02 * negative,
                               ay=top * (0.6 - 0.12 * (i % 3)), xanchor="left", arrowhead=2,
                               font=dict(color=color, size=11), arrowcolor=color, bgcolor="rgba(255,255,255,0.9)")
    if tanh_identity:
        sparse = x[:: max(1, len(x) // 40)]
        fig.add_trace(go.Scatter(x=sparse, y=2 * stable_sigmoid(2 * sparse) - 1, mode="markers",
                                 name="2σ(2x) − 1 (equals tanh)",
                                 marker=dict(symbol="circle-open", size=8, color=INK, line=dict(width=1.5))))
    fig.update_xaxes(title_text="x (pre-activation w·x + b)", zeroline=True, zerolinecolor="#9aa5b1")
    fig.update_yaxes(title_text="f(x)" + (" and f′(x)" if derivative else ""), zeroline=True,
                     zerolinecolor="#9aa5b1")
    title = ", ".join(ACTIVATIONS[n].label for n in names)
    title += ": value (solid) and derivative (dashed)" if derivative else ""
    return apply_theme(fig, title=dict(text=title), height=440, hovermode="x unified",
                       legend=dict(orientation="h", y=-0.2))
