"""Stored networks: create, list, load, export / import, predict and trace.

Networks come back from the store as rows; ``public_network`` is the JSON the API shows.
``load`` rebuilds the ``Network`` (and the data set it was last trained on) and keeps the last ones
used (an ``LRU`` bounded in bytes) with the row's ``updated_at``, so that repeated predictions and
figures cost no rebuild.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.nn import Dataset, Network, NetworkSpec, SpecError, check_fits

from .cache import LRU
from .data_specs import build_dataset, resolve_data_spec
from .owners import Owners, over_limit
from .specs import Limits, NotFound, check_data_fits, network_spec, train_config
from .store import Full, Store, iso_time

EXPORT_FORMAT, EXPORT_VERSION = "nnviz-network", 1


def spec_counts(spec: dict[str, Any], limits: Limits) -> dict[str, int]:
    """The size counts of a requested spec, checked like any other; nothing is built or stored."""
    return network_spec(spec, limits, field="").counts()


def public_network(row: dict[str, Any]) -> dict[str, Any]:
    spec = NetworkSpec.from_dict(row["spec"])  # a spec stored before a field existed shows its default
    return {
        "id": row["id"],
        "name": row.get("name"),
        "spec": spec.to_dict(),
        "counts": spec.counts(),
        "steps_trained": row["steps_trained"],
        "epochs_trained": row["epochs_trained"],
        "data": row.get("data"),
        "created_at": iso_time(row["created_at"]),
        "updated_at": iso_time(row["updated_at"]),
    }


class NetworkService:
    def __init__(self, store: Store, limits: Limits, cache_bytes: int = 64_000_000, person_networks: int = 200,
                 person_upload_bytes: int | None = None, person_shares: int | None = None):
        self.store, self.limits, self.person_networks = store, limits, person_networks
        self.person_upload_bytes, self.person_shares = person_upload_bytes, person_shares
        self._cache: LRU[tuple[float, Network, Dataset | None]] = LRU(cache_bytes)

    # --- rows --------------------------------------------------------------------------------

    def row(self, network_id: str, with_weights: bool = True, owner: str | None = None) -> dict[str, Any]:
        """The stored row; ``owner`` (None for the server's own use) must be the network's."""
        row = self.store.get_network(network_id, with_weights, owner)
        if row is None:
            raise NotFound(f"no network with id {network_id!r}")
        return row

    def create(self, spec: dict[str, Any], seed: int = 0, data: dict[str, Any] | None = None,
               name: str | None = None, owner: str | None = None) -> dict[str, Any]:
        """A new network; with ``data`` attached, the sizes and loss not given follow from the data."""
        data, dataset = self._resolve(data, owner)
        net = Network(network_spec(spec, self.limits, dataset, field=""), seed=seed)
        self.check_room(owner)
        network_id = self.store.create_network(net.spec.to_dict(), net.get_weights(), data=data, owner=owner)
        self._name(network_id, name)
        return public_network(self.row(network_id, with_weights=False))

    def check_room(self, owner: str | None) -> None:
        """Raise ``PersonLimit`` when ``owner`` already keeps as many networks as one person may."""
        if owner is not None and (kept := self.store.count_networks(owner)) >= self.person_networks:
            raise over_limit(Full("networks", kept, 1, self.person_networks))

    def _name(self, network_id: str, name: str | None) -> None:
        """A named network is kept; an unnamed one is scratch and expires (``NNVIZ_SCRATCH_TTL``)."""
        if name is not None:
            self.store.update_network_meta(network_id, name=name)

    def update(self, network_id: str, fields: dict[str, Any], owner: str | None = None) -> dict[str, Any]:
        """Rename a network (``name``; null makes it scratch again) or give it another data spec
        (``data``, which must fit it like the data of a job that continues it)."""
        row = self.row(network_id, with_weights=False, owner=owner)
        if "data" in fields:
            data, dataset = self._resolve(fields["data"], owner)
            if dataset is not None:  # null takes the data away
                check_data_fits(row["spec"], dataset)
            fields = fields | {"data": data}
        if fields:
            self.store.update_network_meta(network_id, **fields)
        return self.get(network_id)

    def _resolve(self, data: dict[str, Any] | None, owner: str | None) -> tuple[dict[str, Any] | None, Dataset | None]:
        """The resolved data spec (defaults filled in, to store) and its points; an upload must be ``owner``'s."""
        if data is None:
            return None, None
        upload = self.store.get_upload(data["id"], owner) if data.get("id") else None
        data = resolve_data_spec(data, self.limits, upload)
        return data, build_dataset(data, upload)

    def get(self, network_id: str, owner: str | None = None) -> dict[str, Any]:
        return public_network(self.row(network_id, with_weights=False, owner=owner))

    def updated_at(self, network_id: str, owner: str | None = None) -> float:
        """When the network last changed (weights, history, data or name): its figures stand until then."""
        return self.row(network_id, with_weights=False, owner=owner)["updated_at"]

    def list(self, owner: str | None = None) -> list[dict[str, Any]]:
        return [public_network(row) for row in self.store.list_networks(owner)]

    def delete(self, network_id: str, owner: str | None = None) -> None:
        if not self.store.delete_network(network_id, owner):
            raise NotFound(f"no network with id {network_id!r}")
        self._cache.pop(network_id)

    # --- objects -----------------------------------------------------------------------------

    def data_of(self, data_spec: dict[str, Any] | None) -> Dataset | None:
        if data_spec is None:
            return None
        upload = self.store.get_upload(data_spec["id"]) if "id" in data_spec else None
        return build_dataset(data_spec, upload)

    def load(self, network_id: str, owner: str | None = None) -> tuple[Network, Dataset | None]:
        """The stored network with its current weights, and the data it was last trained on."""
        head = self.row(network_id, with_weights=False, owner=owner)
        cached = self._cache.get(network_id)
        if cached is not None and cached[0] == head["updated_at"]:
            return cached[1], cached[2]
        row = self.row(network_id)
        net = Network.from_dict(row)
        data = self.data_of(row["data"])
        arrays = [net.flat, net.grad_flat] + ([data.X_train, data.y_train, data.X_test, data.y_test] if data else [])
        self._cache.put(network_id, (row["updated_at"], net, data), sum(array.nbytes for array in arrays))
        return net, data

    def history(self, network_id: str, owner: str | None = None) -> list[dict[str, Any]]:
        history = self.store.network_history(network_id, owner)
        if history is None:
            raise NotFound(f"no network with id {network_id!r}")
        return history

    # --- export / import ---------------------------------------------------------------------

    def export(self, network_id: str, owner: str | None = None) -> dict[str, Any]:
        row = self.row(network_id, owner=owner)
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "spec": NetworkSpec.from_dict(row["spec"]).to_dict(),
            "weights": {name: value.tolist() for name, value in row["weights"].items()},
            "history": row["history"],
            "data": row["data"],
            "steps_trained": row["steps_trained"],
            "epochs_trained": row["epochs_trained"],
            "name": row.get("name"),
        }

    def import_(self, document: dict[str, Any], owner: str | None = None) -> dict[str, Any]:
        if document.get("format") != EXPORT_FORMAT:
            raise SpecError("format", f"must be {EXPORT_FORMAT!r}")
        if document.get("version") != EXPORT_VERSION:
            raise SpecError("version", f"must be {EXPORT_VERSION}")
        net = Network(network_spec(document["spec"], self.limits, field="spec"))
        net.set_weights(document["weights"])  # its SpecError names weights or weights.<name>
        data, dataset = self._resolve(document.get("data"), owner)
        if dataset is not None:
            check_data_fits(net.spec.to_dict(), dataset)
        # The request model checked the records (finite numbers keyed by name, an integer step) and their count.
        history = [_as_measures(record) for record in document.get("history") or []]
        self.check_room(owner)
        network_id = self.store.create_network(net.spec.to_dict(), net.get_weights(), history, data,
                                               document.get("steps_trained", 0), document.get("epochs_trained", 0.0),
                                               owner=owner)
        self._name(network_id, document.get("name"))
        return self.get(network_id)

    def set_weight(self, network_id: str, layer: int, i: int | None, j: int, value: float,
                   owner: str | None = None, kind: str = "weight") -> dict[str, Any]:
        """Set one weight, ``W{layer}[i, j]`` as the export holds it (row i: the layer's input i, a
        feature for layer 1; column j: its unit j, or piece p of unit u at p·units + u, 0-based), or
        with ``kind="bias"`` one bias, ``b{layer}[j]`` (no row). The other parameters and the
        optimizer's memory stay as they are."""
        if kind == "bias" and i is not None:
            raise SpecError("i", "a bias has no row: leave i out (j names the unit)")
        if kind == "weight" and i is None:
            raise SpecError("i", "required for a weight: the row (the layer's input), 0-based")
        row = self.row(network_id, owner=owner)
        weights = row["weights"]
        layers = sum(1 for name in weights if name.startswith("W"))
        if not 1 <= layer <= layers:
            raise SpecError("layer", f"must be between 1 and {layers}: the network has {layers} weight matrices")
        name = f"{'W' if kind == 'weight' else 'b'}{layer}"
        array = weights[name]
        where = (i, j) if kind == "weight" else (j,)
        fields = (("i", "rows (inputs)"), ("j", "columns (units)")) if kind == "weight" else (("j", "biases (units)"),)
        for (field, what), index, size in zip(fields, where, array.shape):
            if not 0 <= index < size:
                raise SpecError(field, f"must be between 0 and {size - 1}: {name} has {size} {what}")
        previous = float(array[where])
        array[where] = value
        self.store.update_network(network_id, weights, row["steps_trained"], row["epochs_trained"],
                                  optimizer=row["optimizer"])
        return {"parameter": name, "kind": kind, "layer": layer, "i": i, "j": j, "value": float(value),
                "previous": previous}

    # --- share links -------------------------------------------------------------------------

    def share(self, network_id: str, owner: str) -> dict[str, Any]:
        """A new read-only link to one of ``owner``'s networks (``PersonLimit`` when they keep as
        many links as one person may)."""
        self.row(network_id, with_weights=False, owner=owner)
        token = Owners.new_share_token()
        try:
            self.store.add_share(token, network_id, owner, self.person_shares)
        except Full as full:
            raise over_limit(full) from None
        return {"token": token, "network_id": network_id, "url": f"/shared/{token}"}

    def shares(self, owner: str) -> list[dict[str, Any]]:
        """``owner``'s share links, newest first, with their network's id and name."""
        return [{"token": row["token"], "url": f"/shared/{row['token']}", "network_id": row["network_id"],
                 "network_name": row["name"], "created_at": iso_time(row["created_at"])}
                for row in self.store.shares_by(owner)]

    def revoke_share(self, token: str, owner: str) -> None:
        if not self.store.delete_share(token, owner):
            raise NotFound(f"no share link of yours with token {token!r}")

    def unshare(self, network_id: str, owner: str, token: str | None = None) -> int:
        """Revoke one link (or all links) of ``owner``'s network; how many were revoked."""
        self.row(network_id, with_weights=False, owner=owner)
        return self.store.delete_shares(network_id, token)

    def shared_public(self, token: str) -> dict[str, Any]:
        """The network a share link opens, as anyone with the link may see it: without the id of the
        sharer's upload, which is theirs alone (a copy gets its own, see ``copy_shared``)."""
        public = self.get(self.shared(token))
        if public["data"] and "id" in public["data"]:
            public["data"] = {key: value for key, value in public["data"].items() if key != "id"}
        return public

    def shared(self, token: str) -> str:
        """The id of the network a share link opens."""
        network_id = self.store.shared_network(token)
        if network_id is None:
            raise NotFound("this share link does not exist or was revoked")
        return network_id

    def copy_shared(self, token: str, owner: str) -> dict[str, Any]:
        """A copy of a shared network, with its history and data, as ``owner``'s own."""
        # The sharer's upload, if any, is copied too (the copy's own, counted against ``owner``'s
        # uploads): both rows are written, or neither when either limit refuses them.
        try:
            network_id = self.store.copy_network(self.row(self.shared(token)), owner, self.person_networks,
                                                 self.person_upload_bytes)
        except Full as full:
            raise over_limit(full) from None
        return self.get(network_id)

    # --- forks (Compare) ---------------------------------------------------------------------

    def fork(self, network_id: str, changes: dict[str, Any], owner: str | None = None) -> dict[str, Any]:
        """A copy of the network to train beside it with some settings changed (``changes``: any of
        ``network`` (hidden layers, loss, features, as a partial spec), ``data``, ``training``, and
        ``name``). The copy starts where the network stands: the same weights bit for bit, optimizer
        memory, step counts, history and data, so any difference between the two runs comes from
        the settings changed. Training settings are not kept on a network (a job gives them): they
        are checked here and given back for the copy's jobs. A change that gives any parameter
        another shape (a layer's width, maxout's pieces, another number of features or outputs) or
        another initialisation cannot keep the weights, and is refused naming the field."""
        row = self.row(network_id, owner=owner)
        network, training = changes.get("network") or {}, changes.get("training") or {}
        if not (network or training or "data" in changes):
            raise SpecError("training", "give the settings the copy changes: network, data or training")
        spec = self._forked_spec(row, network)
        data, dataset = self._resolve(changes["data"], owner) if "data" in changes else (row["data"], None)
        if dataset is None and data is not None:
            dataset = self.data_of(data)
        if dataset is not None:
            try:
                check_fits(spec, dataset)
            except SpecError as exc:  # the data did not change: the network's change is at fault
                raise (SpecError("data", f"does not fit the network: {exc.message}") if "data" in changes
                       else exc.within("network")) from None
        if training:
            train_config(training, self.limits)  # a SpecError names training.<field>
        self.check_room(owner)
        fork_id = self.store.create_network(spec.to_dict(), row["weights"], row["history"], data,
                                            row["steps_trained"], row["epochs_trained"], owner=owner,
                                            optimizer=row["optimizer"])
        self._name(fork_id, changes.get("name"))
        changed = [f"{part}.{key}" for part in ("network", "training") for key in sorted(changes.get(part) or {})]
        return {"network": self.get(fork_id), "original_id": network_id,
                "changed": changed + (["data"] if "data" in changes else []), "training": training or None}

    def _forked_spec(self, row: dict[str, Any], network: dict[str, Any]) -> NetworkSpec:
        """The network's spec with ``network``'s fields replaced, when every parameter keeps its shape."""
        if "init" in network:
            raise SpecError("network.init", "the copy starts from this network's weights, so its initialisation "
                                            "cannot differ: create a network with that init and the same seed")
        original = NetworkSpec.from_dict(row["spec"]).to_dict()
        shapes = {name: value.shape for name, value in row["weights"].items()}
        for key in [*sorted(network), None]:  # each change alone names its field; then all of them together
            try:
                spec = network_spec(original | ({key: network[key]} if key else network), self.limits, field="network")
            except SpecError as exc:  # e.g. a binary loss with the network's three outputs: the change is at fault
                raise exc if key is None or exc.field.startswith(f"network.{key}") else SpecError(
                    f"network.{key}", f"does not fit the rest of the network ({exc.field}: {exc.message})") from None
            changed = {name: value.shape for name, value in Network(spec).get_weights().items()}
            for name in sorted(shapes.keys() | changed.keys()):
                if shapes.get(name) != changed.get(name):
                    before, after = (_shape_text(found.get(name)) for found in (shapes, changed))
                    raise SpecError(f"network.{key}" if key else "network",
                                    f"changes the shape of {name} ({before} → {after}), so the copy cannot start "
                                    "from the same weights: create a network with the same seed instead")
        return spec

    # --- inference ---------------------------------------------------------------------------

    def predict(self, network_id: str, inputs: list[list[float]], owner: str | None = None) -> dict[str, Any]:
        net, _ = self.load(network_id, owner)
        X = _inputs(inputs, net.spec.input_dim, "inputs", self.limits.max_points)
        scores = net.forward(X)
        classification = net.loss.task == "classification"
        return {
            "scores": scores.tolist(),
            "probabilities": net.loss.probabilities(scores).tolist() if classification else None,
            "labels": net.loss.predict(scores).tolist(),
        }

    def forward(self, network_id: str, x: list[float], owner: str | None = None) -> dict[str, Any]:
        return _trace(self.load(network_id, owner)[0], x)

    # --- networks that are not stored --------------------------------------------------------

    def unstored(self, request: dict[str, Any], data: Dataset | None = None) -> Network:
        """The network of ``{"spec", "weights"}`` (weights checked like an import's) or of
        ``{"spec", "seed"}`` (initialised), for previews: nothing is stored. With ``data`` the
        spec must fit it."""
        net = Network(network_spec(request["spec"], self.limits, data, field="spec"), seed=request.get("seed") or 0)
        if request.get("weights") is not None:
            net.set_weights(request["weights"])  # its SpecError names weights or weights.<name>
        return net

    def unstored_forward(self, request: dict[str, Any]) -> dict[str, Any]:
        return _trace(self.unstored(request), request["input"])


def _trace(net: Network, x: list[float]) -> dict[str, Any]:
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


def _as_measures(record: dict[str, Any]) -> dict[str, Any]:
    """A whole number beyond 64 bits is not a count but a measurement: kept as the float it is."""
    return {key: _as_measure(value) if key != "step" else value for key, value in record.items()}


def _as_measure(value: Any) -> Any:
    if isinstance(value, list):
        return [_as_measure(v) for v in value]
    return float(value) if isinstance(value, int) and abs(value) >= 2**63 else value


def _shape_text(shape: tuple[int, ...] | None) -> str:
    return "none" if shape is None else "×".join(str(size) for size in shape) or "one number"
