"""The store's networks (spec, weights with the optimizer's memory, history, data spec, name, owner)
and ``delete_scratch``, the expiry of what nobody keeps (``NetworkStore``, a part of ``Store``)."""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
from sqlalchemy import and_, delete, func, insert, or_, select, update

from .schema import jobs, networks, shares, uploads
from .store_jobs import ACTIVE_STATUSES
from .store_people import _upload_bytes
from .store_values import _encode, key, new_id, pack_weights, unpack_weights

NETWORK_SUMMARY = ("id", "owner", "name", "spec", "data", "steps_trained", "epochs_trained", "created_at",
                   "updated_at")


def _network_row(spec: dict, weights: dict[str, np.ndarray], history: list | None, data: dict | None,
                 steps_trained: int, epochs_trained: float, owner: str | None, optimizer: dict[str, Any] | None = None,
                 sweep_id: str | None = None) -> dict[str, Any]:
    now = time.time()
    return _encode({"id": new_id(), "owner": owner, "spec": spec, "weights": pack_weights(weights, optimizer),
                    "history": history or [], "data": data, "steps_trained": steps_trained,
                    "epochs_trained": epochs_trained, "created_at": now, "updated_at": now, "sweep_id": sweep_id})


def _networks_kept(owner: str) -> Any:
    """How many networks ``owner`` keeps: a sweep's unnamed networks (scratch, expiring like any) do
    not count; named, they do."""
    return select(func.count()).select_from(networks).where(
        networks.c.owner == owner, or_(networks.c.sweep_id.is_(None), networks.c.name.is_not(None)))


