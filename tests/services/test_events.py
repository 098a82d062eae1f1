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
