"""Compact live frames: a boundary grid in about one byte per cell, deflated.

A live view redraws the decision boundary many times a second for many people at once, so its
grid travels as bytes, not as JSON floats: the codes below, compressed with zlib (smooth regions
compress well) and base64-encoded. 40 × 40 cells take about 1 KB instead of 10–12 KB of floats,
and the picture is the same to the eye.

* classification: ``z = k + 0.99·c`` (see ``boundary``) becomes one byte ``k·L + round(c·(L−1))``
  with ``L = 256 // K`` levels of confidence per class;
* 2-D regression: one byte over the grid's [lo, hi];
* 1-D regression (a curve): two bytes per point over [lo, hi], so the line does not look stepped.

``decode_grid`` undoes it (the browser does the same in ``static/js/live.js``).
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

import numpy as np

from app.nn import Dataset, Network

from .boundary import CONFIDENCE_SPAN, score_text


def encode_grid(grid: dict[str, Any], n_classes: int) -> dict[str, Any]:
    """``boundary_grid``'s result -> a small JSON-ready dict (``bounds``, ``n``, base64 ``data``)."""
    kind = grid["kind"]
    z = np.asarray(grid["z"], dtype=np.float64)
    x = grid["x"]
    frame: dict[str, Any] = {"kind": kind, "n": len(x), "x": [_short(x[0]), _short(x[-1])]}
    if grid["y"] is not None:
        frame["y"] = [_short(grid["y"][0]), _short(grid["y"][-1])]
    if kind == "classification":
        levels = 256 // n_classes
        k = np.clip(np.floor(z), 0, n_classes - 1)
        c = np.clip((z - k) / CONFIDENCE_SPAN, 0.0, 1.0)
        codes = (k * levels + np.rint(c * (levels - 1))).astype(np.uint8)
        frame["classes"] = n_classes
    else:
        lo, hi = float(np.min(z)), float(np.max(z))
        top = 65535 if kind == "regression-1d" else 255
        scaled = (z - lo) / (hi - lo) * top if hi > lo else np.zeros_like(z)
        codes = np.rint(scaled).astype(np.uint16 if top > 255 else np.uint8)
        frame |= {"lo": _short(lo), "hi": _short(hi)}
    raw = codes.astype(codes.dtype.newbyteorder("<")).tobytes()
    frame["data"] = base64.b64encode(zlib.compress(raw, 6)).decode("ascii")
    return frame


def decode_grid(frame: dict[str, Any]) -> np.ndarray:
    """``encode_grid`` undone: z as float64, shaped (n, n) or (n,) for a curve."""
    raw = zlib.decompress(base64.b64decode(frame["data"]))
    n = frame["n"]
    if frame["kind"] == "classification":
        codes = np.frombuffer(raw, dtype=np.uint8).astype(np.float64)
        levels = 256 // frame["classes"]
        k, q = np.floor(codes / levels), codes % levels
        return (k + CONFIDENCE_SPAN * q / (levels - 1)).reshape(n, n)
    curve = frame["kind"] == "regression-1d"
    codes = np.frombuffer(raw, dtype="<u2" if curve else np.uint8).astype(np.float64)
    top = 65535 if curve else 255
    z = frame["lo"] + codes / top * (frame["hi"] - frame["lo"])
    return z if curve else z.reshape(n, n)


def live_overlay(net: Network, data: Dataset) -> dict[str, Any]:
    """What keeps a live boundary's overlay true: the subtitle's scores (``score_text``) and, for
    classes, the misclassified points as ``[x1, x2, predicted class]`` (the × markers)."""
    predictions = {split: net.predict(X) if len(X) else np.empty(0)
                   for split, X in (("train", data.X_train), ("test", data.X_test))}
    overlay: dict[str, Any] = {"score": score_text(net, data, predictions)}
    if data.task == "classification":
        X = np.concatenate([data.X_train, data.X_test])
        predicted = np.concatenate([predictions["train"], predictions["test"]])
        wrong = predicted != np.concatenate([data.y_train, data.y_test])
        overlay["wrong"] = [[_short(x1), _short(x2), int(k)] for (x1, x2), k in zip(X[wrong], predicted[wrong])]
    return overlay


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
