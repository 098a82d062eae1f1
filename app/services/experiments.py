"""The notes' experiments, each a few trainings ending in one comparison figure, a small table
and a one-paragraph summary written from the measured numbers.

* ``capacity``: one hidden layer of 3, 6, 20 units on noisy 2-D two-class data.
* ``regularization``: 20 units with λ = 0.001, 0.01, 0.1.
* ``activations``: ReLU, tanh, sigmoid, leaky ReLU: steps to a target training accuracy, and ratios.
* ``dead-relu``: the fraction of dead ReLUs after training, against the learning rate.
* ``approximation``: one hidden layer of N units fitting a 1-D function.
* ``case-study``: the spiral, linear classifier against a 2-layer net.

Each runs in a worker with a ``Reporter``: progress between runs, and a cancel flag read every
few training steps.
"""

from __future__ import annotations

import json
import math
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
    def progress(self, run: int, runs: int) -> None: ...

    def cancelled(self) -> bool: ...

MAX_RUNS = 6

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
    """Trains the experiment's networks one after another, reporting progress between them."""

    def __init__(self, options: dict[str, Any], runs: int, report: Reporter):
        self.options, self.runs, self.report = options, runs, report
        self.done = 0
        self.data = build_dataset(options["data"])

    def train(self, label: str, units: list[int], activation: str = "relu", *, steps: int | None = None,
              **overrides: Any) -> Run:
        if self.report.cancelled():
            raise Cancelled
        self.report.progress(self.done, self.runs)
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
        result = train(net, data, config, on_progress=lambda _: self.report.cancelled(), progress_every=20)
        if result.status == "cancelled":
            raise Cancelled
        self.done += 1
        return Run(label, net, data, result)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f} %"


def _figure(fig: Any) -> dict[str, Any]:
    return json.loads(figure_json(fig))


def _boundaries(runs: list[Run]) -> dict[str, Any]:
    return _figure(boundary_comparison_figure([(run.label, run.net, run.data) for run in runs]))


def _curves(runs: list[Run], target: float | None = None, metric: str = "train_loss") -> dict[str, Any]:
    return _figure(loss_comparison_figure([(run.label, run.result.history) for run in runs], target, metric))


def _classification_row(run: Run, **first: Any) -> dict[str, Any]:
    return first | {"parameters": run.net.counts()["parameters"], "train_loss": run.metric("train_loss"),
                    "train_accuracy": run.metric("train_accuracy"), "test_accuracy": run.metric("test_accuracy")}


# --- the experiments ---------------------------------------------------------------------------

def capacity(options: dict[str, Any], report: Reporter) -> dict[str, Any]:
    runner = Runner(options, len(options["units"]), report)
    runs = [runner.train(f"{u} hidden neurons", [u], options["activation"]) for u in options["units"]]
    table = [_classification_row(run, hidden_units=u) for u, run in zip(options["units"], runs)]
    big, small = runs[-1], runs[0]
    summary = (
        f"With more hidden neurons the network represents more complicated functions: "
        f"{options['units'][0]} units reach {_pct(small.metric('train_accuracy'))} training accuracy, "
        f"{options['units'][-1]} units {_pct(big.metric('train_accuracy'))}. "
        f"On held-out points the largest net scores {_pct(big.metric('test_accuracy'))} against "
        f"{_pct(small.metric('test_accuracy'))} for the smallest: the extra capacity fits the noise too "
        f"(fragmented regions around stray points). The notes' advice is not to shrink the network but to "
        f"regularize it (see the regularization experiment)."
    )
    return {"figure": _boundaries(runs), "table": table, "summary": summary}


def regularization(options: dict[str, Any], report: Reporter) -> dict[str, Any]:
    strengths = options["reg_strengths"]
    runner = Runner(options, len(strengths), report)
    runs = [runner.train(f"λ = {lam:g}", [options["units"]], options["activation"], reg_strength=lam)
            for lam in strengths]
    table = [_classification_row(run, reg_strength=lam) | {"reg_loss": run.metric("reg_loss")}
             for lam, run in zip(strengths, runs)]
    summary = (
        f"The same {options['units']}-unit network trained with L2 strength λ from {strengths[0]:g} to "
        f"{strengths[-1]:g}: training accuracy goes from {_pct(runs[0].metric('train_accuracy'))} to "
        f"{_pct(runs[-1].metric('train_accuracy'))} and test accuracy from "
        f"{_pct(runs[0].metric('test_accuracy'))} to {_pct(runs[-1].metric('test_accuracy'))}. A stronger "
        f"penalty keeps the weights small, so the decision regions become smoother: the notes' preferred way "
        f"to control overfitting, rather than a smaller network."
    )
    return {"figure": _boundaries(runs), "table": table, "summary": summary}


