"""Scheduled digests with the real APScheduler (short cron intervals), the real database and test channels."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App
from bot.channels.base import DeliveryError
from bot.config import parse_config
from bot.delivery import LedgerDelivery, RetryPolicy
from bot.locks import FileSchedulerLock, PostgresSchedulerLock, scheduler_lock, wait_for_lock
from bot.runner import retry_policy
from bot.scheduler import DigestScheduler, cron_trigger, latest_slot
from digests.models import Digest
from digests.storage.ledger import FAILED, SENDING, SENT, Ledger

CHANNELS = ("console", "slack:#news")


class Crash(BaseException):
    """The process dies at this point (nothing after it runs, no handler catches it)."""


class RecordingChannel:
    """A channel that remembers what it was sent, and finds a message by its marker as Slack or Discord can."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.posts: list[tuple[str, Digest]] = []
        self.crash_before_post = False
        self.crash_after_post = False
        self.failures: list[DeliveryError] = []

    async def post_digest(self, digest: Digest, marker: str) -> str:
        if self.crash_before_post:
            raise Crash
        if self.failures:
            raise self.failures.pop(0)
        self.posts.append((marker, digest))
        if self.crash_after_post:
            raise Crash
        return f"{self.address}/{len(self.posts)}"

    async def find_marker(self, marker: str) -> str | None:
        for number, (posted, _) in enumerate(self.posts, start=1):
            if posted == marker:
                return f"{self.address}/{number}"
        return None

    def markers(self) -> list[str]:
        return [marker for marker, _ in self.posts]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


def make_app(url: str, cron: str = "*/2 * * * * *", grace: int = 60) -> App:
    text = f"""
[[schedules]]
name = "fast"
cron = "{cron}"
timezone = "UTC"
channels = {list(CHANNELS)!r}
post_empty = true

[scheduler]
misfire_grace_seconds = {grace}
retry_initial_seconds = 0.2
retry_max_seconds = 1
max_attempts = 3
""".replace("'", '"')
    return App(parse_config(text, "test config"), url)


def make_channels() -> dict[str, RecordingChannel]:
    return {address: RecordingChannel(address) for address in CHANNELS}


@contextlib.asynccontextmanager
async def running(app: App, channels: dict[str, RecordingChannel]) -> AsyncIterator[DigestScheduler]:
    """The bot's scheduler and delivery worker, as ``newsdigest run`` starts them."""
    ledger = Ledger(app.store)
    delivery = LedgerDelivery(ledger, channels.__getitem__, retry_policy(app))
    worker = asyncio.create_task(delivery.run(idle_seconds=0.2))
    scheduler = DigestScheduler(app, ledger, delivery)
    await scheduler.start()
    try:
        yield scheduler
    finally:
        await scheduler.shutdown()
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker


async def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.05)


def all_sent(ledger: Ledger) -> bool:
    return all(d.state == SENT for d in ledger.deliveries())


def assert_exactly_once(ledger: Ledger, channels: dict[str, RecordingChannel]) -> None:
    """Every stored slot reached every channel exactly once, and nothing else was posted."""
    slots = ledger.slots("fast")
    assert len(slots) == len(set(slots))
    for address, channel in channels.items():
        expected = sorted(d.marker for d in ledger.deliveries() if d.channel == address)
        assert sorted(channel.markers()) == expected, address
        assert len(expected) == len(slots)


def test_catch_up_after_downtime_exactly_once(db_url: str) -> None:
    async def scenario() -> None:
        app = make_app(db_url)
        channels = make_channels()
        ledger = Ledger(app.store)
        async with running(app, channels):
            await wait_until(lambda: len(ledger.slots("fast")) >= 1 and all_sent(ledger))
        down = datetime.now(UTC)
        await asyncio.sleep(4.5)  # at least two slots pass while the bot is down
        back = datetime.now(UTC)
        async with running(app, channels):
            await wait_until(lambda: any(s > down for s in ledger.slots("fast")) and all_sent(ledger), timeout=1.5)
            missed = [s for s in ledger.slots("fast") if down < s <= back]
            assert missed == [latest_slot(cron_trigger("*/2 * * * * *", "UTC"), back, down)]
            await wait_until(lambda: any(s > back for s in ledger.slots("fast")) and all_sent(ledger))
        assert_exactly_once(ledger, channels)
        app.close()

    asyncio.run(scenario())


def test_default_misfire_grace_would_drop_the_missed_slot(sqlite_url: str) -> None:
    """The APScheduler default we replace: with a 1 s grace the slot missed during downtime is never built."""

    async def scenario() -> None:
        app = make_app(sqlite_url, grace=1)
        channels = make_channels()
        ledger = Ledger(app.store)
        async with running(app, channels):
            await wait_until(lambda: len(ledger.slots("fast")) >= 1 and all_sent(ledger))
        down = datetime.now(UTC)
        await asyncio.sleep(4.5)
        back = datetime.now(UTC)
        async with running(app, channels):
            await asyncio.sleep(1.0)
            assert [s for s in ledger.slots("fast") if down < s <= back - timedelta(seconds=1.5)] == []
        app.close()

    asyncio.run(scenario())


