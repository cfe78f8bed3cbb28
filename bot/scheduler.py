"""Scheduled digests: APScheduler 3 on the running event loop, its jobs persisted in the project's database.

Traps of APScheduler 3 this module avoids:

- the default ``misfire_grace_time`` of 1 s silently drops a slot that passed while the bot was down: jobs get
  the configured grace (default one hour) and ``coalesce=True``, so a missed slot is caught up once;
- re-adding jobs with ``replace_existing=True`` at every start recomputes ``next_run_time`` and loses that
  catch-up: a job is re-added only when its cron or time zone changed (a fingerprint in the job's name);
- ``from_crontab`` reads day-of-week 0 as Monday; crontab's numbers (0 or 7 = Sunday) are translated first;
- a job whose ``next_run_time`` was advanced just before a crash never runs: at start the latest due slot of
  each schedule is checked against the ledger and built if missing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.alerts import post_alerts
from bot.app import App
from bot.cli_cards import card_maker
from bot.config import ScheduleConfig
from bot.delivery import LedgerDelivery
from digests.sources.settings import SourceSpec
from digests.storage.ledger import ArticleFilter, Ledger, SlotRecord, SlotRequest

logger = logging.getLogger(__name__)

JOB_TABLE = "newsdigest_scheduler_jobs"
SOURCES_STORE = "sources"
SOURCES_JOB = "sources-poll"
POLL_CHECK_SECONDS = 30  # how often the bot looks for feeds whose interval has passed
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_INSTANCES = 3

_active: DigestScheduler | None = None


def crontab_weekdays(field: str) -> str:
    """Crontab day-of-week numbers (0 or 7 = Sunday) as names, which APScheduler 3 reads unambiguously."""
    parts = []
    for part in field.split(","):
        match = re.fullmatch(r"(\*|[0-7])(?:-([0-7]))?(?:/(\d+))?", part)
        if match is None or (match.group(1) == "*" and match.group(3) is None):
            parts.append(part)
            continue
        first, last, step = match.group(1), match.group(2), int(match.group(3) or 1)
        start, stop = (0, 6) if first == "*" else (int(first), int(last if last is not None else first))
        if match.group(3) is not None and last is None and first != "*":
            stop = 6  # "1/2" means from Monday, every second day
        if stop < start:
            raise ValueError(f"day-of-week range {part!r} runs backwards")
        parts.extend(WEEKDAYS[day] for day in range(start, stop + 1, step))
    return ",".join(dict.fromkeys(parts))


def cron_trigger(expression: str, timezone: str, start_date: datetime | None = None) -> CronTrigger:
    """A trigger for a crontab expression: five fields, or six with a leading seconds field."""
    fields = expression.split()
    if len(fields) not in (5, 6):
        raise ValueError(f"expected 5 fields (minute hour day month weekday) or 6, seconds first; got {len(fields)}")
    second = fields.pop(0) if len(fields) == 6 else "0"
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        second=second,
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=crontab_weekdays(weekday),
        timezone=timezone,
        start_date=start_date,
    )


def fingerprint(schedule: ScheduleConfig) -> str:
    """Changes when the schedule's timing changes (and only then)."""
    return hashlib.sha256(f"{schedule.cron}|{schedule.timezone}".encode()).hexdigest()[:12]


def job_name(schedule: ScheduleConfig) -> str:
    return f"digest {schedule.name} [{fingerprint(schedule)}]"


def latest_slot(trigger: CronTrigger, now: datetime, earliest: datetime) -> datetime | None:
    """The last fire time of ``trigger`` in ``[earliest, now]``, if any."""
    found = None
    moment = trigger.get_next_fire_time(None, earliest)
    while moment is not None and moment <= now:
        found = moment
        moment = trigger.get_next_fire_time(None, moment + timedelta(microseconds=1))
    return found


