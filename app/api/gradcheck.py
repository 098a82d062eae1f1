"""``POST /api/gradcheck``: the notes' gradient check of a network spec on a data set."""

from __future__ import annotations

from fastapi import APIRouter

from app.services import catalog

from .deps import ServicesDep
from .errors import BODY, responses
from .identity import OwnerDep
from .schemas import GradcheckPublic, GradcheckRequest

router = APIRouter(prefix="/api/gradcheck", tags=["gradcheck"])


@router.post("", response_model=GradcheckPublic,
             summary="Analytic against centred-difference gradients: errors per parameter and a verdict",
             responses=responses(*BODY, 404, s404="no uploaded data set with that id",
                                 s422="a value is not acceptable, the network's sizes and loss do not fit the data, "
                                      "or the network is too large to check in about a second"))
def gradcheck(body: GradcheckRequest, services: ServicesDep, owner: OwnerDep) -> dict:
    return catalog.gradcheck(services.store, body.values(), services.limits, owner)
