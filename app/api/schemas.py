"""Request and response models, in families: specs (what a client describes), ``...Create``
bodies, ``...Public`` answers. Requests are strict: unknown fields, wrong types, NaN and infinity
are rejected with a 422 naming the field.

The schemas state what the server enforces: bounds that are settings carry a ``limit`` mark the
app replaces with the running server's value (``app.api.openapi``); rules between fields that JSON
Schema can state (a binary loss has one output; an optimizer takes only its own options; steps or
epochs, not both) are written into the schema here, and the services enforce them. What depends on
stored state or on the data (does this data fit this network) is checked by the services only,
and each operation's 422 says so."""

from __future__ import annotations

import re
import sys
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)

from app.nn import (
    ACTIVATION_NAMES,
    FEATURE_NAMES,
    INIT_NAMES,
    LOSS_NAMES,
    OPTIMIZER_NAMES,
    REGULARIZATION_NAMES,
    get_loss,
)
from app.nn.optimizers import optimizer_options
from app.services.class_import import parse_instant
from app.services.class_settings import SETTING_NAMES
from app.services.classes import CODE_LENGTH, EXPORT_FORMAT
from app.services.history import MAX_NETWORK_HISTORY
from app.services.specs import (
    DEFAULT_GRID,
    DEFAULT_INTERVAL_MS,
    MAX_COUNT,
    MAX_ID_LENGTH,
    MAX_INTERVAL_MS,
    MAX_SEEDS,
    MAX_STEPS_PER_SECOND,
    MAX_THUMBNAIL_GRID,
    MIN_STEPS_PER_SECOND,
    Coordinate,
    DataSpec,
    Int,
    Request,
    Seed,
    SeedValue,
    limit,
    whole,
)
from app.services.sweep_plan import MAX_AXES, MAX_RANDOM_RANGES
from app.services.sweeps import ROW_METRICS
from app.services.wall import FLAGS as WALL_FLAGS

Activation = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
LossName = Literal[LOSS_NAMES]  # type: ignore[valid-type]
InitName = Literal[INIT_NAMES]  # type: ignore[valid-type]
OptimizerName = Literal[OPTIMIZER_NAMES]  # type: ignore[valid-type]
RegularizationName = Literal[REGULARIZATION_NAMES]  # type: ignore[valid-type]
FeatureName = Literal[FEATURE_NAMES]  # type: ignore[valid-type]
DEFAULT_OPTIMIZER = "sgd"
__all__ = ["DataSpec", "Request"]
NAME_HELP = "a named network is kept; an unnamed one expires after NNVIZ_SCRATCH_TTL seconds without updates"
# A name is one line of text. Control characters (NUL, which PostgreSQL cannot keep in text, line
# breaks, escapes) are refused here, so that both databases keep exactly the same names.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
ONE_LINE = r"^[^\u0000-\u001f\u007f]*$"  # the same rule in JSON Schema's (ECMA) regular expressions


def _one_line(value: str) -> str:
    if CONTROL_CHARACTERS.search(value):
        raise ValueError("must be one line of text, without control characters (such as NUL, tabs or line breaks)")
    return value


Name = Annotated[str, Field(min_length=1, max_length=100, json_schema_extra={"pattern": ONE_LINE}),
                 AfterValidator(_one_line)]

# The largest |value| a request may give a weight or bias (set one, import them, preview with them):
# far beyond what training makes of the notes' networks, and small enough that a forward pass over
# the data's plane stays finite in float64.
MAX_WEIGHT = 1e6
Weight = Annotated[float, Field(ge=-MAX_WEIGHT, le=MAX_WEIGHT)]


def _bounded_weights(values: list[Any]) -> list[Any]:
    numbers = [number for item in values for number in (item if isinstance(item, list) else (item,))]
    if not all(type(number) in (int, float) and abs(number) <= MAX_WEIGHT for number in numbers):
        raise ValueError(f"must be numbers from {-MAX_WEIGHT:g} to {MAX_WEIGHT:g}")
    return values


_WEIGHT_SCHEMA = {"type": "number", "minimum": -MAX_WEIGHT, "maximum": MAX_WEIGHT}
# W1, b1, ...: numbers (biases, slopes) or rows of numbers (weight matrices); the shapes the spec
# gives them are checked by the core (``Network.set_weights``), which knows the spec.
Weights = Annotated[dict[str, Annotated[list[Any], AfterValidator(_bounded_weights)]], Field(
    json_schema_extra={"additionalProperties": {"anyOf": [
        {"type": "array", "items": _WEIGHT_SCHEMA},
        {"type": "array", "items": {"type": "array", "items": _WEIGHT_SCHEMA}}]}})]



def _one_output_rule(nullable: bool) -> dict[str, Any]:
    """JSON Schema for "a binary loss (logistic, hinge) has exactly one output unit"."""
    binary = [name for name in LOSS_NAMES if get_loss(name).single_output]
    one = {"enum": [1, None]} if nullable else {"const": 1}
    return {"if": {"properties": {"loss": {"enum": binary}}, "required": ["loss"]},
            "then": {"properties": {"output_dim": one}}}


