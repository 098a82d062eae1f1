"""Training histories as they are stored: a network's records across its jobs (``merge_history``),
kept to a bounded size in the trainer's own spacing (``thin_history``), and a job's final metrics
(``metrics_of``); a running job's stored history as it grows (``GrowingHistory``). Used by the job
service and both executors."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.nn.training import DENSE_HISTORY_STEPS

from .store import JSONText, json_text

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


class GrowingHistory:
    """A stored history (a network's, a job's) while a run adds to it: ``merge_history(before,
    run)`` for the run's records so far, kept in memory with each record's JSON text made once, so
    that a checkpoint every second neither reads the stored history back nor encodes it again.

    ``before`` is the stored history when the run's first checkpoint came. A history beyond
    ``limit`` records is thinned from ``before`` and the whole run each time, as one merge at the
    end would do."""

    def __init__(self, before: list[dict[str, Any]], limit: int = MAX_NETWORK_HISTORY):
        self.before, self.limit = before, limit
        self.run: list[dict[str, Any]] = []
        self._run_texts: list[str] = []
        # (the run's first step, how many records of before come first, their texts)
        self._kept: tuple[float, int, list[str]] | None = None

    def update(self, run: list[dict[str, Any]]) -> None:
        """The run's records so far (those already seen are normally unchanged: their text is kept)."""
        same = 0
        while same < min(len(run), len(self.run)) and run[same] == self.run[same]:
            same += 1
        self._run_texts[same:] = [json_text(record) for record in run[same:]]
        self.run = list(run)

    def tail(self) -> list[dict[str, Any]]:
        """The latest record (none when there is none), for ``metrics_of``."""
        return (self.run or self.before)[-1:]

    def records(self) -> list[dict[str, Any]]:
        return merge_history(self.before, self.run, self.limit)

    def text(self) -> JSONText:
        """``records()`` as the store's JSON text."""
        first = self.run[0]["step"] if self.run else math.inf
        if self._kept is None or self._kept[0] != first:
            kept = [record for record in self.before if record["step"] < first]
            self._kept = (first, len(kept), [json_text(record) for record in kept])
        _, kept, texts = self._kept
        if kept + len(self.run) > self.limit:
            return json_text(self.records())
        return JSONText("[" + ", ".join(texts + self._run_texts) + "]")
