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
        await asyncio.sleep(0.05)
        assert not waiting.done()
        threading.Thread(target=hub.publish, args=("a",)).start()  # from another thread, like the executor's
        assert await asyncio.wait_for(waiting, 30) == seen + 1
        assert await hub.wait("a", seen, timeout=30) == seen + 1  # already changed: no waiting at all
        assert await hub.wait("a", seen + 1, timeout=0.01) == seen + 1  # nothing new: the timeout ends it
        assert hub._waiters == {}  # no waiter left behind

    # A loop of its own, in a thread: the browser tests' synchronous Playwright may hold this thread's.
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
