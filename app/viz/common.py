"""Helpers every figure builder shares: argument checks, finite arrays, JSON, axis titles, user text.

A bad argument raises the core's ``SpecError`` whose field is the builder's argument name
(``grid``, ``data``, ``maxout_pieces[1]``), so the services can say which request value it was."""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from app.nn import Dataset, Network, SpecError, check_fits

from .theme import SEQUENTIAL, class_color, class_symbol

# Values beyond this are drawn clipped: float32 cannot hold more, and JSON must never see inf.
FLOAT32_LIMIT = 1e30
INPUT_TITLES = ("x₁ (input 1, data units)", "x₂ (input 2, data units)")


def figure_json(fig: go.Figure) -> str:
    """The figure as compact JSON (``plotly.io.to_json``, written by orjson); numpy arrays become
    typed arrays."""
    return pio.to_json(fig, validate=False, pretty=False, engine="orjson")


def plain_text(value: Any) -> str:
    """``value`` as text that Plotly shows as it is written. Plotly draws a subset of HTML in every
    text it is given (names, titles, hover text, annotations: ``<a href>`` would be a link) and
    substitutes ``%{...}`` in hover templates, so a string from a user (a class label from a CSV, a
    sweep's setting) goes through here before it enters a figure: ``<``, ``>`` and ``&`` become
    entities, and the ``{`` of ``%{`` a numeric entity, which Plotly draws as ``{`` but never
    substitutes."""
    return html.escape(str(value), quote=False).replace("%{", "%&#123;")


def check_int(value: Any, name: str, minimum: int, maximum: int) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise SpecError(name, f"must be an integer between {minimum} and {maximum}")
    return int(value)


def check_number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise SpecError(name, "must be a number")
    if not math.isfinite(value):
        raise SpecError(name, "must be a finite number")
    return float(value)


def require_network(net: Any, name: str = "net") -> Network:
    """``net`` itself, if it is a ``Network``."""
    if not isinstance(net, Network):
        raise SpecError(name, "must be a Network")
    return net


def require_data(data: Any, net: Network | None = None, name: str = "data") -> Dataset:
    """``data`` itself, if it is a ``Dataset`` that fits ``net`` (the core's ``check_fits``)."""
    if not isinstance(data, Dataset):
        raise SpecError(name, "must be a Dataset")
    if net is not None:
        try:
            check_fits(net, data)
        except SpecError as exc:
            raise SpecError(name, f"does not fit the network: {exc.message}") from None
    return data


def check_bounds(bounds: Any, name: str = "bounds") -> tuple[float, float, float, float]:
    """``(x_min, x_max, y_min, y_max)``: four finite numbers with each min below its max."""
    try:
        values = tuple(float(v) for v in bounds)
    except (TypeError, ValueError):
        raise SpecError(name, "must be four numbers (x_min, x_max, y_min, y_max)") from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise SpecError(name, "must be four finite numbers (x_min, x_max, y_min, y_max)")
    if not (values[0] < values[1] and values[2] < values[3]):
        raise SpecError(name, "x_min must be below x_max and y_min below y_max")
    return values


def finite32(values: np.ndarray) -> np.ndarray:
    """float32 copy with NaN -> 0 and ±inf clipped: safe for typed arrays and JSON."""
    out = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=FLOAT32_LIMIT, neginf=-FLOAT32_LIMIT)
    np.clip(out, -FLOAT32_LIMIT, FLOAT32_LIMIT, out=out)
    return out.astype(np.float32)


def fmt(value: float) -> str:
    """A short, readable number for hover text and titles: 0.42, -1.3e-05, 1.2e+03."""
    return f"{value:.3g}" if abs(value) < 1e4 else f"{value:.2e}"


def point_groups(data: Dataset) -> list[np.ndarray]:
    """The rows of ``data.X`` each trace of ``point_traces`` draws, in trace order."""
    if data.task == "classification":
        return [np.flatnonzero(data.y == k) for k in range(data.n_classes)]
    return [np.arange(len(data.y))]


def point_traces(data: Dataset, coords: np.ndarray, showlegend: bool = True,
                 colorbar: bool = False) -> list[go.Scatter]:
    """All of ``data``'s points (training then test) drawn at ``coords: (N, 2)``: one trace per class
    in its class colour, or for regression one trace coloured by target (with ``colorbar``)."""
    coords = finite32(coords)
    y = data.y
    if data.task == "classification":
        names = [plain_text(name) for name in data.class_names or range(data.n_classes)]
        groups = point_groups(data)
        return [go.Scatter(x=coords[groups[k], 0], y=coords[groups[k], 1], mode="markers", name=f"class {name}",
                           legendgroup=f"class-{k}", showlegend=showlegend,
                           marker=dict(color=class_color(k), symbol=class_symbol(k), size=6,
                                       line=dict(color="white", width=0.6)))
                for k, name in enumerate(names)]
    return [go.Scatter(x=coords[:, 0], y=coords[:, 1], mode="markers", name="points (colour = target)",
                       showlegend=showlegend,
                       marker=dict(color=finite32(y), colorscale=SEQUENTIAL, size=6, showscale=colorbar,
                                   colorbar=dict(title=dict(text="target"), thickness=12)))]
