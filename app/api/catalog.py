"""``/api/catalog``: every name the pages offer (optimizers, initializations, activations, losses,
metrics, sweep figures and settings) with the words they show for it."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from app.services import catalog

from .caching import CachedDep, model_json
from .schemas import Catalog

router = APIRouter(prefix="/api/catalog", tags=["catalog"])


@router.get("", response_model=Catalog, summary="The names the pages offer, with their labels")
async def get_catalog(cached: CachedDep) -> Response:
    return await cached.public(("catalog",), lambda: model_json(Catalog, catalog.vocabulary()))
