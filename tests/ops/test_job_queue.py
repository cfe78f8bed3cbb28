"""The job queue's bookkeeping on PostgreSQL: batched delivery jobs, and the sweep that finds deliveries without one."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.jobs.queue import JobQueue, ensure_schema, orphaned_deliveries, queue_app
from digests.storage import Store
from digests.storage.ledger import Delivery, Ledger, SlotRequest

CHANNELS = ("slack:#one", "slack:#two", "discord:123456789012345678", "console")
SLOT = datetime(2026, 6, 1, 8, tzinfo=UTC)


@pytest.fixture
def ledger(postgres_url: str) -> Iterator[Ledger]:
    store = Store(postgres_url)
    yield Ledger(store)
    store.close()


def stored_deliveries(ledger: Ledger) -> list[Delivery]:
    record = ledger.record_slot(SlotRequest("morning", SLOT, CHANNELS, post_empty=True))
    return sorted(record.deliveries, key=lambda d: d.id)


def queued_locks(ledger: Ledger) -> list[str]:
    from sqlalchemy import text

    with ledger.store.engine.connect() as connection:
        rows = connection.execute(text("SELECT queueing_lock FROM procrastinate_jobs WHERE status = 'todo'"))
        return sorted(row[0] for row in rows)


def test_delivery_jobs_are_queued_once_each_and_the_sweep_skips_queued_ones(ledger: Ledger) -> None:
    deliveries = stored_deliveries(ledger)
    app = queue_app(ledger.store.url)
    ensure_schema(ledger.store.engine, app)
    later = datetime.now(UTC) + timedelta(hours=1)  # every delivery counts as quiet

    async def scenario() -> tuple[int, int, list[int], list[int]]:
        async with app.open_async():
            queue = JobQueue(app)
            first = await queue.enqueue_deliveries(deliveries[:2])
            orphans = [d.id for d in await asyncio.to_thread(orphaned_deliveries, ledger, later)]
            again = await queue.enqueue_deliveries(deliveries)  # a repeated slot job: only the missing ones
            left = [d.id for d in await asyncio.to_thread(orphaned_deliveries, ledger, later)]
            return first, again, orphans, left

    first, again, orphans, left = asyncio.run(scenario())
    assert first == 2
    assert orphans == [d.id for d in deliveries[2:]]
    assert again == len(deliveries) - 2
    assert left == []
    assert queued_locks(ledger) == sorted(f"delivery:{d.id}" for d in deliveries)


def test_the_sweep_leaves_recent_and_finished_deliveries_alone(ledger: Ledger) -> None:
    deliveries = stored_deliveries(ledger)
    ensure_schema(ledger.store.engine, queue_app(ledger.store.url))
    assert orphaned_deliveries(ledger, datetime.now(UTC) - timedelta(hours=1)) == []  # stored just now
    ledger.mark_sent(deliveries[0].id, "m1")
    later = datetime.now(UTC) + timedelta(hours=1)
    assert [d.id for d in orphaned_deliveries(ledger, later)] == [d.id for d in deliveries[1:]]
    assert [d.id for d in orphaned_deliveries(ledger, later, limit=1)] == [deliveries[1].id]


def test_a_dead_workers_job_is_restarted_once_when_every_process_sweeps_at_once(ledger: Ledger) -> None:
    from sqlalchemy import text

    deliveries = stored_deliveries(ledger)
    apps = [queue_app(ledger.store.url) for _ in range(3)]
    ensure_schema(ledger.store.engine, apps[0])

    async def scenario() -> list[int]:
        async with apps[0].open_async(), apps[1].open_async(), apps[2].open_async():
            await JobQueue(apps[0]).enqueue_deliveries(deliveries[:1])
            dead = await apps[0].job_manager.register_worker()
            job = await apps[0].job_manager.fetch_job(None, dead)
            assert job is not None
            await asyncio.to_thread(stop_heartbeats, dead)
            return await asyncio.gather(*(JobQueue(app).enqueue_due(ledger, stalled_seconds=60) for app in apps))

    def stop_heartbeats(worker_id: int) -> None:
        with ledger.store.engine.begin() as connection:
            connection.execute(
                text("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour' WHERE id = :id"),
                {"id": worker_id},
            )

    restarted = asyncio.run(scenario())
    assert sum(restarted) == 1  # the others saw the sweep taken, or the job already waiting
    with ledger.store.engine.connect() as connection:
        states = connection.execute(text("SELECT status, queueing_lock FROM procrastinate_jobs")).all()
    assert [tuple(row) for row in states] == [("todo", f"delivery:{deliveries[0].id}")]
