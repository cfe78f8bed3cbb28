"""``newsdigest bench scale-ingest``: analysed articles per second with 1, 2, 4 ... ``newsdigest worker`` processes.

Per worker count, on a fresh PostgreSQL database: a local feed server (a thread of this process) serves
``--feeds`` RSS feeds of ``--items`` full-text articles each; W workers start, then one ``newsdigest run`` (the
scheduler, ``[queue] enabled``) queues one poll job per feed; the workers' poll jobs fetch the feeds and queue
one analysis job per article, and their analysis jobs analyse and store them. The run ends when every article
is stored and no job is left.

Articles come from a corpus folder (``article/**/*.txt``, e.g. the shared cnndm-test-dev: one paragraph per
story, no headline line, so the headline is taken from the lede) when given, else generated text. A corpus
smaller than the run is used again with a numbered first line, so every article is distinct and analysed.

Reported: articles per second (wall) from the first stored to the last (``ingested_at`` in the database), and
per worker CPU-second (user + system after start-up, read from /proc just before each worker stops, so other
processes on a shared machine do not count), and the scheduler's CPU seconds (it only queues).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from sqlalchemy import func, select, text

from bot.bench import machine
from bot.bench.columns import MACHINE_ROWS, per_worker_table
from bot.bench.databases import throwaway_database
from bot.bench.environment import child_environment
from bot.bench.feeds import bench_story
from bot.bench.scale import WORKER_RUNNING, Process
from bot.fakes.feed_server import FeedServer, Story, rss_feed
from digests.storage import Store
from digests.storage.tables import ArticleRow

SCHEDULER_RUNNING = "newsdigest is running"
STARTUP_TIMEOUT = 120.0


@dataclass
class IngestFigures:
    """What one run measured."""

    workers: int = 0
    feeds: int = 0
    articles: int = 0
    stored: int = 0
    distinct_urls: int = 0
    feed_requests: int = 0
    ingest_seconds: float = 0.0
    articles_per_second: float = 0.0
    worker_cpu_seconds: float = 0.0
    articles_per_worker_cpu_second: float = 0.0
    scheduler_cpu_seconds: float = 0.0
    machine_busy_cores: float | None = None
    postgres_cpu_seconds: float | None = None
    wall_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        whole = self.stored == self.articles == self.distinct_urls
        return whole and self.feed_requests == self.feeds and not self.errors and self.articles > 0


def corpus_bodies(corpus: Path | None) -> list[str]:
    """The corpus's story texts (``article/**/*.txt`` in path order), or none without a corpus."""
    if corpus is None:
        return []
    folder = corpus / "article" if (corpus / "article").is_dir() else corpus
    bodies = [path.read_text(encoding="utf-8", errors="replace").strip() for path in sorted(folder.rglob("*.txt"))]
    return [body for body in bodies if len(body.split()) >= 50]


def stories(feeds: int, items: int, bodies: list[str]) -> list[list[Story]]:
    """Each feed's stories: corpus texts in turn (numbered once the corpus is used up), else generated ones."""
    from digests.headlines import headline_from_lede

    found: list[list[Story]] = []
    for feed in range(feeds):
        made = []
        for item in range(items):
            if not bodies:
                made.append(bench_story(feed, item))
                continue
            number = feed * items + item
            body = bodies[number % len(bodies)]
            round_ = number // len(bodies)
            paragraphs = ((f"Edition {round_}.",) if round_ else ()) + (body,)
            published = datetime(2026, 11, 29, tzinfo=UTC) - timedelta(minutes=item)
            title = headline_from_lede(body) + (f" ({round_})" if round_ else "")
            made.append(Story(f"/f{feed}/{item}.html", title, paragraphs, published))
        found.append(made)
    return found


@contextmanager
def serving(feed_stories: list[list[Story]]) -> Iterator[FeedServer]:
    """The feeds on a local server (full text, with ETags)."""
    with FeedServer().running_in_thread() as server:
        base = server.url("")
        for feed, items in enumerate(feed_stories):
            server.add(f"/f{feed}.xml", rss_feed(f"Outlet {feed}", base, items, full=True), etag=True)
        yield server


