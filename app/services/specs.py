"""From request dicts to core objects: data sets, network specs and training configs, checked
against the server's limits. Every problem raises ``InvalidInput`` naming the field at fault
(``network.hidden[0].units``), which the API turns into a 422."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from app.nn import (
    DATASETS,
    Dataset,
    LayerSpec,
    NetworkSpec,
    TrainConfig,
    add_points,
    check_points,
    get_loss,
    load_csv,
    make_dataset,
    make_optimizer,
)

MAX_RUN_HISTORY = 2000  # history records one job may ask for
DEFAULT_INTERVAL_MS = 80  # live progress: about 12 frames a second unless a client asks otherwise
MIN_STEPS_PER_SECOND = 10  # a paced job still ends (or is cancelled) in reasonable time


class InvalidInput(ValueError):
    """A request value the server will not accept; ``field`` is its dotted path."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(LookupError):
    """A referenced resource (network, upload, job) does not exist."""


def join(prefix: str, name: str) -> str:
    """``join("network", "hidden[0].units")`` -> ``network.hidden[0].units``; an empty prefix is the body."""
    return f"{prefix}.{name}" if prefix and name else prefix or name


def from_core_error(prefix: str, exc: Exception, fallback: str | None = None) -> InvalidInput:
    """The core's messages start with the name at fault (``output_dim must be 1 ...``,
    ``loss: unknown loss ...``): keep it as the field. Other messages go to ``fallback``."""
    message = str(exc)
    match = _CORE_FIELD.match(message)
    if match:
        return InvalidInput(join(prefix, match.group(1)), match.group(2))
    return InvalidInput(fallback or prefix or "body", message)


_CORE_FIELD = re.compile(r"([a-z_][\w.\[\]]*)(?::\s+| (?=(?:must|has|contains|is|needs) ))(.*)", re.DOTALL)


@dataclass(frozen=True)
class Limits:
    """What one request may ask for (see ``app.settings.Settings``)."""

    max_hidden_layers: int = 8
    max_units: int = 256
    max_points: int = 10_000
    max_steps: int = 100_000
    max_compute: float = 2e11
    max_grid: int = 200
    max_upload_rows: int = 10_000
    min_interval_ms: int = 50
    max_added_points: int = 500

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        return cls(**{name: getattr(settings, name) for name in cls.__dataclass_fields__})


# --- data --------------------------------------------------------------------------------------

def resolve_data_spec(spec: dict[str, Any], limits: Limits, upload: dict[str, Any] | None = None,
                      field: str = "data") -> dict[str, Any]:
    """Check a data spec and fill in every default, so that it regenerates the same points later.

    ``{"name": ..., params}`` names a generator; ``{"id": ...}`` an upload (``upload`` is its row).
    """
    spec = {k: v for k, v in spec.items() if v is not None}
    if "points" in spec:
        return resolve_points(spec, limits, upload, field)
    test_fraction = spec.get("test_fraction", 0.0)
    if not 0.0 <= test_fraction <= 0.9:
        raise InvalidInput(join(field, "test_fraction"), "must be between 0 and 0.9")
    if "id" in spec:
        if upload is None:
            raise NotFound(f"no uploaded data set with id {spec['id']!r}")
        extra = set(spec) - {"id", "test_fraction", "seed"}
        if extra:
            raise InvalidInput(join(field, sorted(extra)[0]), "an upload takes only id, test_fraction and seed")
        return {"id": spec["id"], "test_fraction": test_fraction, "seed": spec.get("seed", 0)}
    name = spec.get("name")
    if name is None:
        raise InvalidInput(join(field, "name"), "give a data set name (or the id of an upload)")
    if name not in DATASETS:
        raise InvalidInput(join(field, "name"), f"unknown data set {name!r}; expected one of: {', '.join(DATASETS)}")
    params = DATASETS[name].params
    resolved: dict[str, Any] = {"name": name}
    for key, value in spec.items():
        if key == "name":
            continue
        if key not in params:
            raise InvalidInput(join(field, key), f"data set {name!r} takes no {key}; it takes: {', '.join(params)}")
        if not params[key].minimum <= value <= params[key].maximum:
            raise InvalidInput(join(field, key), f"must be between {params[key].minimum} and {params[key].maximum}")
    for key, param in params.items():
        resolved[key] = spec.get(key, param.default)
    points = resolved.get("n_points") or resolved["n_per_class"] * resolved.get("classes", 2)
    if points > limits.max_points:
        raise InvalidInput(join(field, "n_points" if "n_points" in params else "n_per_class"),
                           f"{points} points is more than the limit of {limits.max_points}")
    return resolved


