"""A sweep's plan: from a sweep request to the training request of every run, checked.

A sweep varies 1 to 3 settings of one training request (the ``base``, as ``POST /api/jobs`` takes
it). A setting is named by its path in that request: ``training.learning_rate``,
``network.hidden[0].units``, ``network.hidden[*].activation`` (every hidden layer),
``data.noise``, ``training.optimizer_options.mu``. Either a grid (``axes``: each path with its
values; every combination is a setting) or ``random`` (``n`` settings drawn from ranges:
``{"log": [a, b]}``, ``{"linear": [a, b]}`` or ``{"choice": [...]}``; whole-number bounds draw
whole numbers). Each setting is trained with ``seeds`` seeds: seed ``k`` adds ``k`` to the base's
network seed (by default its training seed) and to its training seed, so seed 0 is the base itself
and every run is exactly the job ``run_request`` gives, trained alone.

Every problem is a ``SpecError`` naming the field: ``base.training.steps``,
``axes.training.learnin_rate`` (a path that names no setting), ``axes.network.hidden[0].units``
(a value that is not acceptable, the message says which and why), ``random.ranges.<path>``.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from itertools import product
from typing import Any

import numpy as np

from app.nn import Dataset, LayerSpec, NetworkSpec, SpecError, TrainConfig
from app.nn.optimizers import OPTIMIZER_NAMES, optimizer_options
from app.viz.sweeps import Axis, log_spaced, value_label

from .data_specs import DataSpec, build_dataset, resolve_data_spec
from .specs import MAX_SEEDS, Limits, check_budget, network_spec, train_config

MAX_AXES = 3
MAX_RANDOM_RANGES = 6
RANGE_KINDS = ("log", "linear", "choice")

_LEAF = None  # a value with no settings inside
_LAYER = {f.name: _LEAF for f in fields(LayerSpec)}
# Every setting a sweep may vary, from the core's own fields: one home for each.
SETTINGS: dict[str, Any] = {
    "network": {f.name: _LEAF for f in fields(NetworkSpec)} | {"hidden": [_LAYER], "seed": _LEAF},
    "data": {name: _LEAF for name in DataSpec.model_fields},
    "training": {f.name: _LEAF for f in fields(TrainConfig)} | {"optimizer_options": {
        option: _LEAF for name in OPTIMIZER_NAMES for option in optimizer_options(name)}},
}
_STEP = re.compile(r"([a-z_][a-z0-9_]*)(?:\[(\d+|\*)\])?")


@dataclass(frozen=True)
class Run:
    index: int
    setting: int  # which combination of values
    seed: int  # 0 .. seeds - 1
    request: dict[str, Any]  # the training request of this run alone (network, data, training)


@dataclass
class Plan:
    """A checked sweep: its axes, settings (one ``{path: value}`` per combination) and runs."""

    base: dict[str, Any]
    axes: list[Axis]
    settings: list[dict[str, Any]]
    seeds: int
    random: bool
    target_loss: float | None
    runs: list[Run]
    tasks: list[dict[str, Any]]  # the worker's training task of each run
    cost: float  # multiply-adds of every run together
    task: str  # the base data's: classification or regression
    has_test: bool  # the base data has a test set

    @property
    def total(self) -> int:
        return len(self.runs)


# --- paths ---------------------------------------------------------------------------------------

def parse_path(path: Any, field: str) -> list[tuple[str, int | str | None]]:
    """``network.hidden[0].units`` -> ``[("network", None), ("hidden", 0), ("units", None)]``,
    checked against ``SETTINGS``; ``field`` names it in errors."""
    if not isinstance(path, str) or not path:
        raise SpecError(field, "must name a setting, such as training.learning_rate")
    steps: list[tuple[str, int | str | None]] = []
    node: Any = SETTINGS
    for part in path.split("."):
        match = _STEP.fullmatch(part)
        if match is None or not isinstance(node, dict) or match[1] not in node:
            known = ", ".join(sorted(node)) if isinstance(node, dict) else "nothing"
            raise SpecError(field, f"names no setting of a training request (at {part!r}; expected one of: {known})")
        name, index = match[1], match[2]
        node = node[name]
        if index is not None:
            if not isinstance(node, list):
                raise SpecError(field, f"{name} is not a list; leave out [{index}]")
            node = node[0]
            steps.append((name, "*" if index == "*" else int(index)))
        else:
            steps.append((name, None))
    return steps


def set_path(request: dict[str, Any], steps: list[tuple[str, int | str | None]], value: Any,
             field: str) -> None:
    """Set ``value`` at the parsed path in ``request`` (in place); missing objects are created."""
    targets: list[Any] = [request]
    for depth, (name, index) in enumerate(steps):
        last = depth == len(steps) - 1
        following: list[Any] = []
        for target in targets:
            if index is None:
                if last:
                    target[name] = copy.deepcopy(value)
                else:
                    if not isinstance(target.get(name), dict):
                        target[name] = {}
                    following.append(target[name])
                continue
            items = target.get(name) or []
            if index == "*":
                if not items:
                    raise SpecError(field, f"the base has no {name} to set")
                chosen = range(len(items))
            elif index >= len(items):
                raise SpecError(field, f"the base has {len(items)} {name} entries, so there is no [{index}]")
            else:
                chosen = range(index, index + 1)
            for i in chosen:
                if last:
                    items[i] = copy.deepcopy(value)
                else:
                    if not isinstance(items[i], dict):
                        items[i] = {}
                    following.append(items[i])
        targets = following


def get_path(request: dict[str, Any], steps: list[tuple[str, int | str | None]]) -> Any:
    """The value at a parsed path in ``request``, where ``set_path`` would set it: ``[*]`` gives the
    one value every entry has there. ``LookupError`` when the request has none (a missing field or
    layer, or entries whose values differ)."""
    if not steps:
        return request
    (name, index), rest = steps[0], steps[1:]
    if not isinstance(request, dict) or name not in request:
        raise LookupError(name)
    node = request[name]
    if index is None:
        return get_path(node, rest)
    if not isinstance(node, list) or not node:
        raise LookupError(name)
    if index != "*":
        if index >= len(node):
            raise LookupError(name)
        return get_path(node[index], rest)
    values = [get_path(item, rest) for item in node]
    if any(json.dumps(value, sort_keys=True) != json.dumps(values[0], sort_keys=True) for value in values):
        raise LookupError(name)
    return values[0]


# --- the plan ------------------------------------------------------------------------------------

@dataclass
class _Prepared:
    data: Dataset
    data_spec: dict[str, Any]
    upload: dict[str, Any] | None
    spec: NetworkSpec
    config: TrainConfig
    network_seed: int
    cost: float


class Planner:
    """Checks one sweep request under the server's ``Limits`` and ``max_runs`` (a planner keeps
    the data sets it built, so make one per request)."""

    def __init__(self, limits: Limits, max_runs: int, checkpoint_seconds: float = 1.0):
        self.limits, self.max_runs, self.checkpoint_seconds = limits, max_runs, checkpoint_seconds
        self._datasets: dict[str, Dataset] = {}

    def plan(self, request: dict[str, Any], upload: Callable[[str], dict | None] | None = None) -> Plan:
        """The checked plan of a sweep request (a dict as ``SweepCreate`` gives it); ``upload``
        finds an upload's row by id (for the sweep's owner), None when there is none."""
        request = dict(request)
        base = self._base(request.get("base"))
        seeds = request.get("seeds", 3)
        if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= MAX_SEEDS:
            raise SpecError("seeds", f"must be a whole number from 1 to {MAX_SEEDS}")
        target = request.get("target_loss")
        if target is not None and (isinstance(target, bool) or not isinstance(target, (int, float))
                                   or not math.isfinite(target) or target <= 0):
            raise SpecError("target_loss", "must be a positive number (or null: half the run's first loss)")
        axes_given, random_given = request.get("axes") is not None, request.get("random") is not None
        if axes_given == random_given:
            raise SpecError("axes", "give exactly one of axes (a grid) and random")
        base_data = self._prepare(base, "base", upload).data
        if axes_given:
            axes = self._grid_axes(request["axes"], base, upload)
            settings = [dict(zip((a.path for a in axes), combo)) for combo in product(*(a.values for a in axes))]
            where = "axes"
        else:
            axes, settings = self._random_axes(request["random"], base, upload)
            where = "random.n"
        total = len(settings) * seeds
        if total > self.max_runs:
            raise SpecError(where, f"{len(settings)} settings x {seeds} seeds = {total} runs, more than the "
                                   f"limit of {self.max_runs} (NNVIZ_MAX_SWEEP_RUNS)")
        runs, tasks, cost = [], [], 0.0
        prepared_settings = []
        for setting in settings:
            steps = {path: parse_path(path, "") for path in setting}
            varied = copy.deepcopy(base)
            for path, value in setting.items():
                set_path(varied, steps[path], value, f"{where}.{path}" if axes_given else f"random.ranges.{path}")
            label = ", ".join(f"{path} = {value_label(value)}" for path, value in setting.items())
            prepared_settings.append((varied, self._checked(varied, upload, where, label)))
        for setting_index, (varied, prepared) in enumerate(prepared_settings):
            for k in range(seeds):
                request_k = seeded(varied, k, prepared.network_seed, prepared.config.seed)
                run = Run(len(runs), setting_index, k, request_k)
                runs.append(run)
                tasks.append(self._task(prepared, prepared.network_seed + k, prepared.config.seed + k))
                cost += prepared.cost
        if cost > self.limits.max_compute:
            raise SpecError(where, f"the {total} runs need about {cost:.3g} multiply-adds (steps x points x "
                                   f"parameters, summed), more than the limit of {self.limits.max_compute:.3g}; "
                                   "use fewer settings, seeds or steps")
        return Plan(base, axes, settings, seeds, random_given, None if target is None else float(target), runs,
                    tasks, cost, base_data.task, len(base_data.y_test) > 0)

    # --- parts ------------------------------------------------------------------------------

    @staticmethod
    def _base(base: Any) -> dict[str, Any]:
        if not isinstance(base, dict):
            raise SpecError("base", "must be a training request, as POST /api/jobs takes it")
        base = copy.deepcopy(base)
        network = base.get("network") or {}
        if network.get("id") is not None:
            raise SpecError("base.network.id", "a sweep trains new networks: give the network's spec, not a stored one")
        unknown = set(base) - {"network", "data", "training", "live", "priority"}
        if unknown:
            raise SpecError(f"base.{sorted(unknown)[0]}", "is not a part of a training request")
        if not isinstance(base.get("data"), dict):
            raise SpecError("base.data", "is required: the data every run trains on")
        base.pop("live", None)  # runs send no live frames; the sweep reports each finished run
        base.pop("priority", None)  # a sweep is batch work
        base["network"] = {k: v for k, v in network.items() if v is not None and k != "id"}
        base["training"] = dict(base.get("training") or {})
        return base

    def _grid_axes(self, axes: Any, base: dict[str, Any], upload: Any) -> list[Axis]:
        if not isinstance(axes, dict) or not 1 <= len(axes) <= MAX_AXES:
            raise SpecError("axes", f"must map 1 to {MAX_AXES} settings to their values")
        checked = []
        for path, values in axes.items():
            field = f"axes.{path}"
            steps = parse_path(path, field)
            if not isinstance(values, list) or not values:
                raise SpecError(field, "must be a non-empty list of values")
            if len(values) > self.max_runs:
                raise SpecError(field, f"at most {self.max_runs} values")
            for value in values:
                self._check_value(base, steps, value, field, upload)
            distinct = list(dict.fromkeys(json.dumps(v, sort_keys=True) for v in values))
            if len(distinct) != len(values):
                raise SpecError(field, "lists a value twice")
            checked.append(Axis(path, tuple(values), log_spaced(tuple(values))))
        return checked

    def _random_axes(self, random: Any, base: dict[str, Any], upload: Any) -> tuple[list[Axis], list[dict]]:
        if not isinstance(random, dict):
            raise SpecError("random", 'must be {"n": ..., "ranges": {path: range}}')
        n, ranges, seed = random.get("n"), random.get("ranges"), random.get("seed", 0)
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise SpecError("random.n", "must be a whole number of settings, at least 1")
        if n > self.max_runs:
            raise SpecError("random.n", f"at most {self.max_runs} settings (NNVIZ_MAX_SWEEP_RUNS)")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise SpecError("random.seed", "must be a whole number >= 0")
        if not isinstance(ranges, dict) or not 1 <= len(ranges) <= MAX_RANDOM_RANGES:
            raise SpecError("random.ranges", f"must map 1 to {MAX_RANDOM_RANGES} settings to their ranges")
        rng = np.random.default_rng(seed)
        axes = []
        for path, spec in ranges.items():
            field = f"random.ranges.{path}"
            steps = parse_path(path, field)
            values, log = draw(spec, n, rng, field)
            for value in dict.fromkeys(json.dumps(v) for v in values):
                self._check_value(base, steps, json.loads(value), field, upload)
            axes.append(Axis(path, tuple(values), log))
        settings = [{axis.path: axis.values[i] for axis in axes} for i in range(n)]
        return axes, settings

    def _check_value(self, base: dict[str, Any], steps: list, value: Any, field: str, upload: Any) -> None:
        """The base with only this value changed must be a training request the server takes."""
        varied = copy.deepcopy(base)
        set_path(varied, steps, value, field)
        self._checked(varied, upload, field, f"value {value_label(value)}")

    def _checked(self, request: dict[str, Any], upload: Any, field: str, label: str) -> _Prepared:
        try:
            return self._prepare(request, "", upload)
        except SpecError as exc:
            where = f" ({exc.field})" if exc.field else ""
            raise SpecError(field, f"{label}: {exc.message}{where}") from None

    def _prepare(self, request: dict[str, Any], prefix: str, upload: Any) -> _Prepared:
        """What ``JobService.create_training`` checks of a new network's job, without storing
        anything; the errors name the request's field under ``prefix``."""
        try:
            return self._prepare_checked(request, upload)
        except SpecError as exc:
            raise exc.within(prefix) from None
        except (TypeError, ValueError, KeyError) as exc:  # a value of the wrong kind the core cannot compare
            raise SpecError(prefix, f"is not a valid training request: {exc}") from None

    def _prepare_checked(self, request: dict[str, Any], upload: Any) -> _Prepared:
        data_request = request.get("data") or {}
        upload_row = upload(data_request["id"]) if data_request.get("id") and upload else None
        data_spec = resolve_data_spec(data_request, self.limits, upload_row)
        key = json.dumps(data_spec, sort_keys=True)
        if key not in self._datasets:
            self._datasets[key] = build_dataset(data_spec, upload_row)
        data = self._datasets[key]
        config = train_config(request.get("training") or {}, self.limits)
        network = request.get("network") or {}
        spec = network_spec(network, self.limits, data)
        network_seed = network.get("seed", config.seed)
        if isinstance(network_seed, bool) or not isinstance(network_seed, int) or network_seed < 0:
            raise SpecError("network.seed", "must be a whole number >= 0")
        parameters = spec.counts()["parameters"]
        steps = check_budget(config, data, parameters, self.limits)
        batch = min(config.batch_size or len(data.y_train), len(data.y_train))
        return _Prepared(data, data_spec, upload_row, spec, config, network_seed, float(steps * batch * parameters))

    def _task(self, prepared: _Prepared, network_seed: int, training_seed: int) -> dict[str, Any]:
        """The worker's task of one run: a new network from the spec and seed (``worker.py``
        makes the same ``Network(spec, seed)`` as a lone job's), no live frames."""
        return {"kind": "train",
                "network": {"spec": prepared.spec.to_dict(), "seed": network_seed, "optimizer": None,
                            "steps_trained": 0, "epochs_trained": 0.0},
                "data": prepared.data_spec, "upload": prepared.upload,
                "training": dict(vars(prepared.config)) | {"seed": training_seed}, "live": None,
                "checkpoint_seconds": self.checkpoint_seconds}


