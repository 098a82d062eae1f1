"""The notes' experiments, each a few trainings ending in one comparison figure, a small table
and a one-paragraph summary written from the measured numbers.

* ``capacity``: one hidden layer of 3, 6, 20 units on noisy 2-D two-class data.
* ``regularization``: 20 units with λ = 0.001, 0.01, 0.1.
* ``activations``: ReLU, tanh, sigmoid, leaky ReLU: steps to a target training accuracy, and ratios.
* ``dead-relu``: the fraction of dead ReLUs after training, against the learning rate.
* ``approximation``: one hidden layer of N units fitting a 1-D function.
* ``case-study``: the spiral, linear classifier against a 2-layer net.

Each runs in a worker with a ``Reporter``: progress in training steps over all its runs, and a
cancel flag read every few training steps. The summaries are written from the numbers (pure
functions of the table), so the text never claims what the runs did not show.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, Field

from app.nn import (
    ACTIVATION_NAMES,
    INIT_NAMES,
    OPTIMIZER_NAMES,
    Dataset,
    LayerSpec,
    Network,
    NetworkSpec,
    SpecError,
    TrainConfig,
    TrainResult,
    train,
)
from app.viz import boundary_comparison_figure, figure_json, loss_comparison_figure

from .specs import (
    DataSpec,
    Limits,
    Request,
    SeedValue,
    build_dataset,
    data_points,
    limit,
    parse,
    resolve_data_spec,
    whole,
)


class Reporter(Protocol):
    def progress(self, step: int, total_steps: int) -> None: ...

    def cancelled(self) -> bool: ...


MAX_RUNS = 6
PROGRESS_SECONDS = 0.25  # at most this often a progress message between a run's steps

_MOONS = {"name": "moons", "n_per_class": 50, "noise": 0.35, "test_fraction": 0.3, "seed": 0}
_SPIRAL = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.0}


class Cancelled(Exception):
    pass


@dataclass
class Run:
    label: str
    net: Network
    data: Dataset
    result: TrainResult

    def metric(self, key: str) -> float | None:
        return self.result.metrics.get(key)


class Runner:
    """Trains the experiment's networks one after another, reporting the steps done over all of
    them (``run_steps``: each run's steps, in order)."""

    def __init__(self, options: dict[str, Any], run_steps: list[int], report: Reporter):
        self.options, self.report = options, report
        self.total_steps, self.steps_done, self.reported = sum(run_steps), 0, 0.0
        self.data = build_dataset(options["data"])

    def _tick(self, step: int) -> bool:
        """Between steps: progress now and then, and whether to stop."""
        if time.monotonic() - self.reported >= PROGRESS_SECONDS:
            self.reported = time.monotonic()
            self.report.progress(self.steps_done + step, self.total_steps)
        return self.report.cancelled()

    def train(self, label: str, units: list[int], activation: str = "relu", *, steps: int | None = None,
              **overrides: Any) -> Run:
        if self.report.cancelled():
            raise Cancelled
        self.report.progress(self.steps_done, self.total_steps)
        opts = self.options | overrides
        data = self.data
        loss = "mse" if data.task == "regression" else "softmax"
        outputs = 1 if data.task == "regression" else data.n_classes
        spec = NetworkSpec(data.input_dim, tuple(LayerSpec(u, activation) for u in units), outputs, loss,
                           opts.get("init", "small"))
        net = Network(spec, seed=opts.get("seed", 0))
        config = TrainConfig(optimizer=opts.get("optimizer", "sgd"), learning_rate=opts["learning_rate"],
                             reg_strength=opts.get("reg_strength", 0.0), steps=steps or opts["steps"],
                             seed=opts.get("seed", 0), history_every=opts.get("history_every"))
        result = train(net, data, config, on_progress=lambda p: self._tick(p.step), progress_every=20)
        if result.status == "cancelled":
            raise Cancelled
        self.steps_done += config.steps
        return Run(label, net, data, result)


def percent(value: float | None) -> str:
    """'85.7 %' (one decimal, as in the figures' titles), or 'n/a'."""
    return "n/a" if value is None else f"{100 * value:.1f} %"


def count(value: int | None) -> str:
    """'10,000', or 'never' for a target not reached."""
    return "never" if value is None else f"{value:,}"


def number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3g}"


