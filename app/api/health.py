"""``GET /api/health``: liveness, for load balancers and Docker's HEALTHCHECK."""

from fastapi import APIRouter

from app import __version__

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", summary="Liveness check")
def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}
