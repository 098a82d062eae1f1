"""``/api/experiments/{name}``: the notes' experiments, each run as one job."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Response
from fastapi.concurrency import run_in_threadpool

from .deps import ServicesDep, SettingsDep
from .jobs import Wait, job_answer
from .schemas import JobPublic

router = APIRouter(prefix="/api/experiments", tags=["experiments"])

ExperimentName = Literal["capacity", "regularization", "activations", "dead-relu", "approximation", "case-study"]


@router.post("/{name}", response_model=JobPublic, status_code=202,
             summary="Run an experiment; the finished job's result holds a figure, a table and a summary")
async def run_experiment(
    name: ExperimentName,
    services: ServicesDep,
    settings: SettingsDep,
    options: Annotated[dict[str, Any] | None, Body(examples=[{}, {"units": [2, 4, 8], "steps": 2000}])] = None,
    wait: Wait = False,
) -> Response:
    job = await run_in_threadpool(services.jobs.create_experiment, name, options or {})
    return await job_answer(services, job, wait, settings.wait_seconds)