class NetworkStore:
    """Part of ``Store``: networks. Its methods use the plumbing ``Store`` holds:
    ``_read``, ``_write``, ``_mine``, ``_owner_transaction``, ``_insert_within``."""

    def create_network(self, spec: dict, weights: dict[str, np.ndarray], history: list | None = None,
                       data: dict | None = None, steps_trained: int = 0, epochs_trained: float = 0.0,
                       owner: str | None = None, optimizer: dict[str, Any] | None = None,
                       sweep_id: str | None = None) -> str:
        row = _network_row(spec, weights, history, data, steps_trained, epochs_trained, owner, optimizer, sweep_id)
        self._write(insert(networks).values(row))
        return row["id"]

    def copy_network(self, source: dict[str, Any], owner: str, max_networks: int | None = None,
                     max_upload_bytes: int | None = None) -> str:
        """A copy of the network row ``source`` (as ``get_network`` reads it) as ``owner``'s, with
        its own copy of the upload its data spec names (if that still exists): both written, or
        neither when that passes ``owner``'s limits (``Full``). Returns the copy's id."""
        data, rows, limits = source["data"], [], [("networks", _networks_kept(owner), 1, max_networks)]
        upload = self.get_upload(data["id"]) if data and data.get("id") else None
        if data and data.get("id"):
            data = None if upload is None else data | {"id": new_id()}
        if upload is not None:
            fields = ("task", "csv", "rows", "n_classes", "class_names")
            rows.append((uploads, _encode({name: upload[name] for name in fields} | {
                "id": data["id"], "owner": owner, "created_at": time.time()})))
            limits.append(("upload_bytes", _upload_bytes(owner), len(upload["csv"]), max_upload_bytes))
        network = _network_row(source["spec"], source["weights"], source["history"], data, source["steps_trained"],
                               source["epochs_trained"], owner)
        self._insert_within(owner, limits, [*rows, (networks, network)])
        return network["id"]

    def get_network(self, network_id: str, with_weights: bool = True, owner: str | None = None) -> dict | None:
        columns = [networks] if with_weights else [networks.c[name] for name in NETWORK_SUMMARY]
        rows = self._read(self._mine(networks, select(*columns).where(networks.c.id == key(network_id)), owner))
        if not rows:
            return None
        row = rows[0]
        if with_weights:
            row["weights"], row["optimizer"] = unpack_weights(row["weights"])
        return row

    def network_history(self, network_id: str, owner: str | None = None) -> list[dict[str, Any]] | None:
        statement = select(networks.c.history).where(networks.c.id == key(network_id))
        rows = self._read(self._mine(networks, statement, owner))
        return rows[0]["history"] if rows else None

    def list_networks(self, owner: str | None = None) -> list[dict[str, Any]]:
        statement = select(*(networks.c[name] for name in NETWORK_SUMMARY)).order_by(networks.c.created_at.desc())
        return self._read(self._mine(networks, statement, owner))

    def count_networks(self, owner: str) -> int:
        with self.engine.connect() as connection:
            return connection.execute(_networks_kept(owner)).scalar_one()

    def update_network(self, network_id: str, weights: dict[str, np.ndarray], steps_trained: int,
                       epochs_trained: float, history: list | None = None, data: dict | None = None,
                       optimizer: dict[str, Any] | None = None) -> bool:
        fields: dict[str, Any] = {"weights": pack_weights(weights, optimizer), "steps_trained": steps_trained,
                                  "epochs_trained": epochs_trained, "updated_at": time.time()}
        if history is not None:
            fields["history"] = history
        if data is not None:
            fields["data"] = data
        return self._write(update(networks).where(networks.c.id == network_id).values(_encode(fields))) == 1

    def delete_network(self, network_id: str, owner: str | None = None) -> bool:
        with self.engine.begin() as connection:
            count = connection.execute(self._mine(networks, delete(networks).where(networks.c.id == key(network_id)),
                                                  owner)).rowcount
            if count:
                connection.execute(delete(shares).where(shares.c.network_id == network_id))
        return count == 1

    def update_network_meta(self, network_id: str, **fields: Any) -> bool:
        """Set a network's ``name`` and / or ``data`` spec (its weights stay); it counts as an update."""
        unknown = set(fields) - {"name", "data"}
        if unknown:
            raise ValueError(f"not a network's metadata: {', '.join(sorted(unknown))}")
        statement = update(networks).where(networks.c.id == network_id)
        return self._write(statement.values(_encode({**fields, "updated_at": time.time()}))) == 1

    def delete_scratch(self, before: float) -> dict[str, list[str]]:
        """Delete, in one transaction, the jobs that ended before ``before``, the unnamed networks last
        updated before it that no queued or running job trains, then the uploads created before it
        that neither a network's data spec nor such a job uses. A kept row (version 0.1's, see
        migration 0006) is never deleted. Returns the deleted ids by table."""
        active = select(jobs.c.network_id).where(jobs.c.status.in_(ACTIVE_STATUSES), jobs.c.network_id.is_not(None))
        # Every Play chunk is a job: without this the table grows with every press of Play.
        ended = and_(jobs.c.status.not_in(ACTIVE_STATUSES), jobs.c.kept.is_(False),
                     func.coalesce(jobs.c.finished_at, jobs.c.created_at) < before)
        with self.engine.begin() as connection:
            old_jobs = [row.id for row in connection.execute(select(jobs.c.id).where(ended))]
            if old_jobs:
                connection.execute(delete(jobs).where(ended))
            expired = [row.id for row in connection.execute(select(networks.c.id).where(
                networks.c.name.is_(None), networks.c.kept.is_(False), networks.c.updated_at < before,
                networks.c.id.not_in(active)))]
            if expired:
                connection.execute(delete(networks).where(networks.c.id.in_(expired)))
                connection.execute(delete(shares).where(shares.c.network_id.in_(expired)))
            old = [row.id for row in connection.execute(select(uploads.c.id).where(
                uploads.c.created_at < before, uploads.c.kept.is_(False)))]
            used: set[str] = set()
            if old:  # data specs are JSON text: read the few that name an upload (portable, no JSON SQL)
                for (data,) in connection.execute(select(networks.c.data).where(networks.c.data.like('%"id"%'))):
                    used.add((json.loads(data) or {}).get("id"))
                for (request,) in connection.execute(select(jobs.c.request).where(
                        jobs.c.status.in_(ACTIVE_STATUSES))):
                    used.add((json.loads(request).get("data") or {}).get("id"))
            unused = [upload_id for upload_id in old if upload_id not in used]
            if unused:
                connection.execute(delete(uploads).where(uploads.c.id.in_(unused)))
        return {"jobs": old_jobs, "networks": expired, "uploads": unused}
