"""DaskExecutor on a real LocalCluster: two single-threaded worker processes (with their nannies,
which start a killed worker again), shared by the tests of this module."""

import json
import os
import shutil
import signal
import subprocess

import dask
import numpy as np
import pytest
from distributed import Client, LocalCluster
from distributed.security import Security
from fastapi.testclient import TestClient

from app.main import create_app
from app.nn import LayerSpec, Network, NetworkSpec, TrainConfig, make_dataset, train
from app.services.dask_executor import DaskExecutor
from app.services.dask_tasks import held_jobs
from app.services.scheduler import PersonLimit, SchedulerLimits
from app.settings import Settings
from app.viz.live import decode_grid

from ..api.test_jobs import read_events
from .test_executor import (
    SPIRAL,
    Recorder,
    check_a_failing_task_reports_its_error,
    check_an_experiment_beside_a_training_job,
    train_task,
)

pytestmark = pytest.mark.dask


def local_cluster(workers: int, **options) -> LocalCluster:
    """Worker processes on this machine, everything listening on the loopback only (the HTTP
    server on any free port: several test runs may share the machine)."""
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                        dashboard_address="127.0.0.1:0", **options)


@pytest.fixture(scope="module")
def cluster():
    with local_cluster(2) as two_workers:
        yield two_workers


@pytest.fixture(scope="module")
def client(cluster):
    with Client(cluster.scheduler_address, set_as_default=False) as dask_client:
        yield dask_client


class FrameRecorder(Recorder):
    """Also keeps every live frame's step, read when the executor announces it."""

    def __init__(self):
        super().__init__()
        self.executor = None
        self.steps: dict[str, list[int]] = {}

    def notify(self, job_id):
        latest = self.executor.progress(job_id)
        if latest is not None:
            with self.changed:
                self.steps.setdefault(job_id, []).append(latest[1]["progress"]["step"])
        super().notify(job_id)


def open_executor(cluster, **limits):
    recorder = FrameRecorder()
    executor = DaskExecutor(cluster.scheduler_address, SchedulerLimits(**limits))
    recorder.executor = executor
    executor.start(recorder, recorder.notify)
    return executor, recorder


@pytest.fixture
def pool(cluster):
    executor, recorder = open_executor(cluster, person_running=8, person_queued=1, max_queued=1)
    yield executor, recorder
    executor.shutdown()


def reference(steps: int, units: int = 32, **training) -> tuple[Network, list[dict]]:
    """The same training in this process, in one ``train`` call."""
    net = Network(NetworkSpec(2, (LayerSpec(units, "relu"),), 3), seed=0)
    result = train(net, make_dataset(**SPIRAL), TrainConfig(steps=steps, **{"learning_rate": 1.0, **training}))
    return net, result.history


def same_weights(result: dict, net: Network) -> bool:
    return all(np.array_equal(result["weights"][k], v) for k, v in net.params.items())


def held(client) -> dict[str, list[str]]:
    return {address: jobs for address, jobs in client.run(held_jobs).items() if jobs}


def test_a_job_ends_exactly_like_one_uninterrupted_run_and_leaves_nothing_behind(pool, client):
    executor, recorder = pool
    executor.submit("a", train_task(2000, optimizer="adam", learning_rate=0.01, seed=4))
    result = recorder.wait_for("finished", "a")
    assert result["status"] == "done" and result["steps_trained"] == 2000
    net, history = reference(2000, optimizer="adam", learning_rate=0.01, seed=4)
    assert same_weights(result, net) and result["history"] == history
    assert all(np.array_equal(result["optimizer"][k], v) for k, v in net.optimizer_state.items()
               if isinstance(v, np.ndarray))
    kinds = recorder.kinds("a")
    assert kinds[0] == "started" and kinds[-1] == "finished" and "checkpoint" in kinds
    assert executor.progress("a") is None and executor.load() == {"running": 0, "queued": 0}
    assert held(client) == {}


def test_live_frames_arrive_compact_from_the_first_step(pool):
    executor, recorder = pool
    executor.submit("live", train_task(100_000))
    recorder.until(lambda: executor.progress("live"), what="a first frame")
    seq, first = executor.progress("live")
    assert json.loads(first["json"])["step"] == 1 and first["progress"] == {
        "step": 1, "total_steps": 100_000, "epoch": 1.0}
    recorder.until(lambda: executor.progress("live")[0] > seq + 2, what="more frames")
    frame = json.loads(executor.progress("live")[1]["json"])
    assert frame["step"] > 1 and frame["boundary"]["classes"] == 3
    z = decode_grid(frame["boundary"])
    assert z.shape == (10, 10) and z.min() >= 0 and z.max() < 3
    assert len(executor.frame_delays) >= 3 and all(d >= 0 for d in executor.frame_delays)
    assert executor.cancel("live") == "signalled"
    assert recorder.wait_for("finished", "live")["status"] == "cancelled"


