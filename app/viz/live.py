"""Compact live frames: a boundary grid in about one byte per cell, deflated.

A live view redraws the decision boundary many times a second for many people at once, so its
grid travels as bytes, not as JSON floats: the codes below, compressed with zlib (smooth regions
compress well) and base64-encoded. 40 × 40 cells take about 1 KB instead of 10–12 KB of floats,
and the picture is the same to the eye.

* classification: ``z = k + 0.99·c`` (see ``boundary``) becomes one byte ``k·L + round(c·(L−1))``
  with ``L`` levels of confidence per class (``levels``: at most ``256 // K``; ``LIVE_LEVELS`` in
  live frames, where fewer levels deflate to two thirds of the bytes and look the same);
* 2-D regression: one byte over the grid's [lo, hi];
* 1-D regression (a curve): two bytes per point over [lo, hi], so the line does not look stepped.

``decode_grid`` undoes it (the browser does the same in ``static/js/live.js``).

Frames may also carry, about seven times a second, what other figures need to follow the
training without being redrawn: the topology's edges (``encode_edges``: a signed byte per drawn
edge and its line style, and one per bias square) and the hidden-space view's coordinates
(``encode_hidden``: 4,096 levels per coordinate over stated bounds, deltas deflated); the figures'
trace ``meta`` say where the numbers go, so a page only decodes and restyles. (The neuron maps
come from ``thumbnails.node_maps``.)
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

import numpy as np

from app.nn import Dataset, Network

from .boundary import CONFIDENCE_SPAN, score_text
from .common import finite32
from .inside import hidden_space_numbers, hidden_space_rows
from .topology import MAX_UNITS, bias_numbers, edge_numbers

HIDDEN_LEVELS = 4096
# Confidence levels per class in a live boundary: TensorFlow Playground paints its output in 30
# shades in all; 32 per class look the same at 480 px and deflate to about 0.75 KB instead of 1.1.
LIVE_LEVELS = 32
# The × markers' positions: 10 bits per coordinate over the points' extent (a 1024th: half a pixel
# on a 480 px plot), the predicted class in 4 bits: 3 bytes a point instead of about 36 characters.
WRONG_BITS = 10


def encode_grid(grid: dict[str, Any], n_classes: int, levels: int | None = None) -> dict[str, Any]:
    """``boundary_grid``'s result -> a small JSON-ready dict (``bounds``, ``n``, base64 ``data``; for
    classes, ``classes`` and ``levels`` of confidence per class, ``256 // n_classes`` at most and by
    default)."""
    kind = grid["kind"]
    z = np.asarray(grid["z"], dtype=np.float64)
    x = grid["x"]
    frame: dict[str, Any] = {"kind": kind, "n": len(x), "x": [_short(x[0]), _short(x[-1])]}
    if grid["y"] is not None:
        frame["y"] = [_short(grid["y"][0]), _short(grid["y"][-1])]
    if kind == "classification":
        levels = min(levels or 256, 256 // n_classes)
        k = np.clip(np.floor(z), 0, n_classes - 1)
        c = np.clip((z - k) / CONFIDENCE_SPAN, 0.0, 1.0)
        codes = (k * levels + np.rint(c * (levels - 1))).astype(np.uint8)
        frame |= {"classes": n_classes, "levels": levels, "span": CONFIDENCE_SPAN}  # the page decodes by it
    else:
        lo, hi = float(np.min(z)), float(np.max(z))
        top = 65535 if kind == "regression-1d" else 255
        scaled = (z - lo) / (hi - lo) * top if hi > lo else np.zeros_like(z)
        codes = np.rint(scaled).astype(np.uint16 if top > 255 else np.uint8)
        frame |= {"lo": _short(lo), "hi": _short(hi)}
    raw = codes.astype(codes.dtype.newbyteorder("<")).tobytes()
    frame["data"] = _pack(raw)
    return frame


def decode_grid(frame: dict[str, Any]) -> np.ndarray:
    """``encode_grid`` undone: z as float64, shaped (n, n) or (n,) for a curve."""
    raw = _unpack(frame["data"])
    n = frame["n"]
    if frame["kind"] == "classification":
        codes = np.frombuffer(raw, dtype=np.uint8).astype(np.float64)
        levels = frame.get("levels", 256 // frame["classes"])
        k, q = np.floor(codes / levels), codes % levels
        return (k + frame.get("span", CONFIDENCE_SPAN) * q / (levels - 1)).reshape(n, n)
    curve = frame["kind"] == "regression-1d"
    codes = np.frombuffer(raw, dtype="<u2" if curve else np.uint8).astype(np.float64)
    top = 65535 if curve else 255
    z = frame["lo"] + codes / top * (frame["hi"] - frame["lo"])
    return z if curve else z.reshape(n, n)


def coarse_grid(frame: dict[str, Any], n: int, levels: int | None = None) -> dict[str, Any]:
    """An ``encode_grid`` frame redrawn at ``n`` cells a side (a frame at most that fine as it is):
    the cells nearest to an even ``n``-point spacing, encoded again with ``levels`` of confidence per
    class. A thumbnail of a live boundary without touching the network."""
    if frame["n"] <= n:
        return frame
    z = decode_grid(frame)
    picked = np.rint(np.linspace(0, frame["n"] - 1, n)).astype(np.int64)
    z = z[picked] if z.ndim == 1 else z[np.ix_(picked, picked)]
    grid = {"kind": frame["kind"], "z": z, "x": np.linspace(*frame["x"], n),
            "y": np.linspace(*frame["y"], n) if "y" in frame else None}
    return encode_grid(grid, frame.get("classes", 1), levels)


def encode_edges(net: Network, max_units: int = MAX_UNITS) -> dict[str, Any]:
    """What ``topology_figure(net, max_units)`` draws of the weights (``edge_numbers``), in its
    edges' order: ``count`` edges, ``scale`` (the colour scale's ±limit) and ``data``: one signed
    byte per edge, ``round(value / scale · 127)``, then one byte per edge naming its line style
    (an index into ``EDGE_STYLES``, the figure's edge traces' ``meta.edge_style``); and ``biases``:
    its bias squares' colours (``bias_numbers``) the same way, ``count``, ``scale`` and ``data``."""
    styles, relative, scale = edge_numbers(net, max_units)
    codes = _signed_bytes(relative)
    raw = codes.tobytes() + styles.astype(np.uint8).tobytes()
    biases, bias_scale = bias_numbers(net, max_units)
    squares = {"count": len(biases), "scale": _short(bias_scale), "data": _pack(_signed_bytes(biases).tobytes())}
    return {"count": len(codes), "scale": _short(scale), "data": _pack(raw), "biases": squares}


