"""Dependencies: the services and settings of the running app (set up in its lifespan).

They are ``async`` although they only read attributes: FastAPI runs a plain ``def`` dependency in
its thread pool, a hop that costs more than the work itself, on every request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.services import Services
from app.settings import Settings


async def get_services(request: Request) -> Services:
    return request.app.state.services


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
