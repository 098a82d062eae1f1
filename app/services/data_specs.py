"""Data specs: a request's ``data`` (a generated data set with its parameters, or an upload, and
points added by clicks) checked against the server's limits and resolved to every value written out
(``resolve_data_spec``), the data set built from it (``build_dataset``), and the OpenAPI schema that
lists each generator's parameters (``data_spec_schema``). ``SpecError`` names the field, as in
``specs.py``, whose limits, errors and request base these use."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, model_validator

from app.nn import (
    DATASETS,
    MAX_COORDINATE,
    Dataset,
    SpecError,
    add_points,
    check_points,
    load_csv,
    make_dataset,
)
from app.nn.errors import join

from .specs import MAX_ID_LENGTH, MAX_SEED, Limits, NotFound, Request, Seed, SeedValue, limit, whole

Coordinate = Annotated[float, Field(ge=-MAX_COORDINATE, le=MAX_COORDINATE)]


class DataSpec(Request):
    """A generated data set (``name`` and its parameters, see GET /api/datasets) or an upload
    (``id``). The values are checked against the generator's own parameters by
    ``resolve_data_spec``; the OpenAPI schema lists them per generator (``data_spec_schema``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0},
    ]})

    name: str | None = Field(default=None, max_length=32, description="generator, see GET /api/datasets")
    id: str | None = Field(default=None, max_length=MAX_ID_LENGTH, description="an uploaded data set")
    n_per_class: whole(ge=1) | None = None
    classes: whole(ge=2) | None = None
    n_points: whole(ge=2) | None = None
    noise: float | None = Field(default=None, ge=0)
    seed: SeedValue | None = Seed
    test_fraction: float | None = Field(default=None, ge=0, le=0.9)
    points: list[list[Coordinate]] | None = Field(
        default=None, json_schema_extra=limit(max_items="max_added_points"),
        description="added training points, rows [x1, x2, label] (a class index, or the target for regression), "
                    "appended in order")

    @model_validator(mode="after")
    def _name_or_id(self) -> DataSpec:
        if (self.name is None) == (self.id is None):
            raise ValueError("give exactly one of name (a generator) and id (an upload)")
        return self


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _param_schema(param: Any, maximum: float | None = None) -> dict[str, Any]:
    kind = "integer" if isinstance(param.default, int) else "number"
    top = param.maximum if maximum is None else min(param.maximum, maximum)
    return {"type": kind, "minimum": param.minimum, "maximum": top, "description": param.description}


def _generator_schema(info: Any, limits: Limits) -> dict[str, Any]:
    """One generator's data spec: its name, its parameters within their ranges, and the points
    limit (points per class x classes <= max_points), case by case where classes vary."""
    params = info.params
    properties: dict[str, Any] = {"name": {"const": info.name}}
    properties |= {key: _nullable(_param_schema(param)) for key, param in params.items()}
    properties["points"] = _points_schema(limits)
    schema = {"type": "object", "title": info.name, "description": info.description, "required": ["name"],
              "properties": properties, "additionalProperties": False}
    size = "n_points" if "n_points" in params else "n_per_class"
    classes = params.get("classes")
    cases = [(None, classes.default if classes else 2)]
    if classes is not None:
        cases += [(k, k) for k in range(int(classes.minimum), int(classes.maximum) + 1)]
    branches = []
    for value, count in cases:
        cap = limits.max_points // (1 if size == "n_points" else count)
        if cap < params[size].minimum:
            continue  # this many classes cannot fit in the limit at all
        branch: dict[str, Any] = {"properties": {size: _nullable(_param_schema(params[size], cap))}}
        if params[size].default > cap:
            branch["required"] = [size]
            branch["properties"][size] = _param_schema(params[size], cap)
        if classes is not None:
            branch["properties"]["classes"] = {"const": value} if value is not None else {"type": "null"}
            if value is not None:
                branch["required"] = [*branch.get("required", []), "classes"]
        branches.append(branch)  # (a property's schema only applies when it is there: null covers left out)
    schema["anyOf"] = branches
    return schema


def _points_schema(limits: Limits) -> dict[str, Any]:
    """Added points: rows of numbers within ±``MAX_COORDINATE`` (inputs, then the label);
    ``resolve_points`` checks each row against the data it joins."""
    row = {"type": "array", "items": {"type": "number", "minimum": -MAX_COORDINATE, "maximum": MAX_COORDINATE},
           "minItems": 2}
    return _nullable({"type": "array", "items": row, "maxItems": limits.max_added_points})


def data_spec_schema(limits: Limits) -> dict[str, Any]:
    """The JSON schema of ``DataSpec`` that says exactly what ``resolve_data_spec`` accepts under
    ``limits``: one branch per generator (from the ``DATASETS`` registry) and one for uploads."""
    upload = {"type": "object", "title": "upload", "required": ["id"], "additionalProperties": False, "properties": {
        "id": {"type": "string", "maxLength": MAX_ID_LENGTH, "description": "an uploaded data set"},
        "test_fraction": _nullable({"type": "number", "minimum": 0, "maximum": 0.9}),
        "seed": _nullable({"type": "integer", "minimum": 0, "maximum": MAX_SEED}),
        "points": _points_schema(limits),
    }}
    branches = [_generator_schema(info, limits) for info in DATASETS.values()]
    return {"title": "DataSpec", "description": DataSpec.__doc__, "oneOf": [*branches, upload]}


# --- data --------------------------------------------------------------------------------------

def data_points(spec: dict[str, Any]) -> int:
    """How many points a resolved generator spec makes."""
    return spec.get("n_points") or spec["n_per_class"] * spec.get("classes", 2)


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
        raise SpecError(join(field, "test_fraction"), "must be between 0 and 0.9")
    if "id" in spec:
        if upload is None:
            raise NotFound(f"no uploaded data set with id {spec['id']!r}")
        extra = set(spec) - {"id", "test_fraction", "seed"}
        if extra:
            raise SpecError(join(field, sorted(extra)[0]), "an upload takes only id, test_fraction and seed")
        return {"id": spec["id"], "test_fraction": test_fraction, "seed": spec.get("seed", 0)}
    name = spec.get("name")
    if name is None:
        raise SpecError(join(field, "name"), "give a data set name (or the id of an upload)")
    if name not in DATASETS:
        raise SpecError(join(field, "name"), f"unknown data set {name!r}; expected one of: {', '.join(DATASETS)}")
    params = DATASETS[name].params
    resolved: dict[str, Any] = {"name": name}
    for key, value in spec.items():
        if key == "name":
            continue
        if key not in params:
            raise SpecError(join(field, key), f"data set {name!r} takes no {key}; it takes: {', '.join(params)}")
        if not params[key].minimum <= value <= params[key].maximum:
            raise SpecError(join(field, key), f"must be between {params[key].minimum} and {params[key].maximum}")
    for key, param in params.items():
        resolved[key] = spec.get(key, param.default)
    points = data_points(resolved)
    if points > limits.max_points:
        raise SpecError(join(field, "n_points" if "n_points" in params else "n_per_class"),
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
        raise SpecError(join(field, "points"), "must be a list of rows [x1, x2, label]")
    if len(points) > limits.max_added_points:
        raise SpecError(join(field, "points"), f"at most {limits.max_added_points} added points")
    if not points:
        return resolved
    data = build_dataset(resolved, upload)
    try:
        rows = check_points(points, data.input_dim, data.task, data.n_classes)
    except SpecError as exc:
        raise exc.within(field) from None
    return resolved | {"points": rows}
