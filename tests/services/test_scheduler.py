import pytest

from app.services.scheduler import PersonLimit, QueueFull, Scheduler, SchedulerLimits


def scheduler(workers=1, **limits):
    return Scheduler(workers, SchedulerLimits(**limits))


def take_turns(s: Scheduler, worker: int, turns: int, seconds: float = 0.01) -> dict[str, int]:
    """Run ``turns`` slices on ``worker``; how many each job got."""
    counts: dict[str, int] = {}
    for _ in range(turns):
        job = s.pick(worker, now=0.0)
        if job is None:
            break
        counts[job.id] = counts.get(job.id, 0) + 1
        s.charge(job.id, seconds)
    return counts


def test_fair_share_is_per_person_not_per_job():
    s = scheduler(person_running=8)
    for i in range(5):
        s.submit(f"a{i}", "alice", "interactive", {})
    s.submit("b", "bob", "interactive", {})
    counts = take_turns(s, 0, 600)
    alice = sum(n for job, n in counts.items() if job.startswith("a"))
    assert counts["b"] == 300 and alice == 300
    assert all(counts[f"a{i}"] == 60 for i in range(5))  # and within a person, per job


def test_interactive_work_goes_before_batch_work():
    s = scheduler()
    s.submit("sweep", "alice", "batch", {})
    s.submit("play", "bob", "interactive", {})
    assert take_turns(s, 0, 50) == {"play": 50}
    s.remove("play")
    assert take_turns(s, 0, 3) == {"sweep": 3}


def test_a_paced_job_is_skipped_until_it_is_due():
    s = scheduler()
    s.submit("paced", "alice", "interactive", {})
    s.jobs["paced"].ready_at = 5.0
    assert s.pick(0, now=1.0) is None and s.next_ready(now=1.0) == 5.0
    assert s.pick(0, now=5.0).id == "paced"


def test_a_returning_person_gets_no_credit_for_time_away():
    s = scheduler(person_running=8)
    s.submit("a", "alice", "interactive", {})
    take_turns(s, 0, 100)  # alice's clock: 1 s
    s.submit("b", "bob", "interactive", {})
    assert s.people["bob"].clock == pytest.approx(1.0)  # starts level with alice, not 1 s behind
    counts = take_turns(s, 0, 100)
    assert counts == {"a": 50, "b": 50}


def test_jobs_are_spread_over_workers_and_a_slice_runs_one_job_once():
    s = scheduler(workers=2, person_running=8)
    for i in range(4):
        s.submit(f"j{i}", "alice", "interactive", {})
    assert [s.jobs[f"j{i}"].worker for i in range(4)] == [0, 1, 0, 1]
    first = s.pick(0, 0.0)
    first.in_slice = True
    assert s.pick(0, 0.0).id != first.id


def test_person_and_server_limits():
    s = scheduler(max_running=3, max_queued=2, person_running=2, person_queued=1)
    assert s.submit("a1", "alice", "interactive", {}) is not None
    assert s.submit("a2", "alice", "interactive", {}) is not None
    assert s.submit("a3", "alice", "interactive", {}) is None  # waits its turn
    with pytest.raises(PersonLimit, match="2 training jobs running and 1 waiting"):
        s.submit("a4", "alice", "interactive", {})
    assert s.submit("b1", "bob", "interactive", {}) is not None  # bob is not held up by alice
    assert s.submit("c1", "carol", "interactive", {}) is None  # the server is full: carol waits
    with pytest.raises(QueueFull):
        s.submit("d1", "dave", "interactive", {})
    assert s.position("a3") == 1 and s.position("c1") == 2 and s.position("a1") is None
    s.remove("b1")
    assert [job.id for job in s.admit_waiting()] == ["c1"]  # alice is at her limit; carol is next
    assert s.dequeue("a3") and not s.dequeue("a3")


def test_workers_that_leave_and_join_take_their_jobs_along():
    s = scheduler(workers=2, person_running=8)
    for i in range(4):
        s.submit(f"j{i}", "alice", "interactive", {})
    moved = s.lose_worker(1)
    assert [job.id for job in moved] == ["j1", "j3"]
    assert all(job.worker == 0 for job in s.jobs.values()) and s.pick(1, 0.0) is None
    s.submit("j4", "alice", "interactive", {})
    assert s.jobs["j4"].worker == 0  # new jobs go to live workers only
    assert s.add_worker() == 1  # the lost worker's place is taken again ...
    assert s.add_worker() == 2 and s.workers == 3  # ... before the pool grows
    s.submit("j5", "alice", "interactive", {})
    assert s.jobs["j5"].worker == 1


