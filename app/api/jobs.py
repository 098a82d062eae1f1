"""``/api/jobs``: training jobs (run by worker processes), their progress stream and cancel."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from app.services import Services
from app.services.jobs import FINAL_STATUSES

from .deps import ServicesDep, SettingsDep
from .errors import BODY, BUSY, CONFLICT, NOT_FOUND, SafeJSONResponse, dumps, responses
from .schemas import JobCreate, JobPublic

router = APIRouter(prefix="/api/jobs", tags=["jobs"], responses=NOT_FOUND | CONFLICT)

POLL_SECONDS = 0.02  # how often a waiting request or an event stream looks for news
CANCEL_WAIT_SECONDS = 2.0  # a cancel answers once the worker has stopped, or after this long
KEEPALIVE_SECONDS = 15.0
Wait = Annotated[bool, Query(description="wait for the job to finish (up to the server's limit)")]


async def wait_for(services: Services, job_id: str, seconds: float) -> dict:
    """The job once it has finished, or as it stands after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and services.jobs.status(job_id) not in FINAL_STATUSES:
        await asyncio.sleep(POLL_SECONDS)
    return await run_in_threadpool(services.jobs.get, job_id)


async def job_answer(services: Services, job: dict, wait: bool, seconds: float) -> SafeJSONResponse:
    if not wait:
        return SafeJSONResponse(JobPublic(**job).model_dump(), status_code=status.HTTP_202_ACCEPTED)
    job = await wait_for(services, job["id"], seconds)
    finished = job["status"] in FINAL_STATUSES
    return SafeJSONResponse(JobPublic(**job).model_dump(),
                            status_code=status.HTTP_200_OK if finished else status.HTTP_202_ACCEPTED)


@router.post("", response_model=JobPublic, status_code=status.HTTP_202_ACCEPTED,
             responses={200: {"description": "the finished job (with ?wait=true)"}} | BUSY | responses(*BODY),
             summary="Train a network (a new spec, or a stored network by id)")
async def create_job(body: JobCreate, services: ServicesDep, settings: SettingsDep, wait: Wait = False) -> Response:
    job = await run_in_threadpool(services.jobs.create_training, body.values())
    return await job_answer(services, job, wait, settings.wait_seconds)


@router.get("", response_model=list[JobPublic], summary="List jobs, newest first",
            description="Without `full=true` each job's `history` and `result` are null (fetch the job for them).")
def list_jobs(services: ServicesDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              full: Annotated[bool, Query(description="include history and result")] = False) -> list[dict]:
    return services.jobs.list(limit, full)


@router.get("/{job_id}", response_model=JobPublic, summary="One job")
def get_job(job_id: str, services: ServicesDep) -> dict:
    return services.jobs.get(job_id)


@router.post("/{job_id}/cancel", response_model=JobPublic,
             summary="Cancel a job (the weights of the last finished step are kept)")
async def cancel_job(job_id: str, services: ServicesDep) -> dict:
    await run_in_threadpool(services.jobs.cancel, job_id)
    return await wait_for(services, job_id, CANCEL_WAIT_SECONDS)


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {dumps(data).decode()}\n\n"


async def job_events(services: Services, job_id: str) -> AsyncIterator[str]:
    last_seq, last_sent = -1, time.monotonic()
    while True:
        if services.jobs.status(job_id) in FINAL_STATUSES:
            job = await run_in_threadpool(services.jobs.get, job_id)
            yield sse("done", JobPublic(**job).model_dump())
            return
        latest = services.jobs.progress(job_id)
        if latest is not None and latest[0] != last_seq:
            last_seq, last_sent = latest[0], time.monotonic()
            yield sse("progress", latest[1])
        elif time.monotonic() - last_sent > KEEPALIVE_SECONDS:
            last_sent = time.monotonic()
            yield ": keep-alive\n\n"
        await asyncio.sleep(POLL_SECONDS)


@router.get("/{job_id}/events", summary="Server-Sent Events: progress (with a boundary grid), then done",
            response_class=StreamingResponse, responses={200: {"content": {"text/event-stream": {}}}})
def events(job_id: str, services: ServicesDep) -> StreamingResponse:
    services.jobs.status(job_id)  # 404 before the stream starts
    return StreamingResponse(job_events(services, job_id), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
