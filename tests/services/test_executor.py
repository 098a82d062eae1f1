import os
import signal
import threading
import time

import pytest

from app.nn import LayerSpec, Network, NetworkSpec
from app.services.executor import WORKER_DIED, LocalExecutor, QueueFull


class Recorder:
    """Collects the executor's messages; ``wait_for`` blocks until a job's message arrives."""

    def __init__(self):
        self.messages: list[tuple[str, str, dict]] = []
        self.changed = threading.Condition()

    def __call__(self, kind, job_id, payload):
        with self.changed:
            self.messages.append((kind, job_id, payload))
            self.changed.notify_all()

    def wait_for(self, kind: str, job_id: str, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = [p for k, j, p in self.messages if k == kind and j == job_id]
                if found:
                    return found[0]
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"no {kind} for {job_id}"
                self.changed.wait(remaining)

    def kinds(self, job_id: str) -> list[str]:
        return [k for k, j, _ in self.messages if j == job_id]


def train_task(steps: int, units: int = 32) -> dict:
    net = Network(NetworkSpec(2, (LayerSpec(units, "relu"),), 3), seed=0)
    return {"kind": "train",
            "network": {"spec": net.spec.to_dict(), "weights": net.get_weights(), "steps_trained": 0,
                        "epochs_trained": 0.0},
            "data": {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0,
                     "test_fraction": 0.0},
            "training": {"steps": steps, "learning_rate": 1.0}, "live": {"grid": 10, "interval_ms": 50},
            "checkpoint_seconds": 0.2}


@pytest.fixture
def pool():
    recorder = Recorder()
    executor = LocalExecutor(workers=1, queue_size=1)
    executor.start(recorder)
    yield executor, recorder
    executor.shutdown()


def test_runs_a_task_with_progress_checkpoints_and_result(pool):
    executor, recorder = pool
    executor.submit("a", train_task(3000))
    result = recorder.wait_for("finished", "a")
    assert result["status"] == "done" and result["steps_trained"] == 3000
    assert result["weights"]["W1"].shape == (2, 32) and result["history"][-1]["step"] == 3000
    kinds = recorder.kinds("a")
    assert kinds[0] == "started" and kinds[-1] == "finished" and "checkpoint" in kinds
    assert executor.progress("a") is None  # forgotten once finished


def test_queue_bound_and_cancel(pool):
    executor, recorder = pool
    executor.submit("long", train_task(100_000))
    executor.submit("waiting", train_task(10))
    with pytest.raises(QueueFull):
        executor.submit("refused", train_task(10))
    recorder.wait_for("started", "long")
    assert executor.cancel("waiting") == "dequeued"
    time.sleep(0.3)
    assert executor.progress("long")[1]["boundary"]["kind"] == "classification"
    assert executor.cancel("long") == "signalled"
    result = recorder.wait_for("finished", "long")
    assert result["status"] == "cancelled" and 0 < result["steps_trained"] < 100_000
    assert executor.cancel("long") == "unknown"
    assert "waiting" not in {j for _, j, _ in recorder.messages}


def test_a_dead_worker_fails_its_job_and_is_replaced(pool):
    executor, recorder = pool
    executor.submit("doomed", train_task(100_000))
    recorder.wait_for("started", "doomed")
    time.sleep(0.2)
    os.kill(executor._slots[0].process.pid, signal.SIGKILL)
    result = recorder.wait_for("finished", "doomed")
    assert result == {"status": "failed", "error": WORKER_DIED}
    executor.submit("next", train_task(50))
    assert recorder.wait_for("finished", "next")["status"] == "done"


def test_a_failing_task_reports_its_error(pool):
    executor, recorder = pool
    task = train_task(10)
    task["network"]["weights"]["W1"] = task["network"]["weights"]["W1"][:1]
    executor.submit("bad", task)
    result = recorder.wait_for("finished", "bad")
    assert result["status"] == "failed" and "W1" in result["error"]
