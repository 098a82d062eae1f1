"""``/api/experiments/{name}``: the notes' experiments, each run as one job.

One operation per experiment, made from the ``EXPERIMENTS`` registry, so that each documents its
own options (the experiment's pydantic model, with its defaults)."""

from typing import Annotated

from fastapi import APIRouter, Body, Response
from fastapi.concurrency import run_in_threadpool

from app.services.experiments import EXPERIMENTS, Experiment

from .deps import ServicesDep, SettingsDep
from .errors import BODY, responses
from .identity import OwnerDep
from .jobs import Wait, job_answer
from .schemas import JobPublic

router = APIRouter(prefix="/api/experiments", tags=["experiments"])
ANSWERS = {200: {"model": JobPublic, "description": "the finished job (with ?wait=true)"}} | responses(
    *BODY, 404, 429, 503, s404="no uploaded data set with that id",
    s422="a value is not acceptable, or the runs would exceed the server's compute limit")


def _route(experiment: Experiment) -> None:
    Options = experiment.options

    async def run(services: ServicesDep, settings: SettingsDep, owner: OwnerDep,
                  options: Annotated[Options | None, Body()] = None, wait: Wait = False) -> Response:
        job = await run_in_threadpool(services.jobs.create_experiment, experiment.name, options or Options(), owner)
        return await job_answer(services, job, wait, settings.wait_seconds, owner)

    router.add_api_route(f"/{experiment.name}", run, methods=["POST"], response_model=JobPublic, status_code=202,
                         responses=ANSWERS, name=f"run_{experiment.name.replace('-', '_')}",
                         summary=f"{experiment.summary}; the finished job's result holds a figure, a table and "
                                 "a summary")


for _experiment in EXPERIMENTS.values():
    _route(_experiment)
