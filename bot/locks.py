"""One scheduler at a time: a PostgreSQL advisory lock, or a file lock next to the SQLite file.

APScheduler 3 must not share its job store between two scheduler processes, so a second
``newsdigest run`` waits here as a standby and takes over when the first one dies (the
operating system drops a dead process's file lock; PostgreSQL drops the advisory lock with
the dead process's connection).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Protocol

from filelock import FileLock, Timeout
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

logger = logging.getLogger(__name__)

# A fixed 64-bit key for pg_advisory_lock; advisory locks are per database.
ADVISORY_KEY = 0x6E65777364696701  # "newsdig" + 1


class SchedulerLock(Protocol):
    """A lock held for as long as this process runs the schedules."""

    description: str

    def try_acquire(self) -> bool: ...

    def still_held(self) -> bool: ...

    def release(self) -> None: ...


class FileSchedulerLock:
    """An OS file lock (``flock``) on ``PATH.scheduler.lock``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"file lock {path}"
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(path), thread_local=False)

    def try_acquire(self) -> bool:
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return False
        return True

    def still_held(self) -> bool:
        return self._lock.is_locked

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)


class PostgresSchedulerLock:
    """``pg_try_advisory_lock`` on a dedicated connection kept open while the lock is held."""

    def __init__(self, url: str) -> None:
        self.description = "PostgreSQL advisory lock"
        self._engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        if self._connection is None:
            self._connection = self._engine.connect()
        got = bool(self._connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar())
        if not got:
            self._connection.close()
            self._connection = None
        return got

    def still_held(self) -> bool:
        if self._connection is None:
            return False
        try:
            query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
            return bool(self._connection.execute(query).scalar())
        except Exception:  # the connection is gone, and the lock with it
            logger.exception("lost the connection holding the scheduler lock")
            return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            except Exception:
                logger.debug("advisory unlock failed; closing the connection releases it", exc_info=True)
            self._connection.close()
            self._connection = None
        self._engine.dispose()


def scheduler_lock(database_url: str) -> SchedulerLock:
    """The right lock for the database: advisory on PostgreSQL, a file next to a SQLite file."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PostgresSchedulerLock(database_url)
    database = url.database or ""
    if database in ("", ":memory:"):
        return FileSchedulerLock(Path("newsdigest-memory.scheduler.lock").resolve())
    return FileSchedulerLock(Path(database).resolve().with_name(Path(database).name + ".scheduler.lock"))


async def wait_for_lock(lock: SchedulerLock, stop: asyncio.Event, poll_seconds: float) -> bool:
    """Take ``lock``, waiting as a standby while another process holds it; False if ``stop`` came first."""
    announced = False
    while not stop.is_set():
        if await asyncio.to_thread(lock.try_acquire):
            if announced:
                logger.info("took over the schedules (%s)", lock.description)
            return True
        if not announced:
            logger.info("another newsdigest run holds the schedules (%s); waiting as standby", lock.description)
            announced = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), poll_seconds)
    return False