def test_restart_keeps_the_pending_run_and_changed_cron_takes_effect(sqlite_url: str) -> None:
    async def scenario() -> None:
        app = make_app(sqlite_url, cron="0 8 * * *")
        async with running(app, make_channels()) as first:
            job = first.scheduler.get_job("fast")
            assert job is not None
            before = job.next_run_time
        async with running(make_app(sqlite_url, cron="0 8 * * *"), make_channels()) as second:
            again = second.scheduler.get_job("fast")
            assert again is not None and again.next_run_time == before
        async with running(make_app(sqlite_url, cron="30 6 * * 1-5"), make_channels()) as third:
            changed = third.scheduler.get_job("fast")
            assert changed is not None and changed.next_run_time != before
            assert changed.next_run_time.astimezone(UTC).strftime("%H:%M %a") in {
                f"06:30 {day}" for day in ("Mon", "Tue", "Wed", "Thu", "Fri")
            }
        app.close()

    asyncio.run(scenario())


def test_slot_lost_between_job_store_update_and_job_start_is_built_at_start(sqlite_url: str) -> None:
    """APScheduler advances next_run_time before the job runs; a crash in between must not lose the slot."""

    async def scenario() -> None:
        app = make_app(sqlite_url)
        channels = make_channels()
        ledger = Ledger(app.store)
        async with running(app, channels):
            await wait_until(lambda: len(ledger.slots("fast")) >= 1 and all_sent(ledger))
        await asyncio.sleep(2.5)
        now = datetime.now(UTC)
        due = latest_slot(cron_trigger("*/2 * * * * *", "UTC"), now, now - timedelta(seconds=60))
        assert due is not None and due not in ledger.slots("fast")
        # What the crash leaves: the job store already points past the due slot, the ledger never saw it.
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

        from bot.scheduler import JOB_TABLE

        store = AsyncIOScheduler(
            timezone=UTC, jobstores={"default": SQLAlchemyJobStore(engine=app.store.engine, tablename=JOB_TABLE)}
        )
        store.start(paused=True)
        store.modify_job("fast", next_run_time=due + timedelta(seconds=2))
        store.shutdown(wait=False)
        async with running(app, channels):
            await wait_until(lambda: due in ledger.slots("fast") and all_sent(ledger), timeout=1.9)
        assert_exactly_once(ledger, channels)
        app.close()

    asyncio.run(scenario())


def test_double_fire_for_one_slot_creates_no_second_delivery(db_url: str) -> None:
    async def scenario() -> None:
        app = make_app(db_url, cron="0 8 * * *")
        channels = make_channels()
        ledger = Ledger(app.store)
        slot = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5)
        async with running(app, channels) as scheduler:
            await asyncio.gather(*(scheduler.run_slot("fast", slot) for _ in range(3)))
            await wait_until(lambda: all_sent(ledger))
            await scheduler.run_slot("fast", slot)
            await asyncio.sleep(0.3)
        assert len(ledger.deliveries()) == len(CHANNELS)
        assert [len(c.posts) for c in channels.values()] == [1, 1]
        app.close()

    asyncio.run(scenario())


def recorded_slot(url: str, channels: dict[str, RecordingChannel]) -> tuple[App, Ledger]:
    app = make_app(url, cron="0 8 * * *")
    ledger = Ledger(app.store)
    app.ingest_sources()
    from bot.scheduler import slot_request

    ledger.record_slot(slot_request(app, app.config.schedules[0], datetime(2026, 6, 1, 8, tzinfo=UTC)))
    return app, ledger


def test_crash_between_post_and_mark_sent_does_not_repost(db_url: str) -> None:
    channels = make_channels()
    app, ledger = recorded_slot(db_url, channels)
    channels["slack:#news"].crash_after_post = True
    with pytest.raises(Crash):
        asyncio.run(LedgerDelivery(ledger, channels.__getitem__).deliver_due())
    assert {d.channel: d.state for d in ledger.deliveries()}["slack:#news"] == SENDING
    channels["slack:#news"].crash_after_post = False
    asyncio.run(LedgerDelivery(ledger, channels.__getitem__).deliver_due())  # the restarted bot
    assert all_sent(ledger)
    assert [len(c.posts) for c in channels.values()] == [1, 1]
    sent = {d.channel: d.message_id for d in ledger.deliveries()}
    assert sent["slack:#news"] == "slack:#news/1"
    app.close()


def test_crash_before_post_posts_on_restart(db_url: str) -> None:
    channels = make_channels()
    app, ledger = recorded_slot(db_url, channels)
    channels["console"].crash_before_post = True
    with pytest.raises(Crash):
        asyncio.run(LedgerDelivery(ledger, channels.__getitem__).deliver_due())
    assert [d.state for d in ledger.deliveries() if d.channel == "console"] == [SENDING]
    channels["console"].crash_before_post = False
    asyncio.run(LedgerDelivery(ledger, channels.__getitem__).deliver_due())
    assert all_sent(ledger)
    assert [len(c.posts) for c in channels.values()] == [1, 1]
    app.close()