def write_config(folder: Path, server: FeedServer, feeds: int, concurrency: int) -> Path:
    sources = "".join(f'[[sources]]\nfeed = "{server.url(f"/f{feed}.xml")}"\nevery = "1h"\n\n' for feed in range(feeds))
    text_ = f"""{sources}
[fetch]
allow_hosts = ["127.0.0.1"]

[scheduler]
lock_poll_seconds = 0.5

[queue]
enabled = true
concurrency = {concurrency}
sweep_seconds = 1
heartbeat_seconds = 1
stalled_seconds = 10
"""
    path = folder / "newsdigest.toml"
    path.write_text(text_, encoding="utf-8")
    return path


def run_scale_ingest(
    folder: Path,
    database: str,
    workers: int,
    feed_stories: list[list[Story]],
    concurrency: int = 4,
    drain_timeout: float = 600.0,
) -> IngestFigures:
    """One run with ``workers`` workers; returns its figures."""
    expected = sum(len(items) for items in feed_stories)
    figures = IngestFigures(workers=workers, feeds=len(feed_stories), articles=expected)
    started = time.monotonic()
    store = Store(database)  # migrates the schema before any process starts
    with serving(feed_stories) as server:
        config = write_config(folder, server, len(feed_stories), concurrency)
        env = child_environment({"DATABASE_URL": database, "NEWSDIGEST_CONFIG": str(config)})
        running = [Process(["worker"], folder, env, f"worker-{n + 1:02d}.log") for n in range(workers)]
        scheduler: Process | None = None
        try:
            for worker in running:
                worker.wait_for(WORKER_RUNNING, STARTUP_TIMEOUT)
                worker.note_started(WORKER_RUNNING)
            scheduler = Process(["run"], folder, env, "scheduler.log")
            scheduler.wait_for(SCHEDULER_RUNNING, STARTUP_TIMEOUT)
            scheduler.note_started(SCHEDULER_RUNNING)
            cpu_at_start = machine.snapshot()
            deadline = time.monotonic() + drain_timeout
            while not all_stored(store, expected):
                if time.monotonic() > deadline:
                    figures.errors.append(f"not every article was stored within {drain_timeout:.0f} s")
                    break
                if any(w.process.poll() is not None for w in running):
                    figures.errors.append(f"a worker stopped early; see {folder}")
                    break
                time.sleep(0.2)
            cpu = machine.used(cpu_at_start, machine.snapshot())
            figures.machine_busy_cores, figures.postgres_cpu_seconds = cpu.busy_cores, cpu.postgres_seconds
        finally:
            if scheduler is not None:
                scheduler.stop()
                figures.scheduler_cpu_seconds = round(scheduler.work_cpu_seconds, 2)
            for worker in running:
                if worker.stop() != 0:
                    figures.errors.append(f"a worker exited uncleanly; see {worker.log}")
        figures.feed_requests = sum(len(server.requests(f"/f{feed}.xml")) for feed in range(len(feed_stories)))
    measure(figures, store)
    store.close()
    figures.worker_cpu_seconds = round(sum(w.work_cpu_seconds for w in running), 2)
    if figures.worker_cpu_seconds:
        figures.articles_per_worker_cpu_second = round(figures.stored / figures.worker_cpu_seconds, 1)
    figures.wall_seconds = round(time.monotonic() - started, 1)
    return figures


def all_stored(store: Store, expected: int) -> bool:
    """Every article stored and no job waiting or running."""
    with store.engine.connect() as connection:
        if connection.execute(select(func.count()).select_from(ArticleRow)).scalar_one() < expected:
            return False
        query = text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")
        return not connection.execute(query).scalar()