def _features_rule(nullable: bool) -> dict[str, Any]:
    """JSON Schema for "input features are for networks with 2 inputs"."""
    two = {"enum": [2, None]} if nullable else {"const": 2}
    return {"if": {"properties": {"features": {"type": "array"}}, "required": ["features"]},
            "then": {"properties": {"input_dim": two}}}


# --- specs -------------------------------------------------------------------------------------

class LayerSpec(Request):
    units: Int = Field(ge=1, description="neurons in this hidden layer", json_schema_extra=limit("max_units"))
    activation: Activation = "relu"
    slope: float | None = Field(default=None, description="leaky ReLU slope or PReLU initial slope")
    pieces: Int = Field(default=2, ge=1, le=8, description="affine pieces of a maxout unit")


class _Layers(Request):
    """What every network description has: hidden layers, loss, initialisation."""

    hidden: list[LayerSpec] = Field(default_factory=list, json_schema_extra=limit(max_items="max_hidden_layers"))
    loss: LossName | None = Field(default=None, description="softmax (default for classes) or mse (regression)")
    init: InitName = "small"
    features: Annotated[list[FeatureName], Field(min_length=1, max_length=len(FEATURE_NAMES),
                                                 json_schema_extra={"uniqueItems": True})] | None = Field(
        default=None, description="what the first layer sees, for 2 inputs only (default: x1, x2, the inputs): "
                                  "x1, x2, x1sq (x₁²), x2sq, x1x2 (x₁·x₂), sin_x1 (sin π·x₁), sin_x2")


Dim = Field(ge=1, json_schema_extra=limit("max_units"))
InferredDim = Field(default=None, description="inferred from the data when left out",
                    json_schema_extra=limit("max_units"))


class NetworkSpec(_Layers):
    """A network: input size, hidden layers, output size, loss, initialisation."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"input_dim": 3, "hidden": [{"units": 4, "activation": "relu"}], "output_dim": 2},
    ], "allOf": [_one_output_rule(nullable=False), _features_rule(nullable=False)]})

    input_dim: Int = Dim
    output_dim: Int = Dim


class SpecForData(_Layers):
    """A new network's spec whose sizes (and loss) may be left to the data."""

    model_config = ConfigDict(json_schema_extra={"allOf": [_one_output_rule(nullable=True),
                                                           _features_rule(nullable=True)]})

    input_dim: whole(ge=1) | None = InferredDim
    output_dim: whole(ge=1) | None = InferredDim
    seed: SeedValue | None = Seed


class JobNetwork(SpecForData):
    """A new network's spec, or ``{"id": ...}`` (alone) to continue training a stored network."""

    model_config = ConfigDict(json_schema_extra={"allOf": [_one_output_rule(nullable=True),
                                                           _features_rule(nullable=True)], "anyOf": [
        {"required": ["id"], "properties": {"id": {"type": "string"}}, "maxProperties": 1},
        {"properties": {"id": {"type": "null"}}},
    ]})

    id: str | None = Field(default=None, max_length=MAX_ID_LENGTH, description="a stored network to keep training")

    @model_validator(mode="after")
    def _id_alone(self) -> JobNetwork:
        if self.id is not None and self.model_fields_set - {"id"}:
            raise ValueError("give either id (a stored network) or a spec, not both")
        return self


class NetworkCreate(SpecForData):
    """A network to store: its sizes, or data to infer them from (or both, which must agree)."""

    model_config = ConfigDict(json_schema_extra={"allOf": [_one_output_rule(nullable=True),
                                                           _features_rule(nullable=True)], "anyOf": [
        {"required": ["input_dim", "output_dim"],
         "properties": {"input_dim": {"type": "integer"}, "output_dim": {"type": "integer"}}},
        {"required": ["data"], "properties": {"data": {"type": "object"}}},
    ]})

    data: DataSpec | None = Field(default=None, description="data to attach, so that the figures that need data "
                                                            "(decision boundary, hidden space) work before training")
    name: Name | None = Field(default=None, description=NAME_HELP)


class NetworkUpdate(Request):
    """Rename a network, or give it other data that fits it (e.g. with points added)."""

    name: Name | None = Field(default=None, description=NAME_HELP)
    data: DataSpec | None = None


class NetworkChange(_Layers):
    """Network settings a fork changes (those given replace the network's): they must keep every
    parameter's shape, e.g. another activation, or another loss with as many outputs."""


