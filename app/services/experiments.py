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
experiment job is a group of runs spread over the workers like a sweep's (``ExperimentRuns``);
when the last has ended, the result is assembled from what each run brought back
(``run_record``) by pure functions: the summaries are written from the numbers (functions of the
table), so the text never claims what the runs did not show.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
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
)
from app.viz import boundary_comparison_figure, figure_json, loss_comparison_figure
from app.viz.sweeps import Axis, lines_figure, log_spaced
from app.viz.training import seed_series, steps_to_target

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

if TYPE_CHECKING:
    from .jobs import JobService
    from .store import Store

log = logging.getLogger(__name__)

MAX_RUNS = 6
MAX_SEEDS = 10
CLAIM_SEEDS = 5  # the experiments whose claim is a comparison train each setting this often by default

_MOONS = {"name": "moons", "n_per_class": 50, "noise": 0.35, "test_fraction": 0.3, "seed": 0}
_SPIRAL = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.0}


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
    keys = [key for key in (table[0] if table else {}) if key != "spread"]
    return [{"key": key, "label": COLUMNS[key][0], "format": COLUMNS[key][1]} for key in keys]


def _result(figure: Any, table: list[dict[str, Any]], summary: str, seeds: int, bands: Any = None) -> dict[str, Any]:
    """What an experiment answers: its figure, its table (each row's numbers the means over the
    seeds, ``spread`` their [min, max]), how to show each column, and the summary; ``bands``, a
    figure of the held-out score against the setting over the seeds, when there are several."""
    result = {"figure": json.loads(figure_json(figure)), "table": table, "columns": _columns(table), "seeds": seeds,
              "summary": summary}
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


def _held_out(table: list[dict[str, Any]]) -> tuple[str, str]:
    """The accuracy that judges generalisation: the test set's, or the training set's without one."""
    if all(row.get("test_accuracy") is not None for row in table):
        return "test_accuracy", "test"
    return "train_accuracy", "training"


def _seed_note(table: list[dict[str, Any]], key: str, best: dict[str, Any], seeds: int) -> str:
    """Whether the best row stands apart from the others over the seeds, or the seed alone could
    explain it; with one seed, say that it is one sample."""
    if seeds == 1 or "spread" not in best:
        return "One seed per setting: a single sample, not yet a claim."
    low = (best["spread"].get(key) or [0.0])[0]
    others = [(row["spread"].get(key) or [0.0, 0.0])[1] for row in table if row is not best]
    if all(low > high for high in others):
        return f"Over {seeds} seeds the best one's range stays above every other's: the seed alone does not explain it."
    return (f"Over {seeds} seeds the ranges overlap (see the table): part of the difference is what the seed alone "
            f"changes.")


# --- the summaries: pure functions of the table -------------------------------------------------

def capacity_summary(table: list[dict[str, Any]], seeds: int = 1) -> str:
    small, big = table[0], table[-1]
    key, where = _held_out(table)
    best = max(table, key=lambda row: row[key] or 0.0)
    fits = ("more hidden neurons fit the training points more closely, since they represent more complicated "
            "functions" if (big["train_accuracy"] or 0) > (small["train_accuracy"] or 0)
            else "more hidden neurons did not fit the training points better here")
    gap = (big["train_accuracy"] or 0) - (big["test_accuracy"] or 0)
    overfit = (f"a gap of {100 * gap:.1f} points: the extra capacity fits the noise too (fragmented regions around "
               f"stray points)" if key == "test_accuracy" and gap >= 0.05 else "no large gap on this data")
    mean = "" if seeds == 1 else f" (means over {seeds} seeds)"
    return (
        f"{small['hidden_units']} units reach {percent(small['train_accuracy'])} training accuracy, "
        f"{big['hidden_units']} units {percent(big['train_accuracy'])}{mean}: {fits}. "
        f"The largest net scores {percent(big['test_accuracy'])} on held-out points against "
        f"{percent(big['train_accuracy'])} on the training points, {overfit}. The best {where} accuracy, "
        f"{percent(best[key])}, comes from {best['hidden_units']} units. {_seed_note(table, key, best, seeds)} "
        f"The notes' advice is not to shrink the network but to regularize it (see the regularization experiment)."
    )


def regularization_summary(table: list[dict[str, Any]], units: int, seeds: int = 1) -> str:
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
    mean = "" if seeds == 1 else f" (means over {seeds} seeds)"
    return (
        f"The same {units}-unit network trained with L2 strength λ from {first['reg_strength']:g} to "
        f"{last['reg_strength']:g}{mean}: training accuracy goes from {percent(first['train_accuracy'])} to "
        f"{percent(last['train_accuracy'])}, test accuracy from {percent(first['test_accuracy'])} to "
        f"{percent(last['test_accuracy'])}, training loss from {number(first['train_loss'])} to "
        f"{number(last['train_loss'])}. {verdict} {_seed_note(table, key, best, seeds)} The notes prefer "
        f"regularization to a smaller network for controlling overfitting, with its strength chosen on held-out "
        f"data, not the stronger the better."
    )


