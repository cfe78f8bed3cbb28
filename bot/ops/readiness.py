"""Readiness: does the database answer, is its schema at the newest migration, how many deliveries wait."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, select, text

import digests.storage.store as store_module
from digests.storage.ledger import OPEN_STATES
from digests.storage.ledger_tables import DeliveryRow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Readiness:
    """One readiness check's answer."""

    database: str  # "ok" or "unreachable"
    migrations: str  # "current", "outdated" or "unknown"
    queue_depth: int | None
    reason: str | None = None

    @property
    def ready(self) -> bool:
        return self.database == "ok" and self.migrations == "current"


class DatabaseProbe:
    """Checks the database behind ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @cached_property
    def heads(self) -> set[str]:
        config = AlembicConfig()
        config.set_main_option("script_location", str(Path(store_module.__file__).with_name("migrations")))
        return set(ScriptDirectory.from_config(config).get_heads())

    def check(self) -> Readiness:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                current = set(MigrationContext.configure(connection).get_current_heads())
                depth = self._depth(connection) if current == self.heads else None
        except Exception as error:
            logger.warning("readiness: the database does not answer: %s", type(error).__name__)
            return Readiness("unreachable", "unknown", None, f"database: {type(error).__name__}")
        if current != self.heads:
            have, want = ",".join(sorted(current)) or "none", ",".join(sorted(self.heads))
            return Readiness("ok", "outdated", depth, f"schema at revision {have}, newest is {want}")
        return Readiness("ok", "current", depth)

    def queue_depth(self) -> int | None:
        try:
            with self.engine.connect() as connection:
                return self._depth(connection)
        except Exception:
            return None

    @staticmethod
    def _depth(connection: Connection) -> int:
        query = select(func.count()).select_from(DeliveryRow).where(DeliveryRow.state.in_(OPEN_STATES))
        return int(connection.execute(query).scalar() or 0)
