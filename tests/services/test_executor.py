import base64
import json
import os
import signal
import threading
import time
import zlib

import numpy as np
import pytest

from app.nn import LayerSpec, Network, NetworkSpec, TrainConfig, make_dataset, train
from app.services.executor import WORKER_DIED, LocalExecutor
from app.services.experiments import assemble, resolve_options, run_record, run_tasks
from app.services.job_cluster import group_task
from app.services.scheduler import PersonLimit, SchedulerLimits
from app.services.specs import Limits
from app.services.worker import ramp_steps
from app.settings import Settings
from app.viz.live import decode_grid

from .test_experiments import alone

SPIRAL = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.0}


class Recorder:
    """Collects the executor's messages; ``wait_for`` blocks until a job's message arrives."""

    def __init__(self):
        self.messages: list[tuple[str, str, dict]] = []
        self.changed = threading.Condition()

    def __call__(self, kind, job_id, payload):
        with self.changed:
            self.messages.append((kind, job_id, payload))
            self.changed.notify_all()

    def notify(self, job_id):
        with self.changed:
            self.changed.notify_all()

    def until(self, condition, timeout: float = 60.0, what: str = "condition"):
        deadline = time.monotonic() + timeout
        with self.changed:
            while not (result := condition()):
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"timed out waiting for {what}"
                self.changed.wait(min(remaining, 0.05))
        return result

    def wait_for(self, kind: str, job_id: str, timeout: float = 60.0) -> dict:
        found = self.until(lambda: [p for k, j, p in self.messages if k == kind and j == job_id], timeout,
                           f"{kind} of {job_id}")
        return found[0]

    def kinds(self, job_id: str) -> list[str]:
        return [k for k, j, _ in self.messages if j == job_id]


def train_task(steps: int, units: int = 32, **training) -> dict:
    net = Network(NetworkSpec(2, (LayerSpec(units, "relu"),), 3), seed=0)
    return {"kind": "train",
            "network": {"spec": net.spec.to_dict(), "weights": net.get_weights(), "steps_trained": 0,
                        "epochs_trained": 0.0},
            "data": SPIRAL, "training": {"steps": steps, "learning_rate": 1.0, **training},
            "live": {"grid": 10, "interval_ms": 50}, "checkpoint_seconds": 0.2}


def open_pool(workers=1, **limits):
    recorder = Recorder()
    executor = LocalExecutor(workers, SchedulerLimits(**limits))
    executor.start(recorder, recorder.notify)
    return executor, recorder


@pytest.fixture
def pool():
    executor, recorder = open_pool(1, person_running=8, person_queued=1, max_queued=1)
    yield executor, recorder
    executor.shutdown()


def test_a_sliced_job_ends_exactly_like_one_uninterrupted_run(pool):
    executor, recorder = pool
    executor.submit("a", train_task(3000, optimizer="adam", learning_rate=0.01, batch_size=64, seed=4))
    result = recorder.wait_for("finished", "a")
    assert result["status"] == "done" and result["steps_trained"] == 3000
    net = Network(NetworkSpec(2, (LayerSpec(32, "relu"),), 3), seed=0)
    expected = train(net, make_dataset(**SPIRAL), TrainConfig(steps=3000, optimizer="adam", learning_rate=0.01,
                                                             batch_size=64, seed=4))
    assert all(np.array_equal(result["weights"][k], v) for k, v in net.params.items())
    assert result["history"] == expected.history
    assert all(np.array_equal(result["optimizer"][k], v) for k, v in net.optimizer_state.items()
               if isinstance(v, np.ndarray))
    kinds = recorder.kinds("a")
    assert kinds[0] == "started" and kinds[-1] == "finished"
    assert executor.progress("a") is None  # forgotten once finished


