"""``/api/networks``: stored networks, their export / import, predictions, traces, figures and share
links; ``/api/shared``: what a share link opens."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from fastapi.concurrency import run_in_threadpool

from app.services import NotFound, figures
from app.services.networks import spec_counts
from app.services.specs import limit

from .bodies import LargeJSONRoute, body_limit
from .caching import CachedDep, model_json
from .deps import ServicesDep
from .errors import BODY, responses
from .identity import OwnerDep
from .schemas import (
    Counts,
    ForkPublic,
    ForwardPublic,
    ForwardRequest,
    NetworkCreate,
    NetworkExport,
    NetworkFork,
    NetworkPublic,
    NetworkSpec,
    NetworkUpdate,
    NodeMapsPublic,
    PredictPublic,
    PredictRequest,
    SharePublic,
    UnstoredForward,
    WeightPublic,
    WeightUpdate,
)

router = APIRouter(prefix="/api/networks", tags=["networks"], route_class=LargeJSONRoute)
shared_router = APIRouter(prefix="/api/shared", tags=["shared"], responses=responses(404))

FigureKind = Literal[tuple(figures.NETWORK_FIGURES)]  # type: ignore[valid-type]
JSON = {200: {"content": {"application/json": {}}}}
Grid = Annotated[int | None, Query(ge=2, le=figures.MAX_FIGURE_GRID, description=(
    f"decision-boundary: cells per side; neurons: per map, drawn at most {figures.MAX_NEURON_GRID}"))]


@router.post("", response_model=NetworkPublic, status_code=status.HTTP_201_CREATED, summary="Create a network",
             responses=responses(*BODY, 404, 429, s404="no uploaded data set with that id",
                                 s422="a value is not acceptable, or the sizes and loss do not fit the data"))
def create_network(body: NetworkCreate, services: ServicesDep, owner: OwnerDep) -> dict:
    values = body.values()
    seed = values.pop("seed", None) or 0
    data = values.pop("data", None)
    name = values.pop("name", None)
    return services.networks.create(values, seed, data, name, owner)


# The hot reads are async and call the service in the thread pool themselves: for a plain ``def``
# route FastAPI also checks the answer against its model in the pool, a second hop per request.
@router.get("", response_model=list[NetworkPublic], summary="List your stored networks, newest first")
async def list_networks(services: ServicesDep, owner: OwnerDep) -> list[dict]:
    return await run_in_threadpool(services.networks.list, owner)


@router.post("/import", response_model=NetworkPublic, status_code=status.HTTP_201_CREATED,
             summary="Import an exported network", openapi_extra=body_limit("max_body_bytes"),
             responses=responses(*BODY, 404, 429, s404="no uploaded data set with that id",
                                 s422="a value is not acceptable, or the weights do not have the spec's shapes"))
def import_network(body: NetworkExport, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.networks.import_(body.model_dump(exclude_unset=True) | {"spec": body.spec.values()}, owner)


@router.post("/counts", response_model=Counts, summary="Size counts of a spec (nothing is stored)",
             responses=responses(*BODY))
async def counts(body: NetworkSpec, services: ServicesDep, cached: CachedDep) -> Response:
    values = body.values()
    return await cached.kept(("counts", values), lambda: model_json(Counts, spec_counts(values, services.limits)))


@router.post("/forward", response_model=ForwardPublic, responses=responses(*BODY),
             openapi_extra=body_limit("max_body_bytes"),
             summary="The forward pass of a spec with its weights or a seed, layer by layer (nothing is stored)")
def forward_unstored(body: UnstoredForward, services: ServicesDep) -> dict:
    return services.networks.unstored_forward(body.values())


@router.get("/{network_id}", response_model=NetworkPublic, summary="One network", responses=responses(404))
def get_network(network_id: str, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.networks.get(network_id, owner)


@router.patch("/{network_id}", response_model=NetworkPublic,
              summary="Name a network (named ones are kept) or give it other data that fits it",
              responses=responses(*BODY, 404, 409, s409="a job is training the network"))
def update_network(network_id: str, body: NetworkUpdate, services: ServicesDep, owner: OwnerDep) -> dict:
    values = body.values()
    if "data" in values:
        services.networks.get(network_id, owner)  # 404 for anyone else's, before saying it is busy
        services.jobs.check_idle(network_id)  # a running job would write its own data spec when it ends
    return services.networks.update(network_id, values, owner)


@router.patch("/{network_id}/weights", response_model=WeightPublic,
              summary="Set one weight W{layer}[i, j], or one bias b{layer}[j], as the export holds it (the rest stay)",
              responses=responses(*BODY, 404, 409, s409="a job is training the network",
                                  s422="a value is not acceptable, the layer, row or column is not in the network, "
                                       "or i is missing for a weight or given for a bias"))
def set_weight(network_id: str, body: WeightUpdate, services: ServicesDep, owner: OwnerDep) -> dict:
    services.networks.get(network_id, owner)  # 404 for anyone else's, before saying it is busy
    services.jobs.check_idle(network_id)  # a running job would overwrite the change with its own weights
    return services.networks.set_weight(network_id, body.layer, body.i, body.j, body.value, owner, kind=body.kind)


@router.delete("/{network_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a network",
               responses=responses(404, 409, s409="a job is training the network"))
def delete_network(network_id: str, services: ServicesDep, owner: OwnerDep) -> Response:
    services.networks.get(network_id, owner)  # 404 for anyone else's, before saying it is busy
    services.jobs.check_idle(network_id)
    services.networks.delete(network_id, owner)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{network_id}/export", summary="Spec, weights, history and data spec as one JSON document",
            responses=responses(404) | {200: {"description": "the document `POST /api/networks/import` takes",
                                              "content": {"application/json": {}}}})
def export_network(network_id: str, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.networks.export(network_id, owner)


@router.post("/{network_id}/predict", response_model=PredictPublic, summary="Scores, probabilities, labels",
             responses=responses(*BODY, 404, s422="a value is not acceptable, or a row's length is not the "
                                                  "network's number of inputs"))
async def predict(network_id: str, body: PredictRequest, services: ServicesDep, owner: OwnerDep) -> dict:
    return await run_in_threadpool(services.networks.predict, network_id, body.inputs, owner)


@router.post("/{network_id}/forward", response_model=ForwardPublic, summary="The forward pass, layer by layer",
             responses=responses(*BODY, 404, s422="a value is not acceptable, or the input's length is not the "
                                                  "network's number of inputs"))
def forward(network_id: str, body: ForwardRequest, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.networks.forward(network_id, body.input, owner)


@router.get("/{network_id}/figures/{kind}", summary="A Plotly figure of the network",
            responses=JSON | responses(404, 409, 422, s409="the figure needs data and the network has none yet",
                                       s422="a value is not acceptable, or does not fit this network (layer, "
                                            "input), or this kind of figure does not apply to it"))
async def network_figure(
    network_id: str,
    kind: FigureKind,
    services: ServicesDep,
    owner: OwnerDep,
    cached: CachedDep,
    grid: Grid = None,
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
    # 404 for anyone else's network, before the cache
    updated_at = await run_in_threadpool(services.networks.updated_at, network_id, owner)
    return await cached.private(("network", network_id, updated_at, kind, options),
                                lambda: figures.network_figure(services.networks, network_id, kind, options, owner))


@router.get("/{network_id}/node-maps", response_model=NodeMapsPublic,
            summary="Each node's output over the plane, as small maps (the network diagram's thumbnails)",
            responses=responses(404, 422, s422="the network does not have 2 inputs"))
async def node_maps(network_id: str, services: ServicesDep, owner: OwnerDep, cached: CachedDep,
                    grid: Annotated[int, Query(ge=2, le=figures.MAX_THUMBNAIL_GRID,
                                               description="cells per side of each map")] = 24) -> Response:
    # 404 for anyone else's network, before the cache
    updated_at = await run_in_threadpool(services.networks.updated_at, network_id, owner)
    return await cached.private(("node-maps", network_id, updated_at, grid), lambda: model_json(
        NodeMapsPublic, figures.node_thumbnails(services.networks, network_id, grid, owner)))


@router.post("/{network_id}/fork", response_model=ForkPublic, status_code=status.HTTP_201_CREATED,
             summary="Copy a network to compare with it: the same weights, data and history, some settings changed",
             responses=responses(*BODY, 404, 409, 429, s409="a job is training the network",
                                 s422="a value is not acceptable, nothing is changed, a change gives a parameter "
                                      "another shape, or the data does not fit"))
def fork_network(network_id: str, body: NetworkFork, services: ServicesDep, owner: OwnerDep) -> dict:
    services.networks.get(network_id, owner)  # 404 for anyone else's, before saying it is busy
    services.jobs.check_idle(network_id)  # a running job's weights are ahead of the stored ones
    return services.networks.fork(network_id, body.values(), owner)


@router.post("/{network_id}/share", response_model=SharePublic, status_code=status.HTTP_201_CREATED,
             summary="A read-only link to this network (anyone with it sees its figures and may copy it)",
             responses=responses(404, 429))
def share_network(network_id: str, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.networks.share(network_id, owner)


@router.delete("/{network_id}/share", status_code=status.HTTP_204_NO_CONTENT,
               summary="Revoke the network's share links (one with ?token=, else all)", responses=responses(404))
def unshare_network(network_id: str, services: ServicesDep, owner: OwnerDep,
                    token: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    if not services.networks.unshare(network_id, owner, token) and token is not None:
        raise NotFound("no such share link")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@shared_router.get("/{token}", response_model=NetworkPublic, summary="The network a share link opens")
def shared_network(token: str, services: ServicesDep) -> dict:
    return services.networks.shared_public(token)


@shared_router.get("/{token}/figures/{kind}", summary="A figure of the shared network",
                   responses=JSON | responses(409, 422, s409="the figure needs data and the network has none yet"))
async def shared_figure(token: str, kind: FigureKind, services: ServicesDep, cached: CachedDep,
                        grid: Grid = None) -> Response:
    network_id = await run_in_threadpool(services.networks.shared, token)
    options = {} if grid is None else {"grid": grid}
    updated_at = await run_in_threadpool(services.networks.updated_at, network_id)
    return await cached.private(("network", network_id, updated_at, kind, options),
                                lambda: figures.network_figure(services.networks, network_id, kind, options))


@shared_router.post("/{token}/copy", response_model=NetworkPublic, status_code=status.HTTP_201_CREATED,
                    summary="Copy the shared network into your own networks", responses=responses(429))
def copy_shared(token: str, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.networks.copy_shared(token, owner)