def seeded(request: dict[str, Any], k: int, network_seed: int, training_seed: int) -> dict[str, Any]:
    """The request of seed ``k``: both seeds moved on by ``k`` (seed 0 is the request itself)."""
    request = copy.deepcopy(request)
    network_seed = request["network"].get("seed", network_seed)
    training_seed = request["training"].get("seed", training_seed)
    request["network"]["seed"] = network_seed + k
    request["training"]["seed"] = training_seed + k
    return request


def draw(spec: Any, n: int, rng: np.random.Generator, field: str) -> tuple[list[Any], bool]:
    """``n`` values from a range: ``{"log": [a, b]}`` (log-uniform), ``{"linear": [a, b]}``
    (uniform) or ``{"choice": [v, ...]}``; bounds that are both whole numbers draw whole numbers.
    Returns the values and whether they are log-spaced."""
    if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in RANGE_KINDS:
        raise SpecError(field, 'must be one of {"log": [a, b]}, {"linear": [a, b]}, {"choice": [...]}')
    kind, bounds = next(iter(spec.items()))
    if kind == "choice":
        if not isinstance(bounds, list) or not bounds:
            raise SpecError(f"{field}.choice", "must be a non-empty list of values")
        return [copy.deepcopy(bounds[i]) for i in rng.integers(0, len(bounds), size=n)], log_spaced(tuple(bounds))
    if (not isinstance(bounds, list) or len(bounds) != 2
            or any(isinstance(b, bool) or not isinstance(b, (int, float)) or not math.isfinite(b) for b in bounds)
            or bounds[0] > bounds[1]):
        raise SpecError(f"{field}.{kind}", "must be [low, high], two finite numbers with low <= high")
    low, high = bounds
    if kind == "log" and low <= 0:
        raise SpecError(f"{field}.log", "must be above 0 (a log range)")
    whole = all(isinstance(b, int) for b in bounds)
    if kind == "log":
        top = math.log(high + 1) if whole else math.log(high)
        samples = np.exp(rng.uniform(math.log(low), top, size=n))
    else:
        samples = rng.uniform(low, high + 1 if whole else high, size=n)
    if whole:
        return [min(math.floor(s), high) for s in samples], kind == "log"
    return [float(f"{s:.4g}") for s in samples], kind == "log"
