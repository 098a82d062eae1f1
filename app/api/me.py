"""``GET /api/me``: who this request is (the owner id its cookie or token names)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from .identity import OwnerDep

router = APIRouter(prefix="/api", tags=["tokens"])


class MePublic(BaseModel):
    owner: str


@router.get("/me", response_model=MePublic, summary="Your owner id (what `python -m app adopt` takes)")
def me(owner: OwnerDep) -> dict:
    return {"owner": owner}
