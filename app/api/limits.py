"""``GET /api/limits``: what one request may ask for on this server (the ``NNVIZ_MAX_*`` settings),
so that a page can state the limits next to its inputs and say when it clamps a value."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from app.services.specs import Limits

from .deps import SettingsDep

router = APIRouter(prefix="/api", tags=["limits"])


@router.get("/limits", response_model=Limits, summary="This server's limits on a request",
            description="The same values the OpenAPI schema states as the bounds of each field.")
async def limits(settings: SettingsDep) -> dict:
    return asdict(Limits.from_settings(settings))