class NetworkFork(Request):
    """A copy of a stored network to train beside it (Compare), with the settings given changed."""

    model_config = ConfigDict(json_schema_extra={
        "anyOf": [{"required": ["network"]}, {"required": ["data"]}, {"required": ["training"]}],
        "examples": [{"training": {"learning_rate": 0.1}}, {"network": {"hidden": [{"units": 8, "activation": "tanh"},
                                                                                 {"units": 8, "activation": "tanh"}]}}],
    })

    network: NetworkChange | None = None
    data: DataSpec | None = Field(default=None, description="other data, which must fit the network")
    training: TrainingSpec | None = Field(
        default=None, description="training settings for the copy's jobs: checked and given back, not stored "
                                  "(a network keeps no training settings; each job gives them)")
    name: Name | None = Field(default=None, description=NAME_HELP)


class UnstoredNetwork(Request):
    """A network that is not stored: a spec and its weights (as an export has them), or a spec and
    a seed to initialise them (without either: seed 0)."""

    spec: NetworkSpec
    weights: Weights | None = Field(default=None, description="W1, b1, ...: must fit the spec")
    seed: SeedValue | None = Seed

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
    grid: Int | None = Field(default=None, ge=2, le=200, description="decision-boundary, neurons")
    layer: Int | None = Field(default=None, ge=1, description="hidden-space: which hidden layer",
                              json_schema_extra=limit("max_hidden_layers"))
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

    w1: Weight
    w2: Weight
    b: Weight
    activation: Activation = "sigmoid"
    data: DataSpec | None = Field(default=None, description="points to draw (a data set with 2 inputs)")
    grid: Int = Field(default=100, ge=2, le=200)


class OptimizerOptions(Request):
    """Each optimizer takes its own (see ``TrainingSpec``); null is the optimizer's default."""

    mu: float | None = Field(default=None, ge=0, lt=1)
    decay: float | None = Field(default=None, gt=0, lt=1)
    beta1: float | None = Field(default=None, ge=0, lt=1)
    beta2: float | None = Field(default=None, ge=0, lt=1)
    eps: float | None = Field(default=None, gt=0)


def _own_options_rule(name: str) -> dict[str, Any]:
    """JSON Schema for "optimizer ``name`` takes only its own options" (from the core's optimizers)."""
    others = [key for key in OptimizerOptions.model_fields if key not in optimizer_options(name)]
    chosen: dict[str, Any] = {"properties": {"optimizer": {"const": name}}}
    if name != DEFAULT_OPTIMIZER:  # left out, the optimizer is the default one
        chosen["required"] = ["optimizer"]
    return {"if": chosen, "then": {"properties": {"optimizer_options": {"anyOf": [
        {"type": "null"}, {"properties": {key: {"type": "null"} for key in others}}]}}}}


class TrainingSpec(Request):
    """How to train; ``steps`` or ``epochs`` (neither: 1,000 steps); ``batch_size`` null = full batch."""

    model_config = ConfigDict(json_schema_extra={"allOf": [
        {"not": {"required": ["steps", "epochs"],
                 "properties": {"steps": {"type": "integer"}, "epochs": {"type": "integer"}}}},
        *(_own_options_rule(name) for name in OPTIMIZER_NAMES),
    ]})

    optimizer: OptimizerName = DEFAULT_OPTIMIZER
    learning_rate: float = Field(default=1.0, gt=0)
    regularization: RegularizationName = "l2"
    reg_strength: float = Field(default=1e-3, ge=0)
    batch_size: whole(ge=1) | None = Field(default=None, json_schema_extra=limit("max_points"))
    steps: whole(ge=1) | None = Field(default=None, json_schema_extra=limit("max_steps"))
    epochs: whole(ge=1) | None = Field(default=None, json_schema_extra=limit("max_steps"))
    seed: SeedValue = 0
    history_every: whole(ge=1) | None = Field(
        default=None, json_schema_extra=limit("max_steps"),
        description="the widest gap between history records (default: the run's steps / 200); a network's "
                    "first 100 steps are all recorded, then 50 records per doubling of its step count")
    optimizer_options: OptimizerOptions | None = None


class LiveHidden(Request):
    layer: Int = Field(default=1, ge=1, description="which hidden layer (1-based): the figure's `layer`",
                       json_schema_extra=limit("max_hidden_layers"))


class LiveOptions(Request):
    grid: Int = Field(default=DEFAULT_GRID, ge=2, description="boundary grid size of live progress events",
                      json_schema_extra=limit("max_grid"))
    interval_ms: Int = Field(default=DEFAULT_INTERVAL_MS, le=MAX_INTERVAL_MS,
                             description="least time between progress events",
                             json_schema_extra=limit(minimum="min_interval_ms"))
    steps_per_second: whole(ge=MIN_STEPS_PER_SECOND, le=MAX_STEPS_PER_SECOND) | None = Field(
        default=None, description="slow training down to this pace, to watch it learn (null: full speed)")
    nodes: whole(ge=2, le=MAX_THUMBNAIL_GRID) | None = Field(
        default=None, description="cells per side of each node's map in live frames, about 5 a second (the "
                                  "network diagram's thumbnails, see GET /api/networks/{id}/node-maps); null: none")
    edges: bool = Field(default=False, description="the network diagram's edges in live frames, about 5 a second: "
                                                    "a signed byte per drawn edge and its line style (the topology "
                                                    "figure's trace meta say where they go)")
    hidden: LiveHidden | None = Field(default=None, description="the hidden-space view's coordinates of this hidden "
                                                                "layer in live frames, about 5 a second; null: none")
    ramp: bool = Field(default=False, description="start slow and speed up: one step per frame at first, then "
                                                  "ten times as many every 1.5 s until full speed (frames spaced "
                                                  "evenly in log(step)); not with steps_per_second")


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


