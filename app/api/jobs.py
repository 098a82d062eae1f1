"""``/api/jobs``: training jobs (run by worker processes), their progress stream and cancel."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import EventSourceResponse, ServerSentEvent

from app.services import Services
from app.services.jobs import FINAL_STATUSES

from .deps import ServicesDep, SettingsDep
from .errors import BODY, BUSY, CONFLICT, NOT_FOUND, SafeJSONResponse, responses
from .identity import OwnerDep
from .rates import limited
from .schemas import JobCreate, JobPublic

router = APIRouter(prefix="/api/jobs", tags=["jobs"], responses=NOT_FOUND | CONFLICT)

STREAM_CHECK_SECONDS = 30.0  # an idle stream looks at its job this often even without news (FastAPI pings it)
CANCEL_WAIT_SECONDS = 2.0  # a cancel answers once the worker has stopped, or after this long
Wait = Annotated[bool, Query(description="wait for the job to finish (up to the server's limit)")]


async def wait_for(services: Services, job_id: str, seconds: float, owner: str) -> dict:
    """The job once it has finished, or as it stands after ``seconds``: woken by the job's
    notifications, not by polling."""
    hub, deadline = services.jobs.hub, time.monotonic() + seconds
    seen = hub.version(job_id)
    with hub.watching(job_id):  # a request waiting for a job follows it: it is not parked
        while (not hub.closed and services.jobs.status(job_id, owner) not in FINAL_STATUSES
               and (left := deadline - time.monotonic()) > 0):
            seen = await hub.wait(job_id, seen, left)
    return await run_in_threadpool(services.jobs.get, job_id, owner)


async def job_answer(services: Services, job: dict, wait: bool, seconds: float, owner: str) -> SafeJSONResponse:
    if not wait:
        return SafeJSONResponse(JobPublic(**job).model_dump(), status_code=status.HTTP_202_ACCEPTED)
    job = await wait_for(services, job["id"], seconds, owner)
    finished = job["status"] in FINAL_STATUSES
    return SafeJSONResponse(JobPublic(**job).model_dump(),
                            status_code=status.HTTP_200_OK if finished else status.HTTP_202_ACCEPTED)


@router.post("", response_model=JobPublic, status_code=status.HTTP_202_ACCEPTED,
             responses={200: {"description": "the finished job (with ?wait=true)"}} | BUSY | responses(*BODY),
             summary="Train a network (a new spec, or a stored network by id)", dependencies=[limited("jobs")])
async def create_job(body: JobCreate, services: ServicesDep, settings: SettingsDep, owner: OwnerDep,
                     wait: Wait = False) -> Response:
    job = await run_in_threadpool(services.jobs.create_training, body.values(), owner)
    return await job_answer(services, job, wait, settings.wait_seconds, owner)


@router.get("", response_model=list[JobPublic], summary="List jobs, newest first",
            description="Without `full=true` each job's `history` and `result` are null (fetch the job for them).")
def list_jobs(services: ServicesDep, owner: OwnerDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              full: Annotated[bool, Query(description="include history and result")] = False) -> list[dict]:
    return services.jobs.list(limit, full, owner)


@router.get("/{job_id}", response_model=JobPublic,
            summary="One job (a parked job resumes); a class's lecturer reads the jobs made for the class too")
def get_job(job_id: str, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.jobs.follow(job_id, services.jobs.reader(job_id, owner))


@router.post("/{job_id}/cancel", response_model=JobPublic,
             summary="Cancel a job (the weights of the last finished step are kept)")
async def cancel_job(job_id: str, services: ServicesDep, owner: OwnerDep) -> dict:
    await run_in_threadpool(services.jobs.cancel, job_id, owner)
    return await wait_for(services, job_id, CANCEL_WAIT_SECONDS, owner)


def existing_job(job_id: str, services: ServicesDep, owner: OwnerDep) -> str:
    """404 before a stream starts (a generator's own errors would come after the 200). A class's
    lecturer follows the class's jobs too (the wall's full-screen view)."""
    services.jobs.status(job_id, services.jobs.reader(job_id, owner))
    return job_id


ExistingJob = Annotated[str, Depends(existing_job)]


async def stream_slot(services: ServicesDep, owner: OwnerDep) -> AsyncIterator[None]:
    """One of the person's event streams, held until the stream ends (429 when they hold the most):
    FastAPI closes a dependency with ``yield`` after the response has been sent."""
    with services.streams.open(owner):
        yield


StreamSlot = Annotated[None, Depends(stream_slot)]  # after the 404 check: a stranger's id is not there


async def job_events(services: Services, job_id: str) -> AsyncIterator[ServerSentEvent]:
    """Each live frame as it arrives (the worker made its JSON text; it is sent on as it is), then
    ``done``. Between frames the stream waits on the job's notification and costs nothing; a slow
    reader skips to the newest frame instead of falling behind. While it is open the job is followed
    (not parked), and a parked job resumes. It ends when the server stops (the browser's EventSource
    then reconnects, to another server behind a proxy)."""
    hub, jobs = services.jobs.hub, services.jobs
    last_seq = 0
    jobs.heard(job_id)
    with hub.watching(job_id):
        while not hub.closed:
            seen = hub.version(job_id)
            latest = jobs.progress(job_id)
            if latest is not None and latest[0] != last_seq:  # a new frame: the job is running, no need to ask
                last_seq = latest[0]
                yield ServerSentEvent(event="progress", raw_data=latest[1]["json"])
            elif (status := jobs.status(job_id)) in FINAL_STATUSES:
                job = await run_in_threadpool(jobs.get, job_id)
                yield ServerSentEvent(event="done", raw_data=JobPublic(**job).model_dump_json())
                return
            elif status == "parked":  # without room now, it tries again at the next news or check
                await run_in_threadpool(jobs.unpark, job_id)
            await hub.wait(job_id, seen, STREAM_CHECK_SECONDS)


@router.get("/{job_id}/events", response_class=EventSourceResponse, responses=responses(429),
            summary="Server-Sent Events: progress (steps, new history records, a compact boundary grid), then done")
async def events(job_id: ExistingJob, services: ServicesDep, _stream: StreamSlot) -> AsyncIterator[ServerSentEvent]:
    async for event in job_events(services, job_id):
        yield event
