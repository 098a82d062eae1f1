"""The notes' experiments, each a few trainings ending in one comparison figure, a small table
and a one-paragraph summary written from the measured numbers.

* ``capacity``: one hidden layer of 3, 6, 20 units on noisy 2-D two-class data.
* ``regularization``: 20 units with λ = 0.001, 0.01, 0.1.
* ``activations``: ReLU, tanh, sigmoid, leaky ReLU: steps to a target training accuracy, and ratios.
* ``dead-relu``: the fraction of dead ReLUs after training, against the learning rate.
* ``approximation``: one hidden layer of N units fitting a 1-D function.
* ``case-study``: the spiral, linear classifier against a 2-layer net.

Each experiment is a set of settings (``Variant``), each trained with ``seeds`` seeds. Every
setting × seed is an independent training run (``run_tasks``: the task a lone job runs), so an
experiment job is a group of runs spread over the workers like a sweep's (``ExperimentRuns``, in
``experiment_runs.py``);
when the last has ended, the result is assembled from what each run brought back
(``run_record``) by pure functions: the summaries are written from the numbers (functions of the
table, in ``experiment_text.py``), so the text never claims what the runs did not show. Each
experiment's options are a pydantic model (``experiment_options.py``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

from app.nn import (
    Dataset,
    LayerSpec,
    Network,
    NetworkSpec,
    SpecError,
    TrainConfig,
    TrainResult,
)
from app.viz import boundary_comparison_figure, figure_json, loss_comparison_figure
from app.viz.sweeps import Axis, lines_figure, log_spaced
from app.viz.training import seed_series, steps_to_target

from .data_specs import build_dataset, resolve_data_spec
from .experiment_options import (
    ActivationsOptions,
    ApproximationOptions,
    CapacityOptions,
    CaseStudyOptions,
    DeadReluOptions,
    ExperimentOptions,
    RegularizationOptions,
)
from .experiment_text import (
    activations_summary,
    approximation_summary,
    capacity_summary,
    case_study_summary,
    dead_relu_summary,
    held_out,
    regularization_summary,
    table_columns,
)
from .specs import Limits, check_step, parse


@dataclass(frozen=True)
class Variant:
    """One setting of an experiment as planned: what each of its seeds trains."""

    label: str
    units: tuple[int, ...]  # hidden layers
    activation: str = "relu"
    steps: int | None = None  # None: the options' steps
    overrides: dict[str, Any] = field(default_factory=dict)  # options this setting changes


@dataclass
class Run:
    """One finished run: ``net`` its trained network when it was kept (the first seed's)."""

    label: str
    net: Network | None
    data: Dataset
    result: TrainResult

    def metric(self, key: str) -> float | None:
        """A final metric; a per-layer one (dead fraction) for the first hidden layer."""
        value = self.result.metrics.get(key)
        if isinstance(value, list):  # one per hidden layer: the first one's
            return value[0] if value else None
        return value


@dataclass
class Setting:
    """One setting of an experiment trained with each seed: ``runs[k]`` with seed ``seed + k``."""

    label: str
    runs: list[Run]

    @property
    def first(self) -> Run:
        return self.runs[0]

    @property
    def parameters(self) -> int:
        return self.first.net.counts()["parameters"]

    def values(self, key: str) -> list[float]:
        return [v for v in (run.metric(key) for run in self.runs) if v is not None and math.isfinite(v)]

    def metric(self, key: str) -> float | None:
        """The mean over the seeds (None when no seed has the value)."""
        values = self.values(key)
        return sum(values) / len(values) if values else None

    def spread(self, key: str) -> list[float] | None:
        values = self.values(key)
        return [min(values), max(values)] if values else None


def run_tasks(name: str, options: dict[str, Any], checkpoint_seconds: float = 1.0) -> list[dict[str, Any]]:
    """Each setting with each seed as the training task a lone job runs (a new ``Network(spec,
    seed)``, no live frames), run ``i * seeds + k`` for setting ``i`` and seed ``k``: seed ``k``
    adds ``k`` to the network's and the training's seed (as a sweep's seeds do); the data stay
    the same."""
    data = build_dataset(options["data"])
    loss = "mse" if data.task == "regression" else "softmax"
    outputs = 1 if data.task == "regression" else data.n_classes
    tasks = []
    for variant in EXPERIMENTS[name].variants(options):
        opts = options | variant.overrides
        spec = NetworkSpec(data.input_dim, tuple(LayerSpec(u, variant.activation) for u in variant.units), outputs,
                           loss, opts["init"]).to_dict()
        for k in range(options["seeds"]):
            seed = opts["seed"] + k
            config = TrainConfig(optimizer=opts["optimizer"], learning_rate=opts["learning_rate"],
                                 reg_strength=opts.get("reg_strength", 0.0), steps=variant.steps or opts["steps"],
                                 seed=seed, history_every=opts.get("history_every"))
            tasks.append({"kind": "train", "network": {"spec": spec, "seed": seed, "optimizer": None,
                                                       "steps_trained": 0, "epochs_trained": 0.0},
                          "data": options["data"], "upload": None, "training": dict(vars(config)), "live": None,
                          "checkpoint_seconds": checkpoint_seconds})
    return tasks


def run_record(name: str, index: int, seeds: int, payload: dict[str, Any]) -> dict[str, Any]:
    """What the result needs of a finished run (``payload``: the training task's ``finished``
    message), as JSON: its status, steps and seconds; its history, whole for an experiment whose
    figure draws curves, else the last record (the final metrics); and the first seed's weights,
    for the boundary figure and the parameter count."""
    history = payload.get("history") or []
    weights = payload.get("weights") if index % seeds == 0 else None
    return {"run": index, "status": payload.get("status"), "error": payload.get("error"),
            "steps": payload.get("steps_trained") or 0, "seconds": payload.get("seconds") or 0.0,
            "history": history if EXPERIMENTS[name].curves else history[-1:],
            "weights": None if weights is None else {key: np.asarray(w).tolist() for key, w in weights.items()}}


def settings_of(name: str, options: dict[str, Any], records: list[dict[str, Any]]) -> list[Setting]:
    """The experiment's settings, each with its runs rebuilt from their records (one per run)."""
    by_run = {record["run"]: record for record in records}
    tasks, seeds = run_tasks(name, options), options["seeds"]
    data = build_dataset(options["data"])
    settings = []
    for i, variant in enumerate(EXPERIMENTS[name].variants(options)):
        runs = []
        for index in range(i * seeds, (i + 1) * seeds):
            record = by_run[index]
            net = None
            if record["weights"] is not None:
                net = Network.from_dict({"spec": tasks[index]["network"]["spec"], "weights": record["weights"],
                                         "steps_trained": record["steps"]})
            history = record["history"]
            diverged_at = history[-1].get("diverged_at") if history else None
            runs.append(Run(variant.label, net, data,
                            TrainResult(record["status"], record["steps"], history, record["seconds"], diverged_at)))
        settings.append(Setting(variant.label, runs))
    return settings


def assemble(name: str, options: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    """The experiment's result (figure, table, summary, bands) from its runs' records."""
    return EXPERIMENTS[name].assemble(options, settings_of(name, options, records))


def _result(figure: Any, table: list[dict[str, Any]], summary: str, seeds: int, bands: Any = None) -> dict[str, Any]:
    """What an experiment answers: its figure, its table (each row's numbers the means over the
    seeds, ``spread`` their [min, max]), how to show each column, and the summary; ``bands``, a
    figure of the held-out score against the setting over the seeds, when there are several."""
    result = {"figure": json.loads(figure_json(figure)), "table": table, "columns": table_columns(table),
              "seeds": seeds, "summary": summary}
    if bands is not None and seeds > 1:
        result["bands"] = json.loads(figure_json(bands))
    return result


def _bands(path: str, values: list[Any], settings: list[Setting], metric: str) -> Any:
    """``metric`` against the setting the experiment varies (``path``, as a sweep names it): the
    mean over the seeds in a band from their min to max, drawn as the Sweeps page draws one."""
    aggregates = [{"settings": {path: value}, "runs": len(setting.runs), "finished": len(setting.runs),
                   "metrics": {metric: dict(zip(("mean", "min", "max"),
                                                (setting.metric(metric), *(setting.spread(metric) or [None, None]))))}}
                  for value, setting in zip(values, settings)]
    return lines_figure([Axis(path, tuple(values), log_spaced(tuple(values)))], aggregates, metric)


def _row(setting: Setting, keys: tuple[str, ...], **first: Any) -> dict[str, Any]:
    """``first`` (what the setting is), then each metric's mean over the seeds; with several
    seeds ``spread`` holds each one's [min, max]."""
    row = first | {key: setting.metric(key) for key in keys}
    if len(setting.runs) > 1:
        row["spread"] = {key: setting.spread(key) for key in keys}
    return row


CLASSIFICATION = ("train_loss", "train_accuracy", "test_accuracy")


def _classification_row(setting: Setting, **first: Any) -> dict[str, Any]:
    return _row(setting, CLASSIFICATION, **first, parameters=setting.parameters)


def _boundaries(settings: list[Setting]) -> Any:
    """Each setting's first seed (its numbers in the panel's title are that network's)."""
    def label(setting: Setting) -> str:
        return setting.label if len(setting.runs) == 1 else f"{setting.label} (seed 1 of {len(setting.runs)})"
    return boundary_comparison_figure([(label(s), s.first.net, s.first.data) for s in settings])


def _curves(settings: list[Setting], target: float | None = None, metric: str = "train_loss",
            baseline: str | None = None) -> Any:
    """Each setting's curve: the mean over its seeds in a band from their min to max."""
    return loss_comparison_figure([(s.label, [run.result.history for run in s.runs]) for s in settings], target,
                                  metric, baseline=baseline)


# --- the experiments: their settings, and their result from the trained settings ---------------

def capacity_variants(options: dict[str, Any]) -> list[Variant]:
    return [Variant(f"{u} hidden neurons", (u,), options["activation"]) for u in options["units"]]


def capacity(options: dict[str, Any], settings: list[Setting]) -> dict[str, Any]:
    units, seeds = options["units"], options["seeds"]
    table = [_classification_row(setting, hidden_units=u) for u, setting in zip(units, settings)]
    bands = _bands("network.hidden[0].units", units, settings, held_out(table)[0])
    return _result(_boundaries(settings), table, capacity_summary(table, seeds), seeds, bands)


def regularization_variants(options: dict[str, Any]) -> list[Variant]:
    return [Variant(f"λ = {lam:g}", (options["units"],), options["activation"], overrides={"reg_strength": lam})
            for lam in options["reg_strengths"]]


def regularization(options: dict[str, Any], settings: list[Setting]) -> dict[str, Any]:
    strengths, seeds = options["reg_strengths"], options["seeds"]
    table = [_row(setting, (*CLASSIFICATION, "reg_loss"), reg_strength=lam, parameters=setting.parameters)
             for lam, setting in zip(strengths, settings)]
    summary = regularization_summary(table, options["units"], seeds)
    bands = _bands("training.reg_strength", strengths, settings, held_out(table)[0])
    return _result(_boundaries(settings), table, summary, seeds, bands)


def _steps_to(histories: list[list[dict[str, Any]]], target: float) -> int | None:
    """The first recorded step where the mean training accuracy over ``histories`` reaches
    ``target``: the point the figure marks."""
    hit = steps_to_target(*seed_series(histories, "train_accuracy")[:2], target, higher_is_better=True)
    return None if hit is None else int(hit)


def activations_variants(options: dict[str, Any]) -> list[Variant]:
    return [Variant(name, (options["units"],), name, overrides={"history_every": 10})
            for name in options["activations"]]


def activations(options: dict[str, Any], settings: list[Setting]) -> dict[str, Any]:
    names, target, seeds = options["activations"], options["target_accuracy"], options["seeds"]
    steps = [_steps_to([run.result.history for run in s.runs], target) for s in settings]
    base = steps[0]
    table = []
    for name, reached, setting in zip(names, steps, settings):
        row = _row(setting, ("train_accuracy", "train_loss"), activation=name, steps_to_target=reached,
                   ratio=None if reached is None or not base else reached / base)
        if "spread" in row:
            per_seed = [_steps_to([run.result.history], target) for run in setting.runs]
            row["spread"]["steps_to_target"] = None if None in per_seed else [min(per_seed), max(per_seed)]
        table.append(row)
    figure = _curves(settings, target, "train_accuracy", baseline=names[0])
    return _result(figure, table, activations_summary(table, target, options["steps"], seeds), seeds)


def _statuses(setting: Setting) -> str:
    statuses = [run.result.status for run in setting.runs]
    if len(set(statuses)) == 1:
        return statuses[0]
    return f"{statuses.count('diverged')} of {len(statuses)} diverged"


def dead_relu_variants(options: dict[str, Any]) -> list[Variant]:
    return [Variant(f"learning rate {lr:g}", (options["units"],), "relu", overrides={"learning_rate": lr})
            for lr in options["learning_rates"]]


def dead_relu(options: dict[str, Any], settings: list[Setting]) -> dict[str, Any]:
    table = [_row(setting, ("dead_fraction", "train_accuracy"), learning_rate=lr, status=_statuses(setting))
             for lr, setting in zip(options["learning_rates"], settings)]
    return _result(_curves(settings), table, dead_relu_summary(table, options["units"], options["steps"]),
                   options["seeds"])


def approximation_variants(options: dict[str, Any]) -> list[Variant]:
    return [Variant(f"{u} hidden units", (u,), options["activation"]) for u in options["units"]]


def approximation(options: dict[str, Any], settings: list[Setting]) -> dict[str, Any]:
    table = [_row(setting, ("train_loss", "train_r2"), hidden_units=u, parameters=setting.parameters)
             for u, setting in zip(options["units"], settings)]
    summary = approximation_summary(table, options["activation"], settings[0].first.data.name)
    return _result(_boundaries(settings), table, summary, options["seeds"])


def case_study_variants(options: dict[str, Any]) -> list[Variant]:
    return [Variant("linear classifier", (), steps=options["linear_steps"]),
            Variant(f"2-layer net, {options['units']} ReLU units", (options["units"],), "relu")]


def case_study(options: dict[str, Any], settings: list[Setting]) -> dict[str, Any]:
    table = [_classification_row(setting, model=name, steps=setting.first.result.steps)
             for name, setting in zip(("linear", "2-layer"), settings)]
    return _result(_boundaries(settings), table, case_study_summary(table, options["units"]), options["seeds"])


@dataclass(frozen=True)
class Experiment:
    name: str
    variants: Callable[[dict[str, Any]], list[Variant]]  # its settings, from its options
    assemble: Callable[[dict[str, Any], list[Setting]], dict[str, Any]]  # its result, from the trained settings
    options: type[ExperimentOptions]  # its fields, with the experiment's defaults
    summary: str
    curves: bool = False  # its figure draws the runs' histories (else the first seed's decision boundaries)


EXPERIMENTS: dict[str, Experiment] = {
    e.name: e for e in (
        Experiment("capacity", capacity_variants, capacity, CapacityOptions,
                   "One hidden layer of 3, 6 and 20 units on noisy data"),
        Experiment("regularization", regularization_variants, regularization, RegularizationOptions,
                   "20 hidden units with L2 strength 0.001, 0.01 and 0.1"),
        Experiment("activations", activations_variants, activations, ActivationsOptions,
                   "ReLU, tanh, sigmoid and leaky ReLU: steps to a target training accuracy", curves=True),
        Experiment("dead-relu", dead_relu_variants, dead_relu, DeadReluOptions,
                   "The fraction of dead ReLUs against the learning rate", curves=True),
        Experiment("approximation", approximation_variants, approximation, ApproximationOptions,
                   "One hidden layer of N units fitting a 1-D function"),
        Experiment("case-study", case_study_variants, case_study, CaseStudyOptions,
                   "The spiral: a linear classifier against a 2-layer network"),
    )
}
_SETTING_LIMITED = {"units": "max_units", "steps": "max_steps", "linear_steps": "max_steps"}


def resolve_options(name: str, options: dict[str, Any] | BaseModel, limits: Limits) -> dict[str, Any]:
    """The experiment's defaults with ``options`` applied, each checked (the model's rules, then
    the server's limits and the compute budget); ``SpecError`` names the field."""
    model = EXPERIMENTS[name].options
    resolved = (options if isinstance(options, model) else parse(model, options)).model_dump()
    for key, setting in _SETTING_LIMITED.items():
        values = resolved.get(key)
        for i, value in enumerate(values if isinstance(values, list) else [values]):
            if value is not None and value > getattr(limits, setting):
                where = f"{key}[{i}]" if isinstance(values, list) else key
                raise SpecError(where, f"at most {getattr(limits, setting)}")
    resolved["data"] = resolve_data_spec(resolved["data"], limits)
    # The job's budget is the sum of its runs' (each full batch): steps x training points x parameters,
    # the same measure as a lone job's (``specs.check_budget``); each run's step must fit a slice too.
    data = build_dataset(resolved["data"])
    n_train, n_all = len(data.y_train), len(data.y_train) + len(data.y_test)
    cost = 0
    for task in run_tasks(name, resolved):
        parameters = NetworkSpec.from_dict(task["network"]["spec"]).counts()["parameters"]
        check_step(n_train, n_all, parameters, limits, "steps")
        cost += task["training"]["steps"] * n_train * parameters
    if cost > limits.max_compute:
        raise SpecError("steps", f"the experiment's runs need about {cost:.3g} multiply-adds (steps x training "
                                 f"points x parameters, summed over its runs), more than the limit of "
                                 f"{limits.max_compute:.3g}")
    return resolved