def build_dataset(spec: dict[str, Any], upload: dict[str, Any] | None = None) -> Dataset:
    """The data set of a resolved data spec (``upload`` is the upload row for ``{"id": ...}``)."""
    if spec.get("points"):
        return add_points(build_dataset({k: v for k, v in spec.items() if k != "points"}, upload), spec["points"])
    if "id" in spec:
        if upload is None:
            raise NotFound(f"no uploaded data set with id {spec['id']!r}")
        return load_csv(upload["csv"], task=upload["task"], test_fraction=spec["test_fraction"], seed=spec["seed"],
                        max_rows=upload["rows"], name=f"upload {spec['id']}")
    params = {k: v for k, v in spec.items() if k != "name"}
    return make_dataset(spec["name"], **params)


def resolve_points(spec: dict[str, Any], limits: Limits, upload: dict[str, Any] | None = None,
                   field: str = "data") -> dict[str, Any]:
    """``resolve_data_spec`` of a spec with added ``points``: rows ``[x_1, ..., x_D, label]`` that
    join the training set, in order. They are checked against the data they join (inputs, classes);
    an empty list is the same as none."""
    points = spec["points"]
    resolved = resolve_data_spec({k: v for k, v in spec.items() if k != "points"}, limits, upload, field)
    if not isinstance(points, list):
        raise InvalidInput(join(field, "points"), "must be a list of rows [x1, x2, label]")
    if len(points) > limits.max_added_points:
        raise InvalidInput(join(field, "points"), f"at most {limits.max_added_points} added points")
    if not points:
        return resolved
    data = build_dataset(resolved, upload)
    try:
        rows = check_points(points, data.input_dim, data.task, data.n_classes)
    except ValueError as exc:
        raise from_core_error(field, exc) from None
    return resolved | {"points": rows}


# --- networks ----------------------------------------------------------------------------------

def network_spec(spec: dict[str, Any], limits: Limits, data: Dataset | None = None,
                 field: str = "network") -> NetworkSpec:
    """A validated ``NetworkSpec``; with ``data``, the input/output sizes and the loss follow from it."""
    hidden = spec.get("hidden") or []
    if len(hidden) > limits.max_hidden_layers:
        raise InvalidInput(join(field, "hidden"), f"at most {limits.max_hidden_layers} hidden layers")
    for i, layer in enumerate(hidden):
        if layer.get("units", 0) > limits.max_units:
            raise InvalidInput(join(field, f"hidden[{i}].units"), f"at most {limits.max_units} units per layer")
    loss = spec.get("loss")
    input_dim, output_dim = spec.get("input_dim"), spec.get("output_dim")
    if data is not None:
        loss = loss or ("mse" if data.task == "regression" else "softmax")
        loss_task = get_loss(loss).task
        if loss_task != data.task:
            raise InvalidInput(join(field, "loss"), f"the {loss} loss is for {loss_task}, but the data is {data.task}")
        if input_dim is not None and input_dim != data.input_dim:
            raise InvalidInput(join(field, "input_dim"), f"is {input_dim} but the data has {data.input_dim} inputs")
        needed = 1 if data.task == "regression" else get_loss(loss).output_dim(data.n_classes)
        if output_dim is not None and output_dim != needed:
            raise InvalidInput(join(field, "output_dim"), f"is {output_dim} but the data needs {needed} outputs")
        if get_loss(loss).single_output and data.n_classes > 2:
            raise InvalidInput(join(field, "loss"), f"the {loss} loss is binary; the data has {data.n_classes} classes")
        input_dim, output_dim = data.input_dim, needed
    for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
        if value is None:
            raise InvalidInput(join(field, name), "is required")
        if value > limits.max_units:
            raise InvalidInput(join(field, name), f"at most {limits.max_units}")
    try:
        layers = tuple(LayerSpec(**{k: v for k, v in layer.items() if v is not None}) for layer in hidden)
        return NetworkSpec(input_dim, layers, output_dim, loss=loss or "softmax", init=spec.get("init") or "small")
    except ValueError as exc:
        raise from_core_error(field, exc) from None