def test_jobs_wait_while_no_worker_is_alive_then_move_to_the_first_one():
    s = scheduler(workers=2, person_running=8)
    for i in range(4):
        s.submit(f"j{i}", "alice", "interactive", {})
    s.lose_worker(0)
    s.lose_worker(1)
    assert s.running == 4  # nothing is dropped
    assert s.add_worker() == 0
    assert all(job.worker == 0 for job in s.jobs.values())


def group(n: int) -> dict:
    return {"kind": "group", "runs": [(f"s:{i}", {"kind": "train", "i": i}) for i in range(n)]}


def test_a_group_is_one_job_of_its_person_whose_runs_spread_one_per_worker():
    s = scheduler(workers=2, person_running=1, person_queued=0)
    assert s.submit("s", "alice", "batch", group(3)) is not None
    with pytest.raises(PersonLimit):  # the sweep holds alice's one slot, however many runs it has
        s.submit("other", "alice", "batch", {})
    first, second = s.pick(0, now=0.0), s.pick(1, now=0.0)
    assert (first.id, first.worker, first.parent, first.task["i"]) == ("s:0", 0, "s", 0)
    assert (second.id, second.worker) == ("s:1", 1)
    first.in_slice = True
    assert s.pick(0, now=0.0) is None  # one run of the group per worker: the third waits
    first.in_slice = False
    assert s.pick(0, now=0.0) is first  # a run goes on where it started
    s.remove("s:0")
    third = s.pick(0, now=0.0)
    assert third.id == "s:2" and s.finished_groups() == []
    s.remove("s:1")
    s.remove("s:2")
    assert [g.id for g in s.finished_groups()] == ["s"] and s.people["alice"].running == 1
    s.remove("s")
    assert s.running == 0 and "alice" not in s.people


def test_a_groups_runs_wait_behind_interactive_work_and_share_their_persons_time():
    s = scheduler(person_running=4)
    s.submit("s", "alice", "batch", group(100))
    s.submit("play", "bob", "interactive", {})
    assert take_turns(s, 0, 20) == {"play": 20}
    s.remove("play")
    s.submit("b", "bob", "batch", {})
    counts = take_turns(s, 0, 200)
    assert counts["b"] == 100 and sum(n for job, n in counts.items() if job.startswith("s:")) == 100
    assert s.jobs["s"].usage == pytest.approx(1.0)  # the group is charged with its runs' slices


def test_stopping_a_group_starts_no_more_runs_and_stops_those_under_way():
    s = scheduler(workers=2)
    s.submit("s", "alice", "batch", group(5))
    running = s.pick(0, now=0.0)
    s.stop("s")
    assert running.stopping and s.pick(1, now=0.0) is None and s.finished_groups() == []
    s.remove(running.id)
    assert [g.id for g in s.finished_groups()] == ["s"] and s.jobs["s"].stopping


def test_paced_jobs_take_the_slots_their_load_needs_not_one_each():
    s = scheduler(max_running=2, max_queued=0, person_running=4)
    for i in range(40):  # 40 people's paced jobs, each keeping a fiftieth of a turn busy
        assert s.submit(f"paced{i}", f"p{i}", "interactive", {"load": 0.02}) is not None
    assert s.running == 40 and s.load == pytest.approx(0.8)
    assert s.submit("play", "alice", "interactive", {}) is not None  # work with steps due still gets in
    with pytest.raises(QueueFull):  # and the server's limit still holds: 1.8 + 1 is more than 2
        s.submit("more", "bob", "interactive", {})


def test_interactive_work_goes_first_but_does_not_starve_batch_work():
    s = scheduler(person_running=8)
    for i in range(4):  # four jobs that call themselves interactive
        s.submit(f"a{i}", "mallory", "interactive", {})
    s.submit("sweep", "bob", "batch", {})
    first = take_turns(s, 0, 40)  # 0.4 s: within the lead, interactive work goes first
    assert "sweep" not in first
    later = take_turns(s, 0, 1000)  # 10 s more: once mallory is 0.5 s ahead, they take turns
    assert later["sweep"] == pytest.approx(495, abs=2)


def test_a_class_of_300_all_train_and_share_the_workers_evenly():
    s = Scheduler(2, SchedulerLimits())  # the defaults: a class pressing Play at once is admitted whole
    for i in range(300):
        assert s.submit(f"job{i}", f"student{i}", "interactive", {}) is not None
    assert s.running == 300 and s.queued == 0
    counts = {}
    for worker in (0, 1):  # 150 on each
        counts |= take_turns(s, worker, 150 * 5, seconds=0.01)
    for i in range(300, 310):  # more than a class: they wait, and are admitted as places free up
        assert s.submit(f"job{i}", f"student{i}", "interactive", {}) is None
    assert s.queued == 10
    # every student had a turn, and none more than one turn ahead of another: a crowded server slows
    # everyone's frames alike rather than starving some
    assert len(counts) == 300 and set(counts.values()) == {5}
