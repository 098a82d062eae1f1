"""What goes into a column and comes out of it: ids, times, request keys, weights as ``.npz`` bytes,
JSON text. Shared by ``store.py`` and its parts by area; ``_encode`` and ``_decode`` are for those
alone (``store.py`` re-exports the rest)."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import numpy as np

_JSON_COLUMNS = {"spec", "history", "data", "request", "progress", "metrics", "result", "class_names", "assignment",
                 "hidden_test", "answer"}


def iso_time(timestamp: float | None) -> str | None:
    """A stored time (seconds since the epoch) as the API shows it: ISO 8601 in UTC, to the millisecond."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id() -> str:
    return uuid.uuid4().hex[:16]


def key(value: str) -> str:
    """A key from a request (an id, a share token) as the database is asked for it. Keys are ASCII;
    one with NUL names no row, but PostgreSQL refuses NUL in text outright, so it is asked for with
    U+FFFD instead, which names no row either: on both databases, a 404."""
    return value.replace("\x00", "\ufffd")


OPTIMIZER_PREFIX = "optimizer."  # parameter names (W1, b1, alpha1) never contain a dot


def pack_weights(weights: dict[str, np.ndarray], optimizer: dict[str, Any] | None = None) -> bytes:
    """Weights, and the optimizer's memory for warm starts, as one ``.npz`` blob."""
    arrays = {name: np.asarray(value, dtype=np.float64) for name, value in weights.items()}
    for key, value in (optimizer or {}).items():
        arrays[OPTIMIZER_PREFIX + key] = np.asarray(value)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def unpack_weights(blob: bytes) -> tuple[dict[str, np.ndarray], dict[str, Any] | None]:
    """``pack_weights`` undone: (weights, optimizer memory or None)."""
    weights, optimizer = {}, {}
    with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
        for name in archive.files:
            if name.startswith(OPTIMIZER_PREFIX):
                value = archive[name]
                optimizer[name[len(OPTIMIZER_PREFIX):]] = value.item() if value.ndim == 0 else value
            else:
                weights[name] = archive[name]
    return weights, optimizer or None


class JSONText(str):
    """A JSON column's value already encoded (``json_text``): stored as it is. A running job's history
    is written every second and grows a record at a time: its writer encodes each record once."""


def json_text(value: Any) -> JSONText:
    """``value`` as a JSON column stores it (NaN refused, NumPy values as plain numbers)."""
    return JSONText(json.dumps(value, allow_nan=False, default=_to_builtin))


def _to_builtin(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def _encode(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: json_text(value) if key in _JSON_COLUMNS and value is not None and not isinstance(value, JSONText)
            else value for key, value in fields.items()}


def _decode(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    for key in _JSON_COLUMNS & out.keys():
        if out[key] is not None:
            out[key] = json.loads(out[key])
    return out
