"""The Procrastinate half of ``newsdigest bench job-queues``, with the worker options ``newsdigest worker`` uses."""

from __future__ import annotations

import asyncio
import contextlib
from importlib.metadata import version

import procrastinate
from procrastinate.types import JSONDict
from procrastinate.worker import FETCH_JOB_POLLING_INTERVAL

from bot.bench import machine
from bot.bench.queue_workload import Current, LockRun, Phase, QueueFigures, Stopwatch, Workload, stop_all, until_done
from bot.jobs.queue import libpq_url

TASK = "bench.sleep"
QUEUE = "bench"


def bench_app(database_url: str, current: Current, pool_size: int) -> procrastinate.App:
    """A Procrastinate app whose one task runs the tracked job."""
    connector = procrastinate.PsycopgConnector(conninfo=libpq_url(database_url), min_size=1, max_size=pool_size)
    app = procrastinate.App(connector=connector)

    @app.task(name=TASK, queue=QUEUE)
    async def sleep_job(number: int, key: str | None = None) -> None:
        await current.tracker.run(number, key)

    return app


def worker(app: procrastinate.App, concurrency: int, name: str, polling: float) -> asyncio.Task[None]:
    run = app.run_worker_async(
        queues=[QUEUE],
        concurrency=concurrency,
        name=name,
        install_signal_handlers=False,
        delete_jobs="successful",
        fetch_job_polling_interval=polling,
    )
    return asyncio.create_task(run, name=name)


async def run_procrastinate(database_url: str, workload: Workload) -> QueueFigures:
    """Enqueue, process and the lock check, each on ``database_url`` (a fresh database)."""
    figures = QueueFigures("Procrastinate", version("procrastinate"))
    current = Current(workload.sleep_seconds)
    app = bench_app(database_url, current, workload.concurrency + 2)
    async with app.open_async():
        await app.schema_manager.apply_schema_async()
        task = app.tasks[TASK]
        for batch in (False, True):
            watch = Stopwatch()
            if batch:
                arguments: list[JSONDict] = [{"number": n} for n in range(workload.jobs)]
                await task.batch_defer_async(*arguments)
                figures.enqueue_batch = watch.phase(workload.jobs)
            else:
                for number in range(workload.jobs):
                    await task.defer_async(number=number)
                figures.enqueue_each = watch.phase(workload.jobs)
            figures.process.append(await process(app, current, workload, figures.errors))
    for key_count in workload.lock_keys:
        for locked, polling, note in LOCK_VARIANTS:
            run = await lock_check(database_url, workload, key_count, locked, polling, note, figures.errors)
            figures.lock.append(run)
    return figures


async def process(app: procrastinate.App, current: Current, workload: Workload, errors: list[str]) -> Phase:
    tracker = current.start(workload.jobs)
    start = machine.snapshot()
    running = [worker(app, workload.concurrency, "bench-worker", FETCH_JOB_POLLING_INTERVAL)]
    error = await until_done(tracker, running, workload.timeout_seconds)
    phase = tracker.phase(start)
    await stop_all(running)
    if error:
        errors.append(f"processing: {error}")
    return phase


# (jobs carry lock=<key>, the worker's fetch_job_polling_interval, what the row shows); newsdigest keeps the default
LOCK_VARIANTS: list[tuple[bool, float, str]] = [
    (False, FETCH_JOB_POLLING_INTERVAL, "no lock (the workload without serialisation)"),
    (True, FETCH_JOB_POLLING_INTERVAL, "lock=<key> (as newsdigest queues deliveries)"),
    (True, 0.1, "lock=<key>, fetch_job_polling_interval=0.1 s"),
]


async def lock_check(
    database_url: str,
    workload: Workload,
    key_count: int,
    locked: bool,
    polling: float,
    option: str,
    errors: list[str],
) -> LockRun:
    """``lock_jobs`` jobs over ``key_count`` keys, run by ``lock_workers`` workers (each its own app and pool)."""
    current = Current(workload.sleep_seconds)
    apps = [bench_app(database_url, current, workload.lock_concurrency + 2) for _ in range(workload.lock_workers)]
    async with contextlib.AsyncExitStack() as stack:
        for app in apps:
            await stack.enter_async_context(app.open_async())
        await apps[0].connector.execute_query_async("DELETE FROM procrastinate_jobs")  # left by a failed run
        task = apps[0].tasks[TASK]
        plan = workload.lock_plan(key_count)
        for number, key in enumerate(plan):
            configured = task.configure(lock=key) if locked else task
            await configured.defer_async(number=number, key=key)
        tracker = current.start(len(plan))
        running = [
            worker(app, workload.lock_concurrency, f"bench-lock-{n}", polling) for n, app in enumerate(apps, start=1)
        ]
        error = await until_done(tracker, running, workload.timeout_seconds)
        run = tracker.lock_run(f"Procrastinate, {option}", key_count, len(plan))
        await stop_all(running)
    if error:
        errors.append(f"lock check ({option}, {key_count} keys): {error}")
    return run
