"""``/api/networks``: stored networks, their export / import, predictions, traces and figures."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from app.services import figures
from app.services.specs import limit

from .deps import ServicesDep
from .errors import BODY, responses
from .schemas import (
    ForwardPublic,
    ForwardRequest,
    NetworkCreate,
    NetworkExport,
    NetworkPublic,
    NetworkSpec,
    PredictPublic,
    PredictRequest,
)

router = APIRouter(prefix="/api/networks", tags=["networks"])
figure_router = APIRouter(prefix="/api/figures", tags=["figures"])

FigureKind = Literal[tuple(figures.NETWORK_FIGURES)]  # type: ignore[valid-type]
JSON = {200: {"content": {"application/json": {}}}}


@router.post("", response_model=NetworkPublic, status_code=status.HTTP_201_CREATED, summary="Create a network",
             responses=responses(*BODY, 404, s404="no uploaded data set with that id",
                                 s422="a value is not acceptable, or the sizes and loss do not fit the data"))
def create_network(body: NetworkCreate, services: ServicesDep) -> dict:
    values = body.values()
    seed = values.pop("seed", None) or 0
    data = values.pop("data", None)
    return services.networks.create(values, seed, data)


@router.get("", response_model=list[NetworkPublic], summary="List the stored networks, newest first")
def list_networks(services: ServicesDep) -> list[dict]:
    return services.networks.list()


@router.post("/import", response_model=NetworkPublic, status_code=status.HTTP_201_CREATED,
             summary="Import an exported network",
             responses=responses(*BODY, 404, s404="no uploaded data set with that id",
                                 s422="a value is not acceptable, or the weights do not have the spec's shapes"))
def import_network(body: NetworkExport, services: ServicesDep) -> dict:
    return services.networks.import_(body.model_dump(exclude_unset=True) | {"spec": body.spec.values()})


@router.get("/{network_id}", response_model=NetworkPublic, summary="One network", responses=responses(404))
def get_network(network_id: str, services: ServicesDep) -> dict:
    return services.networks.get(network_id)


@router.delete("/{network_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a network",
               responses=responses(404, 409, s409="a job is training the network"))
def delete_network(network_id: str, services: ServicesDep) -> Response:
    services.jobs.check_idle(network_id)
    services.networks.delete(network_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{network_id}/export", summary="Spec, weights, history and data spec as one JSON document",
            responses=responses(404) | {200: {"description": "the document `POST /api/networks/import` takes",
                                              "content": {"application/json": {}}}})
def export_network(network_id: str, services: ServicesDep) -> dict:
    return services.networks.export(network_id)


@router.post("/{network_id}/predict", response_model=PredictPublic, summary="Scores, probabilities, labels",
             responses=responses(*BODY, 404, s422="a value is not acceptable, or a row's length is not the "
                                                  "network's number of inputs"))
def predict(network_id: str, body: PredictRequest, services: ServicesDep) -> dict:
    return services.networks.predict(network_id, body.inputs)


@router.post("/{network_id}/forward", response_model=ForwardPublic, summary="The forward pass, layer by layer",
             responses=responses(*BODY, 404, s422="a value is not acceptable, or the input's length is not the "
                                                  "network's number of inputs"))
def forward(network_id: str, body: ForwardRequest, services: ServicesDep) -> dict:
    return services.networks.forward(network_id, body.input)


@router.get("/{network_id}/figures/{kind}", summary="A Plotly figure of the network",
            responses=JSON | responses(404, 409, 422, s409="the figure needs data and the network has none yet",
                                       s422="a value is not acceptable, or does not fit this network (layer, "
                                            "input), or this kind of figure does not apply to it"))
def network_figure(
    network_id: str,
    kind: FigureKind,
    services: ServicesDep,
    grid: Annotated[int | None, Query(ge=2, le=figures.MAX_FIGURE_GRID, description=(
        f"decision-boundary: cells per side; neurons: per map, drawn at most {figures.MAX_NEURON_GRID}"))] = None,
    layer: Annotated[int, Query(ge=1, description="hidden-space: which hidden layer",
                                json_schema_extra=limit("max_hidden_layers"))] = 1,
    input: Annotated[str | None, Query(description="forward: comma-separated inputs, e.g. 0.5,-1",
                                       json_schema_extra={"pattern": figures.INPUT_PATTERN})] = None,
    log: Annotated[bool, Query(description="training: log-scale loss")] = False,
    x_axis: Annotated[Literal["step", "epoch"], Query(description="training: x axis")] = "step",
) -> Response:
    options: dict = {"layer": layer, "log": log, "x_axis": x_axis}
    if grid is not None:
        options["grid"] = grid
    if input is not None:
        options["input"] = figures.numbers(input)
    return Response(figures.network_figure(services.networks, network_id, kind, options),
                    media_type="application/json")


@figure_router.post("/topology", summary="Topology figure of a network spec (no weights)",
                    responses=JSON | responses(*BODY))
def topology(body: NetworkSpec, services: ServicesDep) -> Response:
    return Response(figures.spec_topology(body.values(), services.limits), media_type="application/json")

