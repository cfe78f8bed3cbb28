"""``newsdigest bench job-queues``: Procrastinate (newsdigest's job queue) and PgQueuer side by side on PostgreSQL.

Each library gets its own fresh database on the server of ``--db`` and the same workload, everything in this
process (the workers too, so one tracker sees every job):

1. enqueue ``--jobs`` jobs one call each, then process them with one worker of ``--concurrency``; then enqueue
   as many in one batch call and process those. Enqueue: jobs per second and the bench process's CPU seconds.
   Processing: jobs per second from the first job's start to the last one's end, and the process's CPU seconds
   from the worker's start to the last job's end. Each job sleeps ``--sleep-ms`` (I/O such as a post to Slack).
2. per-key serialisation, what newsdigest's per-channel pacing and per-schedule slot order rest on: ``--lock-jobs``
   jobs over ``--lock-keys`` keys, queued in a shuffled order, run by ``--lock-workers`` workers of
   ``--lock-concurrency`` each; reported: the most jobs of one key seen running at once (1 = serialised), jobs
   that started before an earlier-queued job of their key, and the run's jobs per second.

PostgreSQL CPU is that of every server process (read from /proc), so other clients of the server count too.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Coroutine
from dataclasses import asdict
from typing import Any

import click

from bot.bench.databases import throwaway_database
from bot.bench.queue_workload import PGQUEUER_DRIVERS, LockRun, Phase, QueueFigures, Workload

LIBRARIES = ("procrastinate", "pgqueuer")
PGQUEUER_MISSING = (
    "newsdigest bench job-queues: {} is not installed; install the bench extra"
    " (pip install -e '.[bench]') or pass --library procrastinate"
)


def runner(library: str) -> Callable[[str, Workload], Coroutine[Any, Any, QueueFigures]]:
    """The library's half (imported only when asked for: PgQueuer is an optional extra)."""
    if library == "pgqueuer":
        from bot.bench.queue_pgqueuer import run_pgqueuer

        return run_pgqueuer
    from bot.bench.queue_procrastinate import run_procrastinate

    return run_procrastinate


