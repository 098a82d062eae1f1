"""Training curves and monitors from a run's history (``app.nn.train(...).history``).

A history is a list of records with ``step``, ``epoch``, ``train_loss``, ``reg_loss``,
``train_accuracy`` | ``train_r2``, ``test_loss``, ``test_accuracy`` | ``test_r2``,
``dead_fraction`` (per hidden layer) and ``update_ratio`` (per weight matrix, or None). Values are
None where training diverged: the curves keep the finite part and say so.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.nn import SpecError

from .common import fmt
from .theme import INK, MUTED, apply_theme, series_color

X_AXES = {"step": "step (parameter updates)", "epoch": "epoch (passes over the training set)"}
UPDATE_RATIO_REFERENCE = 1e-3  # CS231n's rule of thumb for ‖ΔW‖ / ‖W‖ per step (its Part 3, not Part 1)
R2_FLOOR = -1.0  # lowest R² shown; worse fits run off the bottom of the chart
TRAIN, TEST, REG = series_color(0), series_color(1), series_color(2)


def _check_history(history: Any, name: str = "history") -> list[dict[str, Any]]:
    if not isinstance(history, (list, tuple)) or not all(isinstance(r, dict) for r in history):
        raise SpecError(name, "must be a list of history records (dicts)")
    for i, record in enumerate(history):
        if "step" not in record or "epoch" not in record:
            raise SpecError(f"{name}[{i}]", "needs 'step' and 'epoch'")
    return list(history)


def _check_x_axis(x_axis: str) -> str:
    if x_axis not in X_AXES:
        raise SpecError("x_axis", f"must be one of: {', '.join(X_AXES)}")
    return x_axis


def _is_finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def series(history: list[dict[str, Any]], key: str, x_axis: str = "step", index: int | None = None,
           positive: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The finite points of ``record[key]`` (or ``record[key][index]``) against ``x_axis``.

    ``positive`` also drops values <= 0 (for a log axis)."""
    xs, ys = [], []
    for record in history:
        value = record.get(key)
        if index is not None:
            value = value[index] if isinstance(value, (list, tuple)) and index < len(value) else None
        if _is_finite(value) and (not positive or value > 0) and _is_finite(record.get(x_axis)):
            xs.append(record[x_axis])
            ys.append(value)
    return np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)


def divergence_note(history: list[dict[str, Any]], x_axis: str = "step", diverged_at: int | None = None) -> str | None:
    """'Diverged at step 120: ...' when a record's training loss is missing (NaN or inf) or the run
    reports ``diverged_at`` (the step whose loss was not finite; ``train`` also writes it into the
    final record of a diverged run), else None."""
    if diverged_at is None and history:
        diverged_at = history[-1].get("diverged_at")
    if diverged_at is not None:
        return f"Diverged at step {diverged_at}: the loss became NaN or inf. Only the finite part is drawn."
    for record in history:
        if not _is_finite(record.get("train_loss")):
            where = record.get(x_axis)
            at = f" at {x_axis} {fmt(where)}" if _is_finite(where) else ""
            return f"Diverged{at}: the loss became NaN or inf. Only the finite part is drawn."
    return None


def _empty(fig: go.Figure, text: str) -> None:
    fig.add_annotation(text=text, xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                       font=dict(size=14, color=MUTED))


def _note(fig: go.Figure, text: str | None) -> None:
    if text:
        fig.add_annotation(text=f"⚠ {text}", xref="paper", yref="paper", x=0.0, y=1.0, yanchor="bottom",
                           xanchor="left", showarrow=False, font=dict(size=12, color="#b42318"),
                           bgcolor="#fff4f2", bordercolor="#b42318", borderwidth=1)


def _metric_key(history: list[dict[str, Any]]) -> str:
    return "r2" if any("train_r2" in r for r in history) else "accuracy"


