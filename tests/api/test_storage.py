"""A full or unusable disk: a JSON 503 that says nothing was saved, a health check that says so, and
one line naming the path when the server cannot start."""

import subprocess
import sys

from sqlalchemy import event

from .conftest import open_client

SPEC = {"input_dim": 2, "hidden": [{"units": 3}], "output_dim": 2}


def test_a_full_disk_answers_a_json_503_and_the_health_check_says_so(tmp_path):
    with open_client(tmp_path, workers=1) as client:
        assert client.get("/api/health").json()["status"] == "ok"
        store = client.app.state.services.store
        with store.engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
        full = True

        @event.listens_for(store.engine, "connect")
        def _full_disk(connection, _record):  # SQLite's size cap stands in for a full disk
            connection.execute(f"PRAGMA max_page_count = {pages if full else 1073741823}")

        store.engine.dispose()  # every connection from now on finds the disk full
        refused = client.post("/api/networks", json=SPEC | {"hidden": [{"units": 256}] * 3})  # 1 MB of weights
        assert refused.status_code == 503 and refused.headers["content-type"] == "application/json"
        assert refused.json()["detail"] == ("the server could not save this because its storage is full; "
                                            "nothing was saved, try again later")
        assert str(tmp_path) not in refused.text  # the path is for the operator's log
        assert int(refused.headers["retry-after"]) > 0
        health = client.get("/api/health")
        assert health.status_code == 503 and health.json()["storage"] == "full"
        full = False  # room again: the next write succeeds and the health check recovers
        store.engine.dispose()
        assert client.post("/api/networks", json=SPEC).status_code == 201
        assert client.get("/api/health").json()["status"] == "ok"


def test_a_server_that_cannot_open_its_data_directory_says_where_in_one_line(tmp_path):
    (tmp_path / "file").write_text("")
    data_dir = tmp_path / "file" / "data"
    started = subprocess.run([sys.executable, "-m", "app", "--port", "0"], capture_output=True, text=True,
                             timeout=60, env={"NNVIZ_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"})
    assert started.returncode == 1
    assert started.stderr.strip().splitlines() == [
        f"nnviz: cannot create the data directory {data_dir}: Not a directory; make its parent writable, "
        "or set NNVIZ_DATA_DIR to a writable directory"]