SLOW_RATIO = 1.5  # slower than the baseline by this factor or more counts as slow in the summary


def activations_summary(table: list[dict[str, Any]], target: float, steps: int, seeds: int = 1) -> str:
    base = table[0]["activation"]
    reached = ", ".join(f"{row['activation']} {count(row['steps_to_target'])}" for row in table)
    ratio = {row["activation"]: row["ratio"] for row in table}
    slow = [name for name, r in ratio.items() if r is None or r >= SLOW_RATIO]
    close = [name for name, r in ratio.items() if name != base and r is not None and r < SLOW_RATIO]
    curve = "the training accuracy" if seeds == 1 else f"the mean training accuracy over {seeds} seeds"
    parts = [f"Steps of full-batch training until {curve} first reaches {percent(target)} (a training error of "
             f"{percent(1 - target)}), within {count(steps)} steps: {reached}. Ratios are relative to {base}, in the "
             f"table and on the figure."]
    if "relu" in ratio and "tanh" in ratio and ratio["tanh"] is not None and ratio["relu"]:
        parts.append(f"The notes cite a six-fold speed-up of ReLU over tanh for a convolutional network on "
                     f"CIFAR-10; here tanh takes {ratio['tanh'] / ratio['relu']:.2f}× ReLU's steps.")
        rows = {row["activation"]: row for row in table}
        spreads = [rows[name].get("spread", {}).get("steps_to_target") for name in ("relu", "tanh")]
        if all(spreads):
            (relu_low, relu_high), (tanh_low, tanh_high) = spreads
            parts.append(f"Seed by seed, ReLU takes {count(relu_low)}–{count(relu_high)} steps and tanh "
                         f"{count(tanh_low)}–{count(tanh_high)}.")
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


# --- the experiments: their settings, and their result from the trained settings ---------------

def capacity_variants(options: dict[str, Any]) -> list[Variant]:
    return [Variant(f"{u} hidden neurons", (u,), options["activation"]) for u in options["units"]]


def capacity(options: dict[str, Any], settings: list[Setting]) -> dict[str, Any]:
    units, seeds = options["units"], options["seeds"]
    table = [_classification_row(setting, hidden_units=u) for u, setting in zip(units, settings)]
    bands = _bands("network.hidden[0].units", units, settings, _held_out(table)[0])
    return _result(_boundaries(settings), table, capacity_summary(table, seeds), seeds, bands)


def regularization_variants(options: dict[str, Any]) -> list[Variant]:
    return [Variant(f"λ = {lam:g}", (options["units"],), options["activation"], overrides={"reg_strength": lam})
            for lam in options["reg_strengths"]]


def regularization(options: dict[str, Any], settings: list[Setting]) -> dict[str, Any]:
    strengths, seeds = options["reg_strengths"], options["seeds"]
    table = [_row(setting, (*CLASSIFICATION, "reg_loss"), reg_strength=lam, parameters=setting.parameters)
             for lam, setting in zip(strengths, settings)]
    summary = regularization_summary(table, options["units"], seeds)
    bands = _bands("training.reg_strength", strengths, settings, _held_out(table)[0])
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


# --- options: one pydantic model per experiment, its defaults the experiment's ------------------

Units = Annotated[whole(ge=1), Field(description="hidden units", json_schema_extra=limit("max_units"))]
Steps = Annotated[whole(ge=1), Field(description="training steps per run", json_schema_extra=limit("max_steps"))]
LearningRate = Annotated[float, Field(gt=0)]
Strength = Annotated[float, Field(ge=0)]
ActivationName = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
OptimizerName = Literal[OPTIMIZER_NAMES]  # type: ignore[valid-type]
InitName = Literal[INIT_NAMES]  # type: ignore[valid-type]


Seeds = Annotated[whole(ge=1, le=MAX_SEEDS), Field(
    description="each setting is trained with this many seeds (seed, seed + 1, ...): the table gives the mean "
                "and the range, the curves a band")]


def _runs(item: Any) -> Any:
    return Annotated[list[item], Field(min_length=1, max_length=MAX_RUNS, description="one run each")]


class _Options(Request):
    """The settings every experiment shares; each experiment's model sets its own defaults."""

    data: DataSpec
    optimizer: OptimizerName
    learning_rate: LearningRate
    steps: Steps
    seed: SeedValue = 0
    seeds: Seeds = 1
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
    seeds: Seeds = CLAIM_SEEDS
    units: _runs(Units) = [3, 6, 20]


class RegularizationOptions(_MoonsOptions):
    seeds: Seeds = CLAIM_SEEDS
    units: Units = 20
    reg_strengths: _runs(Strength) = [0.001, 0.01, 0.1]


