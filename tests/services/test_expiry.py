import shutil
import sqlite3
import time

import numpy as np
import pytest
from sqlalchemy import text

from app.services.expiry import Expiry
from app.services.store import Store, database_url
from tests.services.test_store import FIXTURE
from tests.waiting import wait_until

TTL = 100.0
OLD, RECENT = 2 * TTL, 0.1 * TTL  # seconds since the last update
NOTHING = {"jobs": [], "networks": [], "uploads": [], "classes": []}


@pytest.fixture
def store(tmp_path):
    store = Store(database_url("", tmp_path))
    yield store
    store.close()


def weights():
    return {"W1": np.ones((2, 1)), "b1": np.zeros(1)}


def age(store: Store, table: str, row_id: str, seconds: float) -> None:
    """Make a row look ``seconds`` old (both its timestamps, as a row untouched since creation)."""
    stamps = "created_at = created_at - :s" + (", updated_at = updated_at - :s" if table == "networks" else "")
    with store.engine.begin() as connection:
        connection.execute(text(f"UPDATE {table} SET {stamps} WHERE id = :id"), {"s": seconds, "id": row_id})


def network(store: Store, seconds: float, name: str | None = None, data: dict | None = None) -> str:
    network_id = store.create_network({"input_dim": 2}, weights(), data=data)
    if name is not None:
        store.update_network_meta(network_id, name=name)
    age(store, "networks", network_id, seconds)
    return network_id


def upload(store: Store, seconds: float) -> str:
    upload_id = store.create_upload("classification", "x1,x2,label\n0,0,a\n1,1,b\n", 2, 2, ["a", "b"])
    age(store, "uploads", upload_id, seconds)
    return upload_id


def ids(store: Store, table: str) -> set[str]:
    with store.engine.connect() as connection:
        return {row[0] for row in connection.execute(text(f"SELECT id FROM {table}"))}


def test_a_sweep_deletes_exactly_the_expired_scratch(store):
    upload_of_named, upload_of_scratch, upload_of_job = upload(store, OLD), upload(store, OLD), upload(store, OLD)
    unused_old, unused_recent = upload(store, OLD), upload(store, RECENT)
    scratch_old = network(store, OLD, data={"id": upload_of_scratch, "test_fraction": 0, "seed": 0})
    scratch_recent = network(store, RECENT)
    named_old = network(store, OLD, name="keep me", data={"id": upload_of_named, "test_fraction": 0, "seed": 0})
    training_old = network(store, OLD)
    trained_old = network(store, OLD)
    store.create_job("train", {"data": {"name": "xor"}}, training_old)  # queued: its network stays
    finished = store.create_job("train", {"data": {"name": "xor"}}, trained_old)
    store.update_job(finished, status="done")
    queued = store.create_job("train", {"data": {"id": upload_of_job}}, None)  # a queued job still needs its upload
    age(store, "jobs", queued, OLD)  # waiting that long, it is still not over
    now = time.time()
    ended_old = store.create_job("train", {"data": {"name": "xor"}}, None)
    store.update_job(ended_old, status="failed", finished_at=now - OLD)
    ended_recent = store.create_job("train", {"data": {"name": "xor"}}, None)
    store.update_job(ended_recent, status="cancelled", finished_at=now - RECENT)
    interrupted_old = store.create_job("train", {"data": {"name": "xor"}}, None)  # ended with no finish time
    store.update_job(interrupted_old, status="interrupted")
    age(store, "jobs", interrupted_old, OLD)

    deleted = Expiry(store, TTL, clock=lambda: now).sweep()

    assert set(deleted["jobs"]) == {ended_old, interrupted_old}
    assert ids(store, "jobs") == {queued, ended_recent, finished} | {
        job["id"] for job in store.list_jobs() if job["network_id"] == training_old}
    assert set(deleted["networks"]) == {scratch_old, trained_old}
    assert set(deleted["uploads"]) == {unused_old, upload_of_scratch}  # its only network went in the same sweep
    assert ids(store, "networks") == {scratch_recent, named_old, training_old}
    assert ids(store, "uploads") == {upload_of_named, upload_of_job, unused_recent}
    assert Expiry(store, TTL, clock=lambda: now).sweep() == NOTHING


def test_a_later_clock_expires_the_rest_and_a_zero_ttl_nothing(store):
    kept = network(store, RECENT, name="named")
    scratch = network(store, RECENT)
    unused = upload(store, RECENT)
    job = store.create_job("train", {"data": {"name": "xor"}}, None)
    store.update_job(job, status="done", finished_at=time.time())
    assert Expiry(store, 0.0, clock=lambda: time.time() + 1e9).sweep() == NOTHING
    deleted = Expiry(store, TTL, clock=lambda: time.time() + TTL).sweep()
    assert deleted == {"jobs": [job], "networks": [scratch], "uploads": [unused], "classes": []}
    assert ids(store, "networks") == {kept}


def test_renaming_to_none_makes_a_network_scratch_again(store):
    network_id = network(store, OLD, name="kept")
    assert Expiry(store, TTL).sweep()["networks"] == []
    store.update_network_meta(network_id, name=None)
    age(store, "networks", network_id, OLD)
    assert Expiry(store, TTL).sweep()["networks"] == [network_id]
    with pytest.raises(ValueError, match="spec"):
        store.update_network_meta(network_id, spec={})


def test_start_sweeps_at_once_then_periodically(store):
    expired = network(store, OLD)
    expiry = Expiry(store, 2.0)  # sweeps every second
    try:
        expiry.start()
        assert expired not in ids(store, "networks")  # the start-up sweep ran before start() returned
        later = network(store, OLD)
        wait_until(lambda: later not in ids(store, "networks"), what="the periodic sweep")
    finally:
        expiry.stop()
    assert expiry.interval == 1.0 and Expiry(store, 7 * 24 * 3600.0).interval == 300.0


def test_an_older_database_gains_the_name_column(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "nnviz.sqlite3")  # written by version 0.1
    with sqlite3.connect(tmp_path / "nnviz.sqlite3") as db:
        db.execute("INSERT INTO networks (id, spec, weights, created_at, updated_at) VALUES ('old', '{}', x'', 1, 1)")
    store = Store(database_url("", tmp_path))
    assert ("old", None) in [(row["id"], row["name"]) for row in store.list_networks()]
    store.update_network_meta("old", name="mine")
    store.close()
    store = Store(database_url("", tmp_path))  # opening it again changes nothing
    assert store.get_network("old", with_weights=False)["name"] == "mine"
    store.close()


def test_version_0_1_rows_stay_kept_however_late_the_clock(tmp_path):
    """Version 0.1 kept everything: its networks, jobs and uploads survive expiry at any date, and
    once an operator adopts them, while scratch made after the upgrade still expires."""
    shutil.copy(FIXTURE, tmp_path / "nnviz.sqlite3")
    store = Store(database_url("", tmp_path))
    try:
        before = {table: ids(store, table) for table in ("networks", "jobs", "uploads")}
        assert all(before.values())
        scratch = network(store, 0.0)
        years_later = time.time() + 10 * 365 * 24 * 3600.0
        deleted = Expiry(store, TTL, clock=lambda: years_later).sweep()
        assert deleted["networks"] == [scratch] and not deleted["jobs"] and not deleted["uploads"]
        assert {table: ids(store, table) for table in before} == before
        store.adopt("someone")
        assert not any(Expiry(store, TTL, clock=lambda: years_later).sweep().values())
        assert {table: ids(store, table) for table in before} == before
    finally:
        store.close()
