"""A class's crowd experiment: the room's own runs as one sweep over the setting students vary.

The lecturer names one setting (a sweep's path, ``network.hidden[0].units``, ``training.reg_strength``,
``training.learning_rate``, ``network.hidden[*].activation``) that the assignment leaves unlocked;
it is kept on the assignment (``crowd``). Every member's ended class job that trained (``done``,
``diverged``, or ``cancelled``: paused) made since the assignment's current version is a run: its
value of the setting is read from the job's stored request (class jobs keep their network's spec,
``jobs.py``), its scores are the job's final metrics, taken on the data's own training and test
split (the hidden test points are never touched here). Per member and value only the **latest** run
counts: Play
trains a network in chunks, each a job, and the latest is the network as its student left it, so
each student is one point per value and the spread is the one people and seeds make.

The runs become a sweep's rows and are summarised by the sweeps' ``aggregate`` (mean, min and max
per value), drawn by the sweeps' ``lines_figure``: one aggregator and one figure for both.
"""

from __future__ import annotations

import copy
import json
import math
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from app.nn import SpecError
from app.viz.common import figure_json
from app.viz.sweeps import Axis, lines_figure, log_spaced, setting_label, value_label

from .catalog import SWEEP_SETTINGS
from .class_settings import CLASS_SETTINGS, ClassSetting
from .specs import Conflict
from .store import Store, iso_time
from .sweep_plan import get_path, parse_path
from .sweeps import ROW_METRICS, aggregate

# A run that trained: done, diverged, or cancelled, which is how Pause ends a Play chunk (the Playground's
# chunks are 30,000 steps: most students pause long before one ends). A job cancelled before its first
# step has no metrics and is left out.
RUN_STATUSES = ("done", "diverged", "cancelled")
SUMMARY_SECONDS = 2.0  # how long one reading of a class's runs answers everyone who asks
_SECTION_KEY = re.compile(r"(\w+)\.(\w+)")


def class_setting_of(path: str) -> ClassSetting | None:
    """The lockable setting that covers a sweep path (``network.hidden[0].units`` -> ``network.hidden``)."""
    match = _SECTION_KEY.match(path)
    field = match.group(0) if match else ""
    return next((setting for setting in CLASS_SETTINGS if field in setting.fields), None)


def check_setting(path: str, unlocked: list[str], field: str) -> str:
    """``path`` when it names a setting the assignment leaves to the students; ``SpecError`` on ``field``
    otherwise (a path no request has, one no assignment can unlock, or one this one locks)."""
    parse_path(path, field)
    setting = class_setting_of(path)
    if setting is None:
        raise SpecError(field, "is not a setting an assignment can lock or unlock, so students do not vary it")
    if setting.name not in unlocked:
        raise SpecError(field, f"is locked by the assignment ({setting.label}): the crowd varies a setting the "
                               f"students may change: {', '.join(unlocked) or 'the assignment unlocks none'}")
    return path


def chosen_setting(request: dict[str, Any], previous: dict[str, Any] | None, unlocked: list[str]) -> str | None:
    """The crowd setting of a new assignment: the request's ``crowd`` when it names one (null: none),
    else the previous assignment's while the new one still leaves it unlocked."""
    if "crowd" in request:
        return None if request["crowd"] is None else check_setting(request["crowd"], unlocked, "crowd")
    earlier = (previous or {}).get("crowd")
    try:
        return check_setting(earlier, unlocked, "crowd") if earlier else None
    except SpecError:
        return None


def choices(unlocked: list[str]) -> list[dict[str, str]]:
    """The catalog's sweep settings the assignment leaves to the students: what the crowd may vary."""
    return [{"path": setting["path"], "label": setting_label(setting["path"])} for setting in SWEEP_SETTINGS
            if (covering := class_setting_of(setting["path"])) is not None and covering.name in unlocked]


def run_settings(request: dict[str, Any]) -> dict[str, Any]:
    """A class job's stored request as a training request to read paths from: its network is the
    spec it trained (older jobs: the network part of their request)."""
    network = dict(request.get("spec") or request.get("network") or {})
    seed = (request.get("network") or {}).get("seed")
    if seed is not None:
        network["seed"] = seed
    return {"network": network, "data": request.get("data") or {}, "training": request.get("training") or {}}


def _finite(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _sort_key(value: Any) -> tuple:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, value_label(value))


def crowd_runs(jobs: list[dict[str, Any]], members: set[str], path: str) -> tuple[list[Any], list[dict[str, Any]]]:
    """The setting's values seen (in order) and one sweep row per member and value: their latest run
    at that value (``jobs``: the runs, newest first, with their requests; the lecturer's and a
    removed member's are left out). A row's ``setting`` indexes the values; its metrics are the
    job's final ones."""
    steps = parse_path(path, "setting")
    latest: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = {}
    for job in jobs:
        if job["owner"] not in members or not job["metrics"]:  # (cancelled before its first record)
            continue
        try:
            value = get_path(run_settings(job["request"] or {}), steps)
        except LookupError:  # a network without that layer: the run says nothing of this setting
            continue
        latest.setdefault((job["owner"], json.dumps(value, sort_keys=True)), (value, job))
    values = sorted({key: value for (_, key), (value, _) in latest.items()}.values(), key=_sort_key)
    index = {json.dumps(value, sort_keys=True): i for i, value in enumerate(values)}
    rows = []
    for (_, key), (value, job) in latest.items():
        metrics = job["metrics"] or {}
        dead = [f for f in metrics.get("dead_fraction") or [] if _finite(f) is not None]
        row = {key_: _finite(metrics.get(key_)) for key_ in ROW_METRICS}
        rows.append(row | {"setting": index[key], "value": value, "diverged": job["status"] == "diverged",
                           "dead_fraction": sum(dead) / len(dead) if dead else None})
    return values, rows