def training_figure(history: list[dict[str, Any]], x_axis: str = "step", log_loss: bool = False,
                    diverged_at: int | None = None) -> go.Figure:
    """Left: data loss (train, test) and regularization loss; right: accuracy (or R²), train and
    test; against steps or epochs. ``log_loss`` puts the loss on a log axis. ``diverged_at``
    (``TrainResult.diverged_at``) adds the divergence note; None values in the history do too."""
    history = _check_history(history)
    if diverged_at is not None and not _is_finite(diverged_at):
        raise SpecError("diverged_at", "must be a step number or None")
    x_axis = _check_x_axis(x_axis)
    metric = _metric_key(history)
    metric_title = "accuracy (%)" if metric == "accuracy" else "R² (1 = perfect fit)"
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Loss", "Accuracy" if metric == "accuracy" else "R²"),
                        horizontal_spacing=0.1)
    lines = (
        ("train_loss", "train data loss", TRAIN, "solid", 1),
        ("test_loss", "test data loss", TEST, "solid", 1),
        ("reg_loss", "regularization loss", REG, "dot", 1),
        (f"train_{metric}", f"train {metric_title.split(' ')[0]}", TRAIN, "solid", 2),
        (f"test_{metric}", f"test {metric_title.split(' ')[0]}", TEST, "solid", 2),
    )
    for key, name, color, dash, col in lines:
        xs, ys = series(history, key, x_axis, positive=log_loss and col == 1)
        if xs.size == 0:
            continue
        # meta: the history key the line draws, so that a live view can extend it record by record.
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=name, legendgroup=name, meta=[key],
                                 line=dict(color=color, dash=dash, width=2),
                                 hovertemplate=f"{name}<br>{x_axis} %{{x}}: %{{y:.4g}}<extra></extra>"),
                      row=1, col=col)
    fig.update_xaxes(title_text=X_AXES[x_axis])
    fig.update_yaxes(title_text="loss (per example)" + (", log scale" if log_loss else ""),
                     type="log" if log_loss else "linear", row=1, col=1)
    fig.update_yaxes(title_text=metric_title, row=1, col=2)
    if metric == "accuracy":
        fig.update_yaxes(tickformat=".0%", range=[0, 1.02], row=1, col=2)
    elif min((min(t.y, default=0) for t in fig.data if t.xaxis == "x2"), default=0) < R2_FLOOR:
        fig.update_yaxes(range=[R2_FLOOR, 1.05], row=1, col=2)  # a diverging fit's R² would flatten the rest
    if not fig.data:
        _empty(fig, "No history yet: train the network to see its curves.")
    _note(fig, divergence_note(history, x_axis, diverged_at))
    return apply_theme(fig, title=dict(text="Training curves"), height=420,
                       legend=dict(orientation="h", y=-0.22), margin=dict(t=90))


def _per_layer_figure(history: list[dict[str, Any]], key: str, label: str, positive: bool) -> go.Figure:
    """One line per entry of the list ``record[key]`` (a hidden layer or a weight matrix)."""
    widths = [len(r[key]) for r in history if isinstance(r.get(key), (list, tuple))]
    fig = go.Figure()
    for i in range(max(widths, default=0)):
        xs, ys = series(history, key, "step", index=i, positive=positive)
        if xs.size:
            name = label.format(i + 1)
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=name, meta=[key, i],
                                     line=dict(color=series_color(i), width=2),
                                     hovertemplate=f"{name}<br>step %{{x}}: %{{y:.3g}}<extra></extra>"))
    fig.update_xaxes(title_text=X_AXES["step"])
    _note(fig, divergence_note(history))
    return fig


def dead_units_figure(history: list[dict[str, Any]]) -> go.Figure:
    """Fraction of each hidden layer's units that pass no gradient on any training input (for ReLU:
    never positive) over training. The notes warn of up to 40 % with too high a learning rate."""
    history = _check_history(history)
    fig = _per_layer_figure(history, "dead_fraction", "h{}", positive=False)
    fig.update_yaxes(title_text="dead units (% of the layer)", tickformat=".0%", range=[-0.02, 1.02])
    if not fig.data:
        _empty(fig, "No hidden layers, or no history yet.")
    return apply_theme(fig, title=dict(text="Dead units per hidden layer"), height=360)


