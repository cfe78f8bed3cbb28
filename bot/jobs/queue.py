"""The job queue (Procrastinate on the project's PostgreSQL database): its tasks, and how jobs are enqueued.

- ``newsdigest.build_slot(schedule, slot)``: ingest the sources and store the slot's digest and deliveries in the
  ledger, then enqueue one delivery job per open delivery. One job per slot (a queueing lock), and a schedule's
  slots are built one at a time, in order (the lock ``schedule:<name>``), as each digest's window starts where
  the previous one ended; the ledger's unique (schedule, slot) key makes a repeated job harmless.
- ``newsdigest.deliver(delivery_id)``: one attempt at one delivery through the ledger. The jobs of one channel
  share the lock ``channel:<address>``, so at most one runs at a time in the whole cluster (see pacing.py).
- ``newsdigest.poll_source(url, kind, every_seconds, outlet)``: fetch one due feed or page (conditionally, as
  the single process does) and queue one analysis job per article it gave. A source waits in the queue at most
  once (queueing lock ``poll:<url>``) and is polled by one worker at a time (lock ``source:<url>``); the job
  carries the source's settings, so a worker needs no copy of the scheduler's OPML files.
- ``newsdigest.analyse_article(feed, article)``: analyse and store one article (new, updated or duplicate) —
  the CPU-bound part, spread over the workers. The article travels in the job's arguments (see articles.py).
  Analyses run after waiting slots and deliveries (a lower priority), so a big poll never delays a digest.

Exactly-once stays the ledger's: a job only claims an open delivery, and a delivery left ``sending`` by a killed
worker is looked up by its marker in the channel before anything is posted again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException, UniqueViolation
from sqlalchemy import Connection, Engine, inspect, select, text
from sqlalchemy.engine import make_url

from bot.jobs.articles import article_keys, article_payload, lock_key
from digests.models import Article
from digests.sources.settings import SourceSpec
from digests.storage.ledger import OPEN_STATES, Delivery, Ledger, to_delivery
from digests.storage.ledger_tables import DeliveryRow

logger = logging.getLogger(__name__)

BUILD_SLOT = "newsdigest.build_slot"
DELIVER = "newsdigest.deliver"
POLL_SOURCE = "newsdigest.poll_source"
ANALYSE_ARTICLE = "newsdigest.analyse_article"
SLOTS_QUEUE = "newsdigest-slots"
DELIVERIES_QUEUE = "newsdigest-deliveries"
SOURCES_QUEUE = "newsdigest-sources"
QUEUES = (SLOTS_QUEUE, DELIVERIES_QUEUE, SOURCES_QUEUE)
ANALYSIS_PRIORITY = -1  # below the default 0 of slots, deliveries and polls
SWEEP_LIMIT = 1000  # deliveries queued per sweep, so one sweep stays bounded
BATCH = 500  # delivery jobs inserted in one statement
SCHEMA_LOCK = 0x6E65777364696702  # advisory lock key while the queue's schema is installed
SWEEP_LOCK = 0x6E65777364696703  # advisory lock key while a process restarts the jobs of stopped workers
WORKER_NEEDS_POSTGRES = (
    "newsdigest worker needs PostgreSQL (DATABASE_URL=postgresql://...); on SQLite `newsdigest run` does all the"
    " work in one process"
)


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL as psycopg wants it (no ``+psycopg`` driver part)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def is_postgres(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "postgresql"


def queue_app(database_url: str, pool_size: int = 4) -> procrastinate.App:
    """A Procrastinate app on ``database_url`` with newsdigest's tasks registered."""
    connector = procrastinate.PsycopgConnector(conninfo=libpq_url(database_url), min_size=1, max_size=max(2, pool_size))
    app = procrastinate.App(connector=connector)

    retry = procrastinate.RetryStrategy(max_attempts=10, wait=1)  # a database hiccup does not drop a slot

    @app.task(name=BUILD_SLOT, queue=SLOTS_QUEUE, pass_context=True, retry=retry)
    async def build_slot(context: procrastinate.JobContext, schedule: str, slot: str) -> None:
        await context.additional_context["runtime"].build_slot(schedule, datetime.fromisoformat(slot))

    @app.task(name=DELIVER, queue=DELIVERIES_QUEUE, pass_context=True, retry=retry)
    async def deliver(context: procrastinate.JobContext, delivery_id: int) -> None:
        await context.additional_context["runtime"].deliver(delivery_id)

    @app.task(name=POLL_SOURCE, queue=SOURCES_QUEUE, pass_context=True, retry=retry)
    async def poll_source(
        context: procrastinate.JobContext, url: str, kind: str, every_seconds: float, outlet: str | None
    ) -> None:
        spec = SourceSpec(url, kind, timedelta(seconds=every_seconds), outlet)
        await context.additional_context["runtime"].poll_source(spec)

    @app.task(name=ANALYSE_ARTICLE, queue=SOURCES_QUEUE, pass_context=True, retry=retry)
    async def analyse_article(context: procrastinate.JobContext, feed: str, article: dict[str, Any]) -> None:
        await context.additional_context["runtime"].analyse_article(feed, article)

    return app


