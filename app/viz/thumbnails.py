"""Small maps over the input plane, as TensorFlow Playground draws them: one per input feature, and
one per neuron of a network (what it outputs at each point), to be drawn inside the network diagram.

A page draws dozens of them several times a second, so they travel as bytes, not figures: each map
one byte per cell on a symmetric scale of ``levels`` codes, ``round((v / limit + 1) · (levels − 1) / 2)``
with ``limit`` the map's largest |v| (the colour then says sign and relative size, white being 0),
all maps of one answer concatenated, deflated and base64-encoded (``static/js/thumbnails.js`` decodes
them). Rows run along x₂ upwards, as in ``boundary_grid``. Answers use 256 levels; live frames use
``LIVE_MAP_LEVELS``: 30 frames a second of 20 maps must stay small, and fewer levels deflate far
better (about a quarter of the bytes at 15).
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

import numpy as np

from app.nn import FEATURES, Network, SpecError
from app.nn.features import feature_values

from .common import check_bounds, check_int, finite32, require_network
from .neuron import color_range

FEATURE_BOUNDS = (-1.2, 1.2, -1.2, 1.2)  # about where the generated data sets lie
MAX_THUMBNAIL_GRID = 64
MAX_NODE_UNITS = 32  # per layer: the units a network diagram draws one by one (it summarises wider layers)
MAP_LEVELS = 256
# A live frame's maps: 7 shades each side of white. TensorFlow Playground paints its maps in 30 shades
# in all; at 40 px a map shows no difference, and its deflated bytes are a quarter of 256 levels'.
LIVE_MAP_LEVELS = 15


def plane_points(bounds: Any, grid: int) -> np.ndarray:
    """(grid², 2) points of a grid over ``bounds``, row-major along x₂ (row i is x₂ = y_i)."""
    x_min, x_max, y_min, y_max = check_bounds(bounds)
    gx, gy = np.meshgrid(np.linspace(x_min, x_max, grid), np.linspace(y_min, y_max, grid))
    return np.column_stack([gx.ravel(), gy.ravel()])


def encode_maps(maps: list[np.ndarray], levels: int = MAP_LEVELS) -> dict[str, Any]:
    """Maps of one size, (grid²,) each -> ``{"limits": [max |v| per map], "levels": levels, "data": base64}``
    (``levels`` codes per map, 2 … 256)."""
    half = (check_int(levels, "levels", 2, 256) - 1) / 2
    raw, limits = b"", []
    if maps:  # all maps at once: a frame's node maps are a few dozen small arrays
        values = finite32(np.stack(maps)).astype(np.float64)
        peaks = np.max(np.abs(values), axis=1) if values.shape[1] else np.zeros(len(maps))
        scaled = np.divide(values, peaks[:, None], out=np.zeros_like(values), where=peaks[:, None] > 0)
        raw = np.rint((scaled + 1.0) * half).astype(np.uint8).tobytes()
        limits = [float(f"{limit:.4g}") for limit in peaks.tolist()]
    return {"limits": limits, "levels": levels, "data": base64.b64encode(zlib.compress(raw, 6)).decode("ascii")}


def decode_maps(encoded: dict[str, Any], grid: int) -> list[np.ndarray]:
    """``encode_maps`` undone: each map as (grid, grid) float64 (rows along x₂)."""
    raw = np.frombuffer(zlib.decompress(base64.b64decode(encoded["data"])), dtype=np.uint8).astype(np.float64)
    cells, half = grid * grid, (encoded.get("levels", MAP_LEVELS) - 1) / 2
    return [(raw[k * cells:(k + 1) * cells] / half - 1.0).reshape(grid, grid) * limit
            for k, limit in enumerate(encoded["limits"])]


def feature_maps(grid: int = 24, bounds: Any = FEATURE_BOUNDS) -> dict[str, Any]:
    """Every input feature over the plane: ``features`` (name, label, formula) and their maps."""
    grid = check_int(grid, "grid", 2, MAX_THUMBNAIL_GRID)
    names = tuple(FEATURES)
    values = feature_values(names, plane_points(bounds, grid))
    return {
        "grid": grid, "bounds": list(check_bounds(bounds)),
        "features": [{"name": f.name, "label": f.label, "formula": f.formula} for f in FEATURES.values()],
        "maps": encode_maps([values[:, k] for k in range(len(names))]),
    }


@np.errstate(over="ignore", invalid="ignore")  # exploded weights: drawn clipped, see finite32
def node_maps(net: Network, bounds: Any, grid: int = 24, max_units: int = MAX_NODE_UNITS,
              levels: int = MAP_LEVELS) -> dict[str, Any]:
    """Each node's output over the plane, layer by layer: the input layer's features, each hidden
    unit's activation, each output's score; at most ``max_units`` units per layer (the first ones).

    Returns ``grid``, ``bounds``, ``layers`` (per layer: ``name``, ``units`` drawn, ``total`` units,
    and the colour axis ``neuron_maps_figure`` gives the layer over the same grid, ``scale`` [cmin,
    cmax] and ``signed``: see ``color_range``) and ``maps`` (``encode_maps`` of the maps in that order,
    ``levels`` codes each).
    """
    require_network(net)
    if net.spec.input_dim != 2:
        raise SpecError("net", f"node maps are drawn over the plane of 2 inputs; this network has {net.spec.input_dim}")
    grid = check_int(grid, "grid", 2, MAX_THUMBNAIL_GRID)
    max_units = check_int(max_units, "max_units", 1, 256)
    points = plane_points(bounds, grid)
    values = [net.input_features(points)] + [layer["a"] for layer in net.hidden_outputs(points)]
    names = ["x", *(f"h{i + 1}" for i in range(len(net.spec.hidden))), "out"]
    layers, maps = [], []
    for name, matrix in zip(names, values):
        shown = min(matrix.shape[1], max_units)
        finite = finite32(matrix)
        cmin, cmax, signed = color_range(float(finite.min()), float(finite.max()))
        layers.append({"name": name, "units": shown, "total": int(matrix.shape[1]),
                       "scale": [float(f"{cmin:.7g}"), float(f"{cmax:.7g}")], "signed": signed})
        maps += [matrix[:, k] for k in range(shown)]
    return {"grid": grid, "bounds": [float(f"{b:.7g}") for b in check_bounds(bounds)], "layers": layers,
            "maps": encode_maps(maps, levels)}