# Each table column's label and how to show its numbers: percent (85.7 %), count (10,000),
# number (3 significant digits), ratio (1.03×), setting (as given: 0.001), text.
COLUMNS: dict[str, tuple[str, str]] = {
    "hidden_units": ("hidden units", "count"), "reg_strength": ("L2 strength λ", "setting"),
    "learning_rate": ("learning rate", "setting"), "activation": ("activation", "text"),
    "model": ("model", "text"), "status": ("status", "text"), "parameters": ("parameters", "count"),
    "steps": ("steps", "count"), "steps_to_target": ("steps to target", "count"), "ratio": ("ratio", "ratio"),
    "train_loss": ("train loss", "number"), "reg_loss": ("L2 loss", "number"), "train_r2": ("train R²", "number"),
    "train_accuracy": ("train accuracy", "percent"), "test_accuracy": ("test accuracy", "percent"),
    "dead_fraction": ("dead units", "percent"),
}


def _columns(table: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"key": key, "label": COLUMNS[key][0], "format": COLUMNS[key][1]} for key in (table[0] if table else {})]


def _result(figure: Any, table: list[dict[str, Any]], summary: str) -> dict[str, Any]:
    return {"figure": json.loads(figure_json(figure)), "table": table, "columns": _columns(table), "summary": summary}


def _boundaries(runs: list[Run]) -> Any:
    return boundary_comparison_figure([(run.label, run.net, run.data) for run in runs])


def _curves(runs: list[Run], target: float | None = None, metric: str = "train_loss",
            baseline: str | None = None) -> Any:
    return loss_comparison_figure([(run.label, run.result.history) for run in runs], target, metric,
                                  baseline=baseline)


def _classification_row(run: Run, **first: Any) -> dict[str, Any]:
    return first | {"parameters": run.net.counts()["parameters"], "train_loss": run.metric("train_loss"),
                    "train_accuracy": run.metric("train_accuracy"), "test_accuracy": run.metric("test_accuracy")}


def _held_out(table: list[dict[str, Any]]) -> tuple[str, str]:
    """The accuracy that judges generalisation: the test set's, or the training set's without one."""
    if all(row.get("test_accuracy") is not None for row in table):
        return "test_accuracy", "test"
    return "train_accuracy", "training"


# --- the summaries: pure functions of the table -------------------------------------------------

def capacity_summary(table: list[dict[str, Any]]) -> str:
    small, big = table[0], table[-1]
    key, where = _held_out(table)
    best = max(table, key=lambda row: row[key] or 0.0)
    fits = ("more hidden neurons fit the training points more closely, since they represent more complicated "
            "functions" if (big["train_accuracy"] or 0) > (small["train_accuracy"] or 0)
            else "more hidden neurons did not fit the training points better here")
    gap = (big["train_accuracy"] or 0) - (big["test_accuracy"] or 0)
    overfit = (f"a gap of {100 * gap:.1f} points: the extra capacity fits the noise too (fragmented regions around "
               f"stray points)" if key == "test_accuracy" and gap >= 0.05 else "no large gap on this data")
    return (
        f"{small['hidden_units']} units reach {percent(small['train_accuracy'])} training accuracy, "
        f"{big['hidden_units']} units {percent(big['train_accuracy'])}: {fits}. "
        f"The largest net scores {percent(big['test_accuracy'])} on held-out points against "
        f"{percent(big['train_accuracy'])} on the training points, {overfit}. The best {where} accuracy, "
        f"{percent(best[key])}, comes from {best['hidden_units']} units. The notes' advice is not to shrink the "
        f"network but to regularize it (see the regularization experiment)."
    )


def regularization_summary(table: list[dict[str, Any]], units: int) -> str:
    first, last = table[0], table[-1]
    key, where = _held_out(table)
    best = max(table, key=lambda row: row[key] or 0.0)
    scores = [row[key] or 0.0 for row in table]
    if max(scores) - min(scores) < 1e-9:
        verdict = f"The {where} accuracy is the same at every strength: on this data the penalty changes little."
    elif best is last:
        verdict = (f"Here the strongest penalty does best on {where} points: smaller weights give smoother regions "
                   f"that generalise better, as the notes say.")
    elif best is first:
        verdict = (f"Here the weakest penalty does best on {where} points: the stronger ones underfit (the training "
                   f"loss rises), smoothing away part of the real boundary.")
    else:
        verdict = (f"The best {where} accuracy, {percent(best[key])}, is at λ = {best['reg_strength']:g}: weaker lets "
                   f"the network chase noise, stronger underfits.")
    return (
        f"The same {units}-unit network trained with L2 strength λ from {first['reg_strength']:g} to "
        f"{last['reg_strength']:g}: training accuracy goes from {percent(first['train_accuracy'])} to "
        f"{percent(last['train_accuracy'])}, test accuracy from {percent(first['test_accuracy'])} to "
        f"{percent(last['test_accuracy'])}, training loss from {number(first['train_loss'])} to "
        f"{number(last['train_loss'])}. {verdict} The notes prefer regularization to a smaller network for "
        f"controlling overfitting, with its strength chosen on held-out data, not the stronger the better."
    )


