"""``/api/experiments/{name}``: the notes' experiments, each run as one job."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Response
from fastapi.concurrency import run_in_threadpool

from .deps import ServicesDep, SettingsDep
from .errors import BUSY
from .identity import OwnerDep
from .jobs import Wait, job_answer
from .schemas import ExperimentOptions, JobPublic

router = APIRouter(prefix="/api/experiments", tags=["experiments"], responses=BUSY)

ExperimentName = Literal["capacity", "regularization", "activations", "dead-relu", "approximation", "case-study"]


@router.post("/{name}", response_model=JobPublic, status_code=202,
             summary="Run an experiment; the finished job's result holds a figure, a table and a summary")
async def run_experiment(
    name: ExperimentName,
    services: ServicesDep,
    settings: SettingsDep,
    owner: OwnerDep,
    options: Annotated[ExperimentOptions | None, Body()] = None,
    wait: Wait = False,
) -> Response:
    job = await run_in_threadpool(services.jobs.create_experiment, name, options.values() if options else {}, owner)
    return await job_answer(services, job, wait, settings.wait_seconds, owner)