class ForkPublic(BaseModel):
    network: NetworkPublic = Field(description="the copy: the original's weights (bit for bit), optimizer memory, "
                                               "step counts, history and data, with the changes")
    original_id: str
    changed: list[str] = Field(description="the settings changed, as fields: training.learning_rate, "
                                           "network.hidden, data")
    training: dict[str, Any] | None = Field(description="the training settings given, to send with the copy's jobs")


class SharePublic(BaseModel):
    token: str
    network_id: str
    url: str = Field(description="the page showing the shared network")


def _history_value(value: Any) -> Any:
    values = value if isinstance(value, list) else [value]
    # abs(v) <= the largest float: False for NaN and inf, and no overflow for a whole number of 400 digits.
    if not all(v is None or (type(v) in (int, float) and abs(v) <= sys.float_info.max) for v in values):
        raise ValueError("must be a finite number, null, or a list of them")
    return value


class HistoryRecord(BaseModel):
    """One history record: finite numbers (or null, or lists of them) keyed by name, with its step."""

    model_config = ConfigDict(strict=True, extra="allow", json_schema_extra={"additionalProperties": {"anyOf": [
        {"type": "number"}, {"type": "null"}, {"type": "array", "items": {"anyOf": [{"type": "number"},
                                                                                    {"type": "null"}]}}]}})

    __pydantic_extra__: dict[str, Annotated[Any, AfterValidator(_history_value)]]
    step: whole(ge=0, le=MAX_COUNT)


class NetworkExport(Request):
    """A network as a portable JSON document (``GET /api/networks/{id}/export``)."""

    format: Literal["nnviz-network"]
    version: Literal[1]
    spec: NetworkSpec
    weights: Weights = Field(
        description="every parameter (W1, b1, ...) in the shape the spec gives it: numbers (biases, slopes) or "
                    "rows of numbers (weight matrices), checked against the spec by the server")
    history: list[HistoryRecord] = Field(default_factory=list, max_length=MAX_NETWORK_HISTORY,
                                         description="at most as many records as a network keeps")
    data: DataSpec | None = None
    steps_trained: whole(ge=0, le=MAX_COUNT) = 0
    epochs_trained: float = Field(default=0.0, ge=0)
    name: Name | None = Field(default=None, description=NAME_HELP)


class WeightUpdate(Request):
    """One parameter of a stored network as the export holds it: a weight ``W{layer}[i, j]``, or a
    bias ``b{layer}[j]`` (``kind: "bias"``, without ``i``)."""

    kind: Literal["weight", "bias"] = Field(default="weight", description="a weight (W) or a bias (b)")
    layer: Int = Field(ge=1, le=1000, description="which layer: W1 / b1 (inputs or features to hidden layer 1), "
                                                  "W2 / b2, ...; the network's own sizes bound it")
    i: Int | None = Field(default=None, ge=0, le=100_000, description="a weight's row, 0-based: the layer's input "
                                                                      "(for W1: the input or feature); a bias has none")
    j: Int = Field(ge=0, le=100_000, description="column, 0-based: the unit (maxout: piece p of unit u is "
                                                 "p·units + u)")
    value: Weight


class WeightPublic(BaseModel):
    parameter: str = Field(description="W1, W2, ... or b1, b2, ...")
    kind: Literal["weight", "bias"]
    layer: int
    i: int | None = Field(description="the row of a weight; null for a bias")
    j: int
    value: float
    previous: float = Field(description="the value before this change")


class EncodedMaps(BaseModel):
    """Small maps over the plane, one byte per cell: value = (byte / half − 1) · limit with half =
    (levels − 1) / 2, the maps one after another (grid² bytes each, rows along x₂ upwards), deflated
    (zlib) and base64-encoded."""

    limits: list[float] = Field(description="per map: its largest |value| (0: the map is 0 everywhere)")
    levels: int = Field(256, description="codes per map (256 here; live frames' node maps use 15)")
    data: str


class FeatureInfo(BaseModel):
    name: str
    label: str
    formula: str


class FeatureMapsPublic(BaseModel):
    grid: int = Field(description="cells per side of each map")
    bounds: list[float] = Field(description="x_min, x_max, y_min, y_max")
    features: list[FeatureInfo]
    maps: EncodedMaps = Field(description="one map per feature, in the order of features")