def update_ratio_figure(history: list[dict[str, Any]]) -> go.Figure:
    """‖ΔW‖ / ‖W‖ of one update per weight matrix over training, log axis, with the notes' ~1e-3
    reference (much lower: learning rate too low; much higher: too high)."""
    history = _check_history(history)
    fig = _per_layer_figure(history, "update_ratio", "W{}", positive=True)
    fig.add_hline(y=UPDATE_RATIO_REFERENCE, line=dict(color=INK, dash="dash", width=1.5))
    # on a log axis an annotation's y is the decade (log10 of the value)
    fig.add_annotation(x=0, xref="paper", y=math.log10(UPDATE_RATIO_REFERENCE), yanchor="bottom", xanchor="left",
                       text="≈ 1e-3 (rule of thumb, CS231n Part 3)", showarrow=False, font=dict(size=11, color=INK))
    fig.update_yaxes(title_text="‖ΔW‖ / ‖W‖ per update (log scale)", type="log", exponentformat="power",
                     dtick=_decade_step(fig))
    if not fig.data:
        _empty(fig, "No update ratios yet: train the network.")
    return apply_theme(fig, title=dict(text="Update / weight ratio per layer"), height=360)


def _decade_step(fig: go.Figure, max_ticks: int = 6) -> int:
    """Decades between labelled ticks on a log axis, so that at most ``max_ticks`` labels show."""
    values = [np.asarray(trace.y, dtype=np.float64) for trace in fig.data if trace.y is not None and len(trace.y)]
    if not values:
        return 1
    logs = np.log10(np.concatenate([*values, [UPDATE_RATIO_REFERENCE]]))
    return max(1, math.ceil((logs.max() - logs.min()) / max_ticks))


def _metric_values(history: list[dict[str, Any]], metric: str, x_axis: str) -> tuple[np.ndarray, np.ndarray]:
    """``train_error`` / ``test_error`` are 1 − accuracy; anything else is read as it is."""
    if metric.endswith("_error"):
        xs, acc = series(history, metric.replace("_error", "_accuracy"), x_axis)
        return xs, 1.0 - acc
    return series(history, metric, x_axis)


def _seed_histories(value: Any, name: str) -> list[list[dict[str, Any]]]:
    """One run's history, or a list of them (one per seed)."""
    if isinstance(value, (list, tuple)) and value and all(isinstance(h, (list, tuple)) for h in value):
        return [_check_history(h, f"{name}[{k}]") for k, h in enumerate(value)]
    return [_check_history(value, name)]