SLOW_RATIO = 1.5  # slower than the baseline by this factor or more counts as slow in the summary


def activations_summary(table: list[dict[str, Any]], target: float, steps: int) -> str:
    base = table[0]["activation"]
    reached = ", ".join(f"{row['activation']} {count(row['steps_to_target'])}" for row in table)
    ratio = {row["activation"]: row["ratio"] for row in table}
    slow = [name for name, r in ratio.items() if r is None or r >= SLOW_RATIO]
    close = [name for name, r in ratio.items() if name != base and r is not None and r < SLOW_RATIO]
    parts = [f"Steps of full-batch training until the training accuracy first reaches {percent(target)} "
             f"(a training error of {percent(1 - target)}), within {count(steps)} steps: {reached}. Ratios are "
             f"relative to {base}, in the table and on the figure."]
    if "relu" in ratio and "tanh" in ratio and ratio["tanh"] is not None and ratio["relu"]:
        parts.append(f"The notes cite a six-fold speed-up of ReLU over tanh for a convolutional network on "
                     f"CIFAR-10; here tanh takes {ratio['tanh'] / ratio['relu']:.2f}× ReLU's steps.")
    if slow:
        parts.append(f"At least {SLOW_RATIO:g}× slower than {base} (or never there): {', '.join(slow)}.")
    if close:
        parts.append(f"Within {SLOW_RATIO:g}× of {base}: {', '.join(close)}.")
    return " ".join(parts)


def dead_relu_summary(table: list[dict[str, Any]], units: int, steps: int) -> str:
    worst = max(table, key=lambda row: row["dead_fraction"] or 0.0)
    first = table[0]
    alive = ("the smallest rate keeps every unit alive" if first["dead_fraction"] == 0
             else f"even at {first['learning_rate']:g}, {percent(first['dead_fraction'])} are dead")
    return (
        f"A ReLU unit whose pre-activation is negative on every training point passes no gradient and never "
        f"recovers. After {count(steps)} steps with learning rates from {first['learning_rate']:g} to "
        f"{table[-1]['learning_rate']:g}, the dead fraction of the {units} hidden units reaches "
        f"{percent(worst['dead_fraction'])} at {worst['learning_rate']:g} (the notes: as much as 40 % with too high "
        f"a learning rate); {alive}. Watch the dead fraction, and lower the rate when it climbs."
    )


def approximation_summary(table: list[dict[str, Any]], activation: str, data_name: str) -> str:
    scores = [row["train_r2"] for row in table]
    fits = ", ".join(f"{number(row['train_r2'])} with {row['hidden_units']}" for row in table)
    rising = all(a is not None and b is not None and b >= a - 1e-3 for a, b in itertools.pairwise(scores))
    trend = ("Each unit adds one bend to the fitted curve, so more units approximate the function better"
             if rising else "More units can bend the curve more, but training does not always find the better fit")
    return (
        f"One hidden layer of {activation} units fitting {data_name} on [−1, 1]: R² {fits}. {trend}: the "
        f"universal-approximation result (one hidden layer suffices) in action, though it says nothing about how "
        f"many units or how easy the training is."
    )


def case_study_summary(table: list[dict[str, Any]], units: int) -> str:
    linear, two_layer = table
    return (
        f"On the spiral, which no straight line separates, the linear softmax classifier stops at "
        f"{percent(linear['train_accuracy'])} training accuracy after {count(linear['steps'])} steps "
        f"(the notes: 49 %), while one hidden layer of {units} ReLU units reaches "
        f"{percent(two_layer['train_accuracy'])} after {count(two_layer['steps'])} steps (the notes: 98 %)."
    )


# --- the experiments ---------------------------------------------------------------------------

