"""Rate limits shared by every process on one PostgreSQL database (worker mode).

The same rule as :class:`bot.pacing.Window`, at most ``limit`` calls per ``period`` seconds for each key, kept in
the table ``pacing_slots`` so that any number of ``newsdigest worker`` processes (and the scheduler) keep to a
platform's limits together. For each gate (a rule's name and a key: ``discord.channel:123``) the table holds the
latest ``limit`` reserved slots. A caller takes the gate's advisory lock, reserves
``slot = max(now, the limit-th latest slot + period)``, drops the older slots, commits, then sleeps until its slot.
``now`` is the database's clock, so workers on machines whose clocks disagree still agree on the slots.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot.pacing import MAX_KEYS, Gates, LocalGates

if TYPE_CHECKING:
    from bot.app import App

LOCK_SPACE = 0x6E64  # the first key of the two-key advisory locks taken here (two-key locks never meet one-key ones)
LOCK = text("SELECT pg_advisory_xact_lock(:space, hashtext(:gate))")
LATEST = text(
    "WITH latest AS (SELECT slot_at FROM pacing_slots WHERE gate = :gate ORDER BY slot_at DESC, id DESC"
    " LIMIT :limit) SELECT clock_timestamp(), (SELECT count(*) FROM latest), (SELECT min(slot_at) FROM latest)"
)
# Slots are soft state: their commit need not wait for the disk (a database crash may forget the last few, which
# costs at most one early call). Deliveries and jobs keep durable commits.
NO_FLUSH_WAIT = text("SET LOCAL synchronous_commit TO OFF")
INSERT = text("INSERT INTO pacing_slots (gate, slot_at) VALUES (:gate, :slot)")
PRUNE = text(
    "DELETE FROM pacing_slots WHERE gate = :gate AND id NOT IN"
    " (SELECT id FROM pacing_slots WHERE gate = :gate ORDER BY slot_at DESC, id DESC LIMIT :limit)"
)


class PacingUnavailable(RuntimeError):
    """The database keeping the shared rate limits did not answer; the call is not made (and is retried later)."""


@dataclass(frozen=True)
class Reservation:
    """A reserved slot, and the database's clock when it was reserved."""

    slot: datetime
    reserved_at: datetime

    @property
    def delay(self) -> float:
        """Seconds to wait for the slot."""
        return max(0.0, (self.slot - self.reserved_at).total_seconds())


def reserve(engine: Engine, gate: str, limit: int, period: float) -> Reservation:
    """Reserve the next slot of ``gate`` in one short transaction, serialised per gate by an advisory lock."""
    with engine.begin() as connection:
        connection.execute(NO_FLUSH_WAIT)
        connection.execute(LOCK, {"space": LOCK_SPACE, "gate": gate})
        row = connection.execute(LATEST, {"gate": gate, "limit": limit}).one()
        now: datetime = row[0]
        slot = now
        if row[1] >= limit:
            oldest: datetime = row[2]
            slot = max(now, oldest + timedelta(seconds=period))
        connection.execute(INSERT, {"gate": gate, "slot": slot})
        connection.execute(PRUNE, {"gate": gate, "limit": limit})
    return Reservation(slot, now)


class SharedWindow:
    """At most ``limit`` calls per ``period`` seconds for each key, over every process using the database.

    Callers in this process reserve one at a time per key (in arrival order), so they take one database
    connection per key at most; callers in other processes queue on the gate's advisory lock.
    """

    def __init__(self, engine: Engine, name: str, limit: int, period: float) -> None:
        self.engine = engine
        self.name = name
        self.limit = limit
        self.period = period
        self._turns: dict[str, asyncio.Lock] = {}

    def gate(self, key: Hashable) -> str:
        """The row key of ``key``: ``discord.channel:123``."""
        return f"{self.name}:{key}"

    async def reserve(self, key: Hashable) -> Reservation:
        """Reserve ``key``'s next slot without waiting for it."""
        gate = self.gate(key)
        if len(self._turns) >= MAX_KEYS:
            self._turns = {g: lock for g, lock in self._turns.items() if lock.locked()}
        turn = self._turns.setdefault(gate, asyncio.Lock())
        async with turn:
            try:
                return await asyncio.to_thread(reserve, self.engine, gate, self.limit, self.period)
            except SQLAlchemyError as error:
                cause = type(getattr(error, "orig", None) or error).__name__
                reason = f"the database keeping the shared rate limits did not answer ({cause})"
                raise PacingUnavailable(reason) from None

    async def wait(self, key: Hashable) -> None:
        """Return once a call for ``key`` keeps the last ``period`` seconds at or under ``limit`` calls (in every
        process together)."""
        if self.period <= 0:
            return
        reservation = await self.reserve(key)
        if reservation.delay > 0:
            await asyncio.sleep(reservation.delay)


class SharedGates:
    """Gates kept in the PostgreSQL database behind ``engine``: for ``newsdigest worker``, and for the scheduler
    in queue mode."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("shared rate limits need PostgreSQL")
        self.engine = engine
        self._windows: dict[tuple[str, int, float], SharedWindow] = {}

    def window(self, name: str, limit: int, period: float) -> SharedWindow:
        window = self._windows.get((name, limit, period))
        if window is None:
            window = self._windows[name, limit, period] = SharedWindow(self.engine, name, limit, period)
        return window


def gates_for(app: App) -> Gates:
    """The gates of a process that posts: shared through the database when slots go to the job queue (``[queue]
    enabled`` on PostgreSQL), so the scheduler, the workers and one-off commands keep to the limits together;
    else this process's own."""
    if app.config.queue.enabled and app.store.engine.dialect.name == "postgresql":
        return SharedGates(app.store.engine)
    return LocalGates()
