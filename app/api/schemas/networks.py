"""A stored network's answers and requests: its description, fork, share link, export, one
weight changed, maps over the plane, predictions and a forward pass."""

from __future__ import annotations

import sys
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.services.data_specs import DataSpec
from app.services.history import MAX_NETWORK_HISTORY
from app.services.specs import MAX_COUNT, Int, Request, limit, whole

from .common import NAME_HELP, Name, Weight, Weights
from .specs import NetworkSpec


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
