"""What runs inside a worker process: one task at a time, reporting through ``send``.

A task is a plain dict (picklable, no database access needed): ``{"kind": "train", ...}`` or
``{"kind": "experiment", ...}``. Messages go back as ``send(kind, payload)`` with ``kind`` one of
``progress`` (throttled to the client's interval, with a boundary grid for 1-D / 2-D inputs),
``checkpoint`` (the weights of the last finished step, about once a second) and ``finished``.
The worker stops a run at the next step once ``cancelled()`` turns true.

Progress counts steps like the history does, over the network's whole life: ``step`` is its steps
trained so far and ``total_steps`` what it will have when this run ends (they differ from the
run's own count when a job continues a trained network).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from app.nn import Network, NetworkSpec, Progress, TrainConfig, train
from app.viz import boundary_grid, data_bounds

from .experiments import run_experiment
from .specs import build_dataset

PACE_SLEEP_SECONDS = 0.02  # a paced job checks for a cancel at least this often

Send = Callable[[str, dict[str, Any]], None]


def run_task(task: dict[str, Any], send: Send, cancelled: Callable[[], bool]) -> None:
    """Run one task; always ends with exactly one ``finished`` message, even on errors."""
    try:
        if task["kind"] == "train":
            payload = _train(task, send, cancelled)
        else:
            payload = run_experiment(task["name"], task.get("options") or {}, _Reporter(send, cancelled))
    except Exception as exc:  # the job records the failure; the worker lives on
        payload = {"status": "failed", "error": f"{type(exc).__name__}: {exc}",
                   "traceback": traceback.format_exc(limit=5)}
    send("finished", payload)


class _Reporter:
    """Progress for experiments: position among their runs, and the cancel flag."""

    def __init__(self, send: Send, cancelled: Callable[[], bool]):
        self.send, self.cancelled = send, cancelled

    def progress(self, run: int, runs: int) -> None:
        self.send("progress", {"step": run, "total_steps": runs, "epoch": None, "batch_loss": None,
                               "record": None, "boundary": None})


def boundary_payload(net: Network, bounds: Any, grid: int) -> dict[str, Any]:
    """A compact boundary grid for a live view (4 decimal places are plenty on screen)."""
    values = boundary_grid(net, bounds, grid)
    return {
        "x": np.round(values["x"].astype(np.float64), 4).tolist(),
        "y": None if values["y"] is None else np.round(values["y"].astype(np.float64), 4).tolist(),
        "z": np.round(values["z"].astype(np.float64), 4).tolist(),
        "kind": values["kind"],
    }


def _train(task: dict[str, Any], send: Send, cancelled: Callable[[], bool]) -> dict[str, Any]:
    data = build_dataset(task["data"], task.get("upload"))
    stored = task["network"]
    net = Network(NetworkSpec.from_dict(stored["spec"]))
    net.set_weights(stored["weights"])
    net.steps_trained, net.epochs_trained = stored["steps_trained"], stored["epochs_trained"]
    net.optimizer_state = stored.get("optimizer")  # a warm start keeps momentum / moments
    config = TrainConfig(**task["training"])
    live = task["live"]
    interval = live["interval_ms"] / 1000
    bounds = None
    if net.spec.input_dim == 2 or (net.spec.input_dim == 1 and net.loss.task == "regression"):
        bounds = data_bounds(data)
    history: list[dict[str, Any]] = []
    start = net.steps_trained
    now = began = time.monotonic()
    next_progress, next_checkpoint = now, now + task["checkpoint_seconds"]
    pace = live.get("steps_per_second")

    def on_progress(progress: Progress) -> bool:
        nonlocal next_progress, next_checkpoint
        record = progress.record
        if record is not None and (not history or history[-1]["step"] != record["step"]):
            history.append(record)
        if cancelled():
            return True
        if pace:  # hold the run to the asked pace, in short sleeps so a cancel still lands at once
            due = began + progress.step / pace
            while (wait := due - time.monotonic()) > 0:
                time.sleep(min(wait, PACE_SLEEP_SECONDS))
                if cancelled():
                    return True
        now = time.monotonic()
        if now >= next_progress:
            next_progress = max(next_progress + interval, now)
            send("progress", {
                "step": net.steps_trained, "total_steps": start + progress.total_steps, "epoch": progress.epoch,
                "batch_loss": progress.batch_loss, "record": record,
                "boundary": None if bounds is None else boundary_payload(net, bounds, live["grid"]),
            })
        if now >= next_checkpoint:
            next_checkpoint = now + task["checkpoint_seconds"]
            send("checkpoint", {"weights": net.get_weights(), "steps_trained": net.steps_trained,
                                "epochs_trained": net.epochs_trained, "history": list(history),
                                "progress": {"step": net.steps_trained,
                                             "total_steps": start + progress.total_steps, "epoch": progress.epoch}})
        return False

    result = train(net, data, config, on_progress=on_progress, progress_every=1)
    return {
        "status": result.status,
        "error": None if result.diverged_at is None else f"the loss became NaN or inf at step {result.diverged_at}; "
                                                         "the weights of the last finite step are kept",
        "weights": net.get_weights(),
        "optimizer": net.optimizer_state,
        "steps_trained": net.steps_trained,
        "epochs_trained": net.epochs_trained,
        "history": result.history,
        "seconds": result.seconds,
        "progress": {"step": net.steps_trained, "total_steps": start + config.total_steps(len(data.y_train)),
                     "epoch": net.epochs_trained},
    }
