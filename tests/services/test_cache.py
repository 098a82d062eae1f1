"""The server's cache of response bodies: bounded in bytes, least recently used out first."""

import gzip

import pytest

from app.services.cache import GZIP_MIN_BYTES, LRU, Body, BodyCache, digest


def builder(text: str, calls: list[str]):
    def build() -> str:
        calls.append(text)
        return text

    return build


def test_a_body_is_built_once_then_kept():
    cache, calls = BodyCache(1_000_000), []
    first = cache.get_or_build("k", builder("x" * 5000, calls))
    again = cache.get_or_build("k", builder("other", calls))
    assert again is first and calls == ["x" * 5000]
    assert first.raw == b"x" * 5000 and gzip.decompress(first.gzipped) == first.raw
    assert len(first.gzipped) < 100
    assert cache.bytes == first.size == 5000 + len(first.gzipped) and len(cache) == 1


def test_small_bodies_are_not_gzipped():
    assert Body.of("{}").gzipped is None
    assert Body.of(b"a" * (GZIP_MIN_BYTES - 1)).gzipped is None
    assert Body.of(b"a" * GZIP_MIN_BYTES).gzipped is not None


def test_the_least_recently_used_go_first_once_over_the_byte_budget():
    cache, calls = BodyCache(4_000), []
    for key in "abcd":
        cache.get_or_build(key, builder(key * 900, calls))  # 900 bytes each: not gzipped
    cache.get_or_build("a", builder("new", calls))  # a hit: "a" is now the most recent
    cache.get_or_build("e", builder("e" * 900, calls))  # 4,500 bytes in all: "b" goes
    assert calls == [key * 900 for key in "abcde"]
    assert cache.bytes == 3600 and len(cache) == 4
    cache.get_or_build("b", builder("b" * 900, calls))
    assert calls[-1] == "b" * 900  # built again, and "c" went
    cache.get_or_build("a", builder("again", calls))
    assert calls[-1] == "b" * 900  # "a" is still kept


def test_a_body_larger_than_a_quarter_of_the_budget_is_sent_but_not_kept():
    cache, calls = BodyCache(2_000), []
    assert cache.get_or_build("big", builder("b" * 600, calls)).raw == b"b" * 600
    cache.get_or_build("big", builder("b" * 600, calls))
    assert len(calls) == 2 and len(cache) == 0 and cache.bytes == 0
    nothing = BodyCache(0)
    nothing.get_or_build("k", builder("{}", calls))
    assert len(nothing) == 0


def test_a_failed_build_keeps_nothing():
    cache = BodyCache(1_000_000)

    def fail() -> str:
        raise ValueError("grid must be at least 2")

    with pytest.raises(ValueError, match="grid"):
        cache.get_or_build("k", fail)
    assert len(cache) == 0 and cache.bytes == 0


def test_digests_are_stable_and_tell_inputs_apart():
    assert digest("figure", {"a": 1, "b": [1.5, None]}) == digest("figure", {"b": [1.5, None], "a": 1})
    assert len({digest("figure", {"a": 1}), digest("figure", {"a": 2}), digest("figure", 1, "a"),
                digest("other", {"a": 1}), digest("figure", 1.0000001)}) == 5


def test_an_lru_weighs_values_by_the_size_it_is_told():
    networks: LRU[str] = LRU(4000)
    networks.put("a", "net a", 800)
    networks.put("a", "net a, trained", 1000)  # replaced, not added
    networks.put("b", "net b", 1000)
    networks.put("c", "net c", 1000)
    assert networks.get("a") == "net a, trained" and networks.bytes == 3000
    networks.put("d", "net d", 1000)
    networks.put("e", "net e", 500)  # 4,500 bytes: "b", the least recently used, goes
    assert networks.get("b") is None and networks.bytes == 3500
    networks.put("f", "too big", 1001)  # more than a quarter: not kept
    networks.pop("a")
    networks.pop("nothing")
    assert networks.get("a") is None and networks.get("f") is None
    assert networks.bytes == 2500 and len(networks) == 3