def test_limits_cancel_and_queue_position(pool, client):
    executor, recorder = pool
    for i in range(8):
        executor.submit(f"long{i}", train_task(100_000, units=8), owner="ann")
    executor.submit("waiting", train_task(10), owner="ann")
    assert executor.position("waiting") == 1 and executor.load() == {"running": 8, "queued": 1}
    with pytest.raises(PersonLimit, match="8 training jobs running and 1 waiting"):
        executor.submit("refused", train_task(10), owner="ann")
    recorder.until(lambda: executor.progress("long0"), what="the first job to run")
    assert executor.cancel("waiting") == "dequeued" and executor.position("waiting") is None
    for i in range(8):
        assert executor.cancel(f"long{i}") == "signalled"
    results = [recorder.wait_for("finished", f"long{i}") for i in range(8)]
    assert all(result["status"] == "cancelled" for result in results)
    assert 0 < results[0]["steps_trained"] < 100_000
    assert executor.cancel("long0") == "unknown"
    assert "waiting" not in {j for _, j, _ in recorder.messages}
    assert held(client) == {}


def kill_worker_holding(cluster, client, job_id: str) -> None:
    """SIGKILL the worker process that holds ``job_id``'s run (its nanny starts a new one)."""
    address = next(address for address, jobs in held(client).items() if job_id in jobs)
    nanny = next(n for n in cluster.workers.values() if n.worker_address == address)
    os.kill(nanny.process.pid, signal.SIGKILL)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_job_survives_its_worker_being_killed(pool, cluster, client, optimizer):
    executor, recorder = pool
    training = {"optimizer": optimizer, "learning_rate": 1.0 if optimizer == "sgd" else 0.01}
    task = train_task(2000, **training)
    task["live"]["steps_per_second"] = 500  # paced: four seconds in which to kill its worker
    executor.submit("survivor", task)
    checkpoint = recorder.wait_for("checkpoint", "survivor")
    assert checkpoint["optimizer"]["name"] == optimizer
    kill_worker_holding(cluster, client, "survivor")
    assert "finished" not in recorder.kinds("survivor")
    frames_before = len(recorder.steps["survivor"])
    result = recorder.wait_for("finished", "survivor")
    assert result["status"] == "done" and result["steps_trained"] == 2000
    assert result["progress"] == {"step": 2000, "total_steps": 2000, "epoch": 2000.0}
    net, history = reference(2000, **training)
    assert same_weights(result, net)
    # Started again from a checkpoint, not from the beginning: no frame went back further.
    later = recorder.steps["survivor"][frames_before:]
    assert later and min(later) > checkpoint["steps_trained"]
    # The history: the checkpoint's records, then the resumed run's (at the same spacing, from the
    # checkpoint's step); every record at a step the undisturbed run recorded is the same.
    steps = [record["step"] for record in result["history"]]
    assert steps == sorted(set(steps)) and steps[0] == 0 and steps[-1] == 2000
    expected = {record["step"]: record for record in history}
    common = [record for record in result["history"] if record["step"] in expected]
    assert len(common) >= 3 and all(record == expected[record["step"]] for record in common)


def test_an_experiment_runs_beside_a_training_job(pool):
    check_an_experiment_beside_a_training_job(pool)


def test_a_failing_task_reports_its_error(pool):
    check_a_failing_task_reports_its_error(pool)


def test_one_person_with_three_jobs_gets_no_more_than_one_with_one(cluster):
    executor, recorder = open_executor(cluster, person_running=8)
    jobs = ["a0", "a1", "a2", "b"]
    try:
        for job in jobs:
            executor.submit(job, train_task(100_000, units=16), owner=job[0])

        def steps():
            progress = [executor.progress(job) for job in jobs]
            return None if None in progress else [p[1]["progress"]["step"] for p in progress]

        def usage() -> list[float]:
            with executor._lock:
                return [executor._scheduler.jobs[job].usage for job in jobs]

        # Twenty slices of about 0.1 s at least, so that the one slice each worker may be ahead of
        # the policy is a small part of the total.
        recorder.until(lambda: (s := steps()) and s[-1] >= 3000 and sum(usage()) >= 2.0,
                       what="bob's job to train 3000 steps and the jobs 2 s")
        # The policy shares the workers' time: on an idle machine that is the steps too, but on a
        # busy one a worker process may get less of the CPU than the other. Bob's one job holds one
        # of the two workers at most (a run stays on its worker), so half is his ceiling; a share per
        # job would give him a quarter. More than a third tells the two apart on a busy machine too.
        seconds = usage()
        assert seconds[-1] / sum(seconds) > 1 / 3, (seconds, steps())
        for job in jobs:
            executor.cancel(job)
        assert all(recorder.wait_for("finished", job)["status"] == "cancelled" for job in jobs)
    finally:
        executor.shutdown()