def capacity(options: dict[str, Any], report: Reporter) -> dict[str, Any]:
    units = options["units"]
    runner = Runner(options, [options["steps"]] * len(units), report)
    runs = [runner.train(f"{u} hidden neurons", [u], options["activation"]) for u in units]
    table = [_classification_row(run, hidden_units=u) for u, run in zip(units, runs)]
    return _result(_boundaries(runs), table, capacity_summary(table))


def regularization(options: dict[str, Any], report: Reporter) -> dict[str, Any]:
    strengths = options["reg_strengths"]
    runner = Runner(options, [options["steps"]] * len(strengths), report)
    runs = [runner.train(f"λ = {lam:g}", [options["units"]], options["activation"], reg_strength=lam)
            for lam in strengths]
    table = [_classification_row(run, reg_strength=lam) | {"reg_loss": run.metric("reg_loss")}
             for lam, run in zip(strengths, runs)]
    return _result(_boundaries(runs), table, regularization_summary(table, options["units"]))


def _steps_to(run: Run, key: str, target: float) -> int | None:
    return next((r["step"] for r in run.result.history if (r.get(key) or -math.inf) >= target), None)


def activations(options: dict[str, Any], report: Reporter) -> dict[str, Any]:
    names, target = options["activations"], options["target_accuracy"]
    runner = Runner(options | {"history_every": 10}, [options["steps"]] * len(names), report)
    runs = [runner.train(name, [options["units"]], name) for name in names]
    steps = [_steps_to(run, "train_accuracy", target) for run in runs]
    base = steps[0]
    table = [{"activation": name, "steps_to_target": s,
              "ratio": None if s is None or not base else s / base,
              "train_accuracy": run.metric("train_accuracy"), "train_loss": run.metric("train_loss")}
             for name, s, run in zip(names, steps, runs)]
    figure = _curves(runs, target, "train_accuracy", baseline=names[0])
    return _result(figure, table, activations_summary(table, target, options["steps"]))


def dead_relu(options: dict[str, Any], report: Reporter) -> dict[str, Any]:
    rates = options["learning_rates"]
    runner = Runner(options, [options["steps"]] * len(rates), report)
    runs = [runner.train(f"learning rate {lr:g}", [options["units"]], "relu", learning_rate=lr) for lr in rates]
    table = [{"learning_rate": lr, "dead_fraction": (run.metric("dead_fraction") or [None])[0],
              "status": run.result.status, "train_accuracy": run.metric("train_accuracy")}
             for lr, run in zip(rates, runs)]
    return _result(_curves(runs), table, dead_relu_summary(table, options["units"], options["steps"]))


def approximation(options: dict[str, Any], report: Reporter) -> dict[str, Any]:
    units = options["units"]
    runner = Runner(options, [options["steps"]] * len(units), report)
    runs = [runner.train(f"{u} hidden units", [u], options["activation"]) for u in units]
    table = [{"hidden_units": u, "parameters": run.net.counts()["parameters"], "train_loss": run.metric("train_loss"),
              "train_r2": run.metric("train_r2")} for u, run in zip(units, runs)]
    return _result(_boundaries(runs), table, approximation_summary(table, options["activation"], runner.data.name))


def case_study(options: dict[str, Any], report: Reporter) -> dict[str, Any]:
    runner = Runner(options, [options["linear_steps"], options["steps"]], report)
    linear = runner.train("linear classifier", [], steps=options["linear_steps"])
    two_layer = runner.train(f"2-layer net, {options['units']} ReLU units", [options["units"]], "relu")
    table = [_classification_row(run, model=name, steps=run.result.steps)
             for name, run in (("linear", linear), ("2-layer", two_layer))]
    return _result(_boundaries([linear, two_layer]), table, case_study_summary(table, options["units"]))


# --- options: one pydantic model per experiment, its defaults the experiment's ------------------

Units = Annotated[whole(ge=1), Field(description="hidden units", json_schema_extra=limit("max_units"))]
Steps = Annotated[whole(ge=1), Field(description="training steps per run", json_schema_extra=limit("max_steps"))]
LearningRate = Annotated[float, Field(gt=0)]
Strength = Annotated[float, Field(ge=0)]
ActivationName = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
OptimizerName = Literal[OPTIMIZER_NAMES]  # type: ignore[valid-type]
InitName = Literal[INIT_NAMES]  # type: ignore[valid-type]


def _runs(item: Any) -> Any:
    return Annotated[list[item], Field(min_length=1, max_length=MAX_RUNS, description="one run each")]