class NodeLayer(BaseModel):
    name: str = Field(description="x (the input features), h1, h2, ..., out")
    units: int = Field(description="units with a map: the first ones, at most 32")
    total: int
    scale: list[float] = Field(description="cmin, cmax of the layer's colour axis in the neurons figure "
                                           "(over all its units, on the same grid)")
    signed: bool = Field(description="the layer's values straddle 0: a diverging scale, else a sequential one")


class NodeMapsPublic(BaseModel):
    grid: int
    bounds: list[float] = Field(description="x_min, x_max, y_min, y_max: the data's plane")
    layers: list[NodeLayer]
    maps: EncodedMaps = Field(description="the layers' maps in order: each unit's output over the plane")


class PredictRequest(Request):
    inputs: list[list[float]] = Field(min_length=1, examples=[[[0.5, -1.0], [0.0, 0.2]]],
                                      description="one row per point, each as long as the network's inputs",
                                      json_schema_extra=limit(max_items="max_points"))


class PredictPublic(BaseModel):
    scores: list[list[float]]
    probabilities: list[list[float]] | None
    labels: list[int | float] = Field(description="class indices, or predicted values for regression")


class ForwardRequest(Request):
    input: list[float] = Field(min_length=1, examples=[[0.5, -1.0]], description="as long as the network's inputs",
                               json_schema_extra=limit(max_items="max_units"))


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


# --- classes -----------------------------------------------------------------------------------

def _trimmed(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


MAX_MEMBER_NAME = 32
MAX_PROMPT = 4000
# A title or a member's name: one line of text, without the spaces around it. Shown as text only.
ClassTitle = Annotated[str, BeforeValidator(_trimmed), Field(min_length=1, max_length=100, json_schema_extra={
    "pattern": ONE_LINE}), AfterValidator(_one_line)]
MemberName = Annotated[str, BeforeValidator(_trimmed), Field(
    min_length=1, max_length=MAX_MEMBER_NAME, json_schema_extra={"pattern": ONE_LINE},
    description=f"1 to {MAX_MEMBER_NAME} characters after trimming, one line; unique in the class whatever its "
                "case"), AfterValidator(_one_line)]
MAX_SETTING_PATH = 100  # a sweep's setting path, such as network.hidden[0].units
ClassSettingName = Literal[SETTING_NAMES]  # type: ignore[valid-type]


class ClassCreate(Request):
    title: ClassTitle


class ClassJoin(Request):
    code: str = Field(min_length=1, max_length=16, description=f"the class's {CODE_LENGTH}-character code (case, "
                                                               "spaces and a dash do not matter)")
    name: MemberName


class ClassUpdate(Request):
    joining: bool = Field(description="whether students may join with the code")


class MemberUpdate(Request):
    name: MemberName


class AssignmentSetup(Request):
    """A Playground setup: the data (a generated data set), a new network's spec and how to train it."""

    data: DataSpec
    network: SpecForData = Field(default_factory=SpecForData)
    training: TrainingSpec = Field(default_factory=TrainingSpec)


class HiddenTest(Request):
    points: list[list[Coordinate]] = Field(
        min_length=1, json_schema_extra=limit(max_items="max_added_points"),
        description="test points [x1, x2, label], kept on the server and never shown to students")


class _Assignment(Request):
    setup: AssignmentSetup
    prompt: str = Field(default="", max_length=MAX_PROMPT, description="plain text shown above the plot")
    unlocked: list[ClassSettingName] = Field(
        default_factory=list, max_length=len(SETTING_NAMES), json_schema_extra={"uniqueItems": True},
        description="the settings students may change (GET /api/catalog `class_settings`); the others are locked")
    hidden_test: HiddenTest | None = None
    crowd: str | None = Field(
        default=None, min_length=1, max_length=MAX_SETTING_PATH,
        description="the setting the class's crowd experiment varies: a sweep's setting path "
                    "(`network.hidden[0].units`) that `unlocked` leaves to the students (422 `crowd` otherwise); "
                    "null: none. Left out: the earlier assignment's, while it stays unlocked")

    @model_validator(mode="after")
    def _unique(self) -> _Assignment:
        if len(set(self.unlocked)) != len(self.unlocked):
            raise ValueError("unlocked names each setting once")
        return self


class AssignmentPut(_Assignment):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "setup": {"data": {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0,
                           "test_fraction": 0.2},
                  "network": {"hidden": [{"units": 8, "activation": "relu"}], "loss": "softmax", "init": "he"},
                  "training": {"optimizer": "adam", "learning_rate": 0.01}},
        "prompt": "Find the smallest learning rate that still learns the spiral in 500 steps.",
        "unlocked": ["training.learning_rate"]}]})


class ClassMemberPublic(BaseModel):
    id: str | None = Field(description="null for members: only the lecturer sees the members' ids")
    name: str
    joined_at: str | None
    imported: bool = Field(default=False, description="came with an imported class: a name nobody can act as "
                                                      "(nobody signs in as them; the lecturer may rename or remove it)")


class ClassYou(BaseModel):
    id: str
    name: str


