"""Request and response models, in families: specs (what a client describes), ``...Create``
bodies, ``...Public`` answers. Requests are strict: unknown fields, wrong types, NaN and infinity
are rejected with a 422 naming the field. Limits that depend on settings are checked by the
services."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.nn import ACTIVATION_NAMES, INIT_NAMES, LOSS_NAMES, OPTIMIZER_NAMES, REGULARIZATION_NAMES
from app.services.specs import DEFAULT_INTERVAL_MS

Activation = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
LossName = Literal[LOSS_NAMES]  # type: ignore[valid-type]
InitName = Literal[INIT_NAMES]  # type: ignore[valid-type]
OptimizerName = Literal[OPTIMIZER_NAMES]  # type: ignore[valid-type]
RegularizationName = Literal[REGULARIZATION_NAMES]  # type: ignore[valid-type]
Seed = Field(default=None, ge=0, le=2**31 - 1, description="random seed")
NAME_HELP = "a named network is kept; an unnamed one expires after NNVIZ_SCRATCH_TTL seconds without updates"


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    def values(self) -> dict[str, Any]:
        """The fields the client set (nested), without defaults the services fill in themselves."""
        return self.model_dump(exclude_unset=True)


# --- specs -------------------------------------------------------------------------------------

class LayerSpec(Request):
    units: int = Field(ge=1, description="neurons in this hidden layer")
    activation: Activation = "relu"
    slope: float | None = Field(default=None, description="leaky ReLU slope or PReLU initial slope")
    pieces: int = Field(default=2, ge=1, le=8, description="affine pieces of a maxout unit")


class NetworkSpec(Request):
    """A network: input size, hidden layers, output size, loss, initialisation."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"input_dim": 3, "hidden": [{"units": 4, "activation": "relu"}], "output_dim": 2},
    ]})

    input_dim: int | None = Field(default=None, ge=1, description="inputs (inferred from the data in jobs)")
    hidden: list[LayerSpec] = Field(default_factory=list)
    output_dim: int | None = Field(default=None, ge=1, description="outputs (inferred from the data in jobs)")
    loss: LossName | None = Field(default=None, description="softmax (default for classes) or mse (regression)")
    init: InitName = "small"


class JobNetwork(NetworkSpec):
    """A new network's spec, or ``{"id": ...}`` to continue training a stored network."""

    id: str | None = Field(default=None, max_length=64, description="a stored network to keep training")
    seed: int | None = Seed

    @model_validator(mode="after")
    def _id_alone(self) -> JobNetwork:
        if self.id is not None and self.model_fields_set - {"id"}:
            raise ValueError("give either id (a stored network) or a spec, not both")
        return self