def test_transient_failures_retry_with_backoff_permanent_ones_fail(sqlite_url: str) -> None:
    channels = make_channels()
    app, ledger = recorded_slot(sqlite_url, channels)
    channels["console"].failures = [DeliveryError("console", "HTTP 503", permanent=False)] * 2
    channels["slack:#news"].failures = [DeliveryError("slack:#news", "channel_not_found", permanent=True)]
    policy = RetryPolicy(initial=0.2, maximum=1.0, max_attempts=5)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [0.2, 0.4, 0.8, 1.0]

    async def scenario() -> None:
        delivery = LedgerDelivery(ledger, channels.__getitem__, policy)
        worker = asyncio.create_task(delivery.run(idle_seconds=0.1))
        started = time.monotonic()
        await wait_until(lambda: all(d.state in (SENT, FAILED) for d in ledger.deliveries()), timeout=5)
        elapsed = time.monotonic() - started
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        assert elapsed >= 0.2 + 0.4 - 0.05  # it waited between attempts

    asyncio.run(scenario())
    states = {d.channel: d for d in ledger.deliveries()}
    assert (states["console"].state, states["console"].attempts) == (SENT, 3)
    assert (states["slack:#news"].state, states["slack:#news"].last_error) == (FAILED, "channel_not_found")
    assert len(channels["console"].posts) == 1 and channels["slack:#news"].posts == []
    app.close()


def test_weekday_numbers_follow_crontab() -> None:
    saturday = datetime(2026, 6, 6, 12, tzinfo=UTC)
    weekdays = cron_trigger("0 8 * * 1-5", "Europe/London")
    assert weekdays.get_next_fire_time(None, saturday).strftime("%a %H:%M") == "Mon 08:00"
    assert cron_trigger("0 8 * * 0", "UTC").get_next_fire_time(None, saturday).strftime("%a") == "Sun"
    assert cron_trigger("0 8 * * 7", "UTC").get_next_fire_time(None, saturday).strftime("%a") == "Sun"
    assert cron_trigger("*/15 0 8 * * *", "UTC").get_next_fire_time(None, saturday).strftime("%H:%M:%S") == "08:00:00"
    with pytest.raises(ValueError, match="expected 5 fields"):
        cron_trigger("0 8 * *", "UTC")


def test_file_lock_standby_takes_over(tmp_path: Path) -> None:
    async def scenario() -> None:
        first = FileSchedulerLock(tmp_path / "db.scheduler.lock")
        second = FileSchedulerLock(tmp_path / "db.scheduler.lock")
        assert first.try_acquire()
        stop = asyncio.Event()
        standby = asyncio.create_task(wait_for_lock(second, stop, 0.05))
        await asyncio.sleep(0.3)
        assert not standby.done()
        first.release()
        assert await asyncio.wait_for(standby, 2)
        assert second.still_held()
        second.release()

    asyncio.run(scenario())


def test_postgres_advisory_lock_is_released_with_its_connection(postgres_url: str) -> None:
    first = scheduler_lock(postgres_url)
    second = scheduler_lock(postgres_url)
    assert isinstance(first, PostgresSchedulerLock)
    assert first.try_acquire() and first.still_held()
    assert not second.try_acquire()
    first.release()  # as when the holder dies: its session ends
    assert second.try_acquire()
    second.release()


def newsdigest_process(cwd: Path, config: Path, log: Path, database: str | None = None) -> subprocess.Popen[bytes]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "NEWSDIGEST_"))}
    environment.pop("DATABASE_URL", None)
    if database:
        environment["DATABASE_URL"] = database
    with log.open("wb") as stream:
        return subprocess.Popen(
            [sys.executable, "-c", "from bot.cli import main; main()", "--config", str(config), "run"],
            cwd=cwd,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stream,
        )


def wait_for_line(log: Path, text: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never appeared in {log.name}:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_second_run_waits_as_standby_and_takes_over_when_the_first_dies(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    database = str(request.getfixturevalue("postgres_url")) if backend == "postgresql" else None
    config = tmp_path / "newsdigest.toml"
    config.write_text(
        '[[schedules]]\nname = "fast"\ncron = "* * * * * *"\nchannels = ["console"]\npost_empty = true\n'
        "[scheduler]\nlock_poll_seconds = 0.2\n"
    )
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = newsdigest_process(tmp_path, config, first_log, database)
    second = None
    try:
        wait_for_line(first_log, "posted the fast@")
        second = newsdigest_process(tmp_path, config, second_log, database)
        wait_for_line(second_log, "waiting as standby")
        assert "posted" not in second_log.read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        wait_for_line(second_log, "took over the schedules")
        wait_for_line(second_log, "posted the fast@")
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0
        assert "newsdigest stopped" in second_log.read_text()
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    assert second_log.read_text().count("waiting as standby") == 1
    lock = "PostgreSQL advisory lock" if database else "file lock"
    assert lock in second_log.read_text()