def _signed_bytes(relative: np.ndarray) -> np.ndarray:
    """Values in −1 … 1 as signed bytes, round(value · 127)."""
    return np.rint(np.clip(relative, -1.0, 1.0) * 127).astype(np.int8)


def decode_edges(frame: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """``encode_edges`` undone: (values (E,), styles (E,))."""
    raw = _unpack(frame["data"])
    count = frame["count"]
    values = np.frombuffer(raw[:count], dtype=np.int8).astype(np.float64) / 127 * frame["scale"]
    return values, np.frombuffer(raw[count:], dtype=np.uint8).astype(np.int64)


def decode_biases(frame: dict[str, Any]) -> np.ndarray:
    """``encode_edges(...)["biases"]`` undone: the bias squares' values (B,)."""
    return np.frombuffer(_unpack(frame["data"]), dtype=np.int8).astype(np.float64) / 127 * frame["scale"]


def encode_hidden(net: Network, data: Dataset, layer: int) -> dict[str, Any]:
    """The hidden-space view's right panel (``hidden_space_rows`` of ``hidden_space_numbers``): ``rows``
    points, ``bounds`` [x_min, x_max, y_min, y_max] and ``data``: every x, then every y, as one of
    ``HIDDEN_LEVELS`` levels over its bounds (a 4096th of the panel: below a tenth of a pixel),
    sent as the difference to the previous row's (mod 2¹⁶), low bytes first, then high bytes:
    along a line the differences are small, so they deflate to about a third."""
    rows = finite32(hidden_space_rows(hidden_space_numbers(net, data, layer), data)).astype(np.float64)
    bounds = [float(np.min(rows[:, 0])), float(np.max(rows[:, 0])), float(np.min(rows[:, 1])),
              float(np.max(rows[:, 1]))]
    bounds = [_short(b) for b in bounds]
    levels = np.concatenate([_levels(rows[:, k], bounds[2 * k], bounds[2 * k + 1]) for k in (0, 1)])
    steps = np.diff(levels, prepend=0) & 0xFFFF
    raw = (steps & 0xFF).astype(np.uint8).tobytes() + (steps >> 8).astype(np.uint8).tobytes()
    return {"rows": len(rows), "levels": HIDDEN_LEVELS, "bounds": bounds, "data": _pack(raw)}


def decode_hidden(frame: dict[str, Any]) -> np.ndarray:
    """``encode_hidden`` undone: (rows, 2) float64."""
    raw = np.frombuffer(_unpack(frame["data"]), dtype=np.uint8).astype(np.int64)
    half = len(raw) // 2
    levels = (np.cumsum(raw[:half] | (raw[half:] << 8)) & 0xFFFF).astype(np.float64).reshape(2, frame["rows"])
    lo, hi = np.array(frame["bounds"][0::2])[:, None], np.array(frame["bounds"][1::2])[:, None]
    return (lo + levels / (frame["levels"] - 1) * (hi - lo)).T


def _levels(values: np.ndarray, lo: float, hi: float, top: int = HIDDEN_LEVELS - 1) -> np.ndarray:
    """``values`` as integer levels 0 … ``top`` over [lo, hi]."""
    scaled = (values - lo) / (hi - lo) * top if hi > lo else np.zeros_like(values)
    return np.rint(np.clip(scaled, 0, top)).astype(np.int64)


def _pack(raw: bytes) -> str:
    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


def _unpack(data: str) -> bytes:
    return zlib.decompress(base64.b64decode(data))


def live_overlay(net: Network, data: Dataset) -> dict[str, Any]:
    """What keeps a live boundary's overlay true: the subtitle's scores (``score_text``) and, for
    classes, the misclassified points (the × markers, ``encode_wrong``)."""
    predictions = {split: net.predict(X) if len(X) else np.empty(0)
                   for split, X in (("train", data.X_train), ("test", data.X_test))}
    overlay: dict[str, Any] = {"score": score_text(net, data, predictions)}
    if data.task == "classification":
        X = np.concatenate([data.X_train, data.X_test])
        predicted = np.concatenate([predictions["train"], predictions["test"]])
        wrong = predicted != np.concatenate([data.y_train, data.y_test])
        overlay["wrong"] = encode_wrong(X[wrong], predicted[wrong], X)
    return overlay


def encode_wrong(points: np.ndarray, predicted: np.ndarray, every: np.ndarray) -> dict[str, Any]:
    """Misclassified points (P, 2) and their predicted classes (P,) -> ``count``, ``bounds`` [x_min,
    x_max, y_min, y_max] (of ``every`` point, so they stay put from frame to frame) and ``data``:
    3 bytes a point, big-endian ``x << 14 | y << 4 | class`` with x and y as 10-bit levels over the
    bounds, base64-encoded (random positions do not deflate)."""
    top = (1 << WRONG_BITS) - 1
    bounds = [_short(v) for v in (every[:, 0].min(), every[:, 0].max(), every[:, 1].min(), every[:, 1].max())] \
        if len(every) else [0.0, 1.0, 0.0, 1.0]
    levels = [_levels(points[:, k], bounds[2 * k], bounds[2 * k + 1], top) for k in (0, 1)]
    packed = (levels[0] << 14) | (levels[1] << 4) | (predicted.astype(np.int64) & 0xF)
    raw = np.stack([(packed >> 16) & 0xFF, (packed >> 8) & 0xFF, packed & 0xFF], axis=1).astype(np.uint8)
    return {"count": len(points), "bounds": bounds, "data": base64.b64encode(raw.tobytes()).decode("ascii")}


def decode_wrong(frame: dict[str, Any]) -> np.ndarray:
    """``encode_wrong`` undone: (count, 3) float64 rows ``[x1, x2, predicted class]``."""
    raw = np.frombuffer(base64.b64decode(frame["data"]), dtype=np.uint8).astype(np.int64).reshape(-1, 3)
    packed = (raw[:, 0] << 16) | (raw[:, 1] << 8) | raw[:, 2]
    top, (x_min, x_max, y_min, y_max) = (1 << WRONG_BITS) - 1, frame["bounds"]
    x = x_min + (packed >> 14) / top * (x_max - x_min)
    y = y_min + ((packed >> 4) & top) / top * (y_max - y_min)
    return np.column_stack([x, y, packed & 0xF]).astype(np.float64)


def _short(value: float) -> float:
    """7 significant digits: what float32 grids hold, in fewer characters."""
    return float(f"{float(value):.7g}")


def rounded(value: Any, digits: int = 6) -> Any:
    """``value`` with every float to ``digits`` significant digits (a live copy of a history record:
    plenty for a chart, half the characters)."""
    if isinstance(value, float):
        return float(f"{value:.{digits}g}")
    if isinstance(value, dict):
        return {key: rounded(item, digits) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item, digits) for item in value]
    return value
