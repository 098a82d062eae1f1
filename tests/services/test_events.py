import asyncio
import threading

from app.services.events import Hub


def test_a_waiter_wakes_when_its_job_changes_and_not_for_other_jobs():
    hub = Hub()

    async def scenario():
        seen = hub.version("a")
        waiting = asyncio.create_task(hub.wait("a", seen, timeout=30))
        await asyncio.sleep(0)
        threading.Thread(target=hub.publish, args=("b",)).start()  # another job: no wake-up
        # A while in which a wrong wake-up would show: that nothing happens cannot be waited for.
        await asyncio.sleep(0.05)
        assert not waiting.done()
        threading.Thread(target=hub.publish, args=("a",)).start()  # from another thread, like the executor's
        changed = await asyncio.wait_for(waiting, 30)
        assert changed != seen and changed == hub.version("a")
        assert await hub.wait("a", seen, timeout=30) == changed  # already changed: no waiting at all
        assert await hub.wait("a", changed, timeout=0.01) == changed  # nothing new: the timeout ends it
        assert hub._waiters == {}  # no waiter left behind

    # A loop of its own, in a thread: the browser tests' synchronous Playwright may hold this thread's.
    failures = []
    thread = threading.Thread(target=lambda: failures.extend(_run(scenario)))
    thread.start()
    thread.join(60)
    assert failures == []


def test_a_job_that_ends_between_a_waiters_look_and_its_wait_still_wakes_it():
    """The writer forgets an ended job's counter: a waiter that read the version before (``seen``),
    and waits after, must not find that same version again and sleep through the job's end."""
    hub = Hub()

    async def scenario():
        with hub.watching("step"):
            before_any_change = hub.version("step")  # 0: the job has not started
            hub.publish("step")  # started
            after_start = hub.version("step")
            hub.forget("step")  # the writer: the job has ended...
            hub.publish("step")  # ...and its last change is published (in either order)
            hub.forget("step")
            for seen in (before_any_change, after_start):
                assert await asyncio.wait_for(hub.wait("step", seen, timeout=600), 30) != seen
        assert hub._versions == {} and hub._forgotten == set()  # dropped once its last follower left
        hub.publish("other")
        hub.forget("other")  # nobody follows it: dropped at once
        assert hub._versions == {}

    failures = []
    thread = threading.Thread(target=lambda: failures.extend(_run(scenario)))
    thread.start()
    thread.join(60)
    assert failures == []


def _run(scenario) -> list[BaseException]:
    try:
        asyncio.run(scenario())
    except BaseException as exc:  # handed to the test's own thread
        return [exc]
    return []


def test_a_person_holds_at_most_the_streams_the_limit_allows_and_a_closed_one_frees_its_place():
    import pytest

    from app.services import PersonLimit
    from app.services.events import Streams

    streams = Streams(person_streams=2)
    with streams.open("ann"), streams.open("ann"):
        with pytest.raises(PersonLimit, match=r"2 event streams .*NNVIZ_PERSON_STREAMS"), streams.open("ann"):
            pass
        with streams.open("bob"):  # a limit per person
            assert streams.open_count("bob") == 1
        assert streams.open_count("ann") == 2
    with pytest.raises(RuntimeError), streams.open("ann"):  # a stream that fails frees its place too
        raise RuntimeError
    assert streams.open_count("ann") == 0 and streams._open == {}


def test_closing_wakes_every_waiter_and_later_waits_return_at_once():
    """The server is stopping: event streams and long waits end now, not when their clients leave."""
    hub = Hub()

    async def scenario():
        waiting = [asyncio.create_task(hub.wait(job, hub.version(job), timeout=600)) for job in ("a", "b", "c")]
        await asyncio.sleep(0)
        assert not hub.closed
        threading.Thread(target=hub.close).start()  # from another thread, like the server's stop
        await asyncio.wait_for(asyncio.gather(*waiting), 30)
        assert hub.closed and hub._waiters == {}
        await asyncio.wait_for(hub.wait("d", hub.version("d"), timeout=600), 30)

    failures = []
    thread = threading.Thread(target=lambda: failures.extend(_run(scenario)))
    thread.start()
    thread.join(60)
    assert failures == []


def test_a_job_is_unwatched_only_when_nobody_followed_it_for_a_while():
    now = [100.0]
    hub = Hub(clock=lambda: now[0])
    assert hub.unwatched(["a", "b"], after=30) == []  # first heard of now
    hub.seen("a")
    with hub.watching("b"):
        now[0] += 40
        assert hub.unwatched(["a", "b"], after=30) == ["a"]  # b's stream is open, however long
    now[0] += 29
    assert hub.unwatched(["a", "b"], after=30) == ["a"]  # b counts from its stream's end
    now[0] += 1
    assert hub.unwatched(["a", "b"], after=30) == ["a", "b"]
    hub.seen("a")  # a request for it
    assert hub.unwatched(["a", "b"], after=30) == ["b"]


def test_the_follow_times_of_jobs_that_cannot_be_parked_are_dropped():
    """A GET of an ended job, or its stream closing after the end, leaves no entry for ever."""
    now = [0.0]
    hub = Hub(clock=lambda: now[0])
    for job in ("ended-1", "ended-2", "running"):
        hub.seen(job)
    with hub.watching("streamed"):
        assert hub.unwatched(["running"], after=30) == []
        assert set(hub._seen) == {"running"}  # a watched job keeps its place until its stream ends
    hub.unwatched(["running"], after=30)
    assert set(hub._seen) == {"running"}