class ClassSummary(BaseModel):
    id: str
    title: str
    role: Literal["lecturer", "member"]
    state: Literal["open", "closed", "ended"] = Field(description="open: students may join; closed: joining is "
                                                                  "closed; ended: read-only until expires_at")
    joining: bool
    code: str
    join_url: str
    created_at: str
    ended_at: str | None
    expires_at: str | None = Field(description="when an ended class is removed (NNVIZ_CLASS_TTL)")
    assignment_version: int = Field(description="0 before the first assignment; one more for each")


class ClassPublic(ClassSummary):
    members: list[ClassMemberPublic]
    member_count: int
    you: ClassYou | None = Field(description="your membership (null for the lecturer)")
    prompt: str | None = Field(description="the assignment's prompt (null before the first assignment)")
    qr_svg: str | None = Field(description="the join link as a QR code, inline SVG (the lecturer's view only)")


class ClassSettingState(BaseModel):
    name: str
    label: str
    locked: bool


class AssignmentPublic(BaseModel):
    setup: dict[str, Any] = Field(description="data (resolved: every parameter given), network and training")
    prompt: str
    unlocked: list[str]
    crowd: str | None = Field(description="the setting the crowd experiment varies (null: none chosen)")
    version: int
    updated_at: str
    settings: list[ClassSettingState] = Field(description="every lockable setting and whether it is locked")
    hidden_test: dict[str, Any] | None = Field(description="the lecturer's view only; null for students")


class SubmissionCreate(Request):
    network_id: str = Field(min_length=1, max_length=64, description="one of your networks, fitting the assignment")


Metric = Literal["accuracy", "r2"]
ScoredOn = Literal["hidden_test", "test_split", "training_set"]
SCORED_ON = ("where the score was measured: the assignment's hidden test points, or, without them, its data's test "
             "split (its training set when it has none)")


class SubmissionPublic(BaseModel):
    network_id: str
    name: str = Field(description="your display name in the class")
    score: float | None = Field(description="accuracy, or R² for regression (null: the network's outputs are not "
                                            "finite)")
    metric: Metric
    scored_on: ScoredOn = Field(description=SCORED_ON)
    parameters: int
    submitted_at: str


class LeaderboardEntry(BaseModel):
    id: str = Field(description="the submission's id (the gallery's pins name it)")
    rank: int = Field(description="1 is the best; equal scores with equal parameters share a rank")
    member_id: str | None = Field(description="the lecturer's view only")
    name: str
    score: float | None
    metric: Metric
    scored_on: ScoredOn = Field(description=SCORED_ON)
    parameters: int
    pareto: bool = Field(description="no other submission has at least this score with at most these parameters "
                                     "and is strictly better in one")
    submitted_at: str


class LeaderboardPublic(BaseModel):
    metric: Metric
    entries: list[LeaderboardEntry] = Field(description="best first: by score, then fewer parameters, then earlier")


class ClassFollow(Request):
    section: str | None = Field(max_length=32, description="the /learn section every member's page shows (its id: "
                                                           "GET /api/learn/questions names them); null: none")


class ClassFollowPublic(BaseModel):
    section: str | None


class RoomAnswer(BaseModel):
    id: str = Field(description="the question's id (GET /api/learn/questions)")
    section: str
    text: str
    right: int = Field(description="members whose latest answer to it was right")
    wrong: int = Field(description="members whose latest answer to it was wrong")


class RoomAnswers(BaseModel):
    members: int
    questions: list[RoomAnswer]


class CrowdPut(Request):
    setting: str | None = Field(min_length=1, max_length=MAX_SETTING_PATH,
                                description="a sweep's setting path the assignment leaves unlocked "
                                            "(`network.hidden[0].units`, `training.reg_strength`, "
                                            "`training.learning_rate`, `network.hidden[*].activation`); null: none")


class CrowdStats(BaseModel):
    mean: float
    min: float
    max: float


class CrowdValue(BaseModel):
    value: Any = Field(description="the setting's value")
    label: str
    students: int = Field(description="members whose latest finished run at this value counts")
    diverged: int = Field(description="of them, runs that diverged")
    train: CrowdStats | None = Field(description="training accuracy (R² for regression) over the students; null: none")
    test: CrowdStats | None = Field(description="test accuracy (R²) on the data's test split; null: no test split")


class CrowdChoice(BaseModel):
    path: str
    label: str


class CrowdPublic(BaseModel):
    setting: str | None = Field(description="the varied setting's path; null: the lecturer has chosen none")
    label: str | None
    metric: Literal["accuracy", "r2"]
    members: int
    runs: int = Field(description="runs counted: each member's latest finished class job per value")
    since: str | None = Field(description="runs made since the assignment's current version count")
    values: list[CrowdValue]
    choices: list[CrowdChoice] = Field(description="settings the crowd may vary: the catalog's sweep settings "
                                                   "the assignment leaves unlocked")


