"""Services: the model store, the executor that trains off the event loop, jobs, experiments,
figures. No web framework here; the API layer wraps these."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .executor import Executor, LocalExecutor, QueueFull
from .expiry import Expiry
from .jobs import Conflict, JobService
from .networks import NetworkService
from .specs import InvalidInput, Limits, NotFound
from .store import Store


@dataclass
class Services:
    """Everything a server process shares: one store, one executor, the services on top."""

    store: Store
    limits: Limits
    networks: NetworkService
    jobs: JobService
    expiry: Expiry

    @classmethod
    def open(cls, data_dir: Path, limits: Limits, executor: Executor, checkpoint_seconds: float = 1.0,
             scratch_ttl: float = 0.0) -> Services:
        store = Store(data_dir)
        networks = NetworkService(store, limits)
        jobs = JobService(store, executor, networks, limits, checkpoint_seconds)
        jobs.start()
        expiry = Expiry(store, scratch_ttl)
        expiry.start()  # after jobs.start(): jobs a crash left running no longer hold their networks
        return cls(store, limits, networks, jobs, expiry)

    def close(self) -> None:
        self.expiry.stop()
        self.jobs.stop()
        self.store.close()


__all__ = ["Conflict", "Executor", "InvalidInput", "Limits", "LocalExecutor", "NotFound", "QueueFull", "Services"]
