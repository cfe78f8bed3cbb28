"""The PgQueuer half of ``newsdigest bench job-queues`` (the optional ``bench`` extra; never imported otherwise).

Every worker and the enqueuing client has a connection of its own, through PgQueuer's asyncpg driver (its
main one) or its psycopg driver. PgQueuer has no per-key lock. The options nearest to one, each measured by
the lock check:

- ``concurrency_limit=1`` on an entrypoint (PgQueuer's "serialized processing"): one job of that entrypoint at
  a time across all workers, so every key waits for every other key;
- one entrypoint per key, each with ``concurrency_limit=1``: per-key serialisation, but only for keys every
  worker registers before it starts (a worker dequeues only the entrypoints it knows);
- ``dedupe_key=<key>``: at most one queued-or-running job per key; further jobs of that key are refused
  (``on_conflict="skip"``), not run later.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from pgqueuer import Queries, QueueManager
from pgqueuer.db import AsyncpgDriver, Driver, PsycopgDriver

from bot.bench import machine
from bot.bench.queue_workload import (
    Current,
    LockRun,
    Phase,
    QueueFigures,
    Stopwatch,
    Workload,
    stop_all,
    until_done,
)
from bot.jobs.queue import libpq_url

ENTRYPOINT = "bench_sleep"
STOP_TIMEOUT = 60.0


def payload(number: int, key: str | None = None) -> bytes:
    return json.dumps({"number": number, "key": key}).encode()


@dataclass
class Connection:
    """One database connection wrapped in a PgQueuer driver."""

    driver: Driver
    close: Callable[[], Awaitable[None]]


async def connect(database_url: str, driver: str) -> Connection:
    if driver == "psycopg":
        import psycopg

        connection: Any = await psycopg.AsyncConnection.connect(libpq_url(database_url), autocommit=True)
        return Connection(PsycopgDriver(connection), connection.close)
    import asyncpg

    connection = await asyncpg.connect(libpq_url(database_url))
    return Connection(AsyncpgDriver(connection), connection.close)


@dataclass
class Worker:
    """One PgQueuer QueueManager on its own connection, running as a task."""

    manager: QueueManager
    connection: Connection
    task: asyncio.Task[None]

    async def stop(self) -> None:
        """Ask the worker to stop (it finishes its running jobs), cancel it past :data:`STOP_TIMEOUT`."""
        self.manager.shutdown.set()
        await asyncio.wait({self.task}, timeout=STOP_TIMEOUT)
        await stop_all([self.task])  # a failure was reported already by until_done
        await self.connection.close()


def job_function(current: Current) -> Callable[[Any], Awaitable[None]]:
    async def sleep_job(job: Any) -> None:
        fields = json.loads(job.payload)
        await current.tracker.run(fields["number"], fields["key"])

    return sleep_job


async def start_worker(
    database_url: str, workload: Workload, current: Current, limits: dict[str, int], concurrency: int
) -> Worker:
    """A worker for the entrypoints in ``limits`` (name: concurrency_limit, 0 = none) running ``concurrency`` jobs
    at most (PgQueuer's ``max_concurrent_tasks``; its batch size may be at most half of that)."""
    connection = await connect(database_url, workload.driver)
    manager = QueueManager(Queries(connection.driver))
    for name, limit in limits.items():
        manager.entrypoint(name, concurrency_limit=limit, accepts_context=False)(job_function(current))
    run = manager.run(batch_size=max(1, concurrency // 2), max_concurrent_tasks=concurrency)
    return Worker(manager, connection, asyncio.create_task(run, name="pgqueuer-worker"))


async def run_pgqueuer(database_url: str, workload: Workload) -> QueueFigures:
    """Enqueue, process and the lock check, each on ``database_url`` (a fresh database)."""
    figures = QueueFigures("PgQueuer", f"{version('pgqueuer')} ({workload.driver})")
    current = Current(workload.sleep_seconds)
    connection = await connect(database_url, workload.driver)
    try:
        queries = Queries(connection.driver)
        await queries.install()
        for batch in (False, True):
            watch = Stopwatch()
            if batch:
                count = workload.jobs
                await queries.enqueue([ENTRYPOINT] * count, [payload(n) for n in range(count)], [0] * count)
                figures.enqueue_batch = watch.phase(count)
            else:
                for number in range(workload.jobs):
                    await queries.enqueue(ENTRYPOINT, payload(number))
                figures.enqueue_each = watch.phase(workload.jobs)
            figures.process.append(await process(database_url, current, workload, figures.errors))
        for key_count in workload.lock_keys:
            plan = workload.lock_plan(key_count)
            for option, limits, dedupe in lock_variants(plan):
                figures.lock.append(
                    await lock_check(database_url, queries, workload, plan, option, limits, dedupe, figures)
                )
    finally:
        await connection.close()
    return figures


async def process(database_url: str, current: Current, workload: Workload, errors: list[str]) -> Phase:
    tracker = current.start(workload.jobs)
    start = machine.snapshot()
    worker = await start_worker(database_url, workload, current, {ENTRYPOINT: 0}, workload.concurrency)
    error = await until_done(tracker, [worker.task], workload.timeout_seconds)
    phase = tracker.phase(start)
    await worker.stop()
    if error:
        errors.append(f"processing: {error}")
    return phase


def lock_variants(plan: list[str]) -> list[tuple[str, dict[str, int], bool]]:
    """(the row's words, the workers' entrypoints and their concurrency limits, jobs carry dedupe_key)."""
    keys = sorted(set(plan))
    return [
        ("no option (the workload without serialisation)", {"lock_plain": 0}, False),
        ("concurrency_limit=1 on the entrypoint", {"lock_serial": 1}, False),
        ("one entrypoint per key, each concurrency_limit=1", {f"lock_{k}": 1 for k in keys}, False),
        ('dedupe_key=<key>, on_conflict="skip"', {"lock_dedupe": 0}, True),
    ]


async def lock_check(
    database_url: str,
    queries: Queries,
    workload: Workload,
    plan: list[str],
    option: str,
    limits: dict[str, int],
    dedupe: bool,
    figures: QueueFigures,
) -> LockRun:
    """The jobs of ``plan`` (their keys in queue order) run by ``lock_workers`` workers."""
    names = [f"lock_{key}" if f"lock_{key}" in limits else next(iter(limits)) for key in plan]
    keys: list[str | None] = list(plan) if dedupe else [None] * len(plan)
    payloads: list[bytes | None] = [payload(n, key) for n, key in enumerate(plan)]
    ids = await queries.enqueue(names, payloads, [0] * len(plan), dedupe_key=keys, on_conflict="skip")
    queued = sum(1 for job_id in ids if job_id is not None)
    current = Current(workload.sleep_seconds)
    tracker = current.start(queued)
    workers = [
        await start_worker(database_url, workload, current, limits, workload.lock_concurrency)
        for _ in range(workload.lock_workers)
    ]
    error = await until_done(tracker, [w.task for w in workers], workload.timeout_seconds)
    run = tracker.lock_run(f"PgQueuer, {option}", len(set(plan)), queued)
    for worker in workers:
        await worker.stop()
    if error:
        figures.errors.append(f"lock check ({option}, {run.keys} keys): {error}")
    if dedupe:
        run.note = f"{len(plan) - queued} of {len(plan)} jobs refused at enqueue (their key was queued already)"
    return run
