"""``/api/figures``: figures of networks that are not stored (a spec with weights or a seed) and
of one neuron. Previews: nothing is stored."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from app.services import figures

from .deps import ServicesDep
from .identity import OwnerDep
from .schemas import NeuronFigureRequest, SpecFigureRequest

router = APIRouter(prefix="/api/figures", tags=["figures"])

SpecFigureKind = Literal[figures.SPEC_FIGURES]  # type: ignore[valid-type]


@router.post("/neuron", summary="One neuron f(w·x + b) over the plane, its line w·x + b = 0 and the data")
def neuron(body: NeuronFigureRequest, services: ServicesDep, owner: OwnerDep) -> Response:
    return Response(figures.neuron_plot(services.networks, body.values(), owner), media_type="application/json")


@router.post("/{kind}", summary="A Plotly figure of a spec with its weights (or a seed): nothing is stored")
def spec_figure(kind: SpecFigureKind, body: SpecFigureRequest, services: ServicesDep, owner: OwnerDep) -> Response:
    return Response(figures.spec_figure(services.networks, kind, body.values(), owner), media_type="application/json")
