"""Settings from environment variables prefixed ``NNVIZ_`` (e.g. ``NNVIZ_DATA_DIR``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NNVIZ_")

    data_dir: Path = Path("data")  # where anything persistent is written
    # SQLAlchemy URL of the database; empty: SQLite in data_dir. postgresql://user:pw@host/db for PostgreSQL.
    database_url: str = ""
    # Signs the visitors' cookies; empty: one is generated once and kept in the database, so that
    # restarts (and every server on one database) keep everyone's cookies valid.
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    # One log line per request: off by default, since it costs about a tenth of the web process's CPU.
    access_log: bool = False

    # Training jobs
    workers: int = 2  # worker processes that train (the event loop never does)
    # A Dask scheduler's address (tcp://host:8786, tls://...): jobs run on that cluster instead of
    # the local workers. Never reachable from outside: it runs whatever it is sent.
    dask_scheduler: str = ""
    # Jobs trained at once, taking turns in short slices: a class of 300 pressing Play all train, each
    # person's frames coming less often as the room fills, rather than some waiting for a turn.
    max_running_jobs: int = 300
    queue_size: int = 300  # jobs waiting for a turn beyond those; then POST /api/jobs answers 503
    person_running_jobs: int = 4  # one person's jobs trained at once ...
    person_queued_jobs: int = 4  # ... and waiting; beyond that their next job is refused with 429
    person_networks: int = 200  # networks one person may keep
    person_upload_bytes: int = 5_000_000  # CSV bytes one person may keep uploaded
    # What one person may hold at once; far above what a person uses (a page holds one event
    # stream; a script wants one token), each refused with 429 beyond.
    person_streams: int = 20  # event streams open on one server process
    person_tokens: int = 20  # live API tokens
    person_shares: int = 100  # share links
    token_ttl: float = 90 * 24 * 3600.0  # seconds an API token lives (0: until revoked)
    wait_seconds: float = 120.0  # longest ?wait=true before the job is returned as it stands
    checkpoint_seconds: float = 1.0  # how often a running job stores its weights
    # Compute the Experiments page's kept results (each experiment with its defaults) at start-up, in the
    # background at batch priority, so that its first visitor does not wait for them (about 30 s of 2 workers).
    precompute_experiments: bool = True
    # A job whose server has not renewed its lease (every second) for this long is adopted by another
    # server, or by this one when it starts again; keep it well above the second between renewals.
    lease_seconds: float = 6.0
    min_interval_ms: int = 30  # fastest live progress rate a client may ask for (about 33 frames a second)
    # A job nobody follows (no event stream, ?wait=true or GET of it) for this long is parked: its
    # weights are kept, its slot is freed, and it resumes when someone asks for it (0: never park).
    park_after: float = 30.0

    # Limits on what one request may ask for (422 beyond them)
    max_hidden_layers: int = 8
    max_units: int = 256
    max_points: int = 10_000
    max_steps: int = 100_000
    max_compute: float = 2e11  # steps x training points x parameters, per job (and again for its live frames)
    # what one step (batch x parameters) or one history record (points x parameters) may cost: about
    # 0.1 s of one core, so that a slice, which ends between steps, ends soon after it is due
    max_step_compute: float = 2e8
    # what one live frame may cost (cells x parameters): the Playground's frame of the largest network
    # (grid 40, node maps 20, the hidden view of 300 points, x 462,083 parameters) is 1.04e9
    max_frame_compute: float = 1.2e9
    max_paced_seconds: float = 600.0  # longest a paced job (live.steps_per_second) may run
    max_body_bytes: int = 16_000_000  # a body with weights: an import, a spec and its weights (8 x 256: ~10 MB)
    # Any other body (500 added points are ~32 KB; 10,000 rows to predict ~430 KB); 413 beyond (app/api/bodies.py)
    max_request_bytes: int = 512_000
    max_upload_bytes: int = 1_000_000
    max_upload_rows: int = 10_000
    max_grid: int = 200
    max_added_points: int = 500  # points a data spec may add to its data set (the Playground's clicks)
    max_sweep_runs: int = 256  # runs of one sweep (settings x seeds); the compute limit applies to their sum

    # Classes (app/services/classes.py): a lecturer and the students who joined by the class's code
    classes_per_lecturer: int = 20  # live (not ended) classes one person may lead
    class_members: int = 300  # members of one class
    class_ttl: float = 30 * 24 * 3600.0  # seconds an ended class is kept, read-only, before it is removed (0: kept)

    # Answers built once and kept: figures above all (app/api/caching.py)
    cache_bytes: int = 64_000_000  # bodies the server keeps, their gzip forms included (0: none)
    network_cache_bytes: int = 64_000_000  # stored networks kept rebuilt, with their data (parameters' bytes)
    cache_max_age: int = 3600  # seconds a browser may keep an answer that is a pure function of its URL

    # Unnamed networks not updated for this long, and uploads no network uses, are deleted (0: never).
    scratch_ttl: float = 7 * 24 * 3600.0

    # The HTTP edge (app/server.py, app/api/bodies.py): a client slower than this is answered 408 and cut off
    header_timeout: float = 10.0  # seconds from a request's first byte (or the connection) to its last header
    body_timeout: float = 30.0  # seconds from the headers to a request body's last byte
    shutdown_seconds: float = 2.0  # on SIGTERM, longest wait for requests under way before they are cut off
    # Per client address, per minute, a full minute's worth at once allowed (429 beyond; app/api/rates.py).
    # Sized for a class of 300 behind one school address.
    address_identities_per_minute: int = 600  # new visitors (requests without a cookie get a new owner)
    address_tokens_per_minute: int = 300  # POST /api/tokens
    address_jobs_per_minute: int = 3000  # jobs, sweeps and experiments started (a Play or a Step is a job)
    address_joins_per_minute: int = 600  # POST /api/classes/join: a class of 300 joins at once, each retrying once
    address_imports_per_minute: int = 30  # POST /api/classes/import: a lecturer's act, each up to 300 members
    # Comma-separated addresses or networks (CIDR) whose X-Forwarded-For / -Proto are believed ("*": any).
    # Loopback by default: a proxy on the same machine (scripts/cluster.sh); compose.yaml sets its network.
    trusted_proxies: Annotated[list[str], NoDecode] = ["127.0.0.1", "::1"]

    # Comma-separated origins allowed by CORS; empty keeps CORS closed.
    cors_origins: Annotated[list[str], NoDecode] = []

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
