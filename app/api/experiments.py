"""``/api/experiments/{name}``: the notes' experiments, each run as one job.

One operation per experiment, made from the ``EXPERIMENTS`` registry, so that each documents its
own options (the experiment's pydantic model, with its defaults). ``GET`` answers the result with
the defaults that this server keeps (computed at start-up, or on the first request), so a page
shows it at once."""

from typing import Annotated

from fastapi import APIRouter, Body, Response, status
from fastapi.concurrency import run_in_threadpool

from app.services.experiments import EXPERIMENTS, Experiment
from app.services.jobs import FINAL_STATUSES

from .deps import ServicesDep, SettingsDep
from .errors import BODY, SafeJSONResponse, responses
from .identity import OwnerDep
from .jobs import Wait, job_answer, wait_for
from .rates import limited
from .schemas import JobPublic

router = APIRouter(prefix="/api/experiments", tags=["experiments"])
ANSWERS = {200: {"model": JobPublic, "description": "the finished job (with ?wait=true)"}} | responses(
    *BODY, 404, 429, 503, s404="no uploaded data set with that id",
    s422="a value is not acceptable, or the runs would exceed the server's compute limit")

LATEST_ANSWERS = {202: {"model": JobPublic, "description": "the job computing it, not finished yet"}} | responses(
    422, 429, 503, s422="`wait` is not a boolean, or the server's limits do not allow the experiment's default "
                        "options (the field says which)")


def _route(experiment: Experiment) -> None:
    Options = experiment.options

    async def run(services: ServicesDep, settings: SettingsDep, owner: OwnerDep,
                  options: Annotated[Options | None, Body()] = None, wait: Wait = False) -> Response:
        job = await run_in_threadpool(services.jobs.create_experiment, experiment.name, options or Options(), owner)
        return await job_answer(services, job, wait, settings.wait_seconds, owner)

    router.add_api_route(f"/{experiment.name}", run, methods=["POST"], response_model=JobPublic, status_code=202,
                         responses=ANSWERS, dependencies=[limited("jobs")],
                         name=f"run_{experiment.name.replace('-', '_')}",
                         summary=f"{experiment.summary}; the finished job's result holds a figure, a table and "
                                 "a summary")

    async def latest(services: ServicesDep, settings: SettingsDep, wait: Wait = False) -> Response:
        job = await run_in_threadpool(services.latest.get, experiment.name)
        if wait and job["status"] not in FINAL_STATUSES:
            await wait_for(services, job["id"], settings.wait_seconds, None)
            job = await run_in_threadpool(services.latest.get, experiment.name)
        finished = job["status"] in FINAL_STATUSES
        return SafeJSONResponse(JobPublic(**job).model_dump(),
                                status_code=status.HTTP_200_OK if finished else status.HTTP_202_ACCEPTED)

    router.add_api_route(f"/{experiment.name}", latest, methods=["GET"], response_model=JobPublic,
                         responses=LATEST_ANSWERS, name=f"latest_{experiment.name.replace('-', '_')}",
                         summary=f"{experiment.summary}: the result with the default options that this server keeps",
                         description="Computed once per server, at start-up (NNVIZ_PRECOMPUTE_EXPERIMENTS) or else "
                                     "on the first request (the job belongs to the server); until it has finished "
                                     "the answer is that job, 202, as it stands.")


for _experiment in EXPERIMENTS.values():
    _route(_experiment)
