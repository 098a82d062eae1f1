"""Sweeps: many variants of one training setup, trained as independent runs, seen as one table.

A sweep is a job (kind ``sweep``) with the lifecycle, ownership, cancel and limits of any job; its
runs are jobs of the executor of their own (``JobService.create_group``), batch work spread over
the workers. Each run is exactly the training job ``sweep_plan.Planner`` says, trained alone.

As each run ends, its network is stored (unnamed, marked with the sweep: it does not count against
``NNVIZ_PERSON_NETWORKS`` unless it is named, and expires like any scratch network), its row
(``ROW_METRICS``) joins the sweep's result, and a progress event carries the row. Rows are
summarised per setting (mean, min and max over the seeds) and drawn by ``app.viz.sweeps``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import numpy as np

from app.nn import SpecError
from app.viz import figure_json
from app.viz.sweeps import (
    SWEEP_FIGURES,
    Axis,
    boundaries_figure,
    curves_figure,
    default_figure,
    heatmap_figure,
    lines_figure,
    panel_label,
    parallel_figure,
    setting_label,
    value_label,
)
from app.viz.training import steps_to_target

from .jobs import JobService
from .networks import NetworkService, iso_time
from .specs import NotFound
from .store import Store
from .sweep_plan import Plan, Planner

KIND = "sweep"
ROW_METRICS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy", "train_r2", "test_r2", "dead_fraction",
               "steps_to_target", "seconds")
STORED_STATUSES = ("done", "diverged")  # runs whose network is stored
MAX_BOUNDARY_PANELS = 36
MAX_CURVES = 256

__all__ = ["KIND", "ROW_METRICS", "SWEEP_FIGURES", "SweepService", "aggregate", "make_row"]


def _record_metric(record: dict[str, Any], key: str) -> float | None:
    value = record.get(key)
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None


def target_step(history: list[dict[str, Any]], target: float | None) -> tuple[int | None, float | None]:
    """The step of the first history record whose training loss is at most ``target`` (None: half
    the first record's loss), and the target used (``viz.training.steps_to_target`` finds it)."""
    points = [(r["step"], loss) for r in history if (loss := _record_metric(r, "train_loss")) is not None]
    if target is None:
        if not points:
            return None, None
        target = points[0][1] / 2
    if not points:
        return None, target
    steps, losses = np.array(points, dtype=float).T
    step = steps_to_target(steps, losses, target, higher_is_better=False)
    return (None if step is None else int(step)), target


def make_row(index: int, setting: int, seed: int, settings: dict[str, Any], payload: dict[str, Any],
             network_id: str | None, target_loss: float | None) -> dict[str, Any]:
    """One run's row: its settings and seed, status, the last history record's losses and
    accuracy (or R²), its dead fraction (mean over the hidden layers), the steps to the target
    loss, whether it diverged, and its training seconds."""
    history = payload.get("history") or []
    last = history[-1] if history else {}
    dead = [f for f in last.get("dead_fraction") or [] if isinstance(f, (int, float))]
    reached, target = target_step(history, target_loss)
    row: dict[str, Any] = {"run": index, "setting": setting, "seed": seed, "settings": settings,
                           "status": payload.get("status"), "error": payload.get("error"),
                           "diverged": payload.get("status") == "diverged", "network_id": network_id,
                           "steps": payload.get("steps_trained"), "target_loss": target}
    for key in ROW_METRICS:
        row[key] = _record_metric(last, key)
    row["dead_fraction"] = sum(dead) / len(dead) if dead else None
    row["steps_to_target"] = reached
    seconds = payload.get("seconds")
    row["seconds"] = seconds if isinstance(seconds, (int, float)) else None
    return row


def aggregate(settings: list[dict[str, Any]], seeds: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per setting: its runs, how many finished (and diverged), and mean / min / max over the
    seeds of each metric that has values."""
    by_setting: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_setting.setdefault(row["setting"], []).append(row)
    summaries = []
    for index, setting in enumerate(settings):
        done = by_setting.get(index, [])
        metrics = {}
        for key in ROW_METRICS:
            values = [row[key] for row in done if row[key] is not None]
            if values:
                metrics[key] = {"mean": sum(values) / len(values), "min": min(values), "max": max(values)}
        summaries.append({"setting": index, "settings": setting, "label": settings_text(setting), "runs": seeds,
                          "finished": len(done), "diverged": sum(row["diverged"] for row in done),
                          "metrics": metrics})
    return summaries


def settings_text(setting: dict[str, Any]) -> str:
    """A setting's values as people read them: "units in hidden layer 1 = 8, learning rate = 0.1"."""
    return ", ".join(f"{setting_label(path)} = {value_label(value)}" for path, value in setting.items())


def default_metric(task: str, has_test: bool) -> str:
    """Test accuracy (or R²) when the data has a test set, else training accuracy (or R²)."""
    return f"{'test' if has_test else 'train'}_{'r2' if task == 'regression' else 'accuracy'}"


class SweepService:
    """Start, read and draw sweeps; the ``JobService`` runs them and hands each run's messages here."""

    def __init__(self, store: Store, jobs: JobService, networks: NetworkService, max_runs: int):
        self.store, self.jobs, self.networks, self.max_runs = store, jobs, networks, max_runs
        jobs.groups[KIND] = self

    # --- start ---------------------------------------------------------------------------------

    def plan(self, request: dict[str, Any], owner: str | None = None) -> Plan:
        """Check a sweep request (``SpecError`` naming the field, ``NotFound`` for an upload)."""
        return Planner(self.jobs.limits, self.max_runs, self.jobs.checkpoint_seconds).plan(request,
                                                                                           self._uploads(owner))

    def start(self, owner: str | None, request: dict[str, Any]) -> dict[str, Any]:
        """Check a sweep request, store the sweep and queue its runs; the sweep as ``get`` gives it.
        Raises ``SpecError``, ``NotFound``, or the executor's ``PersonLimit`` / ``QueueFull``."""
        plan = self.plan(request, owner)
        stored = {"sweep": request, "plan": {
            "axes": [asdict(axis) for axis in plan.axes], "settings": plan.settings, "seeds": plan.seeds,
            "random": plan.random, "target_loss": plan.target_loss, "total": plan.total,
            "networks": [{"spec": plan.tasks[i * plan.seeds]["network"]["spec"],
                          "data": plan.tasks[i * plan.seeds]["data"]} for i in range(len(plan.settings))],
            "metric": default_metric(plan.task, plan.has_test)}}
        sweep_id = self.jobs.create_group(KIND, stored, plan.tasks, owner)
        return self.get(sweep_id, owner)

    def _uploads(self, owner: str | None) -> Callable[[str], dict[str, Any] | None]:
        return lambda upload_id: self.store.get_upload(upload_id, owner)

    def run_request(self, sweep_id: str, index: int, owner: str | None = None) -> dict[str, Any]:
        """Run ``index``'s training request, as ``POST /api/jobs`` would take it alone."""
        row = self._row(sweep_id, owner)
        return self.plan(row["request"]["sweep"], row["owner"]).runs[index].request

    # --- read ----------------------------------------------------------------------------------

    def _row(self, sweep_id: str, owner: str | None) -> dict[str, Any]:
        row = self.store.get_job(sweep_id, owner)
        if row is None or row["kind"] != KIND:
            raise NotFound(f"no sweep with id {sweep_id!r}")
        return row

    def status(self, sweep_id: str, owner: str | None = None) -> str:
        return self._row(sweep_id, owner)["status"]

    def get(self, sweep_id: str, owner: str | None = None) -> dict[str, Any]:
        """The sweep: status, progress (runs finished of total), axes, rows (by run) and aggregates."""
        row = self._row(sweep_id, owner)
        plan = row["request"]["plan"]
        rows = sorted((row["result"] or {}).get("rows", []), key=lambda r: r["run"])
        axes = [Axis(a["path"], tuple(a["values"]), a["log"]) for a in plan["axes"]]
        return {
            "id": row["id"], "status": row["status"], "created_at": iso_time(row["created_at"]),
            "started_at": iso_time(row["started_at"]), "finished_at": iso_time(row["finished_at"]),
            "error": row["error"],
            "progress": {"finished": len(rows), "total": plan["total"]},
            "queue_position": self.jobs.position(sweep_id) if row["status"] == "queued" else None,
            "axes": plan["axes"], "random": plan["random"], "seeds": plan["seeds"],
            "target_loss": plan["target_loss"], "metric": plan["metric"],
            "figure": default_figure(len(axes), plan["random"]), "figures": list(SWEEP_FIGURES),
            "rows": rows, "aggregates": aggregate(plan["settings"], plan["seeds"], rows),
            "request": row["request"]["sweep"],
        }

    def rows_after(self, sweep_id: str, count: int, owner: str | None = None) -> tuple[str, dict, list[dict]]:
        """(status, progress, the rows finished after the first ``count``, in the order they finished)."""
        row = self._row(sweep_id, owner)
        rows = (row["result"] or {}).get("rows", [])
        return row["status"], {"finished": len(rows), "total": row["request"]["plan"]["total"]}, rows[count:]

    def table_csv(self, sweep_id: str, owner: str | None = None) -> str:
        """One line per run: run, setting, seed, each axis's value, status, the metrics, network."""
        sweep = self.get(sweep_id, owner)
        paths = [axis["path"] for axis in sweep["axes"]]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["run", "setting", "seed", *paths, "status", "diverged", *ROW_METRICS, "steps",
                         "network_id"])
        for row in sweep["rows"]:
            writer.writerow([row["run"], row["setting"], row["seed"],
                             *(_cell(row["settings"].get(path)) for path in paths), row["status"],
                             str(row["diverged"]).lower(), *(_cell(row[key]) for key in ROW_METRICS),
                             _cell(row["steps"]), row["network_id"] or ""])
        return out.getvalue()

    # --- figures -------------------------------------------------------------------------------

    def figure(self, sweep_id: str, kind: str, owner: str | None = None, metric: str | None = None,
               color: str | None = None) -> str:
        """Figure ``kind`` (``SWEEP_FIGURES``) of the sweep as JSON; ``metric`` a row metric
        (default: the sweep's), ``color`` the axis path that colours the curves."""
        sweep = self.get(sweep_id, owner)
        metric = metric or sweep["metric"]
        if metric not in ROW_METRICS:
            raise SpecError("metric", f"unknown metric {metric!r}; expected one of: {', '.join(ROW_METRICS)}")
        axes = [Axis(a["path"], tuple(a["values"]), a["log"]) for a in sweep["axes"]]
        if kind == "heatmap" and sweep["random"]:
            raise SpecError("kind", "a heatmap needs a grid of two settings; this sweep drew its settings at random")
        if kind == "heatmap":
            fig = heatmap_figure(axes, sweep["aggregates"], metric)
        elif kind == "lines":
            fig = lines_figure(axes, sweep["aggregates"], metric)
        elif kind == "parallel":
            fig = parallel_figure(axes, sweep["rows"], metric)
        elif kind == "curves":
            fig = curves_figure(self._curves(sweep), _color_axis(axes, color), _history_metric(metric))
        elif kind == "boundaries":
            try:
                fig = boundaries_figure(self._panels(sweep), [axis["path"] for axis in sweep["axes"]])
            except SpecError as exc:  # e.g. inputs that are not a plane
                raise SpecError("kind", f"the boundaries cannot be drawn: {exc.message}") from None
        else:
            raise SpecError("kind", f"unknown figure {kind!r}; expected one of: {', '.join(SWEEP_FIGURES)}")
        return figure_json(fig)

    def _curves(self, sweep: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
        curves = []
        for row in sweep["rows"][:MAX_CURVES]:
            if row["network_id"] is None:
                continue
            history = self.store.network_history(row["network_id"])
            if history is not None:  # an expired network has taken its curve along
                curves.append((row["settings"], history))
        return curves

    def _panels(self, sweep: dict[str, Any]) -> list[tuple[str, Any, Any]]:
        """Each setting's first stored run (the lowest seed), up to ``MAX_BOUNDARY_PANELS``."""
        first: dict[int, dict[str, Any]] = {}
        for row in sweep["rows"]:
            if row["network_id"] is not None and row["seed"] < first.get(row["setting"], {}).get("seed", math.inf):
                first[row["setting"]] = row
        panels = []
        for setting in sorted(first)[:MAX_BOUNDARY_PANELS]:
            row = first[setting]
            try:
                net, data = self.networks.load(row["network_id"])
            except NotFound:
                continue
            panels.append((panel_label(row["settings"]), net, data))
        return panels

    # --- the runs' messages (the job service's writer thread) ------------------------------------

    def on_run(self, sweep_id: str, index: int, payload: dict[str, Any]) -> None:
        """Run ``index`` of the sweep has finished (``payload``: the training job's result)."""
        row = self.store.get_job(sweep_id)
        plan = row["request"]["plan"]
        rows = (row["result"] or {}).get("rows", [])
        if any(r["run"] == index for r in rows):
            return
        setting, seed = divmod(index, plan["seeds"])
        network_id = None
        if payload.get("status") in STORED_STATUSES and "weights" in payload:
            network = plan["networks"][setting]
            network_id = self.store.create_network(
                network["spec"], payload["weights"], payload.get("history"), network["data"],
                payload["steps_trained"], payload["epochs_trained"], owner=row["owner"],
                optimizer=payload.get("optimizer"), sweep_id=sweep_id)
        new = make_row(index, setting, seed, plan["settings"][setting], payload, network_id, plan["target_loss"])
        rows = [*rows, new]
        progress = {"step": len(rows), "total_steps": plan["total"], "epoch": None}
        self.store.update_job(sweep_id, result={"rows": rows}, progress=progress)
        frame = {"step": len(rows), "total_steps": plan["total"], "finished": len(rows), "total": plan["total"],
                 "row": new}
        self.jobs.publish_frame(sweep_id, progress, json.dumps(frame, separators=(",", ":"), default=str))

    def on_progress(self, sweep_id: str, index: int, progress: dict[str, Any]) -> None:
        """A sweep counts finished runs: a run under way has nothing to add."""

    def resume(self, row: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
        """After its server stopped: the runs without a row start again (from the beginning)."""
        plan = self.plan(row["request"]["sweep"], row["owner"])
        done = {r["run"] for r in (row["result"] or {}).get("rows", [])}
        return [(run.index, plan.tasks[run.index]) for run in plan.runs if run.index not in done]

    def end(self, row: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        """The group's own ending: the rows stay the sweep's result, whatever its status."""
        return payload


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return value if isinstance(value, str) else json.dumps(value)


def _color_axis(axes: list[Axis], path: str | None) -> Axis:
    if path is None:
        return axes[0]
    for axis in axes:
        if axis.path == path:
            return axis
    raise SpecError("color", f"the sweep has no axis {path!r}; it varies: {', '.join(a.path for a in axes)}")


def _history_metric(metric: str) -> str:
    """The history value a row metric comes from (curves draw the training loss for the others)."""
    return metric if metric.startswith(("train_", "test_")) else "train_loss"

