"""What an experiment's table says in words: its columns' labels and formats, and each
experiment's one-paragraph summary, written from the measured numbers (pure functions of the
table), so the text never claims what the runs did not show."""

from __future__ import annotations

import itertools
from typing import Any


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


def table_columns(table: list[dict[str, Any]]) -> list[dict[str, str]]:
    keys = [key for key in (table[0] if table else {}) if key != "spread"]
    return [{"key": key, "label": COLUMNS[key][0], "format": COLUMNS[key][1]} for key in keys]




def held_out(table: list[dict[str, Any]]) -> tuple[str, str]:
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
    key, where = held_out(table)
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
    key, where = held_out(table)
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
