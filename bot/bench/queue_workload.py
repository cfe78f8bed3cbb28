"""The workload ``newsdigest bench job-queues`` gives each job queue, and what it records while the jobs run.

Every job is the same coroutine: note its start, sleep (standing in for a network call), note its end. All the
workers of a run live in the bench process, so one :class:`Tracker` sees every job of every worker: when each
started and finished, how many jobs of one key ran at once, and whether a key's jobs started in queue order.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from bot.bench import machine

PGQUEUER_DRIVERS = ("asyncpg", "psycopg")  # asyncpg: PgQueuer's main driver


@dataclass(frozen=True)
class Workload:
    """The sizes of one comparison, the same for every library."""

    jobs: int = 2000
    concurrency: int = 4
    sleep_seconds: float = 0.005
    lock_jobs: int = 200
    lock_keys: tuple[int, ...] = (10, 4)  # one lock check per count: more keys than slots, then fewer
    lock_workers: int = 2
    lock_concurrency: int = 4
    timeout_seconds: float = 300.0
    seed: int = 7
    driver: str = "asyncpg"  # PgQueuer's driver: asyncpg or psycopg

    def lock_plan(self, key_count: int) -> list[str]:
        """The key of each lock job in queue order: ``lock_jobs`` spread evenly over ``key_count`` keys, shuffled."""
        keys = [f"key-{n % key_count}" for n in range(self.lock_jobs)]
        random.Random(self.seed).shuffle(keys)
        return keys


@dataclass
class Phase:
    """Jobs queued or run in one step, its wall seconds, and the CPU it cost."""

    jobs: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the bench process (user + system, all its threads)
    postgres_cpu_seconds: float | None = None  # every PostgreSQL server process, other clients included

    @property
    def per_second(self) -> float:
        return round(self.jobs / self.seconds, 1) if self.seconds > 0 else 0.0

    @property
    def cpu_ms_per_job(self) -> float:
        return round(self.cpu_seconds * 1000 / self.jobs, 3) if self.jobs else 0.0


@dataclass
class LockRun:
    """One run of the per-key serialisation check with one library option."""

    option: str
    keys: int = 0
    queued: int = 0  # jobs the queue accepted (a deduplication key may refuse some)
    ran: int = 0
    most_same_key_at_once: int = 0
    out_of_order: int = 0  # jobs that started after a later-queued job of their key
    seconds: float = 0.0
    note: str = ""

    @property
    def per_second(self) -> float:
        return round(self.ran / self.seconds, 1) if self.seconds > 0 else 0.0


@dataclass
class QueueFigures:
    """Everything measured for one library."""

    library: str
    version: str
    enqueue_each: Phase = field(default_factory=Phase)
    enqueue_batch: Phase = field(default_factory=Phase)
    process: list[Phase] = field(default_factory=list)
    lock: list[LockRun] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Tracker:
    """Records the jobs of one run; :attr:`done` is set when ``expected`` jobs have finished."""

    def __init__(self, expected: int, sleep_seconds: float) -> None:
        self.expected = expected
        self.sleep_seconds = sleep_seconds
        self.done = asyncio.Event()
        self.first_start: float | None = None
        self.last_finish: float | None = None
        self.cpu_at_done: float | None = None
        self.finished = 0
        self.repeated = 0  # a job number seen twice (a job run twice)
        self.most_same_key_at_once = 0
        self.out_of_order = 0
        self._seen: set[int] = set()
        self._running: Counter[str] = Counter()
        self._latest_started: dict[str, int] = {}

    async def run(self, number: int, key: str | None) -> None:
        """The job: ``number`` is its place in the queue order, ``key`` its serialisation key (if any)."""
        if self.first_start is None:
            self.first_start = time.perf_counter()
        if number in self._seen:
            self.repeated += 1
        self._seen.add(number)
        if key is not None:
            self._running[key] += 1
            self.most_same_key_at_once = max(self.most_same_key_at_once, self._running[key])
            if number < self._latest_started.get(key, -1):
                self.out_of_order += 1
            self._latest_started[key] = max(number, self._latest_started.get(key, -1))
        try:
            await asyncio.sleep(self.sleep_seconds)
        finally:
            if key is not None:
                self._running[key] -= 1
            self.finished += 1
            self.last_finish = time.perf_counter()
            if self.finished >= self.expected and not self.done.is_set():
                self.cpu_at_done = time.process_time()
                self.done.set()

    @property
    def seconds(self) -> float:
        if self.first_start is None or self.last_finish is None:
            return 0.0
        return round(self.last_finish - self.first_start, 3)

    def phase(self, start: machine.CpuSnapshot) -> Phase:
        """The run as a :class:`Phase`: wall time from the first start to the last finish, CPU since ``start``."""
        end = machine.snapshot()
        cpu = (self.cpu_at_done if self.cpu_at_done is not None else end.own_seconds) - start.own_seconds
        return Phase(self.finished, self.seconds, round(cpu, 3), machine.used(start, end).postgres_seconds)

    def lock_run(self, option: str, keys: int, queued: int) -> LockRun:
        most, late = self.most_same_key_at_once, self.out_of_order
        return LockRun(option, keys, queued, self.finished, most, late, self.seconds)


class Current:
    """The tracker the registered job functions report to; swapped for each run."""

    def __init__(self, sleep_seconds: float) -> None:
        self.tracker = Tracker(0, sleep_seconds)

    def start(self, expected: int) -> Tracker:
        self.tracker = Tracker(expected, self.tracker.sleep_seconds)
        return self.tracker


class Stopwatch:
    """Wall seconds and CPU of one enqueue step."""

    def __init__(self) -> None:
        self.start = machine.snapshot()
        self.wall = time.perf_counter()

    def phase(self, jobs: int) -> Phase:
        seconds = time.perf_counter() - self.wall
        own = time.process_time() - self.start.own_seconds  # read before the /proc scan below
        postgres = machine.used(self.start, machine.snapshot()).postgres_seconds
        return Phase(jobs, round(seconds, 3), round(own, 3), postgres)


async def until_done(tracker: Tracker, workers: list[asyncio.Task[None]], timeout: float) -> str | None:
    """Wait until the tracker's jobs are done (or a worker fails, or ``timeout``); None when all went well."""
    waiter = asyncio.create_task(tracker.done.wait())
    finished, _ = await asyncio.wait({waiter, *workers}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if waiter in finished:
        return f"{tracker.repeated} jobs ran more than once" if tracker.repeated else None
    for worker in finished:
        if not worker.cancelled() and worker.exception() is not None:
            return f"a worker failed: {worker.exception()!r}"
    if finished:
        return "a worker stopped before its jobs were done"
    return f"{tracker.finished} of {tracker.expected} jobs done within {timeout:.0f} s"


async def stop_all(workers: list[asyncio.Task[None]]) -> None:
    """Cancel worker tasks still running and wait for them."""
    for worker in workers:
        worker.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
