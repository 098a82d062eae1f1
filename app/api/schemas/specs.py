"""What a client describes: a network (stored, forked or not stored at all), how to train it and
what its live frames carry."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, model_validator

from app.nn import FEATURE_NAMES, LOSS_NAMES, OPTIMIZER_NAMES, get_loss
from app.nn.optimizers import optimizer_options
from app.services.data_specs import DataSpec
from app.services.specs import (
    DEFAULT_GRID,
    DEFAULT_INTERVAL_MS,
    MAX_ID_LENGTH,
    MAX_INTERVAL_MS,
    MAX_STEPS_PER_SECOND,
    MAX_THUMBNAIL_GRID,
    MIN_STEPS_PER_SECOND,
    Int,
    Request,
    Seed,
    SeedValue,
    limit,
    whole,
)

from .common import (
    DEFAULT_OPTIMIZER,
    NAME_HELP,
    Activation,
    FeatureName,
    InitName,
    LossName,
    Name,
    OptimizerName,
    RegularizationName,
    Weight,
    Weights,
)


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