def score_metric(rows: list[dict[str, Any]]) -> str:
    """``r2`` when the runs are a regression's (their records carry R²), else ``accuracy``."""
    return "r2" if any(row["train_r2"] is not None or row["test_r2"] is not None for row in rows) else "accuracy"


def crowd_summary(path: str | None, values: list[Any], rows: list[dict[str, Any]], members: int) -> dict[str, Any]:
    """The crowd as the API answers it: per value, the students who ran it, and the train and test
    score's mean, min and max over them (the sweeps' aggregate); ``aggregates`` for the figure."""
    metric = score_metric(rows)
    settings = [{path: value} for value in values] if path else []
    aggregates = aggregate(settings, members, rows)
    points = [{"value": value, "label": value_label(value), "students": summary["finished"],
               "diverged": summary["diverged"],
               "train": summary["metrics"].get(f"train_{metric}"), "test": summary["metrics"].get(f"test_{metric}")}
              for value, summary in zip(values, aggregates)]
    return {"setting": path, "label": setting_label(path) if path else None, "metric": metric, "members": members,
            "runs": len(rows), "values": points, "aggregates": aggregates}


def crowd_figure(summary: dict[str, Any]) -> Any:
    """The crowd's figure: train and test score against the setting, each a mean in a min–max band
    over the students (the sweeps' lines figure)."""
    values = tuple(point["value"] for point in summary["values"])
    axis = Axis(summary["setting"], values, log_spaced(values))
    metric = summary["metric"]
    return lines_figure([axis], summary["aggregates"], (f"train_{metric}", f"test_{metric}"), over="students")


class CrowdService:
    """Choose, read and draw a class's crowd experiment. ``classes``: who may ask (``check_member``,
    ``lectured``), from the class service; ``announce``: tell the class's pages it changed."""

    def __init__(self, store: Store, check_member: Callable[[str, str], str], lectured: Callable[[str, str], str],
                 announce: Callable[[str], None], clock: Callable[[], float] = time.monotonic):
        self.store, self.check_member, self.lectured, self.announce = store, check_member, lectured, announce
        self.clock = clock
        # Every open class page asks every few seconds: a room of 300 would read every run of the class
        # 60 times a second. One reading serves every asker of the class for SUMMARY_SECONDS.
        # Requests read it from the server's thread pool at once: the lock keeps a pruning pass from
        # meeting another request's insertion.
        self._summaries: dict[tuple, tuple[float, dict[str, Any]]] = {}
        self._summaries_lock = threading.Lock()

    def choose(self, class_id: str, setting: str | None, owner: str) -> dict[str, Any]:
        """The lecturer names the setting the crowd varies (None: no crowd experiment); the crowd."""
        row = self.store.get_class(self.lectured(class_id, owner))
        if row["ended_at"] is not None:
            raise Conflict("this class has ended: it is read-only")
        if row["assignment"] is None:
            raise Conflict("this class has no assignment yet: its settings decide what the crowd may vary")
        if setting is not None:
            check_setting(setting, row["assignment"]["unlocked"], "setting")
        self.store.update_class(row["id"], assignment=row["assignment"] | {"crowd": setting})
        self.announce(row["id"])
        return self.get(class_id, owner)

    def summary(self, class_id: str, owner: str) -> dict[str, Any]:
        """The crowd (members and the lecturer; anyone else ``NotFound``), with the figure's aggregates."""
        row = self.store.get_class(self.check_member(class_id, owner))
        assignment = row["assignment"] or {}
        path = assignment.get("crowd")
        key, now = (row["id"], path, assignment.get("updated_at")), self.clock()
        with self._summaries_lock:
            kept = self._summaries.get(key)
        if kept is not None and now - kept[0] < SUMMARY_SECONDS:
            return copy.deepcopy(kept[1])
        members = {member["owner"] for member in self.store.members(row["id"])}
        values, rows = [], []
        if path:
            runs = self.store.class_job_runs(row["id"], RUN_STATUSES, assignment["updated_at"])
            values, rows = crowd_runs(runs, members, path)
        summary = crowd_summary(path, values, rows, len(members)) | {
            "since": iso_time(assignment.get("updated_at")), "choices": choices(assignment.get("unlocked", []))}
        with self._summaries_lock:
            for stale in [k for k, (made, _) in self._summaries.items() if now - made >= SUMMARY_SECONDS]:
                del self._summaries[stale]
            self._summaries[key] = (now, summary)
        return copy.deepcopy(summary)

    def get(self, class_id: str, owner: str) -> dict[str, Any]:
        summary = self.summary(class_id, owner)
        del summary["aggregates"]
        return summary

    def figure(self, class_id: str, owner: str) -> str:
        summary = self.summary(class_id, owner)
        if summary["setting"] is None:
            raise Conflict("the lecturer has not chosen a setting for the crowd experiment yet")
        return figure_json(crowd_figure(summary))
