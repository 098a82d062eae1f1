"""A sweep: a training request with settings to vary, and its rows and aggregates."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from app.services.specs import MAX_SEEDS, Int, Request, SeedValue, limit
from app.services.sweep_plan import MAX_AXES, MAX_RANDOM_RANGES
from app.services.sweeps import ROW_METRICS

from .jobs import JobCreate

SweepValue = Any  # a setting's value: a number, a name, a list of hidden layers ...


class RandomRange(Request):
    """Exactly one: ``log`` or ``linear`` ``[low, high]`` (two whole numbers draw whole numbers) or
    ``choice`` (values drawn with equal chance)."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1, "maxProperties": 1})

    log: list[int | float] | None = Field(default=None, min_length=2, max_length=2, description="log-uniform")
    linear: list[int | float] | None = Field(default=None, min_length=2, max_length=2, description="uniform")
    choice: list[SweepValue] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one(self) -> RandomRange:
        if len(self.model_fields_set) != 1:
            raise ValueError("give exactly one of log, linear and choice")
        return self


class RandomSweep(Request):
    n: Int = Field(ge=1, description="settings drawn", json_schema_extra=limit("max_sweep_runs"))
    ranges: dict[str, RandomRange] = Field(min_length=1, max_length=MAX_RANDOM_RANGES,
                                           description="setting path -> its range")
    seed: SeedValue = Field(default=0, description="seed of the draw")


class SweepCreate(Request):
    """A training request (``base``) and the settings to vary: ``axes`` (a grid: every combination)
    or ``random`` settings; each trained with ``seeds`` seeds. A path names a field of the base
    (``training.learning_rate``, ``network.hidden[0].units``, ``network.hidden[*].activation``,
    ``data.noise``); settings x seeds runs, at most ``NNVIZ_MAX_SWEEP_RUNS``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "base": {"network": {"hidden": [{"units": 20, "activation": "relu"}]},
                 "data": {"name": "moons", "n_points": 200, "noise": 0.25, "seed": 0, "test_fraction": 0.3},
                 "training": {"optimizer": "adam", "learning_rate": 0.02, "steps": 500}},
        "axes": {"training.learning_rate": [0.001, 0.01, 0.1], "network.hidden[0].units": [3, 6, 20]},
        "seeds": 3}], "oneOf": [{"required": ["axes"]}, {"required": ["random"]}]})

    base: JobCreate
    axes: dict[str, list[SweepValue]] | None = Field(
        default=None, min_length=1, max_length=MAX_AXES, description="setting path -> its values (a grid)")
    random: RandomSweep | None = None
    seeds: Int = Field(default=3, ge=1, le=MAX_SEEDS, description="runs per setting, seeds 0, 1, ... added to "
                                                                  "the base's network and training seeds")
    target_loss: float | None = Field(default=None, gt=0, description="steps_to_target: the first history record "
                                                                     "with a training loss at most this (default: "
                                                                     "half the run's first)")

    @field_validator("base")
    @classmethod
    def _not_a_class_job(cls, base: JobCreate) -> JobCreate:
        if base.class_id is not None:
            raise ValueError("a sweep is not a class's job: leave out class_id")
        return base

    @model_validator(mode="after")
    def _grid_or_random(self) -> SweepCreate:
        if (self.axes is None) == (self.random is None):
            raise ValueError("give exactly one of axes (a grid) and random")
        return self


class SweepAxis(BaseModel):
    path: str
    values: list[SweepValue] = Field(description="in order (a random sweep: the drawn value of each setting)")
    log: bool = Field(description="log-spaced values (drawn on a log axis)")


class SweepProgress(BaseModel):
    finished: int = Field(description="runs finished")
    total: int = Field(description="runs in all")


class _SweepRowBase(BaseModel):
    run: int
    setting: int = Field(description="index of the setting (combination of values)")
    seed: int = Field(description="0 .. seeds - 1, added to the base's seeds")
    settings: dict[str, SweepValue]
    status: str | None
    error: str | None = None
    diverged: bool
    network_id: str | None = Field(description="the run's trained network (GET /api/networks/{id})")
    steps: int | None
    target_loss: float | None = Field(description="the training loss steps_to_target counts to")


SweepRow = create_model("SweepRow", __base__=_SweepRowBase,
                        **{metric: (int | float | None, None) for metric in ROW_METRICS})


class MetricSpread(BaseModel):
    mean: float | None
    min: float | None
    max: float | None


class SweepAggregate(BaseModel):
    setting: int
    settings: dict[str, SweepValue]
    label: str
    runs: int
    finished: int
    diverged: int
    metrics: dict[str, MetricSpread] = Field(description="per metric: mean, min and max over the finished seeds")


class SweepPublic(BaseModel):
    id: str = Field(description="a job id: GET /api/jobs/{id} and its events work too")
    status: Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]
    created_at: str
    started_at: str | None
    finished_at: str | None
    error: str | None
    progress: SweepProgress
    queue_position: int | None = None
    axes: list[SweepAxis]
    random: bool
    seeds: int
    target_loss: float | None
    metric: str = Field(description="the default metric of the figures")
    figure: str = Field(description="the default figure kind for this sweep's shape")
    figures: list[str]
    rows: list[SweepRow]  # type: ignore[valid-type]
    aggregates: list[SweepAggregate]
    request: dict[str, Any]
