"""``/api/activations``: the activation functions, their values and figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from app.nn import ACTIVATION_NAMES
from app.services import catalog, figures

from .caching import CachedDep, model_json
from .errors import responses
from .schemas import Activation, ActivationInfo, ActivationValues

router = APIRouter(prefix="/api/activations", tags=["activations"])

Name = Annotated[Activation, Path(description=f"one of: {', '.join(ACTIVATION_NAMES)}")]
Start = Annotated[float, Query(ge=-100, le=100, allow_inf_nan=False,
                               description="one end of the x range (start and stop in either order)")]
Slope = Annotated[float | None, Query(ge=-10, le=10, allow_inf_nan=False, description="leaky/PReLU slope")]
# The patterns are the services' parsers' own, stated in the schema; the parsers give the message.
Pieces = Annotated[str, Query(description="where maxout is drawn: its (w, b) pairs as w1,b1,w2,b2,... "
                                          "(1 to 8 pairs, each number within ±1000)",
                              examples=["1,0,-0.5,0"], json_schema_extra={"pattern": figures.PIECES_PATTERN})]
Compare = Annotated[str, Query(description="comma-separated names to draw as well, e.g. tanh,sigmoid",
                               json_schema_extra={"pattern": figures.COMPARE_PATTERN})]
INVALID = responses(422, s422="a query value is not acceptable (the field names it)")


@router.get("", response_model=list[ActivationInfo], summary="List the activations, with the notes' verdicts")
async def list_activations(cached: CachedDep) -> Response:
    return await cached.public(("activations",), lambda: model_json(list[ActivationInfo], catalog.activations()))


@router.get("/{name}", response_model=ActivationValues, responses=INVALID, summary="Values and derivative on a grid")
async def activation_values(name: Name, cached: CachedDep, start: Start = -5.0, stop: Start = 5.0,
                            num: Annotated[int, Query(ge=2, le=5000)] = 201, slope: Slope = None,
                            pieces: Pieces = "") -> Response:
    return await cached.public(("activation", name, start, stop, num, slope, pieces), lambda: model_json(
        ActivationValues, figures.activation_curve(name, start, stop, num, slope, pieces)))


@router.get("/{name}/figure", responses=INVALID | {200: {"content": {"application/json": {}}}},
            summary="Plotly figure of the activation (and others to compare)")
async def activation_figure(name: Name, cached: CachedDep, start: Start = -5.0, stop: Start = 5.0,
                            compare: Compare = "", tanh_identity: bool = False, slope: Slope = None,
                            pieces: Pieces = "") -> Response:
    options = (name, start, stop, compare, tanh_identity, slope, pieces)
    return await cached.public(("activation figure", *options), lambda: figures.activation_plot(*options))
