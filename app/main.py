"""Builds the FastAPI application; ``uvicorn app.main:app`` or ``python -m app`` serves it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi_offline import FastAPIOffline
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import __version__
from app.api import (
    activations,
    catalog,
    classes,
    datasets,
    errors,
    experiments,
    features,
    figures,
    gradcheck,
    health,
    jobs,
    learn,
    limits,
    me,
    networks,
    openapi,
    shares,
    sweeps,
    tokens,
    uploads,
)
from app.api.bodies import BodyGuard
from app.api.errors import SafeJSONResponse
from app.api.identity import Identity
from app.api.rates import AddressRates
from app.api.security import SecurityHeaders
from app.pages import docs
from app.pages import routes as pages
from app.services import Executor, LocalExecutor, SchedulerLimits, Services
from app.services.cache import GZIP_LEVEL
from app.settings import Settings, get_settings

DESCRIPTION = """Neural networks, runnable and measurable: build small fully-connected networks, train them
in worker processes, and get Plotly figures of everything inside.

Errors are `{"detail": ...}`; a 422 lists each problem with the `field` at fault. No response contains
NaN or infinity (they become `null`)."""

ROUTERS = (health, limits, catalog, activations, datasets, features, networks, figures, jobs, sweeps, experiments,
           gradcheck, tokens, me, shares, uploads, classes, learn)


def build_executor(settings: Settings) -> Executor:
    """The local worker pool, or a Dask cluster's workers when ``NNVIZ_DASK_SCHEDULER`` is set."""
    limits = SchedulerLimits(max_running=settings.max_running_jobs, max_queued=settings.queue_size,
                             person_running=settings.person_running_jobs, person_queued=settings.person_queued_jobs)
    if settings.dask_scheduler:
        from app.services.dask_executor import DaskExecutor  # dask.distributed is imported only then

        return DaskExecutor(settings.dask_scheduler, limits)
    return LocalExecutor(settings.workers, limits)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        services = Services.open(settings, build_executor(settings))
        application.state.services = services
        if settings.precompute_experiments:
            services.latest.start_all()  # queues six jobs (milliseconds); the workers compute them meanwhile
        try:
            yield
        finally:
            services.close()

    # fastapi-offline provides Swagger UI's and ReDoc's files; the pages themselves are app.pages.docs.
    application = FastAPIOffline(docs_url=None, redoc_url=None, static_url=docs.ASSETS, title="nnviz",
                                 version=__version__, description=DESCRIPTION, lifespan=lifespan,
                                 default_response_class=SafeJSONResponse)  # body limits: app/api/bodies.py
    application.state.settings = settings
    application.state.rates = AddressRates(settings)
    errors.install(application)
    openapi.install(application, settings)
    for module in ROUTERS:
        application.include_router(module.router)
    application.include_router(networks.shared_router)
    application.include_router(pages.router)
    application.include_router(docs.router)
    application.mount("/static", pages.static_files, name="static")
    application.add_middleware(BodyGuard)
    application.add_middleware(Identity)
    application.add_middleware(SecurityHeaders)
    # Leaves alone what is already compressed (kept figures, plotly.js) and event streams (its
    # default exclusions include text/event-stream, which must reach the browser event by event).
    # Below a few kilobytes the bytes saved are not worth setting up a compressor for each answer.
    application.add_middleware(GZipMiddleware, minimum_size=4096, compresslevel=GZIP_LEVEL)
    if settings.cors_origins:
        application.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                                   allow_methods=["GET", "POST", "PATCH", "DELETE"], allow_headers=["Content-Type"])
    # Outermost: every layer (rates, the Secure cookie) sees the client and scheme a trusted proxy names.
    application.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return application


def begin_shutdown(application: FastAPI) -> None:
    """The server has been told to stop (app/server.py): end the event streams and long waits now,
    before the server waits for their connections to close."""
    services = getattr(application.state, "services", None)
    if services is not None:
        services.jobs.hub.close()


app = create_app()
