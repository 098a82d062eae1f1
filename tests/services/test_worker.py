"""A worker's training job (``TrainRun``) in this process: what a slice reports and which frames it sends."""

import time

from app.nn import LayerSpec, NetworkSpec
from app.services.data_specs import resolve_data_spec
from app.services.specs import Limits, live_options
from app.services.worker import DataCache, TrainRun, ramp_steps
from app.settings import Settings

LIMITS = Limits.from_settings(Settings())
SPIRAL = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.0}


def train_run(live: dict, **costs) -> tuple[TrainRun, list[str]]:
    """A 2-16-3 job of 100,000 steps on the spiral; and the kinds of message it sends."""
    sent: list[str] = []
    spec = NetworkSpec(2, (LayerSpec(16, "relu"),), 3)
    task = {"network": {"spec": spec.to_dict(), "seed": 0}, "data": resolve_data_spec(SPIRAL, LIMITS),
            "upload": None, "live": live_options(live, LIMITS), "checkpoint_seconds": 1e9,
            "training": {"steps": 100_000, "learning_rate": 0.1}} | costs
    return TrainRun("job", task, lambda kind, job_id, payload: sent.append(kind), DataCache()), sent


def test_a_slice_reports_the_time_of_its_frame_too():
    run, sent = train_run({"grid": 200, "nodes": 20, "edges": True, "hidden": {"layer": 1}, "interval_ms": 50})
    started = time.perf_counter()
    report = run.slice(0.01)  # one step, then a frame that costs far more than the step
    elapsed = time.perf_counter() - started
    assert sent == ["progress"]
    assert report["seconds"] >= 0.9 * elapsed  # the person is charged for the frame, not just the step


def test_frames_are_spent_no_faster_than_their_budget_is_earned():
    live = {"grid": 20, "interval_ms": 50}
    free, free_sent = train_run(live)
    budgeted, budgeted_sent = train_run(live, frame_compute=1e6, frame_budget=2e6)  # two frames in 100,000 steps
    for _ in range(5):  # slices longer than the frame interval: a frame is due after each
        free.slice(0.06)
        budgeted.slice(0.06)
    assert free_sent.count("progress") == 5
    assert budgeted_sent.count("progress") == 1  # the first frame (step 1); the second is earned at the end


def test_a_job_nobody_follows_makes_no_frames_and_a_paced_one_wakes_seldom():
    run, sent = train_run({"grid": 20, "interval_ms": 50})
    for _ in range(3):
        run.slice(0.06, quiet=True)
    assert "progress" not in sent
    run.slice(0.06)  # someone follows it again: its next slice makes a frame
    assert sent == ["progress"]
    paced, _ = train_run({"grid": 20, "interval_ms": 50, "steps_per_second": 100})
    paced.slice(0.01, quiet=True)  # the first step
    assert paced.slice(0.01, quiet=True)["wait"] > 0.5  # a second's steps at once, not 50 ms' (5 steps)


def test_the_ramp_spreads_the_first_steps_over_seconds_then_runs_free():
    assert [ramp_steps(t) for t in (0, 1, 5, 10, 12)] == [1, 31, 154, 317, 391]
    assert ramp_steps(40) >= 100_000  # beyond any machine's pace for the Playground's networks
    run, _ = train_run({"grid": 20, "interval_ms": 33, "ramp": True})
    run.slice(0.01)  # the first step
    for _ in range(5):  # slices that could take thousands of steps take what is due
        run.slice(0.05)
        assert run.trainer.done <= ramp_steps(time.monotonic() - run.began)
    done = run.trainer.done
    run.began -= 40
    # As many as the slice's time allows (on a busy machine that may be only a few), not what is due:
    # a followed job's slice ends when its next frame is due, after half a frame's interval at least.
    assert run.slice(0.05)["seconds"] >= 0.033 / 2 and run.trainer.done > done


def test_in_a_crowded_worker_a_followed_job_stores_its_weights_less_often():
    """Alone, a followed job checkpoints every ``checkpoint_seconds``; among 100 jobs on its worker no
    more often than ``CHECKPOINT_SECONDS_PER_PEER`` each (5 s), so a class does not flood the database."""
    from app.services.worker import CHECKPOINT_SECONDS_PER_PEER

    def checkpoints(peers: int) -> int:
        run, sent = train_run({"grid": 10, "interval_ms": 50}, checkpoint_seconds=0.05)
        run.peers = peers
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            run.slice(0.01)
        return sent.count("checkpoint")

    assert 100 * CHECKPOINT_SECONDS_PER_PEER > 0.5
    assert checkpoints(1) >= 4  # every 0.05 s over 0.5 s (a busy machine may drop a few)
    assert checkpoints(100) == 0  # the first one would come after 5 s