class DataSpec(Request):
    """A generated data set (``name`` and its parameters) or an upload (``id``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0},
    ]})

    name: str | None = Field(default=None, max_length=32, description="generator, see GET /api/datasets")
    id: str | None = Field(default=None, max_length=64, description="an uploaded data set")
    n_per_class: int | None = Field(default=None, ge=1)
    classes: int | None = Field(default=None, ge=2)
    n_points: int | None = Field(default=None, ge=2)
    noise: float | None = Field(default=None, ge=0)
    seed: int | None = Seed
    test_fraction: float | None = Field(default=None, ge=0, le=0.9)
    points: list[list[float]] | None = Field(default=None, description="added training points, rows [x1, x2, label] "
                                             "(a class index, or the target for regression), appended in order")

    @model_validator(mode="after")
    def _name_or_id(self) -> DataSpec:
        if (self.name is None) == (self.id is None):
            raise ValueError("give exactly one of name (a generator) and id (an upload)")
        return self


class NetworkCreate(NetworkSpec):
    seed: int | None = Seed
    name: str | None = Field(default=None, min_length=1, max_length=100, description=NAME_HELP)
    data: DataSpec | None = Field(default=None, description="data to attach, so that the figures that need data "
                                                            "(decision boundary, hidden space) work before training")


class NetworkUpdate(Request):
    """Rename a network, or give it other data that fits it (e.g. with points added)."""

    name: str | None = Field(default=None, min_length=1, max_length=100, description=NAME_HELP)
    data: DataSpec | None = None


class UnstoredNetwork(Request):
    """A network that is not stored: a spec and its weights (as an export has them), or a spec and
    a seed to initialise them (without either: seed 0)."""

    spec: NetworkSpec
    weights: dict[str, list[Any]] | None = Field(default=None, description="W1, b1, ...: must fit the spec")
    seed: int | None = Seed

    @model_validator(mode="after")
    def _weights_or_seed(self) -> UnstoredNetwork:
        if self.weights is not None and self.seed is not None:
            raise ValueError("give weights or a seed to initialise them, not both")
        return self


class UnstoredForward(UnstoredNetwork):
    input: list[float] = Field(min_length=1, examples=[[0.5, -1.0, 2.0]])


class SpecFigureRequest(UnstoredNetwork):
    """A figure of a network that is not stored; ``data`` for the figures that draw points."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"spec": {"input_dim": 3, "hidden": [{"units": 4}], "output_dim": 2}, "seed": 0},
    ]})

    data: DataSpec | None = None
    grid: int | None = Field(default=None, ge=2, le=200, description="decision-boundary, neurons")
    layer: int | None = Field(default=None, ge=1, le=16, description="hidden-space: which hidden layer")
    input: list[float] | None = Field(default=None, min_length=1, description="forward: the input")

    @model_validator(mode="before")
    @classmethod
    def _bare_spec(cls, body: Any) -> Any:
        """A bare spec (``{"input_dim": ...}``, as ``POST /api/figures/topology`` always took) is ``{"spec": ...}``."""
        if isinstance(body, dict) and "spec" not in body and set(body) & set(NetworkSpec.model_fields):
            return {"spec": body}
        return body


class NeuronFigureRequest(Request):
    """One neuron f(w1·x1 + w2·x2 + b) over the plane."""

    w1: float = Field(ge=-1e6, le=1e6)
    w2: float = Field(ge=-1e6, le=1e6)
    b: float = Field(ge=-1e6, le=1e6)
    activation: Activation = "sigmoid"
    data: DataSpec | None = Field(default=None, description="points to draw (a data set with 2 inputs)")
    grid: int = Field(default=100, ge=2, le=200)


class OptimizerOptions(Request):
    mu: float | None = Field(default=None, ge=0, lt=1)
    decay: float | None = Field(default=None, gt=0, lt=1)
    beta1: float | None = Field(default=None, ge=0, lt=1)
    beta2: float | None = Field(default=None, ge=0, lt=1)
    eps: float | None = Field(default=None, gt=0)


class TrainingSpec(Request):
    """How to train; ``steps`` or ``epochs`` (neither: 1,000 steps); ``batch_size`` null = full batch."""

    optimizer: OptimizerName = "sgd"
    learning_rate: float = Field(default=1.0, gt=0)
    regularization: RegularizationName = "l2"
    reg_strength: float = Field(default=1e-3, ge=0)
    batch_size: int | None = Field(default=None, ge=1)
    steps: int | None = Field(default=None, ge=1)
    epochs: int | None = Field(default=None, ge=1)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    history_every: int | None = Field(default=None, ge=1)
    optimizer_options: OptimizerOptions | None = None


class LiveOptions(Request):
    grid: int = Field(default=40, ge=2, description="boundary grid size of live progress events")
    interval_ms: int = Field(default=DEFAULT_INTERVAL_MS, ge=1, description="least time between progress events")
    steps_per_second: int | None = Field(default=None, ge=1, description="slow training down to this pace, to "
                                                                         "watch it learn (null: full speed)")


# --- networks ----------------------------------------------------------------------------------

class Counts(BaseModel):
    layers: int
    neurons: int
    weights: int
    biases: int
    slopes: int
    parameters: int


class NetworkPublic(BaseModel):
    id: str
    name: str | None = Field(description="a named network is kept; an unnamed one expires (NNVIZ_SCRATCH_TTL)")
    spec: dict[str, Any]
    counts: Counts
    steps_trained: int
    epochs_trained: float
    data: dict[str, Any] | None
    created_at: str
    updated_at: str


