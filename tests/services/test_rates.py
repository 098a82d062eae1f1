"""The per-address token bucket: a minute's worth at once, then the steady rate; addresses apart."""

from app.services.rates import AddressRate, retry_after


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_full_minute_at_once_then_one_a_second():
    clock = Clock()
    rate = AddressRate(60, clock)
    assert [rate.take("203.0.113.1") for _ in range(60)] == [0.0] * 60
    assert rate.take("203.0.113.1") == 1.0  # empty: the next token comes in a second
    assert rate.take("203.0.113.2") == 0.0  # another address has its own bucket
    clock.now += 0.5
    assert rate.take("203.0.113.1") == 0.5  # a refused request takes nothing
    clock.now += 0.5
    assert rate.take("203.0.113.1") == 0.0
    clock.now += 3600
    assert [rate.take("203.0.113.1") for _ in range(61)][-2:] == [0.0, 1.0]  # refilled to 60, not beyond


def test_zero_means_no_limit_and_retry_after_is_whole_seconds():
    rate = AddressRate(0, Clock())
    assert all(rate.take("203.0.113.1") == 0.0 for _ in range(1000))
    assert (retry_after(0.01), retry_after(1.0), retry_after(1.2)) == (1, 1, 2)
