"""What runs inside a worker process: many jobs, one short slice at a time.

The server sends ``("add", job_id, task)`` once per job, then ``("slice", job_id, (seconds, quiet))``
each time it is that job's turn (``quiet``: nobody follows the job, so the slice makes no frame),
and ``("stop", job_id)`` to cancel. A job's weights, optimizer memory and data stay here between
slices; nothing large crosses the pipe until the job ends or checkpoints. After each slice the
worker answers ``("slice", job_id, {"seconds", "wait"})``
(``seconds``: the slice's time, its frame and checkpoint included, which its person is charged;
``wait``: seconds until a paced job can take its next step), preceded by any of:

* ``progress``: a live frame (throttled to the job's interval and its frame budget; the boundary
  grid in compact form, see ``app.viz.live``, and about seven times a second what ``live`` asks
  for besides: node maps, edges, hidden-space coordinates) as ready-made JSON text plus the step
  counts, so the web process sends it on without decoding it;
* ``checkpoint``: the weights of the last finished step, about once per ``checkpoint_seconds``
  (``QUIET_CHECKPOINT_SECONDS`` while nobody follows the job);
* ``finished``: the job's result, exactly once per job.

What one message of the server's makes goes back as one list of these ``(kind, job_id, payload)``.

Progress counts steps like the history does, over the network's whole life: ``step`` is its steps
trained so far and ``total_steps`` what it will have when this run ends.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from app.nn import Dataset, Network, NetworkSpec, TrainConfig, Trainer
from app.viz import boundary_grid, data_bounds, node_maps
from app.viz.boundary import n_classes_of
from app.viz.live import LIVE_LEVELS, encode_edges, encode_grid, encode_hidden, live_overlay, rounded
from app.viz.thumbnails import LIVE_MAP_LEVELS

from .data_specs import build_dataset

Send = Callable[[str, str, Any], None]
DATA_CACHE_SIZE = 32
# The hidden space (live.hidden): about 7 frames a second, so that a page that skips one now and then
# still draws it at least 5 times a second (node maps and edges come with every frame).
EXTRAS_SECONDS = 0.15
# A ramped job (``live.ramp``, the Playground's default pace) may have taken ``ramp_steps(t)`` steps t
# seconds after its first: RAMP_STEPS_PER_SECOND at first, then ten times as many every
# RAMP_DECADE_SECONDS, until that outruns the machine and it runs free. 30 steps a second at first:
# a frame's picture changes only when a step was taken, and the page draws 30 frames a second. The
# pace is a function of time, not of frames, so it stays the same whatever frame interval a page asks
# for. At 30 new steps a second a run must need more than 300 steps to be watched for 10 s: the
# Playground's default network (2-8-8-3 ReLU, Adam) reaches its plateau on the spiral at step 273 with
# a learning rate of 0.01 (9 s) and at step 510 with 0.005, its default (about 14 s;
# docs/benchmarks.md). At one decade per 1.5 s the first took 3.5 s.
RAMP_STEPS_PER_SECOND = 30
RAMP_DECADE_SECONDS = 8.0


def ramp_steps(elapsed: float) -> int:
    """Steps a ramped job may have taken ``elapsed`` seconds after its first step (at least 1)."""
    return math.floor(elapsed * RAMP_STEPS_PER_SECOND) + math.floor(10 ** min(elapsed / RAMP_DECADE_SECONDS, 15))
# A job nobody follows stores its weights this seldom at most: a crash costs nobody a view, and a room
# of such jobs (paced ones, say) would otherwise write to the database every second each.
QUIET_CHECKPOINT_SECONDS = 10.0
# A followed job stores its weights every ``checkpoint_seconds`` (1 s by default) while few jobs share
# its worker; in a crowd no more often than this many seconds per job on the worker, so that a class of
# 100 writes about 40 checkpoints a second to the database rather than 100 (a crash costs each of them
# a few seconds of training at most; Pause and the job's end store the weights as always).
CHECKPOINT_SECONDS_PER_PEER = 0.05
# A paced job nobody follows takes its steps in bursts this far apart rather than one frame interval
# apart: nobody sees them, and each wake-up costs the server a round trip.
QUIET_BURST_SECONDS = 1.0


class DataCache:
    """Data sets by content (their resolved spec), so jobs on the same data build it once."""

    def __init__(self, size: int = DATA_CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[str, Dataset] = OrderedDict()

    def get(self, spec: dict[str, Any], upload: dict[str, Any] | None) -> Dataset:
        key = json.dumps(spec, sort_keys=True)
        data = self._items.get(key)
        if data is None:
            data = self._items[key] = build_dataset(spec, upload)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        self._items.move_to_end(key)
        return data


def failure(exc: BaseException) -> dict[str, Any]:
    return {"status": "failed", "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(limit=5)}


class TrainRun:
    """One training job, advanced a slice at a time (``Trainer``)."""

    def __init__(self, job_id: str, task: dict[str, Any], send: Send, datasets: DataCache):
        self.job_id, self.send = job_id, send
        data = datasets.get(task["data"], task.get("upload"))
        net = _network(task["network"])
        self.net, self.data = net, data
        self.trainer = Trainer(net, data, TrainConfig(**task["training"]))
        self.live = task["live"]  # None: no live frames (a sweep's run)
        self.interval = self.live["interval_ms"] / 1000 if self.live else math.inf
        self.pace = self.live.get("steps_per_second") if self.live else None
        self.ramp = bool(self.live.get("ramp")) if self.live else False
        self.checkpoint_seconds = task["checkpoint_seconds"]
        # Frames draw on a budget of their own (multiply-adds, ``specs.frame_compute`` each), spent no
        # faster than the steps go: a job whose frames cost much gets fewer of them, evenly spread.
        self.frame_cost = task.get("frame_compute", 0.0)
        self.frame_budget = task.get("frame_budget", math.inf)
        self.frames_spent = 0.0
        self.quiet = False
        self.peers = 1  # jobs on this worker (``answer`` keeps it current): checkpoints come less often in a crowd
        self.bounds = None
        if self.live and (net.spec.input_dim == 2 or (net.spec.input_dim == 1 and net.loss.task == "regression")):
            self.bounds = data_bounds(data)
        self.start = net.steps_trained
        self.began: float | None = None
        self.next_frame = 0.0
        self.next_extras = 0.0
        self.last_checkpoint = 0.0
        self.sent_records = 0

    @property
    def finished(self) -> bool:
        return self.trainer.finished

    def slice(self, seconds: float, quiet: bool = False) -> dict[str, Any]:
        """Train for about ``seconds``; returns the slice report (and sends what is due: no live frame
        when ``quiet``)."""
        now, started = time.monotonic(), time.perf_counter()
        self.quiet = quiet
        if self.began is None:  # the first slice takes one step, so the first frame shows step 1
            self.began, max_steps = now, 1
            self.last_checkpoint = now
        elif self.pace:
            if (wait := self.pace_wait(now)) > 0:
                return {"seconds": 0.0, "wait": wait}
            max_steps = math.floor((now - self.began) * self.pace) + 1 - self.trainer.done  # due by now
        elif self.ramp and (due := ramp_steps(now - self.began)) < self.trainer.total:
            if due <= self.trainer.done:  # wake with the next frame: a step between two frames is never seen
                return {"seconds": 0.0, "wait": self.interval - (now - self.began) % self.interval}
            max_steps = due - self.trainer.done
        else:
            max_steps = self.trainer.total
        deadline = started + seconds
        if self.live and not quiet and not self.pace and self.frame_affordable():
            # A followed job's slice ends when its next frame is due: frames then leave at their
            # interval (30 a second for the Playground) rather than once a slice (50 ms alone on a
            # worker). It trains for half an interval at least: on a machine too busy to keep the
            # pace, frames come less often rather than take every slice. A paced job's steps come
            # in bursts of a frame's worth already.
            deadline = min(deadline, started + max(self.interval / 2, self.next_frame - now))
        self.trainer.advance(max_steps, deadline=deadline)
        now = time.monotonic()
        if self.trainer.finished:
            self.send("finished", self.job_id, self.result())
            return {"seconds": time.perf_counter() - started, "wait": 0.0}
        if self.live and not quiet and now >= self.next_frame and self.frame_affordable():
            self.next_frame = max(self.next_frame + self.interval, now)
            self.frames_spent += self.frame_cost
            self.send("progress", self.job_id, self.frame())
        crowd = QUIET_CHECKPOINT_SECONDS if quiet else self.peers * CHECKPOINT_SECONDS_PER_PEER
        every = max(self.checkpoint_seconds, crowd)
        if now - self.last_checkpoint >= every:
            self.last_checkpoint = now
            self.send("checkpoint", self.job_id, self.checkpoint())
        return {"seconds": time.perf_counter() - started,
                "wait": self.pace_wait(time.monotonic()) if self.pace else 0.0}

    def frame_affordable(self) -> bool:
        """The first frame always; then one more while the frames have spent no more than the part of
        their budget the steps done so far have earned."""
        if self.frames_spent == 0:
            return True
        earned = self.frame_budget * self.trainer.done / max(1, self.trainer.total)
        return self.frames_spent + self.frame_cost <= earned

    def pace_wait(self, now: float) -> float:
        """Seconds until a paced job has its next burst of steps due. Steps come in bursts of one
        frame interval's worth, since nobody sees what happens between two frames: a job paced at
        100 steps a second with 50 ms frames wakes 20 times a second for 5 steps, not 100 times."""
        left = self.trainer.total - self.trainer.done
        burst = max(1, min(left, round(self.pace * (QUIET_BURST_SECONDS if self.quiet else self.interval))))
        return max(0.0, self.began + (self.trainer.done + burst - 1) / self.pace - now)

    def progress(self) -> dict[str, Any]:
        return {"step": self.net.steps_trained, "total_steps": self.start + self.trainer.total,
                "epoch": self.net.epochs_trained}

    def frame(self) -> dict[str, Any]:
        """A live frame: the step counts, the latest history record only when it is new, and the
        boundary grid in compact form. ``json`` is the event's text, made here once."""
        history = self.trainer.history
        frame: dict[str, Any] = self.progress() | {"batch_loss": rounded(_finite(self.trainer.batch_loss)),
                                                   "made": round(time.time(), 3)}  # a client sees how late it is
        if len(history) > self.sent_records:
            self.sent_records = len(history)
            frame["record"] = rounded(history[-1])
        if self.bounds is not None:
            grid = boundary_grid(self.net, self.bounds, self.live["grid"])
            frame["boundary"] = encode_grid(grid, n_classes_of(self.net), LIVE_LEVELS)
            frame["overlay"] = live_overlay(self.net, self.data)
        # The node maps and edges come with every frame: the Playground paints them on canvases at the
        # frames' rate (30 a second), and they cost about as much as the boundary (bench_live.py).
        frame |= self.pictures()
        now = time.monotonic()
        if now >= self.next_extras and (hidden := self.hidden_view()):
            # a steady cadence rather than "0.15 s after the last one": frames come every interval, and
            # waiting for the first frame 0.15 s after the last would make it 5 a second at 50 ms; never
            # two within half a period (no burst after a pause)
            self.next_extras = max(self.next_extras + EXTRAS_SECONDS, now + EXTRAS_SECONDS / 2)
            frame |= hidden
        return {"progress": self.progress(), "json": json.dumps(frame, separators=(",", ":"), allow_nan=False,
                                                                 default=_no_nan)}

    def extras(self) -> dict[str, Any]:
        """What the job's ``live`` options ask for besides the boundary: ``pictures`` and ``hidden_view``."""
        return self.pictures() | self.hidden_view()

    def pictures(self) -> dict[str, Any]:
        """Each node's map (``nodes``) and the diagram's edges (``edges``), when the options ask for them."""
        pictures: dict[str, Any] = {}
        if self.live.get("nodes") and self.net.spec.input_dim == 2:
            pictures["nodes"] = node_maps(self.net, self.bounds, self.live["nodes"], levels=LIVE_MAP_LEVELS)
        if self.live.get("edges"):
            pictures["edges"] = encode_edges(self.net)
        return pictures

    def hidden_view(self) -> dict[str, Any]:
        """The hidden-space view's coordinates (``hidden``), when asked for: about 7 times a second
        (``EXTRAS_SECONDS``), as it costs several boundaries for a wide layer."""
        hidden = self.live.get("hidden")
        if hidden and self.net.spec.input_dim <= 2 and hidden["layer"] <= len(self.net.spec.hidden):
            return {"hidden": encode_hidden(self.net, self.data, hidden["layer"]) | {"layer": hidden["layer"]}}
        return {}

    def checkpoint(self) -> dict[str, Any]:
        """The last finished step's weights and optimizer memory: enough to resume the job there
        (on another worker or server) with the numbers an uninterrupted full-batch run has."""
        return {"weights": self.net.get_weights(), "optimizer": self.trainer.optimizer.state(),
                "steps_trained": self.net.steps_trained, "epochs_trained": self.net.epochs_trained,
                "history": list(self.trainer.history), "progress": self.progress()}

    def stop(self) -> None:
        self.trainer.cancel()
        self.send("finished", self.job_id, self.result())

    def result(self) -> dict[str, Any]:
        result = self.trainer.finish()
        return {
            "status": result.status,
            "error": None if result.diverged_at is None else f"the loss became NaN or inf at step "
                                                             f"{result.diverged_at}; the weights of the last "
                                                             "finite step are kept",
            "weights": self.net.get_weights(),
            "optimizer": self.net.optimizer_state,
            "steps_trained": self.net.steps_trained,
            "epochs_trained": self.net.epochs_trained,
            "history": result.history,
            "seconds": result.seconds,
            "progress": self.progress(),
        }


