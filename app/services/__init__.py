"""Services: the model store, the executor that trains off the event loop, jobs, experiments,
figures. No web framework here; the API layer wraps these."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .bus import LocalBus, PostgresBus
from .cache import BodyCache
from .classes import ClassService
from .crowd import CrowdService
from .events import Streams
from .executor import Executor, LocalExecutor, PersonLimit, QueueFull, SchedulerLimits
from .expiry import Expiry
from .jobs import Conflict, JobService
from .latest import LatestResults
from .lessons import LessonService
from .networks import NetworkService
from .owners import Owners
from .specs import Forbidden, InvalidInput, Limits, NotFound
from .store import StorageError, StorageFull, Store, database_url
from .sweeps import SweepService
from .wall import WallService

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
    sweeps: SweepService
    expiry: Expiry
    cache: BodyCache
    latest: LatestResults  # each experiment's result with its defaults, kept
    streams: Streams  # each person's open event streams
    classes: ClassService
    wall: WallService  # the tiles of a class's wall
    crowd: CrowdService  # a class's crowd experiment
    lessons: LessonService  # what each person has read and answered of /learn

    @classmethod
    def open(cls, settings: Settings, executor: Executor) -> Services:
        store = Store(database_url(settings.database_url, settings.data_dir))
        limits = Limits.from_settings(settings)
        networks = NetworkService(store, limits, settings.network_cache_bytes, settings.person_networks,
                                  settings.person_upload_bytes, settings.person_shares)
        server_id = secrets.token_hex(8)
        bus = PostgresBus(store.psycopg_url, server_id) if store.psycopg_url else LocalBus()
        jobs = JobService(store, executor, networks, limits, settings.checkpoint_seconds, bus, server_id,
                          park_after=settings.park_after, lease_seconds=settings.lease_seconds)
        sweeps = SweepService(store, jobs, networks, settings.max_sweep_runs)  # before start: it resumes sweeps too
        jobs.start()
        expiry = Expiry(store, settings.scratch_ttl, class_ttl=settings.class_ttl)
        expiry.start()  # after jobs.start(): jobs a crash left running no longer hold their networks
        owners = Owners(store, settings.secret_key, settings.token_ttl, settings.person_tokens)
        classes = ClassService(store, limits, jobs.hub, bus, settings.classes_per_lecturer, settings.class_members,
                               settings.class_ttl)
        jobs.classes = classes
        classes.networks = networks
        return cls(store, limits, owners, networks, jobs, sweeps, expiry, BodyCache(settings.cache_bytes),
                   LatestResults(jobs), Streams(settings.person_streams), classes,
                   WallService(store, networks, jobs.progress),
                   CrowdService(store, classes.check_member, classes.lectured, classes.announce), LessonService(store))

    def close(self) -> None:
        self.expiry.stop()
        self.jobs.stop()
        self.store.close()


__all__ = ["ClassService", "Conflict", "Executor", "Forbidden", "InvalidInput", "Limits", "LocalExecutor", "NotFound",
           "PersonLimit", "QueueFull",
           "SchedulerLimits", "Services", "StorageError", "StorageFull", "SweepService"]