class SharePublic(BaseModel):
    token: str
    network_id: str
    url: str = Field(description="the page showing the shared network")


class NetworkExport(Request):
    """A network as a portable JSON document (``GET /api/networks/{id}/export``)."""

    model_config = ConfigDict(strict=False)

    format: Literal["nnviz-network"]
    version: Literal[1]
    spec: NetworkSpec
    weights: dict[str, list[Any]]
    history: list[dict[str, Any]] = Field(default_factory=list)
    data: DataSpec | None = None
    steps_trained: int = Field(default=0, ge=0)
    epochs_trained: float = Field(default=0.0, ge=0)
    name: str | None = Field(default=None, min_length=1, max_length=100, description=NAME_HELP)


class PredictRequest(Request):
    inputs: list[list[float]] = Field(min_length=1, examples=[[[0.5, -1.0], [0.0, 0.2]]])


class PredictPublic(BaseModel):
    scores: list[list[float]]
    probabilities: list[list[float]] | None
    labels: list[int | float] = Field(description="class indices, or predicted values for regression")


class ForwardRequest(Request):
    input: list[float] = Field(min_length=1, examples=[[0.5, -1.0]])


class ForwardLayer(BaseModel):
    layer: int
    name: str
    activation: str | None
    units: int
    pieces: int
    W_shape: list[int]
    b_shape: list[int]
    output_shape: list[int]
    pre_activation: list[Any]
    activation_value: list[float | None]


class ForwardPublic(BaseModel):
    layers: list[ForwardLayer]


# --- jobs --------------------------------------------------------------------------------------

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
    priority: Literal["interactive", "batch"] | None = Field(
        default=None, description="interactive jobs (a page waits for them) take turns before batch jobs; "
                                  "default: interactive for jobs of up to 1e9 multiply-adds, batch above")


class JobProgress(BaseModel):
    step: int | None = None
    total_steps: int | None = None
    epoch: float | None = None


class JobPublic(BaseModel):
    id: str
    kind: Literal["train", "experiment"]
    status: Literal["queued", "running", "done", "diverged", "failed", "cancelled", "interrupted"]
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


# --- experiments -------------------------------------------------------------------------------

class ExperimentOptions(Request):
    """Overrides of an experiment's defaults; each experiment takes a subset (a 422 names the others)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{}, {"units": [2, 4, 8], "steps": 2000}]})

    data: DataSpec | None = None
    units: int | list[int] | None = Field(default=None, description="hidden units (a list: one run each)")
    activation: Activation | None = None
    activations: list[Activation] | None = None
    optimizer: OptimizerName | None = None
    init: InitName | None = None
    learning_rate: float | None = None
    learning_rates: list[float] | None = None
    reg_strength: float | None = None
    reg_strengths: list[float] | None = None
    steps: int | None = None
    linear_steps: int | None = None
    target_accuracy: float | None = None
    seed: int | None = None


# --- datasets, activations, gradcheck ----------------------------------------------------------

class ParamPublic(BaseModel):
    default: int | float
    minimum: int | float
    maximum: int | float
    description: str


class DatasetInfoPublic(BaseModel):
    name: str
    task: str
    description: str
    params: dict[str, ParamPublic]


class Points(BaseModel):
    X: list[list[float]]
    y: list[int | float] = Field(description="class indices, or target values for regression")


class DatasetPreview(BaseModel):
    task: str
    n_classes: int
    class_names: list[str]
    train: Points
    test: Points


class UploadPublic(BaseModel):
    id: str
    rows: int
    n_classes: int
    class_names: list[str]
    task: str


class ActivationInfo(BaseModel):
    name: str
    description: str
    verdict: str


class ActivationValues(BaseModel):
    name: str
    x: list[float]
    y: list[float | None]
    dy: list[float | None]


class GradcheckRequest(Request):
    network: JobNetwork
    data: DataSpec
    regularization: RegularizationName = "none"
    reg_strength: float = Field(default=0.0, ge=0)


class GradcheckPublic(BaseModel):
    max_relative_error: dict[str, float]
    verdict: Literal["ok", "worrying", "wrong"]
    thresholds: dict[str, float]
    points: int
