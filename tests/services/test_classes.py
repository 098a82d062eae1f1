"""The class service on both databases: codes, joining under parallel load, who sees what, the
assignment's checks and the expiry of ended classes (by a given clock, never today's date)."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from app.nn import SpecError
from app.services.bus import LocalBus
from app.services.classes import CODE_ALPHABET, CODE_LENGTH, ClassService, new_code, normal_code
from app.services.events import Hub
from app.services.expiry import Expiry
from app.services.specs import Conflict, Forbidden, Limits, NotFound
from app.services.store import Store, database_url
from app.settings import Settings
from tests.postgres import new_database

TTL = 1000.0
BASE = "http://school.example"
SETUP = {"data": {"name": "spiral", "n_per_class": 30}, "network": {"hidden": [{"units": 4}]},
         "training": {"learning_rate": 0.1}}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    url = database_url("", tmp_path) if request.param == "sqlite" else new_database(request.getfixturevalue("postgres"))
    store = Store(url)
    yield store
    store.close()


class Clock:
    def __init__(self, now: float = 1e9):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def classes(store, clock):
    return ClassService(store, Limits.from_settings(Settings()), Hub(), LocalBus(), per_lecturer=2, members=20,
                        ttl=TTL, clock=clock)


def test_codes_are_six_characters_from_the_alphabet_and_typed_codes_are_normalised():
    codes = {new_code() for _ in range(200)}
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert len(codes) > 195  # random, not a sequence
    assert normal_code(" ab3-k9z ") == "AB3K9Z"


def test_a_taken_code_is_drawn_again(classes, monkeypatch):
    first = classes.create("one", "lecturer", BASE)
    drawn = iter([first["code"], "ZZZZZZ"])
    monkeypatch.setattr("app.services.classes.new_code", lambda: next(drawn))
    assert classes.create("two", "lecturer", BASE)["code"] == "ZZZZZZ"


def test_parallel_joins_never_pass_the_limit_nor_share_a_name(classes):
    made = classes.create("busy", "lecturer", BASE)

    def join(i: int) -> str:
        try:
            classes.join(made["code"], f"Student {i % 30}", f"student-{i}", BASE)
            return "joined"
        except Conflict as refused:
            return refused.field

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(join, range(60)))
    members = classes.get(made["id"], "lecturer", BASE)["members"]
    assert len(members) == 20 == outcomes.count("joined")
    assert len({m["name"].casefold() for m in members}) == 20
    assert set(outcomes) <= {"joined", "code", "name"}


def test_roles_decide_what_is_seen_and_done(classes):
    made = classes.create("roles", "lecturer", BASE)
    view, joined = classes.join(made["code"], "Ada", "ada", BASE)
    assert joined and view["you"]["name"] == "Ada" and view["qr_svg"] is None
    with pytest.raises(Forbidden):
        classes.set_joining(made["id"], False, "ada", BASE)
    with pytest.raises(NotFound):
        classes.get(made["id"], "stranger", BASE)
    with pytest.raises(Conflict) as own:
        classes.join(made["code"], "Me", "lecturer", BASE)
    assert own.value.field == "code"
    with pytest.raises(SpecError) as wrong:
        classes.join("ZZZZZZ", "Eve", "eve", BASE)
    assert wrong.value.field == "code"


def test_the_setup_is_checked_with_the_jobs_checks_and_names_the_field(classes):
    made = classes.create("setup", "lecturer", BASE)
    with pytest.raises(SpecError) as upload:
        classes.set_assignment(made["id"], {"setup": {"data": {"id": "abc"}}}, "lecturer")
    assert upload.value.field == "setup.data.id"
    with pytest.raises(SpecError) as noise:
        classes.set_assignment(made["id"], {"setup": {"data": {"name": "xor", "noise": 99}}}, "lecturer")
    assert noise.value.field == "setup.data.noise"
    with pytest.raises(SpecError) as steps:
        classes.set_assignment(made["id"], {"setup": SETUP | {"training": {"steps": 10**9}}}, "lecturer")
    assert steps.value.field == "setup.training.steps"
    stored = classes.set_assignment(made["id"], {"setup": SETUP, "prompt": "p", "unlocked": ["seed"],
                                                 "hidden_test": {"points": [[0.1, 0.2, 1]]}}, "lecturer")
    assert stored["setup"]["data"]["noise"] is not None  # resolved: every student gets the same points
    assert stored["hidden_test"] == {"points": [[0.1, 0.2, 1]]}
    classes.join(made["code"], "Ada", "ada", BASE)
    assert classes.assignment(made["id"], "ada")["hidden_test"] is None


def test_an_ended_class_expires_after_its_ttl(store, classes, clock):
    ended = classes.create("ended", "lecturer", BASE)
    live = classes.create("live", "lecturer", BASE)
    classes.join(ended["code"], "Ada", "ada", BASE)
    classes.end(ended["id"], "lecturer", BASE)
    expiry = Expiry(store, 0.0, clock=clock, class_ttl=TTL)
    clock.now += TTL - 1
    assert expiry.sweep()["classes"] == []
    clock.now += 2
    assert expiry.sweep()["classes"] == [ended["id"]]
    assert store.get_class(ended["id"]) is None and store.members(ended["id"]) == []
    assert classes.get(live["id"], "lecturer", BASE)["state"] == "open"
    assert Expiry(store, 0.0, clock=lambda: clock.now + 10 * TTL).sweep()["classes"] == []  # 0: kept


def test_news_follows_the_assignment_the_members_and_the_end(classes):
    made = classes.create("news", "lecturer", BASE)
    key = classes.event_key(made["id"])
    view, _ = classes.join(made["code"], "Ada", "ada", BASE)
    assert classes.news(made["id"], "ada") == {"version": 0, "state": "open", "follow": None}
    classes.follow(made["id"], "lecturer", "layers")  # "Follow me" on /learn: news too
    assert classes.news(made["id"], "ada")["follow"] == "layers"
    before = classes.hub.version(key)
    classes.set_assignment(made["id"], {"setup": SETUP}, "lecturer")
    assert classes.hub.version(key) == before + 1 and classes.news(made["id"], "ada")["version"] == 1
    classes.remove_member(made["id"], view["you"]["id"], "lecturer")
    assert classes.hub.version(key) == before + 2 and classes.news(made["id"], "ada") is None
    classes.end(made["id"], "lecturer", BASE)
    assert classes.news(made["id"], "lecturer") == {"version": 1, "state": "ended", "follow": "layers"}
    assert classes.news("gone", "lecturer") is None