def test_the_app_runs_its_jobs_on_the_cluster(cluster, tmp_path):
    settings = Settings(data_dir=tmp_path, dask_scheduler=cluster.scheduler_address)
    with TestClient(create_app(settings)) as http:
        response = http.post("/api/jobs?wait=true", json={
            "network": {"hidden": [{"units": 8, "activation": "relu"}]},
            "data": SPIRAL, "training": {"steps": 300, "learning_rate": 0.5}})
        assert response.status_code == 200, response.text
        job = response.json()
        assert job["status"] == "done" and job["progress"]["step"] == 300
        assert job["metrics"]["train_accuracy"] > 0.4
        job = http.post("/api/jobs", json={"network": {"id": job["network_id"]}, "data": SPIRAL,
                                           "training": {"steps": 3000}, "live": {"grid": 12}}).json()
        events = read_events(http, job["id"])
    progress = [data for kind, data in events if kind == "progress"]
    assert events[-1][0] == "done" and events[-1][1]["status"] == "done"
    assert progress and progress[0]["total_steps"] == 3300 and progress[0]["step"] >= 301
    assert decode_grid(progress[-1]["boundary"]).shape == (12, 12)


def test_an_unreachable_scheduler_is_named():
    executor = DaskExecutor("tcp://127.0.0.1:9", connect_seconds=0.5)
    with pytest.raises(RuntimeError, match=r"cannot reach the Dask scheduler at 'tcp://127.0.0.1:9' "
                                           r"\(NNVIZ_DASK_SCHEDULER\)"):
        executor.start(lambda *args: None)


def test_a_cluster_with_tls_takes_jobs_only_from_clients_with_its_certificates(tmp_path):
    """The README's recipe: TLS on the scheduler and workers, the server's certificate in Dask's
    configuration (here set in code, in production from DASK_DISTRIBUTED__COMM__TLS__* variables)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=nnviz"], check=True, capture_output=True)
    everyone = {f"tls_{who}_{kind}": path for who in ("scheduler", "worker", "client")
                for kind, path in (("cert", cert), ("key", key))}
    cluster_security = Security(tls_ca_file=cert, require_encryption=True, **everyone)
    with local_cluster(1, security=cluster_security, protocol="tls://") as cluster:
        assert cluster.scheduler_address.startswith("tls://")
        with pytest.raises(RuntimeError, match="cannot reach the Dask scheduler"):
            DaskExecutor(cluster.scheduler_address, connect_seconds=1).start(lambda *args: None)
        with dask.config.set({"distributed.comm.tls.ca-file": cert, "distributed.comm.tls.client.cert": cert,
                              "distributed.comm.tls.client.key": key, "distributed.comm.require-encryption": True}):
            executor, recorder = open_executor(cluster)
            try:
                executor.submit("secure", train_task(100))
                assert recorder.wait_for("finished", "secure")["status"] == "done"
            finally:
                executor.shutdown()


def test_jobs_wait_for_a_worker_and_a_job_no_worker_holds_is_cancelled_at_its_checkpoint():
    with local_cluster(0) as empty:
        executor, recorder = open_executor(empty)
        try:
            executor.submit("early", train_task(100))
            assert executor.cancel("early") == "signalled"
            assert recorder.wait_for("finished", "early") == {"status": "cancelled",
                                                              "error": "cancelled before it started"}
            task = train_task(100_000)
            task["live"]["steps_per_second"] = 200
            executor.submit("paced", task)
            empty.scale(1)
            recorder.wait_for("checkpoint", "paced")
            empty.scale(0)
            with Client(empty.scheduler_address, set_as_default=False) as dask_client:
                recorder.until(lambda: not dask_client.scheduler_info()["workers"], what="the worker to leave")
            assert executor.cancel("paced") == "signalled"
            result = recorder.wait_for("finished", "paced")
            checkpoint = [p for k, j, p in recorder.messages if k == "checkpoint" and j == "paced"][-1]
            assert result["status"] == "cancelled" and result["steps_trained"] == checkpoint["steps_trained"] > 0
            assert all(np.array_equal(result["weights"][k], v) for k, v in checkpoint["weights"].items())
            assert result["history"] == checkpoint["history"] and result["progress"] == checkpoint["progress"]
        finally:
            executor.shutdown()


def test_a_sweeps_runs_are_tasks_on_the_cluster_with_the_numbers_of_a_lone_run(cluster, tmp_path):
    settings = Settings(data_dir=tmp_path, dask_scheduler=cluster.scheduler_address)
    base = {"network": {"hidden": [{"units": 32, "activation": "relu"}]}, "data": SPIRAL,
            "training": {"steps": 300, "learning_rate": 1.0}}
    with TestClient(create_app(settings)) as http:
        response = http.post("/api/sweeps?wait=true", json={
            "base": base, "axes": {"training.optimizer": ["sgd", "adam"]}, "seeds": 2})
        sweep = response.json()
    assert response.status_code == 200 and sweep["status"] == "done", response.text
    assert [row["status"] for row in sweep["rows"]] == ["done"] * 4
    _, history = reference(300)  # sgd, learning rate 1.0, network and training seed 0: the sweep's run 0
    assert sweep["rows"][0]["train_loss"] == history[-1]["train_loss"]
    _, history = reference(300, optimizer="adam")
    assert sweep["rows"][2]["train_loss"] == history[-1]["train_loss"]
