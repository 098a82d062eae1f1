"""Compact live frames: a boundary grid in about one byte per cell.

A live view redraws the decision boundary many times a second for many people at once, so its
grid travels as bytes (base64), not as JSON floats: 40 × 40 cells are about 2.1 KB instead of
10–12 KB, and the picture is the same to the eye.

* classification: ``z = k + 0.99·c`` (see ``boundary``) becomes one byte ``k·L + round(c·(L−1))``
  with ``L = 256 // K`` levels of confidence per class;
* 2-D regression: one byte over the grid's [lo, hi];
* 1-D regression (a curve): two bytes per point over [lo, hi], so the line does not look stepped.

``decode_grid`` undoes it (the browser does the same in ``static/js/live.js``).
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from .boundary import CONFIDENCE_SPAN


def encode_grid(grid: dict[str, Any], n_classes: int) -> dict[str, Any]:
    """``boundary_grid``'s result -> a small JSON-ready dict (``bounds``, ``n``, base64 ``data``)."""
    kind = grid["kind"]
    z = np.asarray(grid["z"], dtype=np.float64)
    x = grid["x"]
    frame: dict[str, Any] = {"kind": kind, "n": len(x), "x": [float(x[0]), float(x[-1])]}
    if grid["y"] is not None:
        frame["y"] = [float(grid["y"][0]), float(grid["y"][-1])]
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
        frame |= {"lo": lo, "hi": hi}
    frame["data"] = base64.b64encode(codes.astype(codes.dtype.newbyteorder("<")).tobytes()).decode("ascii")
    return frame


def decode_grid(frame: dict[str, Any]) -> np.ndarray:
    """``encode_grid`` undone: z as float64, shaped (n, n) or (n,) for a curve."""
    raw = base64.b64decode(frame["data"])
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
