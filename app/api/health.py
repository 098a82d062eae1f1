"""``GET /api/health``: liveness, for load balancers and Docker's HEALTHCHECK."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app import __version__
from app.api.deps import ServicesDep
from app.services import StorageFull

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", summary="Liveness check",
            responses={503: {"description": "the server cannot write to its storage (full or read-only)"}})
def health(services: ServicesDep) -> JSONResponse:
    """200 while the server can work; 503 while its storage refuses writes, so that a monitor sees a
    full disk before people lose work to it (the server's log names the path)."""
    trouble = services.store.trouble
    if trouble is None:
        return JSONResponse({"status": "ok", "version": __version__})
    storage = "full" if isinstance(trouble, StorageFull) else "not writable"
    return JSONResponse({"status": "degraded", "storage": storage, "version": __version__}, status_code=503)
