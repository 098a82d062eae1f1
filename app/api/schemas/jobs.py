"""A training job: the request and the job as the API shows it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.services.data_specs import DataSpec
from app.services.specs import MAX_ID_LENGTH, Request

from .specs import JobNetwork, LiveOptions, TrainingSpec


class JobCreate(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "network": {"hidden": [{"units": 100, "activation": "relu"}], "loss": "softmax", "init": "small"},
        "data": {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0},
        "training": {"optimizer": "sgd", "learning_rate": 1.0, "regularization": "l2", "reg_strength": 0.001,
                     "batch_size": None, "steps": 10000, "seed": 0},
    }]})

    network: JobNetwork = Field(default_factory=JobNetwork)
    data: DataSpec
    training: TrainingSpec = Field(default_factory=TrainingSpec)
    live: LiveOptions = Field(default_factory=LiveOptions)
    class_id: str | None = Field(
        default=None, max_length=MAX_ID_LENGTH,
        description="the class whose assignment this job works on: you must be in the class, and a member's job "
                    "must keep every setting the assignment locks (422 naming the first that differs)")
    priority: Literal["interactive", "batch"] | None = Field(
        default=None, description="the server decides: a job of up to 1e9 multiply-adds of steps whose live "
                                  "frames cost up to 1e6 each is interactive (it takes its turns before batch "
                                  "jobs, up to 0.5 s of CPU ahead), any other is batch. `batch` makes a small job "
                                  "batch too; `interactive` is accepted and changes nothing. The job's "
                                  "`request.priority` says what it got")


class JobProgress(BaseModel):
    step: int | None = None
    total_steps: int | None = None
    epoch: float | None = None


class JobPublic(BaseModel):
    id: str
    kind: Literal["train", "experiment", "sweep"]
    status: Literal["queued", "running", "parked", "done", "diverged", "failed", "cancelled", "interrupted"] = Field(
        description="`parked`: nobody followed the job for a while (NNVIZ_PARK_AFTER); its weights are kept on its "
                    "network and it resumes when its events or the job itself are asked for")
    network_id: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    error: str | None
    progress: JobProgress
    metrics: dict[str, Any]
    history: list[dict[str, Any]] | None = Field(description="this run's history records (null in job lists)")
    result: dict[str, Any] | None = Field(default=None, description="an experiment's figure, table and summary")
    request: dict[str, Any]
    queue_position: int | None = Field(default=None, description="a queued job's place among the jobs waiting "
                                                                  "for a turn (1 = next)")
