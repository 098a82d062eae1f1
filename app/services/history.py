"""Training histories as they are stored: a network's records across its jobs (``merge_history``),
kept to a bounded size in the trainer's own spacing (``thin_history``), and a job's final metrics
(``metrics_of``). Used by the job service and both executors."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.nn.training import DENSE_HISTORY_STEPS

MAX_NETWORK_HISTORY = 2000  # records kept per network
METRIC_KEYS = ("train_loss", "reg_loss", "train_accuracy", "test_loss", "test_accuracy", "train_r2", "test_r2",
               "dead_fraction", "update_ratio")


def merge_history(previous: list[dict[str, Any]], run: list[dict[str, Any]],
                  limit: int = MAX_NETWORK_HISTORY) -> list[dict[str, Any]]:
    """A network's history followed by a run's records (which replace any from the same steps on).

    Beyond ``limit`` records they are thinned, so a network trained in many short jobs keeps a
    history of bounded size; the first and latest records always stay.
    """
    first = run[0]["step"] if run else math.inf
    merged = [record for record in previous if record["step"] < first] + run
    return merged if len(merged) <= limit else thin_history(merged, limit)


def thin_history(history: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """At most ``limit`` of ``history``'s records (at least 2), spread as the trainer spaces them:
    evenly in u = log(1 + step / DENSE_HISTORY_STEPS), so the start, where the loss moved fastest,
    keeps its detail and a long plain stretch gives way. For each of ``limit`` evenly spaced values
    of u the record nearest to it is kept (once), the first and latest among them."""
    warped = np.log1p(np.array([record["step"] for record in history], dtype=float) / DENSE_HISTORY_STEPS)
    targets = np.linspace(warped[0], warped[-1], max(2, limit))
    right = np.clip(np.searchsorted(warped, targets), 1, len(warped) - 1)
    nearest = np.where(targets - warped[right - 1] <= warped[right] - targets, right - 1, right)
    return [history[i] for i in np.unique(nearest)]


def metrics_of(history: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    last = history[-1] if history else {}
    return {key: last[key] for key in METRIC_KEYS if key in last} | (extra or {})
