"""From request dicts to core objects: data sets, network specs and training configs, checked
against the server's limits. Every problem raises the core's ``SpecError`` with the field's
dotted path from the request's top (``network.hidden[0].units``), which the API turns into a 422:
the core's own errors arrive structured and only get the request's prefix added."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from app.nn import (
    Dataset,
    LayerSpec,
    NetworkSpec,
    SpecError,
    TrainConfig,
    check_fits,
    outputs_needed,
)
from app.nn.errors import join
from app.settings import Settings
from app.viz.thumbnails import MAX_THUMBNAIL_GRID

MAX_RUN_HISTORY = 2000  # history records one job may ask for
DEFAULT_INTERVAL_MS = 80  # live progress: about 12 frames a second unless a client asks otherwise
MIN_STEPS_PER_SECOND = 10  # a paced job still ends (or is cancelled) in reasonable time
MAX_INTERVAL_MS = 60_000
MAX_STEPS_PER_SECOND = 1_000_000
DEFAULT_STEPS = 1000  # a training request with neither steps nor epochs
DEFAULT_GRID = 40  # live boundary grid: cells per side

# The services raise the core's structured error; the name stays for code written against it.
InvalidInput = SpecError


class NotFound(LookupError):
    """A referenced resource (network, upload, job) does not exist."""


class Conflict(RuntimeError):
    """The request clashes with the current state (e.g. the network is being trained); ``field``
    names the request's field at fault when one is (a class's ``code`` whose joining is closed)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Forbidden(PermissionError):
    """Someone may see the resource but not do this to it (a member of a class, not its lecturer)."""


@dataclass(frozen=True)
class Limits:
    """What one request may ask for. The values come from ``app.settings.Settings``, their one
    home (the ``NNVIZ_MAX_*`` environment variables); there are no defaults here."""

    max_hidden_layers: int
    max_units: int
    max_points: int
    max_steps: int
    max_compute: float
    max_step_compute: float
    max_frame_compute: float
    max_paced_seconds: float
    max_grid: int
    max_upload_rows: int
    min_interval_ms: int
    max_added_points: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)})


# --- request models shared with the API --------------------------------------------------------

MAX_SEED = 2**31 - 1
MAX_SEEDS = 20  # seeds of each setting of a sweep or an experiment (the compute limit bounds their sum)
MAX_COUNT = 2**53 - 1  # steps a network has trained, a record's step: exact in a double, and in 64 bits
MAX_ID_LENGTH = 64
LIMIT_MARK = "x-nnviz-limits"  # {"maximum": "max_units"}: a JSON-schema keyword whose value is a setting


def limit(maximum: str | None = None, minimum: str | None = None, max_items: str | None = None) -> dict[str, Any]:
    """JSON-schema extra marking bounds that are settings (``maximum="max_units"``); the API
    writes the running server's values in, so its schema states the limits it enforces."""
    marks = {"maximum": maximum, "minimum": minimum, "maxItems": max_items}
    return {LIMIT_MARK: {key: value for key, value in marks.items() if value is not None}}


def _whole_number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


# JSON Schema's "integer" includes 2.0; strict models would refuse it, so a whole float becomes an int.
Int = Annotated[int, BeforeValidator(_whole_number)]


def whole(**bounds: int) -> Any:
    """``Int`` with bounds (``ge=1``), for an optional field: ``whole(ge=1) | None``. (Bounds given
    on the field of such a union would not reach its JSON schema.)"""
    return Annotated[int, Field(**bounds), BeforeValidator(_whole_number)]