def test_live_frames_are_compact_and_start_at_step_one(pool):
    executor, recorder = pool
    frames = []
    executor.submit("live", train_task(100_000))
    recorder.until(lambda: executor.progress("live"), what="a first frame")
    seq, first = executor.progress("live")
    frames.append(json.loads(first["json"]))
    assert frames[0]["step"] == 1 and first["progress"]["step"] == 1  # the first frame shows the first step
    recorder.until(lambda: (executor.progress("live") or (0,))[0] > seq + 2, what="more frames")
    frame = json.loads(executor.progress("live")[1]["json"])
    boundary = frame["boundary"]
    assert boundary["kind"] == "classification" and boundary["n"] == 10 and boundary["classes"] == 3
    z = decode_grid(boundary)
    assert z.shape == (10, 10) and z.min() >= 0 and z.max() < 3
    assert len(zlib.decompress(base64.b64decode(boundary["data"]))) == 100  # one byte per cell
    checkpoint = recorder.wait_for("checkpoint", "live")  # the weights, about every checkpoint_seconds
    assert checkpoint["steps_trained"] > 0 and checkpoint["optimizer"]["name"] == "sgd"
    assert executor.cancel("live") == "signalled"
    assert recorder.wait_for("finished", "live")["status"] == "cancelled"


def test_limits_and_cancel(pool):
    executor, recorder = pool
    executor.submit("long", train_task(100_000), owner="ann")
    for i in range(7):
        executor.submit(f"other{i}", train_task(100_000), owner="ann")
    executor.submit("waiting", train_task(10), owner="ann")
    assert executor.position("waiting") == 1
    with pytest.raises(PersonLimit, match="8 training jobs running and 1 waiting"):
        executor.submit("refused", train_task(10), owner="ann")
    recorder.wait_for("started", "long")
    assert executor.cancel("waiting") == "dequeued"
    assert executor.cancel("long") == "signalled"
    result = recorder.wait_for("finished", "long")
    assert result["status"] == "cancelled" and 0 < result["steps_trained"] < 100_000
    assert executor.cancel("long") == "unknown"
    assert "waiting" not in {j for _, j, _ in recorder.messages}
    for i in range(7):
        executor.cancel(f"other{i}")
    for i in range(7):
        assert recorder.wait_for("finished", f"other{i}")["status"] == "cancelled"


def test_one_person_with_five_jobs_gets_no_more_than_one_with_one():
    executor, recorder = open_pool(2, person_running=8)
    try:
        for i in range(5):
            executor.submit(f"a{i}", train_task(100_000, units=16), owner="alice")
        executor.submit("b", train_task(100_000, units=16), owner="bob")
        jobs = [f"a{i}" for i in range(5)] + ["b"]

        def steps():
            progress = [executor.progress(job) for job in jobs]
            return None if None in progress else [p[1]["progress"]["step"] for p in progress]

        # A generous deadline: on a machine other programs keep busy the workers get little CPU.
        # Long enough (bob's 8,000 steps, a few seconds of the workers' time) that a slice the machine
        # held up now and then weighs little in the shares.
        recorder.until(lambda: (s := steps()) and s[-1] >= 8000, timeout=180, what="bob's job to train 8000 steps")
        # The share is of the workers' time, which the policy divides; steps would also count how much
        # CPU each worker process got from a machine that other programs keep busy.
        with executor._lock:
            used = {job: executor._scheduler.jobs[job].usage for job in jobs}
        assert used["b"] / sum(used.values()) >= 0.4, used
    finally:
        executor.shutdown()


def test_a_dead_worker_fails_its_job_and_is_replaced(pool):
    executor, recorder = pool
    executor.submit("doomed", train_task(100_000))
    recorder.until(lambda: executor.progress("doomed"), what="the job to run")
    os.kill(executor._workers[0].process.pid, signal.SIGKILL)
    result = recorder.wait_for("finished", "doomed")
    assert result == {"status": "failed", "error": WORKER_DIED}
    executor.submit("next", train_task(50))
    assert recorder.wait_for("finished", "next")["status"] == "done"


