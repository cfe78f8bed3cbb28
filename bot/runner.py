"""``newsdigest run``: the long-running bot (scheduler, delivery, front ends on one event loop) and ``--once``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.alerts import post_alerts
from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.channels.registry import ChannelDirectory
from bot.cli_cards import card_maker
from bot.delivery import LedgerDelivery, RetryPolicy
from bot.jobs.shared_gates import gates_for
from bot.locks import SchedulerLock, scheduler_lock, wait_for_lock
from bot.ops.server import LEADER, STANDBY, OpsState
from bot.ops.service import ops_endpoint, platform_states, set_role
from bot.scheduler import DigestScheduler
from digests.storage.ledger import FAILED, ONE_OFF_SCHEDULE, OPEN_STATES, Ledger, SlotRequest

if TYPE_CHECKING:
    from bot.jobs.queue import JobQueue

logger = logging.getLogger(__name__)

# A one-off run's deliveries belong to that run for this long; after it, a long-running bot may finish them.
ONE_OFF_HOLD = timedelta(minutes=15)
ONE_OFF_RETRY = RetryPolicy(initial=1.0, maximum=4.0, max_attempts=3)


def retry_policy(app: App) -> RetryPolicy:
    settings = app.config.scheduler
    return RetryPolicy(settings.retry_initial_seconds, settings.retry_max_seconds, settings.max_attempts)


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT end the bot gracefully."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)


async def run_bot(
    app: App,
    environ: Mapping[str, str] | None = None,
    console: ConsoleChannel | None = None,
    stop: asyncio.Event | None = None,
) -> int:
    """Run the schedules until SIGTERM/SIGINT (or ``stop``); a second instance waits as a standby."""
    stop = stop or asyncio.Event()
    stop_on_signals(stop)
    if not logger.isEnabledFor(logging.DEBUG):  # APScheduler logs every run at INFO; keep its warnings
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if not app.config.schedules:
        logger.warning("no [[schedules]] configured: only commands are served")
    lock = scheduler_lock(app.store.url)
    async with ops_endpoint(app, STANDBY) as ops:
        if not await wait_for_lock(lock, stop, app.config.scheduler.lock_poll_seconds):
            return 0
        try:
            set_role(ops, LEADER)
            return await _serve(app, lock, stop, environ, console, ops)
        finally:
            lock.release()


async def _serve(
    app: App,
    lock: SchedulerLock,
    stop: asyncio.Event,
    environ: Mapping[str, str] | None,
    console: ConsoleChannel | None,
    ops: OpsState,
) -> int:
    ledger = Ledger(app.store)
    gates = gates_for(app)  # shared with the workers through the database when slots go to the job queue
    async with ChannelDirectory(app, environ, console, gates=gates) as directory, job_queue(app) as queue:
        ops.platforms = lambda: platform_states(directory)
        await directory.connect(app.config.channels(), serve_commands=True)
        delivery = LedgerDelivery(ledger, directory.channel, retry_policy(app))
        if queue is None:
            worker = asyncio.create_task(delivery.run(), name="newsdigest-delivery")
            slot_sink = poll_sink = None
        else:
            worker = asyncio.create_task(sweep(queue, ledger, app), name="newsdigest-sweep")
            slot_sink, poll_sink = queue.enqueue_slot, queue.enqueue_polls
        reconnecting = asyncio.create_task(keep_connecting(directory, delivery), name="newsdigest-reconnect")
        scheduler = DigestScheduler(app, ledger, delivery, slot_sink, poll_sink)
        status = 0
        try:
            await scheduler.start()
            logger.info("newsdigest is running %d schedule(s); stop with Ctrl-C or SIGTERM", len(scheduler.schedules))
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), app.config.scheduler.lock_poll_seconds)
                if not stop.is_set() and not await asyncio.to_thread(lock.still_held):
                    logger.error("lost the scheduler lock (%s); stopping so a standby can take over", lock.description)
                    status = 1
                    break
                if worker.done():
                    logger.error("the delivery worker stopped: %r", worker.exception())
                    status = 1
                    break
        finally:
            await scheduler.shutdown()
            for task in (worker, reconnecting):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        logger.info("newsdigest stopped")
        return status


@contextlib.asynccontextmanager
async def job_queue(app: App) -> AsyncIterator[JobQueue | None]:
    """The job queue when ``[queue] enabled`` on PostgreSQL; None keeps the single-process mode."""
    if not app.config.queue.enabled:
        yield None
        return
    from bot.jobs.queue import JobQueue, ensure_schema, is_postgres, queue_app

    if not is_postgres(app.store.url):
        logger.warning("[queue] enabled needs PostgreSQL; on SQLite this process does all the work itself")
        yield None
        return
    procrastinate_app = queue_app(app.store.url)
    await asyncio.to_thread(ensure_schema, app.store.engine, procrastinate_app)
    async with procrastinate_app.open_async():
        logger.info(
            "slots and source polls go to the job queue; `newsdigest worker` processes poll, analyse, build and post"
        )
        yield JobQueue(procrastinate_app)


async def sweep(queue: JobQueue, ledger: Ledger, app: App) -> None:
    """With a job queue, the scheduler and every worker re-queue due retries and the jobs of dead workers."""
    settings = app.config.queue
    while True:
        try:
            await queue.enqueue_due(ledger, settings.stalled_seconds)
        except Exception:
            logger.exception("could not sweep the job queue; trying again shortly")
        await asyncio.sleep(settings.sweep_seconds)


async def keep_connecting(directory: ChannelDirectory, delivery: LedgerDelivery) -> None:
    """Reconnect platforms that failed for a passing reason (with backoff); their deliveries then go out."""
    while (wait := directory.next_reconnect_in()) is not None:
        await asyncio.sleep(wait)
        if await directory.reconnect():
            delivery.wake()


async def run_once(
    app: App,
    channels: Sequence[str],
    environ: Mapping[str, str] | None = None,
    console: ConsoleChannel | None = None,
) -> int:
    """Ingest the sources, store one digest of them as a one-off slot and post it once to each channel.

    Returns 1 if any channel did not get it (each failure is logged in one line and kept in the ledger).
    """
    report = await asyncio.to_thread(app.ingest_sources)
    for rejected in report.rejected:
        logger.warning("skipped %s", rejected)
    ids = sorted(set(report.new + report.duplicate))[-app.config.digest.max_items :]
    now = datetime.now(UTC)
    ledger = Ledger(app.store)
    request = SlotRequest(
        schedule=ONE_OFF_SCHEDULE,
        slot=now,
        channels=tuple(dict.fromkeys(channels)),
        title=app.config.digest.title,
        max_items=app.config.digest.max_items,
        post_empty=True,
        article_ids=tuple(ids),
        cards=card_maker(app),
        first_attempt_at=now + ONE_OFF_HOLD,
    )
    record = await asyncio.to_thread(ledger.record_slot, request)
    async with ChannelDirectory(app, environ, console, gates=gates_for(app)) as directory:
        alerts = await asyncio.to_thread(app.unannounced_alerts)
        alerts_channel = app.config.alerts.channel if alerts else None
        await directory.connect([*channels, alerts_channel] if alerts_channel else channels)
        await post_alerts(alerts_channel, alerts, directory.channel, app.mark_announced)
        delivery = LedgerDelivery(ledger, directory.channel, ONE_OFF_RETRY)
        while True:
            await directory.reconnect()
            results = await delivery.deliver_due(digest_id=record.digest_id)
            waiting = [d for d in results if d.state in OPEN_STATES and d.next_attempt_at is not None]
            if not waiting:
                break
            pause = min(d.next_attempt_at for d in waiting if d.next_attempt_at) - datetime.now(UTC)
            await asyncio.sleep(max(0.0, pause.total_seconds()))
    final = [ledger.get(d.id) for d in record.deliveries]
    return 1 if any(d is None or d.state == FAILED for d in final) else 0