def ensure_schema(engine: Engine, app: procrastinate.App) -> None:
    """Install Procrastinate's tables once per database (under an advisory lock, so racing processes agree)."""
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        if inspect(connection).has_table("procrastinate_jobs"):
            return
        connection.exec_driver_sql(app.schema_manager.get_schema().replace("%", "%%"))
        logger.info("installed the job queue's tables (Procrastinate)")


def delivery_locks(delivery: Delivery) -> dict[str, Any]:
    """A delivery job's locks: its channel's (one post at a time per channel), and its own while it waits."""
    return {"lock": f"channel:{delivery.channel}", "queueing_lock": f"delivery:{delivery.id}"}


@contextlib.asynccontextmanager
async def sweep_turn(engine: Engine) -> AsyncIterator[bool]:
    """True while this process holds the sweep's advisory lock (False: another process is sweeping now)."""
    connection = await asyncio.to_thread(engine.connect)
    try:
        held = await asyncio.to_thread(_lock, connection, "SELECT pg_try_advisory_lock(:key)")
        try:
            yield held
        finally:
            if held:
                await asyncio.to_thread(_lock, connection, "SELECT pg_advisory_unlock(:key)")
    finally:
        await asyncio.to_thread(connection.close)


def _lock(connection: Connection, statement: str) -> bool:
    held = bool(connection.execute(text(statement), {"key": SWEEP_LOCK}).scalar())
    connection.commit()
    return held


