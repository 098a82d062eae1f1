"""Tokens: a limit per person, expiry, listing, and what a new secret key ends."""

import pytest

from app.services import PersonLimit
from app.services.owners import LAST_USED_RESOLUTION, Owners, TokenRefused
from app.services.store import Store, database_url

DAY = 24 * 3600.0


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path):
    store = Store(database_url("", tmp_path))
    yield store
    store.close()


def test_a_token_expires_after_its_ttl_and_says_so(store):
    clock = Clock()
    owners = Owners(store, "key", token_ttl=90 * DAY, clock=clock)
    minted = owners.new_token("ann")
    assert minted["expires_at"] is not None and not minted["expired"]
    clock.now += 90 * DAY - 1
    assert owners.from_token(minted["token"]) == "ann"
    clock.now += 1
    with pytest.raises(TokenRefused, match="expired at"):
        owners.from_token(minted["token"])
    assert [token["expired"] for token in owners.tokens("ann")] == [True]
    assert Owners(store, "key", token_ttl=0, clock=clock).from_token(minted["token"]) == "ann"  # 0: no expiry


def test_one_person_holds_at_most_the_live_tokens_the_limit_allows(store):
    clock = Clock()
    owners = Owners(store, "key", token_ttl=10 * DAY, person_tokens=2, clock=clock)
    first, _ = owners.new_token("ann"), owners.new_token("ann")
    with pytest.raises(PersonLimit, match=r"2 tokens.*NNVIZ_PERSON_TOKENS"):
        owners.new_token("ann")
    owners.new_token("bob")  # a limit per person
    assert owners.revoke_token_id(first["id"], "ann") and not owners.revoke_token_id(first["id"], "ann")
    owners.new_token("ann")
    clock.now += 10 * DAY  # expired tokens hold no place
    owners.new_token("ann")
    assert len(owners.tokens("ann")) == 3


def test_tokens_are_listed_without_themselves_and_last_use_is_written_once_a_minute(store):
    clock = Clock()
    owners = Owners(store, "key", clock=clock)
    minted = owners.new_token("ann")
    [listed] = owners.tokens("ann")
    assert listed["id"] == minted["id"] and listed["prefix"] == minted["token"][:8]
    assert minted["token"] not in str(listed) and listed["last_used_at"] is None and listed["expires_at"] is None
    owners.from_token(minted["token"])
    used = owners.tokens("ann")[0]["last_used_at"]
    clock.now += LAST_USED_RESOLUTION / 2
    owners.from_token(minted["token"])
    assert owners.tokens("ann")[0]["last_used_at"] == used
    clock.now += LAST_USED_RESOLUTION
    owners.from_token(minted["token"])
    assert owners.tokens("ann")[0]["last_used_at"] != used
    assert owners.tokens("bob") == []


def test_a_new_secret_key_ends_every_cookie_and_every_token(store):
    before = Owners(store, "old key")
    token, cookie = before.new_token("ann")["token"], before.cookie("ann")
    after = Owners(store, "new key")
    assert after.from_cookie(cookie) is None
    with pytest.raises(TokenRefused, match="secret key changed"):
        after.from_token(token)
    assert after.tokens("ann") == []  # nor listed: nothing can bring it back
    assert Owners(store, "old key").from_token(token) == "ann"  # the key, not the restart, ends it


def test_tokens_from_before_keys_were_recorded_belong_to_the_key_in_use(store):
    store.add_token("a" * 64, "ann")  # as the upgrade leaves it: no key recorded
    owners = Owners(store, "key")
    assert store.token("a" * 64)["key_id"] == owners.key_id
    assert [token["prefix"] for token in owners.tokens("ann")] == [None]