class Request(BaseModel):
    """A strict request body: unknown fields, wrong types, NaN and infinity are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    def values(self) -> dict[str, Any]:
        """The fields the client set (nested), without defaults the services fill in themselves."""
        return self.model_dump(exclude_unset=True)


Seed = Field(default=None, description="random seed")
SeedValue = whole(ge=0, le=MAX_SEED)
_LOCATIONS = ("body", "query", "path", "form", "header")
_UNION_TAG = re.compile(r"[a-z-]+\[.*\]")


def field_path(loc: tuple | list) -> str:
    """A pydantic error location as a dotted field: ``("body", "network", "hidden", 0, "units")``
    -> ``network.hidden[0].units``; empty for the whole body."""
    parts = loc[1:] if loc and loc[0] in _LOCATIONS else loc
    path = ""
    for part in parts:
        if isinstance(part, str) and _UNION_TAG.fullmatch(part):
            continue  # which member of a union pydantic tried ("list[float]"): not a field
        path = f"{path}[{part}]" if isinstance(part, int) else join(path, str(part))
    return path


def parse(model: type[BaseModel], data: Any) -> BaseModel:
    """``model`` validated from plain data, its first problem as a ``SpecError``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        raise SpecError(field_path(error.get("loc", ())), message) from None


# --- networks ----------------------------------------------------------------------------------

def network_spec(spec: dict[str, Any], limits: Limits, data: Dataset | None = None,
                 field: str = "network") -> NetworkSpec:
    """A validated ``NetworkSpec``; with ``data``, the sizes and the loss not given follow from the
    data, and the core's ``check_fits`` checks the ones given."""
    hidden = spec.get("hidden") or []
    if len(hidden) > limits.max_hidden_layers:
        raise SpecError(join(field, "hidden"), f"at most {limits.max_hidden_layers} hidden layers")
    for i, layer in enumerate(hidden):
        if layer.get("units", 0) > limits.max_units:
            raise SpecError(join(field, f"hidden[{i}].units"), f"at most {limits.max_units} units per layer")
    loss, input_dim, output_dim = spec.get("loss"), spec.get("input_dim"), spec.get("output_dim")
    try:
        if data is not None:
            loss = loss or ("mse" if data.task == "regression" else "softmax")
            input_dim = data.input_dim if input_dim is None else input_dim
            output_dim = outputs_needed(loss, data) if output_dim is None else output_dim
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if value is None:
                raise SpecError(name, "is required (or give data to infer it from)")
            if value > limits.max_units:
                raise SpecError(name, f"at most {limits.max_units}")
        layers = tuple(LayerSpec(**{k: v for k, v in layer.items() if v is not None}) for layer in hidden)
        built = NetworkSpec(input_dim, layers, output_dim, loss=loss or "softmax", init=spec.get("init") or "small",
                            features=spec.get("features"))
        if data is not None:
            check_fits(built, data)
    except SpecError as exc:
        raise exc.within(field) from None
    return built


def check_data_fits(spec: dict[str, Any], data: Dataset, field: str = "data") -> None:
    """A given network (spec as a dict) and data: a mismatch is the data's fault (``field``)."""
    try:
        check_fits(NetworkSpec.from_dict(spec), data)
    except SpecError as exc:
        raise SpecError(field, f"does not fit the network: {exc.message}") from None


# --- training ----------------------------------------------------------------------------------

def train_config(spec: dict[str, Any], limits: Limits, field: str = "training") -> TrainConfig:
    """A validated ``TrainConfig``; neither steps nor epochs means ``DEFAULT_STEPS`` steps."""
    spec = {k: v for k, v in spec.items() if v is not None}
    if "steps" in spec and "epochs" in spec:
        raise SpecError(join(field, "steps"), "give steps or epochs, not both")
    if "steps" not in spec and "epochs" not in spec:
        spec["steps"] = DEFAULT_STEPS
    for key, most in (("steps", limits.max_steps), ("epochs", limits.max_steps), ("history_every", limits.max_steps),
                      ("batch_size", limits.max_points)):
        if spec.get(key, 0) > most:
            raise SpecError(join(field, key), f"at most {most}")
    options = {k: v for k, v in (spec.pop("optimizer_options", None) or {}).items() if v is not None}
    try:
        config = TrainConfig(**spec, optimizer_options=options)
        config.validate()
    except SpecError as exc:
        raise exc.within(field) from None
    return config


