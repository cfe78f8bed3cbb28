"""``newsdigest worker``: run the queue's jobs (build slots, deliver digests, poll sources, analyse articles)
until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.app import App
from bot.channels.registry import ChannelDirectory
from bot.delivery import LedgerDelivery, RetryPolicy, delivery_fields
from bot.jobs.articles import article_from_payload
from bot.jobs.pacing import ChannelPacing
from bot.jobs.queue import QUEUES, JobQueue, ensure_schema, queue_app
from bot.jobs.shared_gates import SharedGates
from bot.jobs.sources import analyse_and_store, poll_and_queue
from bot.ops.server import WORKER
from bot.ops.service import ops_endpoint, platform_states
from bot.runner import retry_policy, sweep
from bot.scheduler import slot_request
from digests.sources.settings import SourceSpec
from digests.storage.ledger import OPEN_STATES, Ledger

logger = logging.getLogger(__name__)


class WorkerRuntime:
    """What the jobs run against in one worker process."""

    def __init__(self, app: App, directory: ChannelDirectory, queue: JobQueue, policy: RetryPolicy) -> None:
        self.app = app
        self.ledger = Ledger(app.store)
        self.directory = directory
        self.queue = queue
        self.delivery = LedgerDelivery(self.ledger, directory.channel, policy)
        self.pacing = ChannelPacing(app.store.engine, app.config.queue.channel_interval_seconds)

    async def build_slot(self, schedule_name: str, slot: datetime) -> None:
        schedule = next((s for s in self.app.config.schedules if s.name == schedule_name), None)
        if schedule is None:
            logger.warning("schedule %s is not configured here; its %s job is dropped", schedule_name, slot)
            return
        fields = {"schedule": schedule_name, "slot": slot.isoformat()}
        if not await asyncio.to_thread(self.ledger.has_slot, schedule_name, slot):
            report = await asyncio.to_thread(self.app.ingest_sources, False)  # feeds are polled by their own jobs
            for rejected in report.rejected:
                logger.warning("skipped %s", rejected, extra=fields)
        record = await asyncio.to_thread(self.ledger.record_slot, slot_request(self.app, schedule, slot))
        waiting = [d for d in record.deliveries if d.state in OPEN_STATES]
        count = await self.queue.enqueue_deliveries(waiting)
        logger.info("schedule %s: stored the %s digest; %d deliveries queued", schedule_name, slot, count, extra=fields)

    async def deliver(self, delivery_id: int) -> None:
        delivery = await asyncio.to_thread(self.ledger.get, delivery_id)
        if delivery is None or delivery.state not in OPEN_STATES:
            return  # done already (a repeated job)
        due = delivery.next_attempt_at
        if due is not None and due > datetime.now(UTC):
            await self.queue.enqueue_delivery(delivery, at=due)  # not due yet (a retry command, a repeated job)
            return
        await self.pacing.wait_turn(delivery.channel)
        try:
            await self.directory.reconnect()
            result = await self.delivery.deliver(delivery)
        finally:
            await self.pacing.finished(delivery.channel)
        if result.state in OPEN_STATES and result.next_attempt_at is not None:
            await self.queue.enqueue_delivery(result, at=result.next_attempt_at)
            logger.info("delivery %s will be retried", delivery_id, extra=delivery_fields(result))

    async def poll_source(self, spec: SourceSpec) -> None:
        await poll_and_queue(self.app, self.queue, spec)

    async def analyse_article(self, feed: str, payload: dict[str, Any]) -> None:
        await asyncio.to_thread(analyse_and_store, self.app, feed, article_from_payload(payload))


def worker_directory(app: App, environ: Mapping[str, str] | None = None) -> ChannelDirectory:
    """The worker's platforms, paced by rate limits kept in the database: every worker keeps to them together."""
    return ChannelDirectory(app, environ, gates=SharedGates(app.store.engine))


async def run_worker(app: App, environ: Mapping[str, str] | None = None) -> int:
    """Run jobs until SIGTERM/SIGINT; the ops endpoint (when configured) reports the role ``worker``."""
    settings = app.config.queue
    procrastinate_app = queue_app(app.store.url, pool_size=settings.concurrency + 2)
    await asyncio.to_thread(ensure_schema, app.store.engine, procrastinate_app)
    policy = retry_policy(app)
    async with (
        ops_endpoint(app, WORKER) as ops,
        procrastinate_app.open_async(),
        worker_directory(app, environ) as directory,
    ):
        ops.platforms = lambda: platform_states(directory)
        await directory.connect(app.config.channels())
        runtime = WorkerRuntime(app, directory, JobQueue(procrastinate_app), policy)
        count = settings.concurrency
        sweeping = asyncio.create_task(sweep(runtime.queue, runtime.ledger, app), name="newsdigest-sweep")
        logger.info("newsdigest worker is running (%d jobs at a time); stop with Ctrl-C or SIGTERM", count)
        with contextlib.suppress(asyncio.CancelledError):
            await procrastinate_app.run_worker_async(
                queues=list(QUEUES),
                concurrency=settings.concurrency,
                additional_context={"runtime": runtime},
                update_heartbeat_interval=settings.heartbeat_seconds,
                # New jobs wake a worker at once; a job waiting for its channel's lock does not, so look often.
                fetch_job_polling_interval=settings.poll_seconds,
                stalled_worker_timeout=settings.stalled_seconds,
                install_signal_handlers=True,
                delete_jobs="successful",
            )
        sweeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeping
    logger.info("newsdigest worker stopped")
    return 0
