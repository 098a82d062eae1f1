"""The wall's pure parts: a frame's numbers (its boundary made coarse), a tile's flags, and which
tiles a lecturer's stream sends (only the changed ones, each at most twice a second: a given clock)."""

import json

import numpy as np

from app.nn import Network, NetworkSpec, make_dataset
from app.services.wall import IDLE_SECONDS, TILE_GRID, WallTracker, frame_numbers, scores_of, tile_flags
from app.viz.boundary import boundary_grid, data_bounds
from app.viz.live import LIVE_LEVELS, coarse_grid, decode_grid, encode_grid


class Clock:
    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def live_boundary(grid: int = 40) -> dict:
    data = make_dataset("spiral", n_per_class=20, classes=3)
    net = Network(NetworkSpec.from_dict({"input_dim": 2, "hidden": [{"units": 8}], "output_dim": 3}), seed=1)
    return encode_grid(boundary_grid(net, data_bounds(data), grid), 3, LIVE_LEVELS)


def test_a_coarse_boundary_keeps_the_frame_s_cells_at_a_tile_s_size():
    frame = live_boundary(40)
    small = coarse_grid(frame, TILE_GRID, 8)
    assert small["n"] == TILE_GRID and small["x"] == frame["x"] and small["y"] == frame["y"]
    fine, coarse = decode_grid(frame), decode_grid(small)
    assert np.array_equal(np.floor(coarse[0]), np.floor(fine[0][np.rint(np.linspace(0, 39, 16)).astype(int)]))
    assert len(small["data"]) < len(frame["data"])
    assert coarse_grid(small, TILE_GRID) is small  # small enough already


def test_a_frame_s_numbers():
    text = json.dumps({"step": 40, "epoch": 1.5, "record": {"train_accuracy": 0.5}, "boundary": live_boundary(),
                       "nodes": {"big": "x" * 1000}})
    numbers = frame_numbers(text)
    assert numbers["step"] == 40 and numbers["record"] == {"train_accuracy": 0.5}
    assert numbers["boundary"]["n"] == TILE_GRID and "nodes" not in numbers
    assert frame_numbers(json.dumps({"step": 41, "epoch": 1.6}))["record"] is None


def test_flags():
    running = {"status": "running"}
    assert tile_flags(None, None, 0.0) == ["not_started"]
    assert tile_flags(running, {"dead_fraction": [0.2, 0.9]}, 10.0) == []
    assert tile_flags(running, {"dead_fraction": [0.2, 1.0]}, 10.0) == ["dead_layer"]
    assert tile_flags({"status": "diverged"}, None, IDLE_SECONDS + 1) == ["diverged", "idle"]
    assert scores_of({"train_r2": 0.9, "test_r2": None}) == {"metric": "r2", "train": 0.9, "test": None}
    assert scores_of(None) == {"metric": "accuracy", "train": None, "test": None}


def test_only_changed_tiles_are_sent_and_each_at_most_twice_a_second():
    clock = Clock()
    tracker = WallTracker(clock)
    ada, grace = {"member_id": "a", "step": 1}, {"member_id": "g", "step": 1}
    assert tracker.due([ada, grace]) == [ada, grace]  # everything at first
    clock.now += 1.0
    assert tracker.due([ada, grace]) == []  # nothing changed
    moved = ada | {"step": 2}
    assert tracker.due([moved, grace]) == [moved]
    clock.now += 0.2
    assert tracker.due([ada | {"step": 3}, grace]) == []  # too soon after the last
    clock.now += 0.3
    assert tracker.due([ada | {"step": 3}, grace]) == [ada | {"step": 3}]
    updates = 0
    for _ in range(100):  # ten seconds of ticks every 0.1 s, a tile changing at every one
        clock.now += 0.1
        updates += len(tracker.due([ada | {"step": clock.now}]))
    assert updates <= 20


def test_idle_counts_from_the_last_new_step():
    clock = Clock()
    tracker = WallTracker(clock)
    assert tracker.idle_for("a", "job", 5) == 0.0
    clock.now += 100
    assert tracker.idle_for("a", "job", 5) == 100
    assert tracker.idle_for("a", "job", 6) == 0.0
    clock.now += 50
    assert tracker.idle_for("a", "other job", 6) == 0.0
