"""Dependencies: the services and settings of the running app (set up in its lifespan)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.services import Services
from app.settings import Settings


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
