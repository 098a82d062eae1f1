"""Services: the model store, the executor that trains off the event loop, jobs, experiments,
figures. No web framework here; the API layer wraps these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .executor import Executor, LocalExecutor, PersonLimit, QueueFull, SchedulerLimits
from .jobs import Conflict, JobService
from .networks import NetworkService
from .owners import Owners
from .specs import InvalidInput, Limits, NotFound
from .store import Store, database_url

if TYPE_CHECKING:
    from app.settings import Settings


@dataclass
class Services:
    """Everything a server process shares: one store, one executor, the services on top."""

    store: Store
    limits: Limits
    owners: Owners
    networks: NetworkService
    jobs: JobService

    @classmethod
    def open(cls, settings: Settings, executor: Executor) -> Services:
        store = Store(database_url(settings.database_url, settings.data_dir))
        limits = Limits.from_settings(settings)
        networks = NetworkService(store, limits, person_networks=settings.person_networks)
        jobs = JobService(store, executor, networks, limits, settings.checkpoint_seconds)
        jobs.start()
        return cls(store, limits, Owners(store, settings.secret_key), networks, jobs)

    def close(self) -> None:
        self.jobs.stop()
        self.store.close()


__all__ = ["Conflict", "Executor", "InvalidInput", "Limits", "LocalExecutor", "NotFound", "PersonLimit", "QueueFull",
           "SchedulerLimits", "Services"]
