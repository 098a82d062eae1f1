"""``POST /api/gradcheck``: the notes' gradient check of a network spec on a data set."""

from __future__ import annotations

from fastapi import APIRouter

from app.services import catalog

from .deps import ServicesDep
from .identity import OwnerDep
from .schemas import GradcheckPublic, GradcheckRequest

router = APIRouter(prefix="/api/gradcheck", tags=["gradcheck"])


@router.post("", response_model=GradcheckPublic,
             summary="Analytic against centred-difference gradients: maximum relative error per parameter")
def gradcheck(body: GradcheckRequest, services: ServicesDep, owner: OwnerDep) -> dict:
    return catalog.gradcheck(services.store, body.values(), services.limits, owner)
