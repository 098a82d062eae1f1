"""The store's jobs: their rows, the queries the services make of them, and the leases by which a
server holds the jobs it runs (``JobStore``, a part of ``Store``)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from .schema import jobs, networks
from .store_values import _encode, key, new_id, pack_weights

ACTIVE_STATUSES = ("queued", "running")


class JobStore:
    """Part of ``Store``: jobs and their leases. Its methods use the plumbing ``Store`` holds:
    ``_read``, ``_write``, ``_mine``, ``_owner_transaction``, ``_insert_within``."""

    def create_job(self, kind: str, request: dict, network_id: str | None, progress: dict | None = None,
                   owner: str | None = None, server: str | None = None, lease_until: float | None = None,
                   class_id: str | None = None) -> str:
        job_id = new_id()
        self._write(insert(jobs).values(_encode({
            "id": job_id, "owner": owner, "kind": kind, "status": "queued", "network_id": network_id,
            "request": request, "progress": progress or {}, "created_at": time.time(), "server": server,
            "lease_until": lease_until, "class_id": class_id})))
        return job_id

    def class_jobs(self, class_id: str, limit: int = 1000) -> list[dict[str, Any]]:
        """The jobs made for a class's assignment, newest first (a class's wall reads them)."""
        statement = select(jobs).where(jobs.c.class_id == class_id)
        return self._read(statement.order_by(jobs.c.created_at.desc(), jobs.c.id.desc()).limit(limit))

    def class_job_heads(self, class_id: str, limit: int = 5000) -> list[dict[str, Any]]:
        """``class_jobs`` without the large columns (request, history, result): what a class's wall reads
        twice a second."""
        columns = [jobs.c[name] for name in ("id", "owner", "status", "network_id", "created_at", "started_at",
                                             "finished_at", "progress", "metrics")]
        statement = select(*columns).where(jobs.c.class_id == class_id)
        return self._read(statement.order_by(jobs.c.created_at.desc(), jobs.c.id.desc()).limit(limit))

    def class_job_runs(self, class_id: str, statuses: tuple[str, ...], since: float,
                       limit: int = 20000) -> list[dict[str, Any]]:
        """A class's jobs with one of ``statuses`` made since ``since``, newest first, with their
        requests and final metrics (not their histories): the crowd experiment's runs."""
        columns = [jobs.c[name] for name in ("id", "owner", "status", "created_at", "request", "metrics")]
        statement = select(*columns).where(jobs.c.class_id == class_id, jobs.c.status.in_(statuses),
                                           jobs.c.created_at >= since)
        return self._read(statement.order_by(jobs.c.created_at.desc(), jobs.c.id.desc()).limit(limit))

    def job_class(self, job_id: str) -> str | None:
        """The class a job was made for (None: none, or no such job)."""
        rows = self._read(select(jobs.c.class_id).where(jobs.c.id == key(job_id)))
        return rows[0]["class_id"] if rows else None

    def get_job(self, job_id: str, owner: str | None = None) -> dict[str, Any] | None:
        rows = self._read(self._mine(jobs, select(jobs).where(jobs.c.id == key(job_id)), owner))
        return rows[0] if rows else None

    def job_status(self, job_id: str, owner: str | None = None) -> str | None:
        with self.engine.connect() as connection:
            statement = self._mine(jobs, select(jobs.c.status).where(jobs.c.id == key(job_id)), owner)
            return connection.execute(statement).scalar_one_or_none()

    def list_jobs(self, limit: int = 100, owner: str | None = None) -> list[dict[str, Any]]:
        statement = select(jobs).order_by(jobs.c.created_at.desc(), jobs.c.id.desc()).limit(limit)
        return self._read(self._mine(jobs, statement, owner))

    def active_job_for(self, network_id: str) -> str | None:
        """The id of a queued or running job training ``network_id``, if any."""
        rows = self._read(select(jobs.c.id).where(jobs.c.network_id == network_id,
                                                  jobs.c.status.in_(ACTIVE_STATUSES)).limit(1))
        return rows[0]["id"] if rows else None

    def update_job(self, job_id: str, **fields: Any) -> bool:
        return self._write(update(jobs).where(jobs.c.id == job_id).values(_encode(fields))) == 1

    def delete_job(self, job_id: str) -> bool:
        return self._write(delete(jobs).where(jobs.c.id == job_id)) == 1

    def save_job(self, job_id: str, job_fields: dict[str, Any], network_id: str | None = None,
                 network_fields: dict[str, Any] | None = None) -> None:
        """A job's state and its network's weights (a checkpoint, the end), in one transaction.
        ``network_fields``: ``weights`` and ``optimizer`` (packed together) and any other columns."""
        network_row = None
        if network_id is not None and network_fields:  # encoded before the transaction: readers wait less
            columns = {key: value for key, value in network_fields.items() if key not in ("weights", "optimizer")}
            network_row = _encode(columns | {
                "weights": pack_weights(network_fields["weights"], network_fields.get("optimizer")),
                "updated_at": time.time()})
        with self.engine.begin() as connection:
            if network_row is not None:
                connection.execute(update(networks).where(networks.c.id == network_id).values(network_row))
            connection.execute(update(jobs).where(jobs.c.id == job_id).values(_encode(job_fields)))

    # --- leases: which server runs a job -----------------------------------------------------

    def renew_leases(self, server: str, until: float) -> int:
        """Extend the leases of every active job ``server`` runs; how many it holds."""
        return self._write(update(jobs).where(jobs.c.server == server, jobs.c.status.in_(ACTIVE_STATUSES))
                           .values(lease_until=until))

    def release_leases(self, server: str) -> int:
        """Let other servers adopt ``server``'s active jobs at once (it is stopping)."""
        return self.renew_leases(server, 0.0)

    def orphaned_jobs(self, now: float) -> list[str]:
        """Active jobs whose server stopped renewing its lease (or that never had one)."""
        rows = self._read(select(jobs.c.id).where(
            jobs.c.status.in_(ACTIVE_STATUSES), (jobs.c.lease_until.is_(None)) | (jobs.c.lease_until < now))
            .order_by(jobs.c.created_at))
        return [row["id"] for row in rows]

    def claim_job(self, job_id: str, server: str, now: float, until: float) -> bool:
        """Take over an orphaned job; False when its lease holds or another server was quicker."""
        statement = update(jobs).where(
            jobs.c.id == job_id, jobs.c.status.in_(ACTIVE_STATUSES),
            (jobs.c.lease_until.is_(None)) | (jobs.c.lease_until < now)).values(server=server, lease_until=until)
        return self._write(statement) == 1

    def request_cancel(self, job_id: str) -> bool:
        return self._write(update(jobs).where(jobs.c.id == job_id, jobs.c.status.in_(ACTIVE_STATUSES))
                           .values(cancel_requested=1)) == 1

    def cancel_requests(self, server: str) -> list[str]:
        """Active jobs of ``server`` that someone asked (through any server) to cancel."""
        rows = self._read(select(jobs.c.id).where(jobs.c.server == server, jobs.c.cancel_requested == 1,
                                                  jobs.c.status.in_(ACTIVE_STATUSES)))
        return [row["id"] for row in rows]

    def interrupt_active_jobs(self, reason: str) -> int:
        """Mark jobs a previous process left queued or running as ``interrupted``."""
        return self._write(update(jobs).where(jobs.c.status.in_(ACTIVE_STATUSES))
                           .values(status="interrupted", error=reason, finished_at=time.time()))

    def count_active_jobs(self, owner: str) -> int:
        with self.engine.connect() as connection:
            statement = select(func.count()).select_from(jobs).where(jobs.c.owner == owner,
                                                                      jobs.c.status.in_(ACTIVE_STATUSES))
            return connection.execute(statement).scalar_one()