class GalleryPin(Request):
    caption: str = Field(min_length=1, max_length=500, description="plain text shown with the pinned network")


class GalleryEntry(BaseModel):
    id: str = Field(description="the submission's id: POST .../gallery/{id}/copy opens a copy")
    name: str
    caption: str
    score: float | None
    metric: Metric
    scored_on: ScoredOn
    parameters: int
    pinned_at: str


class GalleryCopy(BaseModel):
    network_id: str = Field(description="your copy: open it in the Playground at /?network={network_id}")


# --- a class's export, imported into a new class ------------------------------------------------

def _instant(value: str) -> str:
    parse_instant(value)
    return value


Instant = Annotated[str, Field(max_length=40, json_schema_extra={"format": "date-time"}), AfterValidator(_instant)]
ExportId = Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH)]
PER_MEMBER = limit(max_items="class_members")  # each section holds at most one row per member
NOT_CARRIED = "read for its type, not carried"


class ExportedClass(Request):
    """Only the title is carried: the new class has its own id, code, state and creation time."""

    title: ClassTitle
    id: ExportId | None = Field(default=None, description=NOT_CARRIED)
    code: str | None = Field(default=None, max_length=16, description=NOT_CARRIED)
    state: Literal["open", "closed", "ended"] | None = Field(default=None, description=NOT_CARRIED)
    created_at: Instant | None = Field(default=None, description=NOT_CARRIED)
    ended_at: Instant | None = Field(default=None, description=NOT_CARRIED)


class ExportedMember(Request):
    id: ExportId = Field(description="the member's id in the document (the leaderboard's member_id names it); the "
                                     "imported member gets a new one")
    name: MemberName
    joined_at: Instant
    imported: bool = Field(default=False, description=NOT_CARRIED + ": every imported member is one")


class ExportedSetting(Request):
    name: str = Field(max_length=64)
    label: str = Field(max_length=200)
    locked: bool


class ExportedAssignment(_Assignment):
    version: whole(ge=1, le=MAX_COUNT) | None = Field(default=None, description=NOT_CARRIED + ": the import is "
                                                                                              "version 1")
    updated_at: Instant | None = Field(default=None, description=NOT_CARRIED)
    settings: list[ExportedSetting] | None = Field(default=None, max_length=len(SETTING_NAMES),
                                                   description=NOT_CARRIED + ": it follows from unlocked")


class ExportedEntry(Request):
    id: ExportId = Field(description="the entry's id in the document (a gallery pin names it)")
    member_id: ExportId = Field(description="one of the document's members, each with one entry at most")
    score: float | None = Field(le=1.0, description="accuracy (0 to 1) or R² (at most 1), as scored where it was "
                                                    "submitted; null: the network's outputs were not finite")
    metric: Metric = Field(description="the assignment's")
    scored_on: ScoredOn = Field(description=SCORED_ON)
    parameters: whole(ge=1, le=MAX_COUNT)
    submitted_at: Instant
    name: str | None = Field(default=None, max_length=MAX_MEMBER_NAME, description=NOT_CARRIED + ": the member's")
    rank: whole(ge=1, le=MAX_COUNT) | None = Field(default=None, description=NOT_CARRIED + ": ranked again")
    pareto: bool | None = Field(default=None, description=NOT_CARRIED + ": found again")


class ExportedNetwork(Request):
    spec: NetworkSpec
    weights: Weights = Field(description="every parameter (W1, b1, ...) in the shape the spec gives it")


class ExportedPin(Request):
    id: ExportId = Field(description="the leaderboard entry pinned (its id in the document)")
    caption: str = Field(min_length=1, max_length=500)
    pinned_at: Instant
    network: ExportedNetwork = Field(description="the network as submitted: a member's copy opens it")
    name: str | None = Field(default=None, max_length=MAX_MEMBER_NAME, description=NOT_CARRIED)
    score: float | None = Field(default=None, description=NOT_CARRIED + ": the entry's")
    metric: Metric | None = Field(default=None, description=NOT_CARRIED)
    scored_on: ScoredOn | None = Field(default=None, description=NOT_CARRIED)
    parameters: whole(ge=1, le=MAX_COUNT) | None = Field(default=None, description=NOT_CARRIED + ": the entry's")


class ClassExport(Request):
    """A class as ``GET /api/classes/{id}/export`` writes it (version 1, or 2 with the gallery)."""

    format: Literal[EXPORT_FORMAT]  # type: ignore[valid-type]
    version: Literal[1, 2] = Field(description="1: without the gallery; 2: with it")
    class_: ExportedClass = Field(alias="class")
    members: list[ExportedMember] = Field(default_factory=list, json_schema_extra=PER_MEMBER)
    assignment: ExportedAssignment | None = None
    leaderboard: list[ExportedEntry] = Field(default_factory=list, json_schema_extra=PER_MEMBER)
    jobs: list[dict[str, str | float | None]] = Field(
        default_factory=list, json_schema_extra=PER_MEMBER,
        description=NOT_CARRIED + ": each member's latest class job on the server it ran on")
    gallery: list[ExportedPin] = Field(default_factory=list, json_schema_extra=PER_MEMBER)


