"""``/api/figures``: figures of networks that are not stored (a spec with weights or a seed) and
of one neuron. Previews: nothing is stored, but the figures are kept in the server's cache, keyed by
the request's body and its owner (whose uploads the body may name). They get no ETag: a browser
does not cache the answer to a POST, so the server's cache is the only one that helps."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from app.services import figures

from .bodies import LargeJSONRoute, body_limit
from .caching import CachedDep
from .deps import ServicesDep
from .errors import BODY, responses
from .identity import OwnerDep
from .schemas import NeuronFigureRequest, SpecFigureRequest

router = APIRouter(prefix="/api/figures", tags=["figures"], route_class=LargeJSONRoute)

SpecFigureKind = Literal[figures.SPEC_FIGURES]  # type: ignore[valid-type]


@router.post("/neuron", summary="One neuron f(w·x + b) over the plane, its line w·x + b = 0 and the data",
             responses=responses(*BODY, 404, s404="no uploaded data set with that id"))
async def neuron(body: NeuronFigureRequest, services: ServicesDep, owner: OwnerDep, cached: CachedDep) -> Response:
    values = body.values()
    return await cached.kept(("neuron", owner, values), lambda: figures.neuron_plot(services.networks, values, owner))


@router.post("/{kind}", summary="A Plotly figure of a spec with its weights (or a seed): nothing is stored",
             openapi_extra=body_limit("max_body_bytes"),
             responses=responses(*BODY, 404, s404="no uploaded data set with that id"))
async def spec_figure(kind: SpecFigureKind, body: SpecFigureRequest, services: ServicesDep, owner: OwnerDep,
                      cached: CachedDep) -> Response:
    values = body.values()
    return await cached.kept(("figure", kind, owner, values),
                             lambda: figures.spec_figure(services.networks, kind, values, owner))
