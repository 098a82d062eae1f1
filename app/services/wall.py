"""A class's wall: the lecturer's view of the room, one tile per member.

A tile is made from what the job service already has: the latest live frame of a member's running
class job (``JobService.progress``: its steps, its newest history record, its boundary grid, redrawn
coarse by ``coarse_grid``), or the stored job once it has finished. Nothing is done per frame: the
lecturer's stream ticks (``TICK_SECONDS``) and a ``WallTracker`` per stream sends only the tiles
that changed since it last sent them, each at most once per ``TILE_SECONDS``.

The pure parts (a frame's numbers, a tile's flags, which tiles are due) are functions here, with a
clock passed in, so that they are tested without waiting.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from app.viz.boundary import boundary_grid, data_bounds, n_classes_of
from app.viz.live import coarse_grid, encode_grid

from .networks import NetworkService
from .specs import NotFound
from .store import Store

TICK_SECONDS = 0.5  # the lecturer's stream looks at the room this often
TILE_SECONDS = 0.5  # a tile is sent at most this often: 2 updates a second
IDLE_SECONDS = 120.0  # a member whose job has taken no step for this long is idle
TILE_GRID = 16  # a tile's boundary: cells a side
TILE_LEVELS = 8  # confidence levels per class in a tile's boundary: it is small, and fewer deflate better
FLAGS = ("not_started", "diverged", "dead_layer", "idle")


def frame_numbers(text: str) -> dict[str, Any]:
    """A live frame's JSON text -> what a tile shows of it: ``step``, ``epoch``, ``record`` (the
    newest history record, when the frame carries one) and ``boundary`` (coarse), when it has them."""
    frame = json.loads(text)
    numbers = {"step": frame.get("step"), "epoch": frame.get("epoch"), "record": frame.get("record")}
    if "boundary" in frame:
        numbers["boundary"] = coarse_grid(frame["boundary"], TILE_GRID, TILE_LEVELS)
    return numbers


def tile_flags(job: dict[str, Any] | None, record: dict[str, Any] | None, idle_for: float) -> list[str]:
    """A tile's flags: ``not_started`` (no class job yet), ``diverged`` (the job's loss became NaN),
    ``dead_layer`` (every ReLU of a hidden layer is dead: the record's ``dead_fraction`` is 1 for
    it), ``idle`` (no new step for more than ``IDLE_SECONDS``: ``idle_for`` seconds)."""
    if job is None:
        return ["not_started"]
    flags = []
    if job["status"] == "diverged":
        flags.append("diverged")
    if any(isinstance(f, (int, float)) and f >= 1.0 for f in (record or {}).get("dead_fraction") or []):
        flags.append("dead_layer")
    if idle_for > IDLE_SECONDS:
        flags.append("idle")
    return flags


def scores_of(record: dict[str, Any] | None) -> dict[str, Any]:
    """``train``, ``test`` and ``metric`` (accuracy, or R² for regression) of a history record."""
    record = record or {}
    metric = "r2" if record.get("train_r2") is not None or record.get("test_r2") is not None else "accuracy"
    return {"metric": metric, "train": record.get(f"train_{metric}"), "test": record.get(f"test_{metric}")}


class WallTracker:
    """What one lecturer's stream has sent: each tile as last sent and when, and when each member's
    job last took a step (for ``idle``). ``due(tiles)`` -> the tiles to send now."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, every: float = TILE_SECONDS):
        self.clock, self.every = clock, every
        self.sent: dict[str, tuple[dict[str, Any], float]] = {}
        self.steps: dict[str, tuple[str | None, Any, float]] = {}  # member -> (job, step, when it changed)
        self.frames: dict[str, tuple[int, dict[str, Any]]] = {}  # job -> (frame's number, its numbers)
        self.kept: dict[str, dict[str, Any]] = {}  # job -> its last record and boundary, and its parameters

    def idle_for(self, member_id: str, job_id: str | None, step: Any) -> float:
        """Seconds since ``member_id``'s job last took a step (0 when it just did, or is new here)."""
        now = self.clock()
        last = self.steps.get(member_id)
        if last is None or last[:2] != (job_id, step):
            self.steps[member_id] = (job_id, step, now)
            return 0.0
        return now - last[2]

    def due(self, tiles: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The tiles that differ from the ones last sent, unless that was less than ``every`` ago."""
        now, due = self.clock(), []
        for tile in tiles:
            last = self.sent.get(tile["member_id"])
            if last is not None and (last[0] == tile or now - last[1] < self.every):
                continue
            self.sent[tile["member_id"]] = (tile, now)
            due.append(tile)
        return due


class WallService:
    """Tiles of a class's members, read from the store and the jobs' latest frames."""

    def __init__(self, store: Store, networks: NetworkService, progress: Callable[[str], Any]):
        self.store, self.networks, self.progress = store, networks, progress

    def tiles(self, class_id: str, tracker: WallTracker) -> list[dict[str, Any]]:
        """One tile per member, in the order they joined (``class_id``: a class the asker leads)."""
        latest: dict[str, dict[str, Any]] = {}
        for job in self.store.class_job_heads(class_id):
            latest.setdefault(job["owner"], job)
        return [self.tile(member, latest.get(member["owner"]), tracker) for member in self.store.members(class_id)]

    def tile(self, member: dict[str, Any], job: dict[str, Any] | None, tracker: WallTracker) -> dict[str, Any]:
        tile: dict[str, Any] = {"member_id": member["id"], "name": member["name"], "job": None, "step": None,
                                "epoch": None, "parameters": None, "boundary": None, "metric": "accuracy",
                                "train": None, "test": None}
        if job is None:
            return tile | {"flags": tile_flags(None, None, 0.0)}
        kept = tracker.kept.get(job["id"])
        if kept is None:  # the network is read once per job, not at every tile (it holds the weights)
            kept = tracker.kept[job["id"]] = {"record": job["metrics"] or None, "boundary": None,
                                              "parameters": self._parameters(job["network_id"])}
        step, epoch = (job["progress"] or {}).get("step"), (job["progress"] or {}).get("epoch")
        # a queued job's row may not say "running" yet while its frames already come (the row is
        # written by the jobs' writer thread, later under load): the frames are asked for either way
        live = self.progress(job["id"]) if job["status"] in ("queued", "running") else None
        if live is not None:
            seen = tracker.frames.get(job["id"])
            if seen is None or seen[0] != live[0]:
                seen = (live[0], frame_numbers(live[1]["json"]))
                tracker.frames[job["id"]] = seen
            numbers = seen[1]
            step, epoch = numbers["step"], numbers["epoch"]
            kept["record"] = numbers["record"] or kept["record"]
            kept["boundary"] = numbers.get("boundary") or kept["boundary"]
        elif job["status"] not in ("queued", "running"):
            kept["record"] = job["metrics"] or kept["record"]
            if kept["boundary"] is None:
                kept["boundary"] = self._boundary(job["network_id"])
        idle_for = tracker.idle_for(member["id"], job["id"], step)
        return tile | {"job": {"id": job["id"], "status": job["status"]}, "step": step, "epoch": epoch,
                       "parameters": kept["parameters"], "boundary": kept["boundary"]} | scores_of(kept["record"]) | {
            "flags": tile_flags(job, kept["record"], idle_for)}

    def _parameters(self, network_id: str | None) -> int | None:
        try:
            return self.networks.get(network_id)["counts"]["parameters"] if network_id else None
        except NotFound:
            return None

    def _boundary(self, network_id: str | None) -> dict[str, Any] | None:
        """A finished job's boundary at a tile's size, drawn once from its network (which a later job
        may have trained further: the member's newest job is the one shown)."""
        try:
            net, data = self.networks.load(network_id) if network_id else (None, None)
        except NotFound:
            return None
        if net is None or data is None or net.spec.input_dim > 2:
            return None
        return encode_grid(boundary_grid(net, data_bounds(data), TILE_GRID), n_classes_of(net), TILE_LEVELS)