def measure(figures: IngestFigures, store: Store) -> None:
    query = select(
        func.count(),
        func.count(func.distinct(ArticleRow.url)),
        func.min(ArticleRow.ingested_at),
        func.max(ArticleRow.ingested_at),
    )
    with store.engine.connect() as connection:
        count, urls, first, last = connection.execute(query).one()
    figures.stored, figures.distinct_urls = int(count), int(urls)
    if first is not None and last is not None and count > 1:
        figures.ingest_seconds = round((last - first).total_seconds(), 2)
        if figures.ingest_seconds > 0:
            figures.articles_per_second = round((count - 1) / figures.ingest_seconds, 1)


def markdown(runs: list[IngestFigures], command: str) -> str:
    """The section docs/BENCHMARKS.md holds: one column per run."""
    rows = [
        ("workers", "workers"),
        ("feeds (each polled by one job)", "feeds"),
        ("articles served", "articles"),
        ("articles stored", "stored"),
        ("distinct article URLs stored", "distinct_urls"),
        ("feed requests (one per feed)", "feed_requests"),
        ("seconds from the first article stored to the last", "ingest_seconds"),
        ("articles analysed and stored per second", "articles_per_second"),
        ("worker CPU seconds after start-up (user + system)", "worker_cpu_seconds"),
        ("articles per worker CPU second", "articles_per_worker_cpu_second"),
        ("scheduler CPU seconds after start-up", "scheduler_cpu_seconds"),
        *MACHINE_ROWS,
        ("wall time (s)", "wall_seconds"),
    ]
    return per_worker_table(runs, rows, command)


@click.command("scale-ingest")
@click.option("--db", "database", metavar="URL", required=True, help="PostgreSQL URL (a fresh database per run).")
@click.option("--workers", "worker_counts", default="1,2,4", show_default=True, help="Worker counts, e.g. 1,2,4.")
@click.option("--feeds", default=20, show_default=True, type=click.IntRange(min=1), help="Feeds served.")
@click.option("--items", default=10, show_default=True, type=click.IntRange(min=1), help="Articles per feed.")
@click.option(
    "--corpus",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="A corpus folder (article/**/*.txt), e.g. ../shared/corpus/cnndm-test-dev; else generated text.",
)
@click.option("--concurrency", default=4, show_default=True, help="[queue] concurrency of each worker.")
@click.option("--drain", default=600.0, show_default=True, help="Seconds allowed to store everything.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON lines.")
def scale_ingest(
    database: str,
    worker_counts: str,
    feeds: int,
    items: int,
    corpus: Path | None,
    concurrency: int,
    drain: float,
    as_json: bool,
) -> None:
    """Feed polls and article analysis as jobs: analysed articles per second with 1, 2, 4 workers."""
    from bot.jobs.queue import is_postgres

    if not is_postgres(database):
        raise click.UsageError("bench scale-ingest needs a PostgreSQL database (--db postgresql://...)")
    counts = [int(part) for part in worker_counts.split(",") if part.strip()]
    feed_stories = stories(feeds, items, corpus_bodies(corpus))
    runs = []
    for count in counts:
        folder = Path(tempfile.mkdtemp(prefix="newsdigest-scale-ingest-"))
        with throwaway_database(database, "newsdigest_ingest") as url:
            figures = run_scale_ingest(folder, url, count, feed_stories, concurrency, drain)
        runs.append(figures)
        if figures.ok:
            shutil.rmtree(folder, ignore_errors=True)  # else its logs are kept for the errors to point at
    if as_json:
        for figures in runs:
            click.echo(json.dumps({**asdict(figures), "ok": figures.ok}))
    else:
        source = f" --corpus {corpus}" if corpus else ""
        command = (
            f"newsdigest bench scale-ingest --db URL --workers {worker_counts} --feeds {feeds} --items {items}"
            f"{source} --concurrency {concurrency}"
        )
        click.echo(markdown(runs, command))
        for figures in runs:
            for error in figures.errors:
                click.echo(f"{figures.workers} workers: {error}", err=True)
    if not all(figures.ok for figures in runs):
        sys.exit(1)