async def run_schedule(name: str) -> None:
    """The APScheduler job (importable, picklable arguments): build and deliver the due digest of ``name``."""
    if _active is None:
        logger.warning("schedule %s fired while no scheduler was running; ignored", name)
        return
    await _active.run_due(name)


class DigestScheduler:
    """Owns the APScheduler instance, the schedules' jobs, and building each slot's digest."""

    def __init__(
        self,
        app: App,
        ledger: Ledger,
        delivery: LedgerDelivery,
        slot_sink: Callable[[str, datetime], Awaitable[object]] | None = None,
        poll_sink: Callable[[Sequence[SourceSpec]], Awaitable[object]] | None = None,
    ) -> None:
        self.app = app
        self.ledger = ledger
        self.delivery = delivery
        self.slot_sink = slot_sink  # with a job queue: slots are handed to it instead of built here
        self.poll_sink = poll_sink  # with a job queue: due sources are handed to it instead of polled here
        self.grace = app.config.scheduler.misfire_grace_seconds
        self.schedules = {schedule.name: schedule for schedule in app.config.schedules}
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            jobstores={
                "default": SQLAlchemyJobStore(engine=app.store.engine, tablename=JOB_TABLE),
                SOURCES_STORE: MemoryJobStore(),
            },
            job_defaults={"coalesce": True, "misfire_grace_time": self.grace, "max_instances": MAX_INSTANCES},
        )
        self._slot_lock = asyncio.Lock()
        self._poll_lock = asyncio.Lock()
        self._tasks: set[asyncio.Future[object]] = set()

    async def start(self) -> None:
        """Register the jobs (keeping their catch-up), rebuild any slot lost to a crash, then start firing."""
        global _active
        _active = self
        self.scheduler.start(paused=True)
        now = datetime.now(UTC)
        self._reconcile(now)
        for name, slot in self._unbuilt_slots(now):
            fields = {"schedule": name, "slot": slot.isoformat()}
            logger.info("schedule %s: building the %s digest due while the bot was down", name, slot, extra=fields)
            self._spawn(self.run_slot(name, slot))
        if self.app.web_sources()[0]:
            self.scheduler.add_job(
                poll_sources,
                trigger=IntervalTrigger(seconds=POLL_CHECK_SECONDS, timezone=UTC),
                id=SOURCES_JOB,
                jobstore=SOURCES_STORE,
                next_run_time=now,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=POLL_CHECK_SECONDS,
                replace_existing=True,
            )
        self.scheduler.resume()
        for job in self.scheduler.get_jobs("default"):
            logger.info("schedule %s: next digest at %s", job.id, job.next_run_time)

    async def shutdown(self) -> None:
        """Stop firing; running slots are cancelled (the ledger makes them safe to redo)."""
        global _active
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for task in list(self._tasks):
            task.cancel()
        if _active is self:
            _active = None

    def _reconcile(self, now: datetime) -> None:
        for schedule in self.schedules.values():
            job = self.scheduler.get_job(schedule.name)
            if job is not None and job.name == job_name(schedule):
                if job.misfire_grace_time != self.grace or not job.coalesce:
                    self.scheduler.modify_job(schedule.name, misfire_grace_time=self.grace, coalesce=True)
                continue
            if job is not None:
                logger.info("schedule %s: timing changed to %r %s", schedule.name, schedule.cron, schedule.timezone)
            self.scheduler.add_job(
                run_schedule,
                trigger=cron_trigger(schedule.cron, schedule.timezone, start_date=now),
                args=[schedule.name],
                id=schedule.name,
                name=job_name(schedule),
                replace_existing=True,
                misfire_grace_time=self.grace,
                coalesce=True,
                max_instances=MAX_INSTANCES,
            )
        for job in self.scheduler.get_jobs("default"):
            if job.id not in self.schedules:
                logger.info("schedule %s is no longer configured; removing it", job.id)
                self.scheduler.remove_job(job.id)

    def _unbuilt_slots(self, now: datetime) -> list[tuple[str, datetime]]:
        """Due slots (within the grace) that the job store already moved past but the ledger never stored."""
        lost = []
        for job in self.scheduler.get_jobs("default"):
            slot = latest_slot(job.trigger, now, now - timedelta(seconds=self.grace))
            if slot is None or job.next_run_time is None or job.next_run_time <= slot:
                continue  # nothing due, or APScheduler will fire (and coalesce) it itself
            if not self.ledger.has_slot(job.id, slot):
                lost.append((job.id, slot))
        return lost

    def _spawn(self, coroutine: Coroutine[object, object, object]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run_due(self, name: str) -> None:
        """The job body: the slot is the schedule's latest fire time (APScheduler does not pass it)."""
        schedule = self.schedules.get(name)
        if schedule is None:
            logger.warning("schedule %s fired but is not configured", name)
            return
        now = datetime.now(UTC)
        trigger = cron_trigger(schedule.cron, schedule.timezone)
        slot = latest_slot(trigger, now, now - timedelta(seconds=self.grace + 1))
        if slot is None:
            logger.warning("schedule %s fired with no slot due within the grace period; skipped", name)
            return
        await self.run_slot(name, slot)

    async def run_slot(self, name: str, slot: datetime) -> SlotRecord | None:
        """Ingest, store the slot's digest and deliveries (once per slot), and hand them to delivery."""
        if self.slot_sink is not None:
            await self.slot_sink(name, slot)
            return None
        schedule = self.schedules[name]
        try:
            async with self._slot_lock:
                record = None
                if not await asyncio.to_thread(self.ledger.has_slot, name, slot):
                    report = await asyncio.to_thread(self.app.ingest_sources, False)
                    for rejected in report.rejected:
                        logger.warning("skipped %s", rejected)
                    record = await asyncio.to_thread(self.ledger.record_slot, slot_request(self.app, schedule, slot))
                    posted = sum(1 for d in record.deliveries if d.state != "skipped")
                    logger.info(
                        "schedule %s: stored the %s digest for %d channel(s)",
                        name,
                        slot.isoformat(),
                        posted,
                        extra={"schedule": name, "slot": slot.isoformat(), "digest_id": record.digest_id},
                    )
        except Exception:
            fields = {"schedule": name, "slot": slot.isoformat()}
            logger.exception("schedule %s: could not build the %s digest", name, slot.isoformat(), extra=fields)
            raise
        self.delivery.wake()
        return record


    async def poll_sources(self) -> None:
        """Poll the feeds and pages that are due (one poll at a time), or with a job queue hand them to it, and
        post alerts for failing sources (here only, so each is posted once, whoever polled)."""
        async with self._poll_lock:
            try:
                if self.poll_sink is None:
                    await asyncio.to_thread(self.app.poll_web_sources)
                else:
                    await self.poll_sink(await asyncio.to_thread(self.app.due_web_sources))
            except Exception as error:  # the next check retries; one line, never a traceback
                logger.error("polling the sources failed: %s: %s", type(error).__name__, error)
            alerts = await asyncio.to_thread(self.app.unannounced_alerts)
            channel = self.app.config.alerts.channel
            await post_alerts(channel, alerts, self.delivery.open_channel, self.app.mark_announced)


async def poll_sources() -> None:
    """The APScheduler job that polls due sources (in memory: it is re-added at every start)."""
    if _active is not None:
        await _active.poll_sources()


def slot_request(app: App, schedule: ScheduleConfig, slot: datetime) -> SlotRequest:
    """What the ledger stores for one slot of ``schedule``."""
    return SlotRequest(
        schedule=schedule.name,
        slot=slot,
        channels=tuple(schedule.channels),
        title=app.config.digest.title,
        max_items=schedule.max_items or app.config.digest.max_items,
        post_empty=schedule.post_empty,
        filter=ArticleFilter(tuple(schedule.sources), tuple(schedule.keywords), schedule.topic),
        cards=card_maker(app),
    )
