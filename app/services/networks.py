"""Stored networks: create, list, load, export / import, predict and trace.

Networks come back from the store as rows; ``public_network`` is the JSON the API shows.
``load`` rebuilds the ``Network`` (and the data set it was last trained on) and keeps the last
few in a small cache keyed by the row's ``updated_at``, so repeated figure requests cost no rebuild.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np

from app.nn import Dataset, Network, NetworkSpec, SpecError

from .specs import Limits, NotFound, build_dataset, check_data_fits, network_spec, resolve_data_spec
from .store import Store

EXPORT_FORMAT, EXPORT_VERSION = "nnviz-network", 1


def iso_time(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@lru_cache(maxsize=256)
def _counts(spec_json: str) -> dict[str, int]:
    return Network(NetworkSpec.from_dict(json.loads(spec_json))).counts()


def counts_of(spec: dict[str, Any]) -> dict[str, int]:
    """The notes' size counts (layers, neurons, weights, biases, slopes, parameters) of a spec."""
    return dict(_counts(json.dumps(spec, sort_keys=True)))


def public_network(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "spec": row["spec"],
        "counts": counts_of(row["spec"]),
        "steps_trained": row["steps_trained"],
        "epochs_trained": row["epochs_trained"],
        "data": row.get("data"),
        "created_at": iso_time(row["created_at"]),
        "updated_at": iso_time(row["updated_at"]),
    }


class NetworkService:
    def __init__(self, store: Store, limits: Limits, cache_size: int = 16):
        self.store, self.limits = store, limits
        self._cache: OrderedDict[str, tuple[float, Network, Dataset | None]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    # --- rows --------------------------------------------------------------------------------

    def row(self, network_id: str, with_weights: bool = True) -> dict[str, Any]:
        row = self.store.get_network(network_id, with_weights)
        if row is None:
            raise NotFound(f"no network with id {network_id!r}")
        return row

    def create(self, spec: dict[str, Any], seed: int = 0, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """A new network; with ``data`` attached, the sizes and loss not given follow from the data."""
        data, dataset = self._resolve(data)
        net = Network(network_spec(spec, self.limits, dataset, field=""), seed=seed)
        network_id = self.store.create_network(net.spec.to_dict(), net.get_weights(), data=data)
        return public_network(self.row(network_id, with_weights=False))

    def _resolve(self, data: dict[str, Any] | None) -> tuple[dict[str, Any] | None, Dataset | None]:
        """The resolved data spec (defaults filled in, to store) and its points."""
        if data is None:
            return None, None
        upload = self.store.get_upload(data["id"]) if data.get("id") else None
        data = resolve_data_spec(data, self.limits, upload)
        return data, build_dataset(data, upload)

    def get(self, network_id: str) -> dict[str, Any]:
        return public_network(self.row(network_id, with_weights=False))

    def list(self) -> list[dict[str, Any]]:
        return [public_network(row) for row in self.store.list_networks()]

    def delete(self, network_id: str) -> None:
        if not self.store.delete_network(network_id):
            raise NotFound(f"no network with id {network_id!r}")
        with self._lock:
            self._cache.pop(network_id, None)

    # --- objects -----------------------------------------------------------------------------

    def data_of(self, data_spec: dict[str, Any] | None) -> Dataset | None:
        if data_spec is None:
            return None
        upload = self.store.get_upload(data_spec["id"]) if "id" in data_spec else None
        return build_dataset(data_spec, upload)

    def load(self, network_id: str) -> tuple[Network, Dataset | None]:
        """The stored network with its current weights, and the data it was last trained on."""
        head = self.row(network_id, with_weights=False)
        with self._lock:
            cached = self._cache.get(network_id)
            if cached is not None and cached[0] == head["updated_at"]:
                self._cache.move_to_end(network_id)
                return cached[1], cached[2]
        row = self.row(network_id)
        net = Network.from_dict(row)
        data = self.data_of(row["data"])
        with self._lock:
            self._cache[network_id] = (row["updated_at"], net, data)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return net, data

    def history(self, network_id: str) -> list[dict[str, Any]]:
        history = self.store.network_history(network_id)
        if history is None:
            raise NotFound(f"no network with id {network_id!r}")
        return history

    # --- export / import ---------------------------------------------------------------------

    def export(self, network_id: str) -> dict[str, Any]:
        row = self.row(network_id)
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "spec": row["spec"],
            "weights": {name: value.tolist() for name, value in row["weights"].items()},
            "history": row["history"],
            "data": row["data"],
            "steps_trained": row["steps_trained"],
            "epochs_trained": row["epochs_trained"],
        }

    def import_(self, document: dict[str, Any]) -> dict[str, Any]:
        if document.get("format") != EXPORT_FORMAT:
            raise SpecError("format", f"must be {EXPORT_FORMAT!r}")
        if document.get("version") != EXPORT_VERSION:
            raise SpecError("version", f"must be {EXPORT_VERSION}")
        net = Network(network_spec(document["spec"], self.limits, field="spec"))
        net.set_weights(document["weights"])  # its SpecError names weights or weights.<name>
        data, dataset = self._resolve(document.get("data"))
        if dataset is not None:
            check_data_fits(net.spec.to_dict(), dataset)
        history = [_check_record(record, i) for i, record in enumerate(document.get("history") or [])]
        network_id = self.store.create_network(net.spec.to_dict(), net.get_weights(), history, data,
                                               document.get("steps_trained", 0), document.get("epochs_trained", 0.0))
        return self.get(network_id)

    # --- inference ---------------------------------------------------------------------------

    def predict(self, network_id: str, inputs: list[list[float]]) -> dict[str, Any]:
        net, _ = self.load(network_id)
        X = _inputs(inputs, net.spec.input_dim, "inputs", self.limits.max_points)
        scores = net.forward(X)
        classification = net.loss.task == "classification"
        return {
            "scores": scores.tolist(),
            "probabilities": net.loss.probabilities(scores).tolist() if classification else None,
            "labels": net.loss.predict(scores).tolist(),
        }

    def forward(self, network_id: str, x: list[float]) -> dict[str, Any]:
        net, _ = self.load(network_id)
        X = _inputs([x], net.spec.input_dim, "input", 1)
        return {"layers": [{k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in step.items()}
                           for step in net.trace(X[0])]}


def _inputs(rows: list[list[float]], dim: int, field: str, max_rows: int) -> np.ndarray:
    if len(rows) > max_rows:
        raise SpecError(field, f"at most {max_rows} rows")
    for i, row in enumerate(rows):
        if len(row) != dim:
            where = field if field == "input" else f"{field}[{i}]"
            raise SpecError(where, f"needs {dim} numbers (the network has {dim} inputs), got {len(row)}")
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), dim)


def _check_record(record: Any, index: int) -> dict[str, Any]:
    """History records are data only: numbers, null, or lists of them, keyed by name."""
    field = f"history[{index}]"
    if not isinstance(record, dict) or not _is_number(record.get("step")) or not isinstance(record["step"], int):
        raise SpecError(field, "must be an object with an integer step")
    for key, value in record.items():
        values = value if isinstance(value, list) else [value]
        if not all(v is None or (_is_number(v) and math.isfinite(v)) for v in values):
            raise SpecError(f"{field}.{key}", "must be a finite number, null, or a list of them")
    # A whole number beyond 64 bits is not a count but a measurement: kept as the float it is.
    return {key: _as_measure(value) if key != "step" else value for key, value in record.items()}


def _as_measure(value: Any) -> Any:
    if isinstance(value, list):
        return [_as_measure(v) for v in value]
    return float(value) if isinstance(value, int) and abs(value) >= 2**63 else value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
