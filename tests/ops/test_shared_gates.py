"""Rate limits kept in PostgreSQL: two engines (as two worker processes would) share one window per key.

Slots are the database's timestamps, so the window rule is checked exactly on them, not on how long the test ran.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from bot.app import App
from bot.config import parse_config
from bot.jobs.shared_gates import PacingUnavailable, Reservation, SharedGates, SharedWindow, gates_for, reserve
from bot.pacing import LocalGates
from digests.storage import Store
from digests.storage.store import create_database_engine


@pytest.fixture
def engines(postgres_url: str) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one migrated PostgreSQL database: no pooled connection is shared between them."""
    Store(postgres_url).close()  # migrates
    first, second = create_database_engine(postgres_url), create_database_engine(postgres_url)
    yield first, second
    first.dispose()
    second.dispose()


def rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        found = connection.execute(text("SELECT gate, count(*) FROM pacing_slots GROUP BY gate"))
        return {gate: count for gate, count in found}


def assert_window(slots: list[datetime], limit: int, period: float) -> None:
    """No ``limit + 1`` slots within one ``period``: any ``limit + 1`` consecutive slots span at least it."""
    ordered = sorted(slots)
    spans = [ordered[i + limit] - ordered[i] for i in range(len(ordered) - limit)]
    assert spans and min(spans) >= timedelta(seconds=period), spans


def test_two_engines_with_racing_threads_never_exceed_the_window(engines: tuple[Engine, Engine]) -> None:
    limit, period, threads, each = 3, 0.2, 3, 6
    taken: dict[tuple[int, int], list[Reservation]] = {}
    start = threading.Barrier(2 * threads)

    def reserve_many(engine_number: int, thread_number: int) -> None:
        start.wait()
        mine = taken.setdefault((engine_number, thread_number), [])
        for _ in range(each):
            mine.append(reserve(engines[engine_number], "test.window:k", limit, period))

    workers = [
        threading.Thread(target=reserve_many, args=(e, t)) for e in range(len(engines)) for t in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    reservations = [r for mine in taken.values() for r in mine]
    assert len(reservations) == 2 * threads * each
    assert_window([r.slot for r in reservations], limit, period)
    for mine in taken.values():  # one caller's reservations follow each other
        assert [r.slot for r in mine] == sorted(r.slot for r in mine)
        assert all(r.slot >= r.reserved_at for r in mine)
    # the slots queue up a period per `limit` callers, as no call went (the threads never slept)
    slots = sorted(r.slot for r in reservations)
    assert slots[-1] - slots[0] >= timedelta(seconds=period * (len(slots) // limit - 1))
    assert rows(engines[0]) == {"test.window:k": limit}  # bounded: only the latest `limit` slots are kept


def test_keys_are_independent_and_each_keeps_at_most_limit_rows(engines: tuple[Engine, Engine]) -> None:
    first, second = engines
    period = timedelta(seconds=10)
    earlier = [reserve(first if n % 2 else second, "test.keys:a", 2, 10.0) for n in range(5)]
    assert [r.delay for r in earlier[:2]] == [0, 0] and all(r.delay > 0 for r in earlier[2:])
    fresh = reserve(first, "test.keys:b", 2, 10.0)
    assert fresh.delay == 0  # key b's first call goes at once, whatever key a has queued
    late = reserve(second, "test.keys:a", 2, 10.0)
    assert late.slot == earlier[3].slot + period == earlier[1].slot + 2 * period  # the 2nd-latest slot + a period
    assert rows(first) == {"test.keys:a": 2, "test.keys:b": 1}


def test_callers_in_one_process_reserve_in_arrival_order(engines: tuple[Engine, Engine]) -> None:
    window = SharedGates(engines[0]).window("test.order", 1, 0.05)
    assert isinstance(window, SharedWindow)

    async def scenario() -> list[Reservation]:
        return list(await asyncio.gather(*(window.reserve("k") for _ in range(8))))

    slots = [r.slot for r in asyncio.run(scenario())]
    assert slots == sorted(slots) and len(set(slots)) == len(slots)
    assert_window(slots, 1, 0.05)


def test_wait_returns_only_once_the_slot_has_come_by_the_database_clock(engines: tuple[Engine, Engine]) -> None:
    first, second = engines
    gates = [SharedGates(first), SharedGates(second)]

    async def scenario() -> None:
        for gates_of_a_process in (*gates, *gates):
            await gates_of_a_process.window("test.wait", 1, 0.3).wait("k")

    asyncio.run(scenario())
    with first.connect() as connection:
        latest, now = connection.execute(
            text("SELECT max(slot_at), clock_timestamp() FROM pacing_slots WHERE gate = 'test.wait:k'")
        ).one()
    assert now >= latest  # the fourth call's slot (3 periods after the first) had passed when its wait returned


def test_an_unreachable_database_is_one_clear_error(postgres_url: str) -> None:
    engine = create_database_engine(postgres_url.rsplit("/", 1)[0] + "/newsdigest_no_such_database")
    window = SharedGates(engine).window("test.down", 1, 1.0)
    with pytest.raises(PacingUnavailable) as raised:
        asyncio.run(window.wait("k"))
    assert "did not answer (OperationalError)" in str(raised.value) and "\n" not in str(raised.value)
    engine.dispose()


def test_shared_gates_refuse_sqlite(store: Store) -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        SharedGates(store.engine)


@pytest.mark.parametrize(
    ("queue", "database", "shared"), [(True, "pg", True), (False, "pg", False), (True, "sqlite", False)]
)
def test_processes_share_gates_when_slots_go_to_the_job_queue(
    queue: bool, database: str, shared: bool, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("postgres_url" if database == "pg" else "sqlite_url")
    app = App(parse_config(f"[queue]\nenabled = {str(queue).lower()}\n", "t"), url)
    try:
        assert isinstance(gates_for(app), SharedGates if shared else LocalGates)
    finally:
        app.close()
