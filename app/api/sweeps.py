"""``/api/sweeps``: train many variants of one setup (a job whose runs spread over the workers),
its table (JSON and CSV), its figures and its progress stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import EventSourceResponse, ServerSentEvent

from app.services import Services
from app.services.jobs import FINAL_STATUSES
from app.services.sweeps import ROW_METRICS, SWEEP_FIGURES

from .caching import CachedDep
from .deps import ServicesDep, SettingsDep
from .errors import BODY, BUSY, NOT_FOUND, SafeJSONResponse, dumps, responses
from .identity import OwnerDep
from .jobs import CANCEL_WAIT_SECONDS, STREAM_CHECK_SECONDS, StreamSlot, Wait, wait_for
from .rates import limited
from .schemas import SweepCreate, SweepPublic

router = APIRouter(prefix="/api/sweeps", tags=["sweeps"], responses=NOT_FOUND)

FigureKind = Literal[SWEEP_FIGURES]  # type: ignore[valid-type]
Metric = Literal[ROW_METRICS]  # type: ignore[valid-type]


def _answer(sweep: dict, code: int = status.HTTP_200_OK) -> SafeJSONResponse:
    return SafeJSONResponse(SweepPublic(**sweep).model_dump(), status_code=code)


@router.post("", response_model=SweepPublic, status_code=status.HTTP_202_ACCEPTED,
             responses={200: {"description": "the finished sweep (with ?wait=true)"}} | BUSY | responses(
                 *BODY, 404, s404="no uploaded data set with that id",
                 s422="a value is not acceptable: a path that names no setting (`axes.<path>`), a value the "
                      "training request does not take, more runs than NNVIZ_MAX_SWEEP_RUNS, or runs that "
                      "together exceed the compute limit"),
             summary="Sweep a training setup over 1-3 settings (a grid or random draws), each with several seeds",
             dependencies=[limited("jobs")])
async def create_sweep(body: SweepCreate, services: ServicesDep, settings: SettingsDep, owner: OwnerDep,
                       wait: Wait = False) -> Response:
    sweep = await run_in_threadpool(services.sweeps.start, owner, body.values())
    if not wait:
        return _answer(sweep, status.HTTP_202_ACCEPTED)
    await wait_for(services, sweep["id"], settings.wait_seconds, owner)
    sweep = await run_in_threadpool(services.sweeps.get, sweep["id"], owner)
    return _answer(sweep, status.HTTP_200_OK if sweep["status"] in FINAL_STATUSES else status.HTTP_202_ACCEPTED)


@router.get("/{sweep_id}", response_model=SweepPublic,
            summary="A sweep: status, progress, one row per finished run, aggregates per setting")
def get_sweep(sweep_id: str, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.sweeps.get(sweep_id, owner)


@router.post("/{sweep_id}/cancel", response_model=SweepPublic,
             summary="Cancel a sweep: runs under way stop, no more start; finished rows stay")
async def cancel_sweep(sweep_id: str, services: ServicesDep, owner: OwnerDep) -> dict:
    await run_in_threadpool(services.sweeps.status, sweep_id, owner)
    await run_in_threadpool(services.jobs.cancel, sweep_id, owner)
    await wait_for(services, sweep_id, CANCEL_WAIT_SECONDS, owner)
    return await run_in_threadpool(services.sweeps.get, sweep_id, owner)


@router.get("/{sweep_id}/table.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "one line per finished run"}},
            summary="The rows as CSV: run, setting, seed, each setting's value, status, metrics, network")
def table_csv(sweep_id: str, services: ServicesDep, owner: OwnerDep) -> Response:
    text = services.sweeps.table_csv(sweep_id, owner)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="sweep-{sweep_id}.csv"'})


@router.get("/{sweep_id}/figures/{kind}",
            responses=responses(422, s422="this figure does not fit the sweep (a heatmap needs two settings, "
                                          "boundaries a finished run with 2-D inputs), or no such axis"),
            summary="A Plotly figure of the sweep: heatmap, lines, boundaries, parallel or curves")
async def sweep_figure(sweep_id: str, kind: FigureKind, services: ServicesDep, owner: OwnerDep, cached: CachedDep,
                       metric: Annotated[Metric | None, Query(description="default: the sweep's metric")] = None,
                       color: Annotated[str | None, Query(max_length=200, description="curves: the setting that "
                                                                                      "colours them (default: the "
                                                                                      "first)")] = None) -> Response:
    state = await run_in_threadpool(services.sweeps.rows_after, sweep_id, 0, owner)
    key = ("sweep", sweep_id, owner, state[0], state[1]["finished"], kind, metric, color)
    return await cached.kept(key, lambda: services.sweeps.figure(sweep_id, kind, owner, metric, color))


def existing_sweep(sweep_id: str, services: ServicesDep, owner: OwnerDep) -> str:
    """404 before a stream starts (a generator's own errors would come after the 200)."""
    services.sweeps.status(sweep_id, owner)
    return sweep_id


async def sweep_events(services: Services, sweep_id: str) -> AsyncIterator[ServerSentEvent]:
    """``progress`` (runs finished, total, and every row finished since the last event: none is
    skipped), then ``done`` with the sweep."""
    hub, sent = services.jobs.hub, -1
    while not hub.closed:  # it ends when the server stops (see jobs.job_events)
        seen = hub.version(sweep_id)
        state, progress, rows = await run_in_threadpool(services.sweeps.rows_after, sweep_id, max(sent, 0))
        if rows or sent < 0:
            sent = progress["finished"]
            yield ServerSentEvent(event="progress", raw_data=dumps(progress | {"rows": rows}).decode())
        elif state in FINAL_STATUSES:
            sweep = await run_in_threadpool(services.sweeps.get, sweep_id)
            yield ServerSentEvent(event="done", raw_data=SweepPublic(**sweep).model_dump_json())
            return
        else:
            await hub.wait(sweep_id, seen, STREAM_CHECK_SECONDS)


@router.get("/{sweep_id}/events", response_class=EventSourceResponse, responses=responses(429),
            summary="Server-Sent Events: progress (runs finished, total, the rows finished since), then done")
async def events(sweep_id: Annotated[str, Depends(existing_sweep)],
                 services: ServicesDep, _stream: StreamSlot) -> AsyncIterator[ServerSentEvent]:
    async for event in sweep_events(services, sweep_id):
        yield event
