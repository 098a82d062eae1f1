"""``/api/networks``: stored networks, their export / import, predictions, traces and figures."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from app.services import InvalidInput, figures
from app.services.networks import spec_counts

from .deps import ServicesDep
from .errors import CONFLICT, NOT_FOUND
from .schemas import (
    Counts,
    ForwardPublic,
    ForwardRequest,
    NetworkCreate,
    NetworkExport,
    NetworkPublic,
    NetworkSpec,
    NetworkUpdate,
    PredictPublic,
    PredictRequest,
    UnstoredForward,
)

router = APIRouter(prefix="/api/networks", tags=["networks"], responses=NOT_FOUND | CONFLICT)

FigureKind = Literal["topology", "decision-boundary", "neurons", "training", "dead-units", "update-ratio",
                     "hidden-space", "forward"]


@router.post("", response_model=NetworkPublic, status_code=status.HTTP_201_CREATED, summary="Create a network")
def create_network(body: NetworkCreate, services: ServicesDep) -> dict:
    values = body.values()
    seed = values.pop("seed", None) or 0
    data = values.pop("data", None)
    name = values.pop("name", None)
    return services.networks.create(values, seed, data, name)


@router.get("", response_model=list[NetworkPublic], summary="List the stored networks, newest first")
def list_networks(services: ServicesDep) -> list[dict]:
    return services.networks.list()


@router.post("/import", response_model=NetworkPublic, status_code=status.HTTP_201_CREATED,
             summary="Import an exported network")
def import_network(body: NetworkExport, services: ServicesDep) -> dict:
    return services.networks.import_(body.model_dump(exclude_unset=True) | {"spec": body.spec.values()})


@router.post("/counts", response_model=Counts, summary="Size counts of a spec (nothing is stored)")
def counts(body: NetworkSpec, services: ServicesDep) -> dict:
    return spec_counts(body.values(), services.limits)


@router.post("/forward", response_model=ForwardPublic,
             summary="The forward pass of a spec with its weights or a seed, layer by layer (nothing is stored)")
def forward_unstored(body: UnstoredForward, services: ServicesDep) -> dict:
    return services.networks.unstored_forward(body.values())


@router.get("/{network_id}", response_model=NetworkPublic, summary="One network")
def get_network(network_id: str, services: ServicesDep) -> dict:
    return services.networks.get(network_id)


@router.patch("/{network_id}", response_model=NetworkPublic,
              summary="Name a network (named ones are kept) or give it other data that fits it")
def update_network(network_id: str, body: NetworkUpdate, services: ServicesDep) -> dict:
    values = body.values()
    if "data" in values:
        services.jobs.check_idle(network_id)  # a running job would write its own data spec when it ends
    return services.networks.update(network_id, values)


@router.delete("/{network_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a network")
def delete_network(network_id: str, services: ServicesDep) -> Response:
    services.jobs.check_idle(network_id)
    services.networks.delete(network_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{network_id}/export", summary="Spec, weights, history and data spec as one JSON document")
def export_network(network_id: str, services: ServicesDep) -> dict:
    return services.networks.export(network_id)


@router.post("/{network_id}/predict", response_model=PredictPublic, summary="Scores, probabilities, labels")
def predict(network_id: str, body: PredictRequest, services: ServicesDep) -> dict:
    return services.networks.predict(network_id, body.inputs)


@router.post("/{network_id}/forward", response_model=ForwardPublic, summary="The forward pass, layer by layer")
def forward(network_id: str, body: ForwardRequest, services: ServicesDep) -> dict:
    return services.networks.forward(network_id, body.input)


@router.get("/{network_id}/figures/{kind}", summary="A Plotly figure of the network")
def network_figure(
    network_id: str,
    kind: FigureKind,
    services: ServicesDep,
    grid: Annotated[int | None, Query(ge=2, le=200, description="decision-boundary, neurons")] = None,
    layer: Annotated[int, Query(ge=1, le=16, description="hidden-space: which hidden layer")] = 1,
    input: Annotated[str | None, Query(description="forward: comma-separated inputs, e.g. 0.5,-1")] = None,
    log: Annotated[bool, Query(description="training: log-scale loss")] = False,
    x_axis: Annotated[Literal["step", "epoch"], Query(description="training: x axis")] = "step",
) -> Response:
    options: dict = {"layer": layer, "log": log, "x_axis": x_axis}
    if grid is not None:
        options["grid"] = grid
    if input is not None:
        options["input"] = parse_numbers(input, "input")
    return Response(figures.network_figure(services.networks, network_id, kind, options),
                    media_type="application/json")


def parse_numbers(text: str, field: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise InvalidInput(field, "must be comma-separated numbers, e.g. 0.5,-1") from None
    if not all(abs(v) < 1e6 for v in values):
        raise InvalidInput(field, "must be finite numbers of reasonable size")
    return values