class WallJob(BaseModel):
    id: str = Field(description="GET /api/jobs/{id} and its events: the lecturer may follow it")
    status: str


class WallTile(BaseModel):
    member_id: str
    name: str
    job: WallJob | None = Field(description="the member's newest class job (null: none yet)")
    step: int | None
    epoch: float | None
    metric: Metric
    train: float | None = Field(description="training accuracy (R² for regression) at the latest record")
    test: float | None
    parameters: int | None
    boundary: dict[str, Any] | None = Field(description="a small decision boundary, encoded as a live frame's "
                                                        "`boundary` (16 × 16 cells at most)")
    flags: list[Literal[WALL_FLAGS]] = Field(
        description="not_started: no class job yet; diverged: the loss became NaN; dead_layer: every ReLU of a "
                    "hidden layer is dead; idle: no new step for over 2 minutes")


class WallPublic(BaseModel):
    tiles: list[WallTile] = Field(description="one per member, in the order they joined")
    tick_seconds: float = Field(description="the lecturer's event stream looks at the room this often")
    tile_seconds: float = Field(description="a tile is sent at most this often on the stream")
    class_colors: list[str] = Field(description="class k's colour in a boundary, as the figures draw it")


# --- sweeps ------------------------------------------------------------------------------------

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


# --- experiments -------------------------------------------------------------------------------

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


class ClassStyle(BaseModel):
    color: str = Field(description="the class's colour in every figure (Okabe–Ito), #rrggbb")
    symbol: str = Field(description="the class's marker shape in every figure (a plotly symbol name: circle, "
                                    "square, diamond, triangle-up, triangle-down, pentagon, hexagon, star)")


class DatasetPreview(BaseModel):
    task: str
    n_classes: int
    class_names: list[str]
    class_styles: list[ClassStyle] = Field(description="per class, as the figures draw it (none for regression)")
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
    label: str
    description: str
    verdict: str = Field(description="the notes' advice on using it")
    in_notes: bool = Field(description="one of the six activations the notes discuss")


class Named(BaseModel):
    name: str = Field(description="the name requests use")
    label: str = Field(description="the words the pages show for it")


class CatalogActivation(Named):
    in_notes: bool = Field(description="one of the six activations the notes discuss")


class CatalogLoss(Named):
    task: Literal["classification", "regression"]
    binary: bool = Field(description="for two classes, on one output unit (binary softmax and binary SVM)")
    description: str


class CatalogMetric(Named):
    format: Literal["percent", "count", "number"] = Field(
        description="percent: a fraction shown as a percentage; count: a whole number; number: as it is")


class SweepSetting(BaseModel):
    path: str = Field(description="where the setting is in a training request (a sweep axis's path)")
    label: str
    values: list[int | float | str] = Field(description="values to start from")
    choices: str | None = Field(default=None, description="the catalog list its values come from, if any")


class ClassSettingInfo(Named):
    fields: list[str] = Field(description="the training request's fields it covers (section.key)")


class Catalog(BaseModel):
    """Every name the pages offer, with the words they show for it."""

    optimizers: list[Named]
    initializations: list[Named]
    regularizations: list[Named]
    activations: list[CatalogActivation]
    losses: list[CatalogLoss]
    metrics: list[CatalogMetric] = Field(description="a run's metrics (sweep rows, job results)")
    sweep_figures: list[Named]
    sweep_settings: list[SweepSetting] = Field(description="the settings the Sweeps page offers to vary")
    class_settings: list[ClassSettingInfo] = Field(description="the settings a class's assignment may lock "
                                                               "(`unlocked` names those students may change)")


class ActivationValues(BaseModel):
    name: str
    x: list[float]
    y: list[float | None]
    dy: list[float | None]


class GradcheckRequest(Request):
    network: SpecForData
    data: DataSpec
    regularization: RegularizationName = "none"
    reg_strength: float = Field(default=0.0, ge=0)


class ParamCheckPublic(BaseModel):
    relative_error: float = Field(description="the notes' max |a − n| / max(|a|, |n|)")
    error: float = Field(description="the same with the noise floor: what the verdict uses")
    absolute_error: float = Field(description="max |a − n|")
    gradient_scale: float = Field(description="the largest gradient compared")
    scale_limited: bool = Field(description="some gradients are too small to judge by their relative error")


class GradcheckPublic(BaseModel):
    max_relative_error: dict[str, float]
    verdict: Literal["ok", "worrying", "wrong"]
    note: str = Field(description="the verdict in words, and whether the gradients' scale limits it")
    parameters: dict[str, ParamCheckPublic]
    noise: float = Field(description="the absolute error rounding alone puts on a numerical gradient")
    floor: float = Field(description="gradients below this are judged by their absolute error")
    thresholds: dict[str, float]
    points: int