def test_a_failing_task_reports_its_error(pool):
    check_a_failing_task_reports_its_error(pool)


def capacity_options() -> dict:
    return resolve_options("capacity", {"units": [3, 6], "steps": 300, "seeds": 1}, Limits.from_settings(Settings()))


def capacity_task() -> dict:
    """A small capacity experiment (two settings, 300 steps each) as the executor's group of runs."""
    return group_task("exp", list(enumerate(run_tasks("capacity", capacity_options()))))


def capacity_result(recorder: Recorder) -> dict:
    """The experiment's result from its runs' results, once the group has ended."""
    assert recorder.wait_for("finished", "exp")["status"] == "done"
    payloads = [recorder.wait_for("finished", f"exp:{index}") for index in range(2)]
    records = [run_record("capacity", index, 1, payload) for index, payload in enumerate(payloads)]
    return assemble("capacity", capacity_options(), records)


def check_an_experiment_beside_a_training_job(pool) -> None:
    """Both executors: an experiment sharing the workers with a training job gets each run's numbers as alone."""
    executor, recorder = pool
    executor.submit("exp", capacity_task(), priority="batch")
    executor.submit("play", train_task(200))
    assert recorder.wait_for("finished", "play")["status"] == "done"
    assert capacity_result(recorder) == alone("capacity", capacity_options())


def check_a_failing_task_reports_its_error(pool) -> None:
    """Both executors: a task that cannot run ends ``failed`` naming the fault, and the next one runs."""
    executor, recorder = pool
    task = train_task(10)
    task["network"]["weights"]["W1"] = task["network"]["weights"]["W1"][:1]
    executor.submit("bad", task)
    result = recorder.wait_for("finished", "bad")
    assert result["status"] == "failed" and "W1" in result["error"]
    executor.submit("good", train_task(10))
    assert recorder.wait_for("finished", "good")["status"] == "done"


def test_an_experiment_shares_the_worker_in_slices(pool):
    check_an_experiment_beside_a_training_job(pool)


def test_a_paced_job_keeps_its_pace_and_wakes_only_once_per_frame(pool):
    executor, recorder = pool
    task = train_task(100_000)
    task["live"] = {"grid": 10, "interval_ms": 200, "steps_per_second": 50}  # bursts of 10 steps
    began = time.monotonic()
    executor.submit("paced", task)
    recorder.until(lambda: (p := executor.progress("paced")) and p[1]["progress"]["step"] >= 40, what="40 steps")
    elapsed = time.monotonic() - began
    job = executor._scheduler.jobs["paced"]
    steps, slices = executor.progress("paced")[1]["progress"]["step"], job.slices
    assert steps <= 50 * elapsed + 10  # never ahead of its pace, however fast the machine
    assert slices <= elapsed / 0.2 + 3  # one wake-up per frame interval, not one per step
    executor.cancel("paced")
    assert recorder.wait_for("finished", "paced")["status"] == "cancelled"


def test_a_ramped_job_starts_slow(pool):
    executor, recorder = pool
    task = train_task(100_000)
    task["live"] = {"grid": 10, "interval_ms": 50, "ramp": True}
    began = time.monotonic()
    executor.submit("ramp", task)
    steps = []

    def seen(count: int) -> bool:
        latest = executor.progress("ramp")
        if latest is not None:
            steps.append(latest[1]["progress"]["step"])
        return bool(steps) and steps[-1] >= count

    recorder.until(lambda: seen(40), what="40 ramped steps")
    elapsed = time.monotonic() - began
    assert steps[0] <= 2  # the first frames show the first steps
    assert steps[-1] <= ramp_steps(elapsed) + 1  # never ahead of the ramp (how it runs free: test_worker.py)
    executor.cancel("ramp")
    assert recorder.wait_for("finished", "ramp")["status"] == "cancelled"
