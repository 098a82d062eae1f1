"""Builds the FastAPI application; ``uvicorn app.main:app`` or ``python -m app`` serves it."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.api import health
from app.pages import routes as pages
from app.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    application = FastAPI(title="nnviz", version=__version__, description="Neural networks, runnable and measurable.")
    application.state.settings = settings
    application.include_router(health.router)
    application.include_router(pages.router)
    application.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    return application


app = create_app()