class ActivationsOptions(_Options):
    data: DataSpec = DataSpec(**_SPIRAL)
    optimizer: OptimizerName = "sgd"
    learning_rate: LearningRate = 1.0
    steps: Steps = 3000
    init: InitName = "small"
    seeds: Seeds = CLAIM_SEEDS
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
    variants: Callable[[dict[str, Any]], list[Variant]]  # its settings, from its options
    assemble: Callable[[dict[str, Any], list[Setting]], dict[str, Any]]  # its result, from the trained settings
    options: type[_Options]  # its fields, with the experiment's defaults
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
    runs = next((len(v) for v in resolved.values() if isinstance(v, list)), 2)
    hidden = max(resolved["units"]) if isinstance(resolved["units"], list) else resolved["units"]
    cost = runs * resolved["seeds"] * resolved["steps"] * data_points(resolved["data"]) * hidden * 4
    if cost > limits.max_compute:
        raise SpecError("steps", f"the experiment needs about {cost:.3g} multiply-adds, more than the limit of "
                                 f"{limits.max_compute:.3g}")
    return resolved


# --- as a job: a group of independent runs, the result assembled when the last has ended --------

@dataclass
class _Tally:
    """An experiment job's progress in training steps: each run's, finished or under way."""

    total_steps: int
    runs: int
    steps: dict[int, int] = field(default_factory=dict)
    finished: set[int] = field(default_factory=set)


class ExperimentRuns:
    """What happens to the runs of experiment jobs (``JobService.groups["experiment"]``, on the job
    service's writer thread). Each finished run's record (``run_record``) is kept on the job, in
    ``result["runs"]`` until the result replaces them; progress events count the steps done over
    all runs (finished ones, and the checkpoints of those under way); when the group ends, the
    result is assembled from the records. A server that adopts the job starts again only the runs
    without a record; a run that fails stops the others and fails the experiment."""

    def __init__(self, store: Store, jobs: JobService):
        self.store, self.jobs = store, jobs
        self._tallies: dict[str, _Tally] = {}

    def _tally(self, row: dict[str, Any]) -> _Tally:
        tally = self._tallies.get(row["id"])
        if tally is None:  # the first news of this job here (or since a restart)
            options = row["request"]["options"]
            runs = len(EXPERIMENTS[row["request"]["name"]].variants(options)) * options["seeds"]
            tally = self._tallies[row["id"]] = _Tally(row["progress"]["total_steps"], runs)
            for record in _records(row):
                tally.steps[record["run"]] = record["steps"]
                tally.finished.add(record["run"])
        return tally

    def _publish(self, job_id: str, tally: _Tally) -> dict[str, Any]:
        """Send the job's progress as an event; returns it (for the store)."""
        progress = {"step": sum(tally.steps.values()), "total_steps": tally.total_steps, "epoch": None}
        frame = progress | {"finished": len(tally.finished), "total": tally.runs}
        self.jobs.publish_frame(job_id, progress, json.dumps(frame, separators=(",", ":")))
        return progress

    def on_progress(self, job_id: str, index: int, progress: dict[str, Any]) -> None:
        """A run under way has checkpointed at step ``progress["step"]``."""
        tally = self._tallies.get(job_id)
        if tally is None:
            row = self.store.get_job(job_id)
            if row is None:
                return
            tally = self._tally(row)
        if index not in tally.finished:
            tally.steps[index] = progress.get("step") or 0
            self._publish(job_id, tally)

    def on_run(self, job_id: str, index: int, payload: dict[str, Any]) -> None:
        """Run ``index`` has finished (``payload``: its training task's result)."""
        row = self.store.get_job(job_id)
        records = _records(row)
        if payload.get("status") == "cancelled" or any(record["run"] == index for record in records):
            return  # cancelled: the experiment is stopping
        request = row["request"]
        record = run_record(request["name"], index, request["options"]["seeds"], payload)
        tally = self._tally(row)
        tally.steps[index] = record["steps"]
        tally.finished.add(index)
        progress = self._publish(job_id, tally)
        self.store.update_job(job_id, result={"runs": [*records, record]}, progress=progress)
        if record["status"] == "failed":  # the result cannot be made without it: stop the others
            self.jobs.executor.cancel(job_id)

    def resume(self, row: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
        """After its server stopped: the runs without a record, to start again."""
        request, done = row["request"], {record["run"] for record in _records(row)}
        tasks = run_tasks(request["name"], request["options"], self.jobs.checkpoint_seconds)
        return [(index, task) for index, task in enumerate(tasks) if index not in done]

    def end(self, row: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        """The job's final state, from the group's (``payload``) and its runs' records."""
        self._tallies.pop(row["id"], None)
        records = _records(row)
        failed = next((record for record in records if record["status"] == "failed"), None)
        if failed is not None:
            return {"status": "failed", "error": f"run {failed['run']} failed: {failed['error']}", "result": None}
        if payload["status"] != "done":
            return {"status": payload["status"], "error": payload.get("error"), "result": None}
        try:
            result = assemble(row["request"]["name"], row["request"]["options"], records)
        except Exception as exc:  # a bug, not the person's: the job says so and the server goes on
            log.exception("experiment %s: could not assemble its result", row["id"])
            return {"status": "failed", "error": f"{type(exc).__name__}: {exc}", "result": None}
        return {"status": "done", "error": None, "result": result}


def _records(row: dict[str, Any]) -> list[dict[str, Any]]:
    return (row["result"] or {}).get("runs", [])