# --- training ----------------------------------------------------------------------------------

def train_config(spec: dict[str, Any], limits: Limits, field: str = "training") -> TrainConfig:
    """A validated ``TrainConfig``; neither steps nor epochs means 1,000 steps."""
    spec = {k: v for k, v in spec.items() if v is not None}
    if "steps" in spec and "epochs" in spec:
        raise InvalidInput(join(field, "steps"), "give steps or epochs, not both")
    if "steps" not in spec and "epochs" not in spec:
        spec["steps"] = 1000
    for key in ("steps", "epochs"):
        if spec.get(key, 0) > limits.max_steps:
            raise InvalidInput(join(field, key), f"at most {limits.max_steps}")
    options = {k: v for k, v in (spec.pop("optimizer_options", None) or {}).items() if v is not None}
    try:
        config = TrainConfig(**spec, optimizer_options=options)
        config.validate()
    except (TypeError, ValueError) as exc:
        raise from_core_error(field, exc) from None
    for key, value in options.items():
        try:
            make_optimizer(config.optimizer, config.learning_rate, **{key: value})
        except TypeError:
            raise InvalidInput(join(field, f"optimizer_options.{key}"),
                               f"the {config.optimizer} optimizer has no option {key}") from None
    return config


def check_budget(config: TrainConfig, data: Dataset, parameters: int, limits: Limits,
                 field: str = "training") -> int:
    """Total steps of the run; raises when steps x batch points x parameters exceeds the budget."""
    n_train = len(data.y_train)
    steps = config.total_steps(n_train)
    if steps > limits.max_steps:
        raise InvalidInput(join(field, "epochs" if config.epochs else "steps"),
                           f"{steps} steps is more than the limit of {limits.max_steps}")
    if config.history_every and steps / config.history_every > MAX_RUN_HISTORY:
        raise InvalidInput(join(field, "history_every"), f"would take more than {MAX_RUN_HISTORY} history records; "
                                                        f"use at least {math.ceil(steps / MAX_RUN_HISTORY)}")
    batch = min(config.batch_size or n_train, n_train)
    cost = steps * batch * parameters
    if cost > limits.max_compute:
        raise InvalidInput(field, f"the job needs about {cost:.3g} multiply-adds (steps x points x parameters), "
                                  f"more than the limit of {limits.max_compute:.3g}; use fewer steps, points or units")
    return steps


def live_options(spec: dict[str, Any] | None, limits: Limits, field: str = "live") -> dict[str, int | None]:
    spec = {k: v for k, v in (spec or {}).items() if v is not None}
    grid, interval = spec.get("grid", 40), spec.get("interval_ms", DEFAULT_INTERVAL_MS)
    pace = spec.get("steps_per_second")
    if not 2 <= grid <= limits.max_grid:
        raise InvalidInput(join(field, "grid"), f"must be between 2 and {limits.max_grid}")
    if not limits.min_interval_ms <= interval <= 60_000:
        raise InvalidInput(join(field, "interval_ms"), f"must be between {limits.min_interval_ms} and 60000")
    if pace is not None and not MIN_STEPS_PER_SECOND <= pace <= 1_000_000:
        raise InvalidInput(join(field, "steps_per_second"), f"must be between {MIN_STEPS_PER_SECOND} and 1000000 "
                                                            "(or null: as fast as the machine goes)")
    return {"grid": grid, "interval_ms": interval, "steps_per_second": pace}

