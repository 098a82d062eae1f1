import json
import shutil
import sqlite3
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from app.services.owners import Owners, _hash
from app.services.store import (
    Full,
    StorageError,
    StorageFull,
    Store,
    database_url,
    migrate,
    open_engine,
    unpack_weights,
)
from tests.postgres import new_database

FIXTURE = Path(__file__).parents[1] / "fixtures" / "nnviz-0.1.sqlite3"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    """A new database of each kind the store runs on."""
    if request.param == "sqlite":
        return database_url("", tmp_path)
    return new_database(request.getfixturevalue("postgres"))


@pytest.fixture
def store(url):
    store = Store(url)
    yield store
    store.close()


def weights():
    rng = np.random.default_rng(0)
    return {"W1": rng.standard_normal((2, 3)), "b1": np.zeros(3), "W2": rng.standard_normal((3, 1)), "b2": np.ones(1)}


def test_network_round_trip_is_exact(store):
    original = weights()
    network_id = store.create_network({"input_dim": 2}, original, [{"step": 0}], {"name": "spiral"}, 5, 0.5)
    row = store.get_network(network_id)
    assert row["spec"] == {"input_dim": 2} and row["history"] == [{"step": 0}] and row["data"] == {"name": "spiral"}
    assert row["steps_trained"] == 5 and row["epochs_trained"] == 0.5
    for name, value in original.items():
        assert np.array_equal(row["weights"][name], value)
    assert "weights" not in store.get_network(network_id, with_weights=False)
    assert store.network_history(network_id) == [{"step": 0}]
    assert [n["id"] for n in store.list_networks()] == [network_id]
    assert store.get_network("missing") is None and store.network_history("missing") is None


def test_updates_and_deletes(store):
    network_id = store.create_network({}, weights())
    changed = weights() | {"b2": np.array([7.0])}
    assert store.update_network(network_id, changed, 10, 1.0, history=[{"step": 10}])
    row = store.get_network(network_id)
    assert row["weights"]["b2"][0] == 7.0 and row["steps_trained"] == 10 and row["history"] == [{"step": 10}]
    assert row["updated_at"] >= row["created_at"]
    assert store.delete_network(network_id) and not store.delete_network(network_id)


def test_optimizer_memory_travels_with_the_weights(store):
    network_id = store.create_network({}, weights())
    assert store.get_network(network_id)["optimizer"] is None
    memory = {"name": "adam", "t": 12, "m": np.arange(4.0), "v": np.full(4, 0.5)}
    assert store.update_network(network_id, weights(), 12, 12.0, optimizer=memory)
    row = store.get_network(network_id)
    assert set(row["weights"]) == {"W1", "b1", "W2", "b2"}
    assert row["optimizer"]["name"] == "adam" and row["optimizer"]["t"] == 12
    np.testing.assert_array_equal(row["optimizer"]["m"], memory["m"])
    store.update_network(network_id, weights(), 13, 13.0)  # a checkpoint without it drops it
    assert store.get_network(network_id)["optimizer"] is None