def _network(state: dict[str, Any]) -> Network:
    """A stored network's state (a warm start keeps momentum / moments too), or a new one from its
    spec and ``seed``: the same ``Network(spec, seed)`` a new job's network is made with."""
    if "weights" in state:
        return Network.from_dict(state)
    return Network(NetworkSpec.from_dict(state["spec"]), seed=state["seed"])


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _no_nan(value: Any) -> Any:
    raise TypeError(f"cannot send {type(value).__name__} in a live frame")


def serve(receive: Callable[[], Any], send: Callable[[list[tuple[str, str, Any]]], None]) -> None:
    """A worker's loop: messages from the server until it sends None or goes away. What a message
    makes (a slice's frame, checkpoint and report, say) goes back as one list: one write to the pipe
    and one wake-up of the server's scheduler thread rather than one each."""
    runs: dict[str, TrainRun] = {}
    datasets = DataCache()
    outbox: list[tuple[str, str, Any]] = []

    def post(kind: str, job_id: str, payload: Any) -> None:
        outbox.append((kind, job_id, payload))

    while True:
        message = receive()
        if message is None:
            return
        answer(message, runs, datasets, post)
        if outbox:
            send(outbox[:])
            outbox.clear()


def answer(message: tuple[str, str, Any], runs: dict[str, TrainRun], datasets: DataCache, send: Send) -> None:
    """Do what one message from the server asks, sending what it makes."""
    kind, job_id, body = message
    if kind == "add":
        try:
            runs[job_id] = TrainRun(job_id, body, send, datasets)
        except Exception as exc:  # a task that cannot start fails alone; the worker lives on
            send("finished", job_id, failure(exc))
        return
    run = runs.get(job_id)
    if run is None:  # finished or failed to start: the server learns it from "finished"
        if kind == "slice":
            send("slice", job_id, {"seconds": 0.0, "wait": 0.0})
        return
    try:
        if kind == "slice":
            run.peers = len(runs)
            report = run.slice(*body)
        else:  # "stop"
            run.stop()
            report = None
    except Exception as exc:
        send("finished", job_id, failure(exc))
        runs.pop(job_id)
        report = {"seconds": 0.0, "wait": 0.0} if kind == "slice" else None
    if run.finished:
        runs.pop(job_id, None)
    if report is not None:
        send("slice", job_id, report)


# Training yields the CPU to the server process, so requests stay quick while jobs run.
WORKER_NICENESS = 5


def process_main(conn: Connection) -> None:
    """A worker process: serve slices until the server says stop or goes away."""
    from threadpoolctl import threadpool_limits

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    os.nice(WORKER_NICENESS)
    # Each worker is one of the scheduler's cores: BLAS threads of its own (NumPy's SVD, say, for the
    # hidden-space view's principal components) would only fight the other workers for the same cores,
    # at 50 times the CPU of one thread for a 300 x 100 matrix on a busy 2-core machine.
    threadpool_limits(1)

    def receive() -> Any:
        try:
            return conn.recv()
        except (EOFError, OSError):
            return None

    def send(messages: list[tuple[str, str, Any]]) -> None:
        conn.send(messages)

    with contextlib.suppress(BrokenPipeError, EOFError, OSError):  # the server is gone
        serve(receive, send)