def seed_series(histories: list[list[dict[str, Any]]], metric: str,
                x_axis: str = "step") -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(xs, mean, low, high)`` of ``metric`` over several seeds' histories: at each x the mean,
    min and max over the seeds that have a finite value there (a diverged seed drops out)."""
    curves = [_metric_values(history, metric, x_axis) for history in histories]
    xs = np.unique(np.concatenate([x for x, _ in curves])) if curves else np.zeros(0)
    table = np.full((len(curves), xs.size), np.nan)
    for k, (x, y) in enumerate(curves):
        table[k, np.searchsorted(xs, x)] = y
    counted = np.isfinite(table).any(axis=0)
    xs, table = xs[counted], table[:, counted]
    return xs, np.nanmean(table, axis=0), np.nanmin(table, axis=0), np.nanmax(table, axis=0)


def steps_to_target(xs: np.ndarray, ys: np.ndarray, target: float, higher_is_better: bool) -> float | None:
    """The first x where the curve reaches ``target`` (None if it never does)."""
    reached = ys >= target if higher_is_better else ys <= target
    hits = np.flatnonzero(reached)
    return float(xs[hits[0]]) if hits.size else None


def loss_comparison_figure(runs: list[tuple[str, Any]], target: float | None = None,
                           metric: str = "train_loss", x_axis: str = "step", log_y: bool = False,
                           baseline: str | None = None) -> go.Figure:
    """Several runs' curves of ``metric`` on one figure. A run is ``(label, history)``, or
    ``(label, [history, ...])`` for several seeds: then the line is their mean and a band spans
    their min to max. With ``target``, the first step (or epoch) where each line reaches it is
    marked and the ratios to ``baseline`` (a run's label; default the fastest run) are annotated,
    as in the notes' ReLU-vs-tanh comparison (epochs to reach 25 % training error)."""
    if not isinstance(runs, (list, tuple)) or not 1 <= len(runs) <= 10:
        raise SpecError("runs", "must be a list of 1 to 10 (label, history) pairs")
    x_axis = _check_x_axis(x_axis)
    if not isinstance(metric, str) or not metric.startswith(("train_", "test_", "reg_")):
        raise SpecError("metric", "must name a history value, e.g. train_loss, test_accuracy or train_error")
    if target is not None and not _is_finite(target):
        raise SpecError("target", "must be a finite number")
    if baseline is not None and baseline not in [str(run[0]) for run in runs if isinstance(run, (list, tuple))]:
        raise SpecError("baseline", "must be the label of one of the runs")
    higher_is_better = metric.endswith(("accuracy", "r2"))
    fig = go.Figure()
    reached: list[tuple[str, float]] = []
    notes: list[str] = []
    for i, run in enumerate(runs):
        if not isinstance(run, (list, tuple)) or len(run) != 2:
            raise SpecError(f"runs[{i}]", "must be a (label, history) pair")
        label, histories = str(run[0]), _seed_histories(run[1], f"runs[{i}] history")
        xs, ys, low, high = seed_series(histories, metric, x_axis)
        color = series_color(i)
        if len(histories) > 1:
            fig.add_trace(go.Scatter(x=xs, y=high, mode="lines", line=dict(width=0, color=color), showlegend=False,
                                     legendgroup=label, hoverinfo="skip"))
            fig.add_trace(go.Scatter(x=xs, y=low, mode="lines", line=dict(width=0, color=color), fill="tonexty",
                                     opacity=0.25, showlegend=False, legendgroup=label, hoverinfo="skip",
                                     name=f"{label} (min–max over {len(histories)} seeds)"))
        name = label if len(histories) == 1 else f"{label} (mean of {len(histories)} seeds)"
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=name, legendgroup=label,
                                 line=dict(color=color, width=2),
                                 hovertemplate=f"{label}<br>{x_axis} %{{x}}: %{{y:.4g}}<extra></extra>"))
        if any(divergence_note(history, x_axis) for history in histories):
            notes.append(f"{label} diverged (finite part drawn)")
        if target is None:
            continue
        hit = steps_to_target(xs, ys, float(target), higher_is_better)
        if hit is None:
            notes.append(f"{label}: never reached {fmt(target)}")
            continue
        reached.append((label, hit))
        fig.add_vline(x=hit, line=dict(color=color, dash="dot", width=1.5))
        fig.add_trace(go.Scatter(x=[hit], y=[target], mode="markers", showlegend=False, hoverinfo="skip",
                                 marker=dict(color=color, size=10, symbol="diamond", line=dict(color=INK, width=1))))
    if target is not None:
        fig.add_hline(y=target, line=dict(color=INK, dash="dash", width=1),
                      annotation_text=f"target {fmt(target)}", annotation_position="bottom right")
    summary = _reach_summary(reached, x_axis, baseline)
    lines = [line for line in (summary, *notes) if line]
    if lines:
        fig.add_annotation(text="<br>".join(lines), xref="paper", yref="paper", x=0.99, y=0.98, xanchor="right",
                           yanchor="top", showarrow=False, align="right", bgcolor="rgba(255,255,255,0.9)",
                           bordercolor=MUTED, borderwidth=1, font=dict(size=12))
    fig.update_xaxes(title_text=X_AXES[x_axis])
    title = metric.replace("_", " ") + (" (log scale)" if log_y else "")
    fig.update_yaxes(title_text=title, type="log" if log_y else "linear")
    return apply_theme(fig, title=dict(text=f"Runs compared: {metric.replace('_', ' ')}"), height=420)


def _reach_summary(reached: list[tuple[str, float]], x_axis: str, baseline: str | None = None) -> str:
    """'relu: 300 steps<br>tanh: 1,800 steps (6.00× relu)': ratios to ``baseline`` if it reached
    the target, else to the fastest run."""
    if not reached:
        return ""
    base_label, base = next(((label, hit) for label, hit in reached if label == baseline),
                            min(reached, key=lambda r: r[1]))
    parts = []
    for label, hit in reached:
        ratio = f" ({hit / base:.2f}× {base_label})" if label != base_label and base > 0 else ""
        amount = f"{hit:,.0f}" if x_axis == "step" else fmt(hit)
        parts.append(f"{label}: {amount} {x_axis}s{ratio}")
    return "<br>".join(parts)