def check_budget(config: TrainConfig, data: Dataset, parameters: int, limits: Limits,
                 field: str = "training") -> int:
    """Total steps of the run; raises when steps x batch points x parameters exceeds the budget, or
    when one step or one history record would cost more than a slice can hold (``check_step``)."""
    n_train = len(data.y_train)
    steps = config.total_steps(n_train)
    if steps > limits.max_steps:
        raise SpecError(join(field, "epochs" if config.epochs else "steps"),
                        f"{steps} steps is more than the limit of {limits.max_steps}")
    # The dense start (``is_record_step``) adds at most 100 + 50 * log2(history_every) records to these;
    # a job's and a network's stored history are thinned to their limits anyway (``merge_history``).
    if config.history_every and steps / config.history_every > MAX_RUN_HISTORY:
        raise SpecError(join(field, "history_every"), f"would take more than {MAX_RUN_HISTORY} history records; "
                                                      f"use at least {math.ceil(steps / MAX_RUN_HISTORY)}")
    batch = min(config.batch_size or n_train, n_train)
    check_step(batch, len(data.y_train) + len(data.y_test), parameters, limits, field)
    cost = steps * batch * parameters
    if cost > limits.max_compute:
        raise SpecError(field, f"the job needs about {cost:.3g} multiply-adds (steps x points x parameters), "
                               f"more than the limit of {limits.max_compute:.3g}; use fewer steps, points or units")
    return steps


def check_step(batch: int, points: int, parameters: int, limits: Limits, field: str = "training") -> None:
    """A slice cannot end inside a step, so one step (batch x parameters) and one history record (every
    point x parameters) must each fit within ``max_step_compute``: else one person's step would hold a
    worker for seconds while everyone else's live frames wait."""
    most = limits.max_step_compute
    if batch * parameters > most:
        raise SpecError(join(field, "batch_size"),
                        f"one step of {batch} points x {parameters} parameters is {batch * parameters:.3g} "
                        f"multiply-adds, more than the limit of {most:.3g} per step; use a batch_size of at most "
                        f"{max(1, int(most // parameters))}, or fewer units")
    if points * parameters > most:
        raise SpecError("data", f"a history record evaluates all {points} points: {points * parameters:.3g} "
                                f"multiply-adds with {parameters} parameters, more than the limit of {most:.3g}; "
                                f"use at most {max(1, int(most // parameters))} points, or fewer units")


def frame_compute(live: dict[str, Any] | None, parameters: int, points: int) -> float:
    """Multiply-adds of one live frame: a forward pass per boundary cell, per node-map cell, and per
    point for the hidden-space view (0: no frames)."""
    if not live:
        return 0.0
    cells = live["grid"] ** 2 + (live["nodes"] or 0) ** 2 + (points if live.get("hidden") else 0)
    return float(cells * parameters)


def check_live_cost(live: dict[str, Any], steps: int, parameters: int, points: int, limits: Limits,
                    field: str = "live") -> None:
    """A live frame is made in one piece too, so it fits within ``max_frame_compute``; and a paced job
    ends within ``max_paced_seconds``."""
    cost = frame_compute(live, parameters, points)
    if cost > limits.max_frame_compute:
        raise SpecError(join(field, "grid"), f"one live frame costs {cost:.3g} multiply-adds ((grid² + nodes² + "
                                             f"points for the hidden view) x {parameters} parameters), more than "
                                             f"the limit of {limits.max_frame_compute:.3g}; use a smaller grid, "
                                             "fewer node maps or fewer units")
    pace = live.get("steps_per_second")
    if pace and steps / pace > limits.max_paced_seconds:
        raise SpecError(join(field, "steps_per_second"),
                        f"{steps} steps at {pace:g} a second take {steps / pace:.0f} s, longer than a paced job "
                        f"may run ({limits.max_paced_seconds:g} s); ask for at most "
                        f"{int(pace * limits.max_paced_seconds)} steps, or a faster pace")


