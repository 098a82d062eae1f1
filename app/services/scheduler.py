"""Who trains next: fair, time-sliced scheduling of jobs over a few workers (no processes here).

Every admitted job lives on one worker, which keeps its weights and optimizer memory between
slices. Whenever a worker is free, ``pick`` chooses among that worker's jobs:

1. the **person** who has had the least CPU lately, so five jobs get no more than one; interactive
   work (Play, Step: small jobs a page waits on; the server decides which, from their cost) counts
   its person's clock ``INTERACTIVE_LEAD`` seconds behind, so it goes before batch work without
   starving it: a person whose interactive jobs have had that much more CPU than a batch person
   waits their turn like anyone;
2. then that person's job that has had the least.

"Lately" is virtual time: a person's clock advances by the seconds their slices take, and a
person who becomes active again starts at the lowest clock among the active ones, so time spent
idle is not saved up for later. A paced job (``ready_at`` in the future) is skipped, using no CPU
while it waits.

Admission: a person may have ``person_running`` jobs admitted and ``person_queued`` more waiting;
the server ``max_running`` admitted and ``max_queued`` waiting in all. The server's limit counts
**load**, not jobs: a job's ``task["load"]`` is the share of a turn it keeps busy (1 unless it is
paced: a job waiting for its next paced step costs next to nothing), so paced jobs cannot fill the
slots that work with steps due needs. Beyond a person's limits
``submit`` raises ``PersonLimit``, beyond the server's ``QueueFull``.

A **group** (a sweep, an experiment: a task ``{"kind": "group", "runs": [(run_id, task), ...]}``) is
admitted like one job, and its runs are independent jobs of their own: whenever the group is picked
for a free worker, its next run starts there, pinned to that worker like any job. A group has at most one run
on each worker, so its runs spread over the workers and finish one after another on each, and
they take turns with everyone's other work like any job of their person (a run's slices advance
its person's clock). The group ends when its last run has ended (``finished_groups``).
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import Any

PRIORITIES = ("interactive", "batch")
# CPU seconds by which interactive work goes first: more than a Play chunk's first frames need, far
# less than it takes for a batch job to be starved noticeably.
INTERACTIVE_LEAD = 0.5


class QueueFull(RuntimeError):
    """The server has as many jobs as it takes; try again later."""


class PersonLimit(RuntimeError):
    """One person has as many jobs as one person may have; the message says which limit."""


@dataclass(frozen=True)
class SchedulerLimits:
    max_running: int = 300  # jobs time-sliced at once, over all people (their load: see ``submit``)
    max_queued: int = 300  # jobs waiting to be admitted, over all people
    person_running: int = 4
    person_queued: int = 8


@dataclass
class Job:
    id: str
    owner: str
    priority: str
    task: dict[str, Any]
    seq: int
    load: float = 1.0  # share of a turn it keeps busy (a paced job: less)
    worker: int | None = None  # set on admission
    usage: float = 0.0  # CPU seconds of its slices
    slices: int = 0
    ready_at: float = 0.0  # a paced job waits until then
    in_slice: bool = False
    stopping: bool = False  # a cancel is on its way to the worker
    started: bool = False  # has had a slice (or at least been sent to a worker)
    parent: str | None = None  # the group this run belongs to
    runs: deque[tuple[str, dict[str, Any]]] | None = None  # a group's runs not started yet
    children: set[str] = field(default_factory=set)  # a group's runs under way


@dataclass
class Person:
    clock: float = 0.0
    running: int = 0
    waiting: deque[Job] = field(default_factory=deque)


class Scheduler:
    def __init__(self, workers: int, limits: SchedulerLimits):
        self.workers = workers
        self.limits = limits
        self.jobs: dict[str, Job] = {}  # admitted
        self.people: dict[str, Person] = {}
        self._seq = itertools.count()
        self.dead_workers: set[int] = set()

    # --- admission ---------------------------------------------------------------------------

    @property
    def running(self) -> int:
        return len(self.jobs)

    @property
    def load(self) -> float:
        """Admitted jobs' load (a group's runs count through their group)."""
        return sum(job.load for job in self.jobs.values() if job.parent is None)

    @property
    def queued(self) -> int:
        return sum(len(p.waiting) for p in self.people.values())

    def submit(self, job_id: str, owner: str, priority: str, task: dict[str, Any]) -> Job | None:
        """Admit the job (returns it, assigned to a worker) or queue it (returns None)."""
        if priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {PRIORITIES}")
        person = self.people.setdefault(owner, Person())
        limits = self.limits
        load = min(1.0, max(0.0, float(task.get("load", 1.0))))
        can_run = person.running < limits.person_running and self._fits(load)
        if not can_run:
            if len(person.waiting) >= limits.person_queued:
                raise PersonLimit(f"you already have {person.running} training jobs running and "
                                  f"{len(person.waiting)} waiting, the most one person may have; "
                                  "wait for one to finish or cancel one")
            if self.queued >= limits.max_queued:
                raise QueueFull(f"{self.queued} jobs are already waiting")
        job = Job(job_id, owner, priority, task, next(self._seq), load=load)
        if task.get("kind") == "group":
            job.runs, job.task = deque(task["runs"]), {}
        if can_run and not person.waiting:
            self._admit(job, person)
            return job
        person.waiting.append(job)
        return None

    def _fits(self, load: float) -> bool:
        return self.load + load <= self.limits.max_running + 1e-9

    def _admit(self, job: Job, person: Person) -> None:
        if person.running == 0:  # back from idle: no credit saved up, no debt either
            active = [p.clock for p in self.people.values() if p.running and p is not person]
            if active:
                person.clock = max(person.clock, min(active))
        person.running += 1
        job.worker = None if job.runs is not None else self._least_loaded_worker()
        self.jobs[job.id] = job

    def _least_loaded_worker(self) -> int:
        load = [0] * self.workers
        for job in self.jobs.values():
            if job.worker is not None:
                load[job.worker] += 1
        alive = [w for w in range(self.workers) if w not in self.dead_workers] or list(range(self.workers))
        return min(alive, key=lambda w: (load[w], w))

    def admit_waiting(self) -> list[Job]:
        """Admit waiting jobs while limits allow, people with the least CPU first."""
        admitted = []
        while True:
            candidates = [(p.clock, p.waiting[0].seq, owner) for owner, p in self.people.items()
                          if p.waiting and p.running < self.limits.person_running and self._fits(p.waiting[0].load)]
            if not candidates:
                break
            person = self.people[min(candidates)[2]]
            job = person.waiting.popleft()
            self._admit(job, person)
            admitted.append(job)
        return admitted

    def position(self, job_id: str) -> int | None:
        """1-based place among the waiting jobs (None when admitted or unknown)."""
        waiting = sorted((job.seq, job.id) for p in self.people.values() for job in p.waiting)
        return next((i + 1 for i, (_, jid) in enumerate(waiting) if jid == job_id), None)

    def dequeue(self, job_id: str) -> bool:
        """Remove a job that is still waiting; False when it is not waiting."""
        for person in self.people.values():
            for job in person.waiting:
                if job.id == job_id:
                    person.waiting.remove(job)
                    return True
        return False

    # --- slices ------------------------------------------------------------------------------

    def pick(self, worker: int, now: float) -> Job | None:
        """The next job for a free ``worker`` (None: nothing runnable now)."""
        best, best_key = None, None
        for job in self.jobs.values():
            if job.in_slice or job.stopping or job.ready_at > now:
                continue
            if job.worker != worker and not self._can_start_run(job, worker):
                continue
            lead = INTERACTIVE_LEAD if job.priority == "interactive" else 0.0
            key = (self.people[job.owner].clock - lead, job.usage, job.seq)
            if best_key is None or key < best_key:
                best, best_key = job, key
        if best is not None and best.runs is not None:
            return self._start_run(best, worker)
        return best

    def _can_start_run(self, group: Job, worker: int) -> bool:
        """A group starts its next run on ``worker`` when it has none there yet."""
        return bool(group.runs) and all(self.jobs[run].worker != worker for run in group.children)

    def _start_run(self, group: Job, worker: int) -> Job:
        run_id, task = group.runs.popleft()
        run = Job(run_id, group.owner, group.priority, task, next(self._seq), worker=worker, parent=group.id)
        group.children.add(run_id)
        self.jobs[run_id] = run
        return run

    def stop(self, job_id: str) -> Job | None:
        """Mark an admitted job to stop; a group starts no more runs and stops those under way."""
        job = self.jobs.get(job_id)
        if job is None:
            return None
        job.stopping = True
        if job.runs is not None:
            job.runs.clear()
            for run in job.children:
                self.jobs[run].stopping = True
        return job

    def finished_groups(self) -> list[Job]:
        """Admitted groups with no run left to start or under way."""
        return [job for job in self.jobs.values() if job.runs is not None and not job.runs and not job.children]

    def charge(self, job_id: str, seconds: float) -> None:
        """A slice of ``job_id`` took ``seconds``."""
        job = self.jobs.get(job_id)
        if job is None:
            return
        job.usage += seconds
        job.slices += 1
        if job.parent in self.jobs:  # the group is served as much as its runs
            self.jobs[job.parent].usage += seconds
        self.people[job.owner].clock += seconds

    def next_ready(self, now: float) -> float | None:
        """The earliest future time a waiting (paced) job becomes runnable."""
        times = [job.ready_at for job in self.jobs.values() if job.ready_at > now and not job.in_slice]
        return min(times) if times else None

    def runnable_on(self, worker: int, now: float) -> int:
        return sum(1 for job in self.jobs.values()
                   if job.worker == worker and not job.stopping and job.ready_at <= now)

    def remove(self, job_id: str) -> Job | None:
        """Forget a finished job; its person's slot frees up."""
        job = self.jobs.pop(job_id, None)
        if job is not None and job.parent is not None:  # a group's run: the group holds the person's slot
            if job.parent in self.jobs:
                self.jobs[job.parent].children.discard(job_id)
        elif job is not None:
            person = self.people[job.owner]
            person.running -= 1
            if person.running == 0 and not person.waiting:
                del self.people[job.owner]
        return job

    def jobs_on(self, worker: int) -> list[Job]:
        return [job for job in self.jobs.values() if job.worker == worker]

    # --- workers that come and go (a cluster) ------------------------------------------------

    def add_worker(self) -> int:
        """A new worker: the place of a lost one, or a new index. Jobs left on lost workers (while
        none was alive) move to it. Returns its index."""
        if self.dead_workers:
            worker = min(self.dead_workers)
            self.dead_workers.discard(worker)
        else:
            self.workers += 1
            worker = self.workers - 1
        self._rehome([job for job in self.jobs.values() if job.worker in self.dead_workers])
        return worker

    def lose_worker(self, worker: int) -> list[Job]:
        """``worker`` is gone: its jobs move to the least-loaded live workers (or wait on a lost one
        while none is alive). Returns the jobs that were on it."""
        self.dead_workers.add(worker)
        lost = self.jobs_on(worker)
        self._rehome(lost)
        return lost

    def _rehome(self, jobs: list[Job]) -> None:
        for job in jobs:
            job.worker = None
        for job in jobs:
            job.worker = self._least_loaded_worker()