def _steps_to(run: Run, key: str, target: float) -> int | None:
    return next((r["step"] for r in run.result.history if (r.get(key) or -math.inf) >= target), None)


def activations(options: dict[str, Any], report: Reporter) -> dict[str, Any]:
    names, target = options["activations"], options["target_accuracy"]
    runner = Runner(options | {"history_every": 10}, len(names), report)
    runs = [runner.train(name, [options["units"]], name) for name in names]
    steps = [_steps_to(run, "train_accuracy", target) for run in runs]
    base = steps[0]
    table = [{"activation": name, "steps_to_target": s,
              "ratio": None if s is None or not base else s / base,
              "train_accuracy": run.metric("train_accuracy"), "train_loss": run.metric("train_loss")}
             for name, s, run in zip(names, steps, runs)]
    reached = ", ".join(f"{row['activation']} {row['steps_to_target'] or 'never'}" for row in table)
    summary = (
        f"Steps of full-batch training until the training accuracy first reaches {_pct(target)} "
        f"(a training error of {_pct(1 - target)}): {reached}, within {options['steps']} steps. Ratios are "
        f"relative to {names[0]}. The notes cite a six-fold speed-up of ReLU over tanh for a convolutional "
        f"network on CIFAR-10; on this small problem the saturating sigmoid is the slow one, while ReLU, "
        f"leaky ReLU and the zero-centred tanh are close."
    )
    return {"figure": _curves(runs, target, "train_accuracy"), "table": table, "summary": summary}


def dead_relu(options: dict[str, Any], report: Reporter) -> dict[str, Any]:
    rates = options["learning_rates"]
    runner = Runner(options, len(rates), report)
    runs = [runner.train(f"learning rate {lr:g}", [options["units"]], "relu", learning_rate=lr) for lr in rates]
    table = [{"learning_rate": lr, "dead_fraction": (run.metric("dead_fraction") or [None])[0],
              "status": run.result.status, "train_accuracy": run.metric("train_accuracy")}
             for lr, run in zip(rates, runs)]
    worst = max(table, key=lambda row: row["dead_fraction"] or 0.0)
    summary = (
        f"A ReLU unit whose pre-activation is negative on every training point passes no gradient and never "
        f"recovers. After {options['steps']} steps with learning rates from {rates[0]:g} to {rates[-1]:g}, the "
        f"dead fraction of the {options['units']} hidden units reaches {_pct(worst['dead_fraction'])} at "
        f"{worst['learning_rate']:g} (the notes: as much as 40 % with too high a learning rate); "
        f"small rates keep every unit alive. Watch the dead fraction, and lower the rate when it climbs."
    )
    return {"figure": _curves(runs), "table": table, "summary": summary}


def approximation(options: dict[str, Any], report: Reporter) -> dict[str, Any]:
    units = options["units"]
    runner = Runner(options, len(units), report)
    runs = [runner.train(f"{u} hidden units", [u], options["activation"]) for u in units]
    table = [{"hidden_units": u, "parameters": run.net.counts()["parameters"], "train_loss": run.metric("train_loss"),
              "train_r2": run.metric("train_r2")} for u, run in zip(units, runs)]
    summary = (
        f"One hidden layer of {options['activation']} units fitting {runner.data.name} on [−1, 1]: R² "
        + ", ".join(f"{row['train_r2']:.3f} with {row['hidden_units']}" if row["train_r2"] is not None
                    else f"n/a with {row['hidden_units']}" for row in table)
        + ". Each unit adds one bend to the fitted curve, so more units approximate the function better: the "
          "universal-approximation result (one hidden layer suffices) in action, though it says nothing about "
          "how many units or how easy the training is."
    )
    return {"figure": _boundaries(runs), "table": table, "summary": summary}


def case_study(options: dict[str, Any], report: Reporter) -> dict[str, Any]:
    runner = Runner(options, 2, report)
    linear = runner.train("linear classifier", [], steps=options["linear_steps"])
    two_layer = runner.train(f"2-layer net, {options['units']} ReLU units", [options["units"]], "relu")
    table = [_classification_row(run, model=name, steps=run.result.steps)
             for name, run in (("linear", linear), ("2-layer", two_layer))]
    summary = (
        f"On the spiral, which no straight line separates, the linear softmax classifier stops at "
        f"{_pct(linear.metric('train_accuracy'))} training accuracy after {options['linear_steps']} steps "
        f"(the notes: 49 %), while one hidden layer of {options['units']} ReLU units reaches "
        f"{_pct(two_layer.metric('train_accuracy'))} after {options['steps']} steps (the notes: 98 %)."
    )
    return {"figure": _boundaries([linear, two_layer]), "table": table, "summary": summary}


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
