"""``/api/features``: the input features a network may see instead of its two inputs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.services import figures

from .caching import CachedDep, model_json
from .schemas import FeatureMapsPublic

router = APIRouter(prefix="/api/features", tags=["features"])


@router.get("", response_model=FeatureMapsPublic,
            summary="The input features (X₁, X₂, X₁², ...) with a small map of each over the plane")
async def list_features(cached: CachedDep, grid: Annotated[int, Query(
        ge=2, le=figures.MAX_THUMBNAIL_GRID, description="cells per side of each map")] = 24) -> Response:
    return await cached.public(("features", grid),
                               lambda: model_json(FeatureMapsPublic, figures.feature_thumbnails(grid)))