class _Options(Request):
    """The settings every experiment shares; each experiment's model sets its own defaults."""

    data: DataSpec
    optimizer: OptimizerName
    learning_rate: LearningRate
    steps: Steps
    seed: SeedValue = 0
    init: InitName


class _MoonsOptions(_Options):
    """The notes' capacity and regularization figures: noisy 2-D two-class data, Adam."""

    data: DataSpec = DataSpec(**_MOONS)
    optimizer: OptimizerName = "adam"
    learning_rate: LearningRate = 0.02
    steps: Steps = 5000
    init: InitName = "xavier"
    activation: ActivationName = "relu"


class CapacityOptions(_MoonsOptions):
    units: _runs(Units) = [3, 6, 20]


class RegularizationOptions(_MoonsOptions):
    units: Units = 20
    reg_strengths: _runs(Strength) = [0.001, 0.01, 0.1]


class ActivationsOptions(_Options):
    data: DataSpec = DataSpec(**_SPIRAL)
    optimizer: OptimizerName = "sgd"
    learning_rate: LearningRate = 1.0
    steps: Steps = 3000
    init: InitName = "small"
    activations: _runs(ActivationName) = ["relu", "tanh", "sigmoid", "leaky_relu"]
    units: Units = 100
    reg_strength: Strength = 1e-3
    target_accuracy: Annotated[float, Field(gt=0, le=1)] = 0.75


class DeadReluOptions(_Options):
    data: DataSpec = DataSpec(**_SPIRAL)
    optimizer: OptimizerName = "sgd"
    learning_rate: LearningRate = 1.0
    steps: Steps = 2000
    init: InitName = "he"
    learning_rates: _runs(LearningRate) = [0.1, 0.3, 1.0, 3.0, 10.0]
    units: Units = 100
    reg_strength: Strength = 1e-3


class ApproximationOptions(_Options):
    data: DataSpec = DataSpec(name="sine", n_points=100, noise=0.05, seed=0, test_fraction=0.0)
    optimizer: OptimizerName = "adam"
    learning_rate: LearningRate = 0.01
    steps: Steps = 3000
    init: InitName = "he"
    activation: ActivationName = "relu"
    units: _runs(Units) = [1, 2, 4, 8, 32]


class CaseStudyOptions(_Options):
    data: DataSpec = DataSpec(**_SPIRAL)
    optimizer: OptimizerName = "sgd"
    learning_rate: LearningRate = 1.0
    steps: Steps = 10_000
    init: InitName = "small"
    units: Units = 100
    reg_strength: Strength = 1e-3
    linear_steps: Steps = 200


@dataclass(frozen=True)
class Experiment:
    name: str
    run: Callable[[dict[str, Any], Reporter], dict[str, Any]]
    options: type[_Options]  # its fields, with the experiment's defaults
    summary: str


EXPERIMENTS: dict[str, Experiment] = {
    e.name: e for e in (
        Experiment("capacity", capacity, CapacityOptions, "One hidden layer of 3, 6 and 20 units on noisy data"),
        Experiment("regularization", regularization, RegularizationOptions,
                   "20 hidden units with L2 strength 0.001, 0.01 and 0.1"),
        Experiment("activations", activations, ActivationsOptions,
                   "ReLU, tanh, sigmoid and leaky ReLU: steps to a target training accuracy"),
        Experiment("dead-relu", dead_relu, DeadReluOptions, "The fraction of dead ReLUs against the learning rate"),
        Experiment("approximation", approximation, ApproximationOptions,
                   "One hidden layer of N units fitting a 1-D function"),
        Experiment("case-study", case_study, CaseStudyOptions,
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
    runs = next((len(v) for v in resolved.values() if isinstance(v, list)), 2)
    hidden = max(resolved["units"]) if isinstance(resolved["units"], list) else resolved["units"]
    cost = runs * resolved["steps"] * data_points(resolved["data"]) * hidden * 4
    if cost > limits.max_compute:
        raise SpecError("steps", f"the experiment needs about {cost:.3g} multiply-adds, more than the limit of "
                                 f"{limits.max_compute:.3g}")
    return resolved


def run_experiment(name: str, options: dict[str, Any], report: Reporter) -> dict[str, Any]:
    """Run a resolved experiment; ``report`` is called between runs and may ask to cancel."""
    try:
        result = EXPERIMENTS[name].run(options, report)
    except Cancelled:
        return {"status": "cancelled", "error": None}
    return {"status": "done", "error": None, "result": result}