def compare(database: str, workload: Workload, libraries: tuple[str, ...]) -> list[QueueFigures]:
    results: list[QueueFigures] = []
    for library in libraries:
        with throwaway_database(database, f"newsdigest_queues_{library}") as url:
            results.append(asyncio.run(runner(library)(url, workload)))
    return results


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def markdown(results: list[QueueFigures], workload: Workload, command: str) -> str:
    """The tables docs/BENCHMARKS.md holds: one column per library, then one row per lock-check option."""
    n, c, ms = workload.jobs, workload.concurrency, workload.sleep_seconds * 1000
    rows: list[tuple[str, Cell]] = []
    rows += _phase_rows(f"enqueue {n} jobs, one call each", lambda f: f.enqueue_each, "bench-process CPU s")
    rows += _phase_rows(f"enqueue {n} jobs in one batch call", lambda f: f.enqueue_batch, "bench-process CPU s")
    for run in range(max(len(f.process) for f in results)):
        how = ("queued one by one", "queued in one batch")[run] if run < 2 else f"run {run + 1}"
        title = f"process {n} jobs ({how}), 1 worker, concurrency {c}, {ms:g} ms task"
        rows += _phase_rows(title, _nth(run), "worker CPU s (bench process, from the worker's start)")
        rows.append(("  worker CPU ms per job", _field(_nth(run), lambda p: p.cpu_ms_per_job)))
    header = "| measure | " + " | ".join(f"{f.library} {f.version}" for f in results) + " |"
    lines = [header, "|---|" + "---|" * len(results)]
    lines += [f"| {title} | " + " | ".join(_cell(get(f)) for f in results) + " |" for title, get in rows]
    lock = (
        f"{workload.lock_jobs} jobs, {workload.lock_workers} workers of concurrency {workload.lock_concurrency},"
        f" {ms:g} ms task"
    )
    lines += [
        "",
        f"| per-key serialisation ({lock}) | keys | jobs queued | jobs run | most same-key jobs at once"
        " | started before an earlier-queued job of their key | seconds | jobs/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for keys in workload.lock_keys:
        lines += [_lock_row(run) for figures in results for run in figures.lock if run.keys == keys]
    notes = [f"- {run.option}, {run.keys} keys: {run.note}" for f in results for run in f.lock if run.note]
    return f"`{command}`\n\n" + "\n".join(lines) + "\n" + ("\n" + "\n".join(notes) + "\n" if notes else "")


Pick = Callable[[QueueFigures], Phase | None]
Cell = Callable[[QueueFigures], float | None]


def _nth(run: int) -> Pick:
    return lambda f: f.process[run] if run < len(f.process) else None


def _field(pick: Pick, get: Callable[[Phase], float | None]) -> Cell:
    return lambda f: None if (phase := pick(f)) is None else get(phase)


def _phase_rows(title: str, pick: Pick, cpu: str) -> list[tuple[str, Cell]]:
    return [
        (f"{title}: jobs/s", _field(pick, lambda p: p.per_second)),
        (f"  {cpu}", _field(pick, lambda p: p.cpu_seconds)),
        ("  PostgreSQL server CPU s", _field(pick, lambda p: p.postgres_cpu_seconds)),
    ]


def _lock_row(run: LockRun) -> str:
    cells = (run.keys, run.queued, run.ran, run.most_same_key_at_once, run.out_of_order, run.seconds, run.per_second)
    return f"| {run.option} | " + " | ".join(f"{value:g}" for value in cells) + " |"


def as_json(figures: QueueFigures) -> dict[str, Any]:
    data = asdict(figures)
    for name in ("enqueue_each", "enqueue_batch"):
        data[name]["per_second"] = getattr(figures, name).per_second
    for phase, row in zip(figures.process, data["process"], strict=True):
        row["per_second"] = phase.per_second
        row["cpu_ms_per_job"] = phase.cpu_ms_per_job
    for run, row in zip(figures.lock, data["lock"], strict=True):
        row["per_second"] = run.per_second
    return data


@click.command()
@click.option("--db", "database", metavar="URL", required=True, help="PostgreSQL URL (a fresh database per library).")
@click.option("--jobs", default=2000, show_default=True, type=click.IntRange(min=1), help="Jobs enqueued and run.")
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(min=2), help="Jobs one worker runs.")
@click.option("--sleep-ms", default=5.0, show_default=True, type=click.FloatRange(min=0), help="Each job's sleep.")
@click.option("--lock-jobs", default=200, show_default=True, type=click.IntRange(min=1))
@click.option("--lock-keys", default="10,4", show_default=True, help="Key counts, one lock check each.")
@click.option("--lock-workers", default=2, show_default=True, type=click.IntRange(min=1))
@click.option("--lock-concurrency", default=4, show_default=True, type=click.IntRange(min=2), help="Per lock worker.")
@click.option("--timeout", default=300.0, show_default=True, help="Seconds allowed for each run of jobs.")
@click.option("--seed", default=7, show_default=True, help="Shuffles the lock jobs' keys.")
@click.option(
    "--library",
    "libraries",
    multiple=True,
    type=click.Choice(LIBRARIES),
    help="Only these (default: both).",
)
@click.option(
    "--pgqueuer-driver",
    "driver",
    default=PGQUEUER_DRIVERS[0],
    show_default=True,
    type=click.Choice(PGQUEUER_DRIVERS),
    help="PgQueuer's database driver.",
)
@click.option("--json", "as_json_lines", is_flag=True, help="Print the figures as JSON lines.")
def job_queues(
    database: str,
    jobs: int,
    concurrency: int,
    sleep_ms: float,
    lock_jobs: int,
    lock_keys: str,
    lock_workers: int,
    lock_concurrency: int,
    timeout: float,
    seed: int,
    libraries: tuple[str, ...],
    driver: str,
    as_json_lines: bool,
) -> None:
    """Procrastinate and PgQueuer on PostgreSQL: enqueue, process, per-key serialisation."""
    from sqlalchemy.exc import OperationalError

    from bot.jobs.queue import is_postgres

    if not is_postgres(database):
        raise click.UsageError("bench job-queues needs a PostgreSQL database (--db postgresql://...)")
    libraries = libraries or LIBRARIES
    if "pgqueuer" in libraries:
        for package in ("pgqueuer", driver):
            if importlib.util.find_spec(package) is None:
                click.echo(PGQUEUER_MISSING.format(package), err=True)
                sys.exit(2)
    try:
        key_counts = tuple(int(part) for part in lock_keys.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(
            f"{lock_keys!r} is not a list of numbers such as 10,4", param_hint="--lock-keys"
        ) from None
    if not key_counts or min(key_counts) < 1:
        raise click.BadParameter("give one or more key counts of at least 1, such as 10,4", param_hint="--lock-keys")
    workload = Workload(
        jobs, concurrency, sleep_ms / 1000, lock_jobs, key_counts, lock_workers, lock_concurrency, timeout, seed, driver
    )
    try:
        results = compare(database, workload, libraries)
    except OperationalError as error:
        raise click.ClickException(f"cannot reach PostgreSQL: {str(error.orig).strip().splitlines()[0]}") from None
    if as_json_lines:
        for figures in results:
            click.echo(json.dumps(as_json(figures)))
    else:
        command = (
            f"newsdigest bench job-queues --db URL --jobs {jobs} --concurrency {concurrency} --sleep-ms {sleep_ms:g}"
            f" --lock-jobs {lock_jobs} --lock-keys {lock_keys} --lock-workers {lock_workers}"
            f" --lock-concurrency {lock_concurrency} --seed {seed}"
            + (f" --pgqueuer-driver {driver}" if "pgqueuer" in libraries else "")
        )
        click.echo(markdown(results, workload, command))
        click.echo(f"({os.cpu_count()} cores; PostgreSQL CPU counts every client of the server)")
    for figures in results:
        for problem in figures.errors:
            click.echo(f"{figures.library}: {problem}", err=True)
    if any(figures.errors for figures in results):
        sys.exit(1)