# A job's share of a core while it runs, for admission (the scheduler counts load, not jobs): a job
# that runs free takes a whole turn; a paced one only what its steps and frames cost, at about
# CORE_COMPUTE multiply-adds a second, each step and frame costing at least its fixed overhead.
CORE_COMPUTE = 1e9
STEP_OVERHEAD_SECONDS = 1e-4
FRAME_OVERHEAD_SECONDS = 1e-3


def job_load(live: dict[str, Any] | None, step: float, frame: float) -> float:
    """The share of a core (0 to 1) a training job keeps busy: 1 unless it is paced. ``step`` and
    ``frame``: multiply-adds of one step and of one live frame."""
    pace = live.get("steps_per_second") if live else None
    if not pace:
        return 1.0
    frames_per_second = min(pace, 1000 / live["interval_ms"])
    seconds = (pace * (STEP_OVERHEAD_SECONDS + step / CORE_COMPUTE)
               + frames_per_second * (FRAME_OVERHEAD_SECONDS + frame / CORE_COMPUTE))
    return min(1.0, seconds)


def live_options(spec: dict[str, Any] | None, limits: Limits, field: str = "live") -> dict[str, Any]:
    spec = {k: v for k, v in (spec or {}).items() if v is not None}
    grid, interval = spec.get("grid", DEFAULT_GRID), spec.get("interval_ms", DEFAULT_INTERVAL_MS)
    pace, ramp, nodes = spec.get("steps_per_second"), bool(spec.get("ramp", False)), spec.get("nodes")
    if not 2 <= grid <= limits.max_grid:
        raise SpecError(join(field, "grid"), f"must be between 2 and {limits.max_grid}")
    if not limits.min_interval_ms <= interval <= MAX_INTERVAL_MS:
        raise SpecError(join(field, "interval_ms"), f"must be between {limits.min_interval_ms} and {MAX_INTERVAL_MS}")
    if pace is not None and not MIN_STEPS_PER_SECOND <= pace <= MAX_STEPS_PER_SECOND:
        raise SpecError(join(field, "steps_per_second"),
                        f"must be between {MIN_STEPS_PER_SECOND} and {MAX_STEPS_PER_SECOND} "
                        "(or null: as fast as the machine goes)")
    if ramp and pace is not None:
        raise SpecError(join(field, "ramp"), "a ramp sets its own pace: give ramp or steps_per_second, not both")
    if nodes is not None and not 2 <= nodes <= MAX_THUMBNAIL_GRID:
        raise SpecError(join(field, "nodes"), f"must be between 2 and {MAX_THUMBNAIL_GRID} (or null: no node maps)")
    edges, hidden = bool(spec.get("edges", False)), spec.get("hidden")
    if hidden is not None:
        layer = hidden.get("layer", 1) if isinstance(hidden, dict) else None
        if not isinstance(layer, int) or not 1 <= layer <= limits.max_hidden_layers:
            raise SpecError(join(field, "hidden.layer"), f"must be a hidden layer, 1 to {limits.max_hidden_layers}")
        hidden = {"layer": layer}
    return {"grid": grid, "interval_ms": interval, "steps_per_second": pace, "ramp": ramp, "nodes": nodes,
            "edges": edges, "hidden": hidden}


def check_live_layer(live: dict[str, Any], spec: dict[str, Any], field: str = "live") -> None:
    """The hidden-space layer a job's live frames should follow is one of its network's (1 or 2 inputs)."""
    if not live.get("hidden"):
        return
    layers = len(spec.get("hidden") or [])
    if spec.get("input_dim", 2) > 2:
        raise SpecError(join(field, "hidden"), "the hidden-space view needs a network with 1 or 2 inputs")
    if live["hidden"]["layer"] > layers:
        raise SpecError(join(field, "hidden.layer"), f"the network has {layers} hidden layer(s)")