def test_persists_across_reopen_in_wal_mode(tmp_path):
    first = Store(database_url("", tmp_path))
    network_id = first.create_network({"a": 1}, weights())
    job_id = first.create_job("train", {"x": 1}, network_id)
    first.close()
    second = Store(database_url("", tmp_path))
    assert second.get_network(network_id)["spec"] == {"a": 1}
    assert second.get_job(job_id)["status"] == "queued"
    mode = sqlite3.connect(tmp_path / "nnviz.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    second.close()


def test_interrupt_marks_only_active_jobs(store):
    queued = store.create_job("train", {}, None)
    running = store.create_job("train", {}, None)
    done = store.create_job("train", {}, None)
    store.update_job(running, status="running")
    store.update_job(done, status="done")
    assert store.interrupt_active_jobs("server stopped") == 2
    assert store.get_job(queued)["status"] == store.get_job(running)["status"] == "interrupted"
    assert store.get_job(running)["error"] == "server stopped" and store.get_job(done)["status"] == "done"
    assert [job["id"] for job in store.list_jobs()] == [done, running, queued]


def test_save_job_is_one_transaction(store):
    network_id = store.create_network({}, weights(), steps_trained=3)
    job_id = store.create_job("train", {}, network_id)
    store.update_job(job_id, status="running")
    with pytest.raises(ValueError):  # NaN cannot be stored: neither row may change
        store.save_job(job_id, {"status": "done", "metrics": {"loss": float("nan")}}, network_id,
                         {"weights": weights(), "steps_trained": 9, "epochs_trained": 1.0, "history": [],
                          "data": None})
    assert store.get_job(job_id)["status"] == "running" and store.get_network(network_id)["steps_trained"] == 3
    store.save_job(job_id, {"status": "done", "metrics": {"loss": 0.5}}, network_id,
                     {"weights": weights(), "steps_trained": 9, "epochs_trained": 1.0, "history": [{"step": 9}],
                      "data": {"name": "xor"}})
    assert store.get_job(job_id)["metrics"] == {"loss": 0.5}
    row = store.get_network(network_id)
    assert row["steps_trained"] == 9 and row["data"] == {"name": "xor"}
    assert store.active_job_for(network_id) is None


def test_uploads(store):
    upload_id = store.create_upload("classification", "0,0,a\n1,1,b\n", 2, 2, ["a", "b"])
    row = store.get_upload(upload_id)
    assert row["csv"].startswith("0,0,a") and row["class_names"] == ["a", "b"] and row["rows"] == 2


def test_rows_belong_to_their_owner(store):
    mine = store.create_network({}, weights(), owner="ann")
    store.create_network({}, weights(), owner="bob")
    legacy = store.create_network({}, weights())  # from before owners: nobody's
    assert [row["id"] for row in store.list_networks("ann")] == [mine]
    assert store.get_network(mine, owner="bob") is None and store.get_network(mine, owner="ann") is not None
    assert store.get_network(legacy, owner="ann") is None and store.get_network(legacy) is not None
    assert not store.delete_network(mine, owner="bob") and store.count_networks("ann") == 1
    job = store.create_job("train", {}, mine, owner="ann")
    assert store.get_job(job, owner="bob") is None and store.job_status(job, owner="ann") == "queued"
    assert store.list_jobs(owner="bob") == []
    upload = store.create_upload("classification", "0,0,a\n", 1, 1, ["a"], owner="ann")
    assert store.get_upload(upload, owner="bob") is None and store.upload_bytes("ann") == len("0,0,a\n")
    assert store.adopt("carol") == {"networks": 1, "jobs": 0, "uploads": 0}
    assert [row["id"] for row in store.list_networks("carol")] == [legacy]


def test_tokens_shares_and_server_values(store):
    store.add_token("h1", "ann")
    assert store.token_owner("h1") == "ann" and store.token_owner("h2") is None
    assert not store.delete_token("h1", "bob") and store.delete_token("h1", "ann") and store.token_owner("h1") is None
    network_id = store.create_network({}, weights(), owner="ann")
    store.add_share("s1", network_id, "ann")
    store.add_share("s2", network_id, "ann")
    assert store.shared_network("s1") == network_id and len(store.shares_of(network_id)) == 2
    assert store.delete_shares(network_id, "s1") == 1 and store.shared_network("s1") is None
    store.delete_network(network_id)
    assert store.shared_network("s2") is None  # a deleted network's links go with it
    assert store.server_value("key", lambda: "first") == "first"
    assert store.server_value("key", lambda: "second") == "first"  # made once, then shared


def _copy_fixture(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "nnviz.sqlite3")
    return database_url("", tmp_path)


def test_a_database_written_by_version_0_1_upgrades_in_place_with_nothing_lost(tmp_path):
    before = sqlite3.connect(FIXTURE)
    counts = {table: before.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
              for table in ("networks", "jobs", "uploads")}
    trained = before.execute("SELECT id, weights, history FROM networks WHERE steps_trained = 120").fetchone()
    before.close()
    store = Store(_copy_fixture(tmp_path))
    try:
        assert store.revision == "0011"
        assert {table: len(rows) for table, rows in (("networks", store.list_networks()),
                                                     ("jobs", store.list_jobs()))} == {
            "networks": counts["networks"], "jobs": counts["jobs"]}
        row = store.get_network(trained[0])
        assert row["owner"] is None and row["steps_trained"] == 120
        assert row["history"] == json.loads(trained[2])
        expected, _ = unpack_weights(trained[1])
        assert all(np.array_equal(row["weights"][k], v) for k, v in expected.items())
        experiment = next(job for job in store.list_jobs() if job["kind"] == "experiment")
        assert experiment["status"] == "done" and experiment["result"]["table"]
    finally:
        store.close()
    assert Store(database_url("", tmp_path)).revision == "0011"  # opening again changes nothing

def _in_threads(count: int, work) -> list:
    """``work(i)`` for i < count, all at once on their own threads; each result, or the exception raised."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    barrier = Barrier(count)

    def attempt(index: int):
        barrier.wait()  # start together: the race the limit must win
        try:
            return work(index)
        except Exception as exc:  # the refusals are the point
            return exc

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(attempt, range(count)))


def test_parallel_uploads_never_pass_an_owners_limit(store):
    csv = "0,0,a\n" * 10_000  # 60,000 characters
    results = _in_threads(12, lambda _: store.create_upload("classification", csv, 10_000, 1, ["a"], "ann",
                                                            max_bytes=5 * len(csv) + 1))
    stored = [result for result in results if isinstance(result, str)]
    refused = [result for result in results if isinstance(result, Full)]
    assert len(stored) == 5 and len(refused) == 7, results
    assert store.upload_bytes("ann") == 5 * len(csv)
    assert {(full.what, full.kept) for full in refused} == {("upload_bytes", 5 * len(csv))}
    assert store.create_upload("classification", csv, 1, 1, ["a"], "bob", max_bytes=len(csv))  # a limit per owner


def test_parallel_tokens_and_share_links_never_pass_an_owners_limit(store):
    tokens = _in_threads(8, lambda i: store.add_token(f"hash{i}", "ann", key_id="k", max_tokens=3))
    assert sum(isinstance(result, str) for result in tokens) == 3 and len(store.tokens_of("ann", "k")) == 3
    network_id = store.create_network({}, weights(), owner="ann")
    shares = _in_threads(8, lambda i: store.add_share(f"s{i}", network_id, "ann", max_shares=5))
    assert sum(result is None for result in shares) == 5 and len(store.shares_by("ann")) == 5


def test_a_copy_refused_by_either_limit_stores_nothing(store):
    csv = "0,0,a\n1,1,b\n"
    upload = store.create_upload("classification", csv, 2, 2, ["a", "b"], "ann")
    source_id = store.create_network({}, weights(), data={"id": upload, "test_fraction": 0}, owner="ann")
    source = store.get_network(source_id)
    before = (store.list_networks("bob"), store.upload_bytes("bob"))
    with pytest.raises(Full) as refused:
        store.copy_network(source, "bob", max_networks=0)
    assert refused.value.what == "networks"
    with pytest.raises(Full) as refused:
        store.copy_network(source, "bob", max_upload_bytes=len(csv) - 1)
    assert refused.value.what == "upload_bytes"
    assert (store.list_networks("bob"), store.upload_bytes("bob")) == before == ([], 0)
    copy = store.get_network(store.copy_network(source, "bob", max_networks=1, max_upload_bytes=len(csv)))
    assert copy["owner"] == "bob" and copy["data"]["id"] != upload and copy["data"]["test_fraction"] == 0
    assert store.get_upload(copy["data"]["id"], owner="bob")["csv"] == csv


def test_an_upload_in_use_stays_and_a_deleted_one_frees_room(store):
    upload = store.create_upload("classification", "0,0,a\n", 1, 1, ["a"], "ann")
    network_id = store.create_network({}, weights(), data={"id": upload}, owner="ann")
    store.update_network_meta(network_id, name="mine")
    assert store.delete_upload(upload, "bob") is None  # someone else's: not there
    assert store.delete_upload(upload, "ann") == [{"network": network_id, "name": "mine"}]
    assert store.get_upload(upload) is not None
    store.update_network_meta(network_id, data={"name": "xor"})
    job = store.create_job("train", {"data": {"id": upload}}, None, owner="ann")
    assert store.delete_upload(upload, "ann") == [{"job": job}]
    store.update_job(job, status="done")
    assert store.delete_upload(upload, "ann") == [] and store.upload_bytes("ann") == 0
    assert store.delete_upload(upload, "ann") is None


def test_tokens_are_listed_and_revoked_by_id(store):
    first = store.add_token("h1", "ann", prefix="abcdefgh", key_id="k")
    store.add_token("h2", "ann", key_id="k")
    store.add_token("h3", "bob", key_id="k")
    store.add_token("h4", "ann", key_id="old")
    listed = store.tokens_of("ann", "k")
    assert {row["id"] for row in listed} == {first, store.token("h2")["id"]}
    assert "token_hash" not in listed[0] and store.token("h1")["prefix"] == "abcdefgh"
    assert store.delete_tokens("bob", first) == 0 and store.delete_tokens("ann", first) == 1
    store.token_used("h2", 123.0)
    assert store.token("h2")["last_used_at"] == 123.0
    assert store.delete_tokens("ann") == 2 and store.token_owner("h3") == "bob"  # all of ann's, every key's


def test_share_links_are_listed_with_their_network_and_revoked_by_their_owner(store):
    network_id = store.create_network({}, weights(), owner="ann")
    store.update_network_meta(network_id, name="spiral")
    store.add_share("s1", network_id, "ann")
    [row] = store.shares_by("ann")
    assert (row["token"], row["network_id"], row["name"]) == ("s1", network_id, "spiral")
    assert store.shares_by("bob") == [] and not store.delete_share("s1", "bob")
    assert store.delete_share("s1", "ann") and store.shared_network("s1") is None


def test_tokens_from_before_0007_keep_working_with_an_id_of_their_own(url):
    engine = open_engine(url)
    config = Config()
    config.set_main_option("script_location", str(resources.files("app.services") / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        connection.execute(text("INSERT INTO tokens (token_hash, owner, created_at) VALUES (:hash, 'ann', 1.0)"),
                           {"hash": _hash("old token")})
    engine.dispose()
    store = Store(url)
    try:
        assert store.revision == "0011"
        row = store.token(_hash("old token"))
        assert row["id"] == _hash("old token")[:16] and row["prefix"] is None and row["key_id"] is None
        owners = Owners(store, "the key in use")
        assert owners.from_token("old token") == "ann"
        assert [token["id"] for token in owners.tokens("ann")] == [row["id"]]
        assert owners.revoke_token_id(row["id"], "ann")
    finally:
        store.close()


def _tiny_disk(engine, pages: int) -> None:
    """Every new connection of ``engine`` may grow the file to ``pages`` pages: a full disk, on demand."""
    from sqlalchemy import event

    event.listen(engine, "connect", lambda connection, _record: connection.execute(f"PRAGMA max_page_count = {pages}"))


def test_an_upgrade_that_runs_out_of_room_changes_nothing_and_says_what_to_do(tmp_path):
    url = database_url("", tmp_path)
    engine = open_engine(url)
    _tiny_disk(engine, 4)
    with pytest.raises(StorageFull) as refused:
        migrate(engine)
    engine.dispose()
    message = str(refused.value)
    assert "database or disk is full" in message and "nothing was changed" in message
    assert str(tmp_path / "nnviz.sqlite3") in message and "free space" in message
    with sqlite3.connect(tmp_path / "nnviz.sqlite3") as db:  # one transaction: no half schema left behind
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == []
    store = Store(url)  # once there is room, it starts
    assert store.revision == "0011" and store.list_networks() == []
    store.close()


def test_a_first_start_left_half_done_starts_again_from_scratch(tmp_path):
    """Before upgrades were one transaction, a full disk could leave empty tables and no revision."""
    with sqlite3.connect(tmp_path / "nnviz.sqlite3") as db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        db.execute("CREATE TABLE networks (id TEXT)")
    store = Store(database_url("", tmp_path))
    assert store.revision == "0011"
    network_id = store.create_network({"input_dim": 2}, weights())
    assert [row["id"] for row in store.list_networks()] == [network_id]
    store.close()


def test_a_database_with_rows_but_no_revision_is_left_alone_with_a_message(tmp_path):
    with sqlite3.connect(tmp_path / "nnviz.sqlite3") as db:
        db.execute("CREATE TABLE networks (id TEXT)")
        db.execute("INSERT INTO networks VALUES ('theirs')")
    with pytest.raises(StorageError, match=r"with rows in networks but no schema revision.*move it aside"):
        Store(database_url("", tmp_path))
    with sqlite3.connect(tmp_path / "nnviz.sqlite3") as db:
        assert db.execute("SELECT id FROM networks").fetchall() == [("theirs",)]


def test_a_data_directory_that_cannot_be_made_is_named_in_one_sentence(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(StorageError, match=f"cannot create the data directory {tmp_path / 'file' / 'data'}: "
                                           "Not a directory; .*NNVIZ_DATA_DIR"):
        database_url("", tmp_path / "file" / "data")