class JobQueue:
    """Enqueues newsdigest's jobs; used by the scheduler and by workers."""

    def __init__(self, app: procrastinate.App) -> None:
        self.app = app

    async def enqueue_slot(self, schedule: str, slot: datetime) -> bool:
        """One build job per slot; False when that slot's job is already waiting."""
        moment = slot.astimezone(UTC).isoformat()
        options = {"lock": f"schedule:{schedule}", "queueing_lock": f"slot:{schedule}@{moment}"}
        if not await self._defer(BUILD_SLOT, options, schedule=schedule, slot=moment):
            return False
        logger.info("schedule %s: queued the %s digest", schedule, moment, extra={"schedule": schedule, "slot": moment})
        return True

    async def enqueue_delivery(self, delivery: Delivery, at: datetime | None = None) -> bool:
        """One job per open delivery, under its channel's lock (from ``at``, e.g. a retry's time); False when one
        is already waiting."""
        options: dict[str, Any] = delivery_locks(delivery)
        if at is not None:
            options["schedule_at"] = at
        return await self._defer(DELIVER, options, delivery_id=delivery.id)

    async def enqueue_deliveries(self, deliveries: Sequence[Delivery]) -> int:
        """One job per delivery, inserted in batches of :data:`BATCH` (one round trip each); a batch that meets
        a delivery already queued (a repeated slot job) falls back to one insert per delivery. Returns how
        many jobs were queued."""
        task = self.app.tasks[DELIVER]
        queued = 0
        for start in range(0, len(deliveries), BATCH):
            chunk = deliveries[start : start + BATCH]
            jobs = [task.configure(**delivery_locks(d)).make_new_job(delivery_id=d.id) for d in chunk]
            try:
                await self.app.job_manager.batch_defer_jobs_async(jobs)
                queued += len(jobs)
            except AlreadyEnqueued:
                for delivery in chunk:
                    queued += await self.enqueue_delivery(delivery)
        return queued

    async def enqueue_poll(self, spec: SourceSpec) -> bool:
        """One poll job for a due source; False when its poll is already waiting."""
        options = {"lock": lock_key("source", spec.url), "queueing_lock": lock_key("poll", spec.url)}
        every = spec.every.total_seconds()
        return await self._defer(
            POLL_SOURCE, options, url=spec.url, kind=spec.kind, every_seconds=every, outlet=spec.outlet
        )

    async def enqueue_polls(self, specs: Sequence[SourceSpec]) -> int:
        """Poll jobs for ``specs`` (the due sources); returns how many were queued (the others wait already)."""
        queued = 0
        for spec in specs:
            queued += await self.enqueue_poll(spec)
        if queued:
            logger.debug("queued %d source poll(s)", queued)
        return queued

    async def enqueue_article(self, feed: str, article: Article) -> bool:
        """One analysis job for an article ``feed`` gave; False when the same item is already waiting."""
        waiting, lock = article_keys(feed, article)
        options = {"lock": lock, "queueing_lock": waiting, "priority": ANALYSIS_PRIORITY}
        return await self._defer(ANALYSE_ARTICLE, options, feed=feed, article=article_payload(article))

    async def _defer(self, task_name: str, options: dict[str, Any], **arguments: Any) -> bool:
        """Queue one job of ``task_name`` with Procrastinate ``options``; False when its queueing lock is taken
        (the same job already waits)."""
        try:
            await self.app.tasks[task_name].configure(**options).defer_async(**arguments)
        except AlreadyEnqueued:
            return False
        return True

    async def enqueue_due(self, ledger: Ledger, stalled_seconds: float) -> int:
        """Restart the jobs of workers that stopped sending heartbeats, and queue open deliveries left without a
        job for ``stalled_seconds`` (a scheduler that died before queueing them, ``newsdigest deliveries retry``).
        Returns how many jobs were queued or restarted."""
        queued = 0
        async with sweep_turn(ledger.store.engine) as mine:
            if mine:  # one process at a time, so a job is restarted once, from a fresh list
                for job in await self.app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds):
                    queued += await self._restart(job)
                await self.app.job_manager.prune_stalled_workers(seconds_since_heartbeat=stalled_seconds)
        quiet_since = datetime.now(UTC) - timedelta(seconds=stalled_seconds)
        for delivery in await asyncio.to_thread(orphaned_deliveries, ledger, quiet_since):
            if await self.enqueue_delivery(delivery):
                queued += 1
        return queued

    async def _restart(self, job: procrastinate.jobs.Job) -> int:
        """Run a dead worker's job again; 1 when this process did it. Every process sweeps, so another one may
        have restarted (or ended) the job first: then this one leaves it alone."""
        manager = self.app.job_manager
        try:
            await manager.retry_job(job)
        except UniqueViolation:
            # The same delivery or slot is queued again already (its queueing lock is taken): end this copy, so it
            # stops holding its channel's lock; the queued one does the work.
            logger.info("job %s (%s) of a stopped worker is queued again already", job.id, job.task_name)
            with contextlib.suppress(ConnectorException):  # another process ended it first
                await manager.finish_job(job, status=procrastinate.jobs.Status.FAILED, delete_job=True)
            return 0
        except ConnectorException as error:  # no longer running: another process restarted or ended it
            logger.debug("job %s was handled by another process (%s)", job.id, error)
            return 0
        logger.warning("job %s (%s) belonged to a worker that stopped; running it again", job.id, job.task_name)
        return 1


# A delivery whose job waits in the queue or runs is not orphaned (the queueing lock names the delivery).
WITHOUT_JOB = text(
    "NOT EXISTS (SELECT 1 FROM procrastinate_jobs AS job"
    " WHERE job.queueing_lock = 'delivery:' || deliveries.id AND job.status = 'todo')"
    " AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs AS job"
    " WHERE job.lock = 'channel:' || deliveries.channel AND job.status = 'doing'"
    " AND (job.args ->> 'delivery_id')::bigint = deliveries.id)"
)


def orphaned_deliveries(ledger: Ledger, quiet_since: datetime, limit: int = SWEEP_LIMIT) -> list[Delivery]:
    """Open, due deliveries untouched since ``quiet_since`` with no job waiting or running (oldest first, at
    most ``limit``); one left ``sending`` is first looked up by its marker when its job runs, so it is never
    posted twice. Both job lookups use the queue's partial indexes (queueing lock of waiting jobs, lock of
    running ones), so a sweep costs the same however many jobs wait."""
    now = datetime.now(UTC)
    query = (
        select(DeliveryRow)
        .where(DeliveryRow.state.in_(OPEN_STATES), DeliveryRow.updated_at < quiet_since)
        .where(DeliveryRow.next_attempt_at.is_(None) | (DeliveryRow.next_attempt_at <= now))
        .where(WITHOUT_JOB)
        .order_by(DeliveryRow.id)
        .limit(limit)
    )
    with ledger.store.session() as session:
        return [to_delivery(row) for row in session.scalars(query)]
