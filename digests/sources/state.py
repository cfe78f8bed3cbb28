"""Each source's fetch state in the store: validators, last result, next poll, consecutive failures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import datetime

from sqlalchemy import select, update

from digests.sources.settings import Validators
from digests.storage import Store
from digests.storage.source_tables import SourceStateRow
from digests.storage.store import as_utc


@dataclass
class SourceState:
    """What newsdigest remembers about one source between polls."""

    url: str
    kind: str
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    last_fetch_at: datetime | None = None
    last_status: int | None = None
    last_new: int = 0
    last_error: str | None = None
    next_poll_at: datetime | None = None
    not_before: datetime | None = None
    failures: int = 0
    failing: bool = False
    announced: bool = False

    @property
    def validators(self) -> Validators:
        return Validators(self.etag, self.last_modified)


NAMES = tuple(f.name for f in fields(SourceState))
MOMENTS = ("last_fetch_at", "next_poll_at", "not_before")
# What a poll writes over a stored row: ``announced`` belongs to whoever posts the alerts (a poll in another
# process must not undo it), and ``last_new`` is left alone while stored articles are counted in (count_new).
POLLED = tuple(name for name in NAMES if name != "announced")


class SourceStates:
    """Load and save :class:`SourceState` rows (one query for many sources)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def load(self, urls: Iterable[str]) -> dict[str, SourceState]:
        wanted = list(dict.fromkeys(urls))
        found: dict[str, SourceState] = {}
        with self.store.session() as session:
            for start in range(0, len(wanted), 500):
                query = select(SourceStateRow).where(SourceStateRow.url.in_(wanted[start : start + 500]))
                for row in session.scalars(query):
                    found[row.url] = to_state(row)
        return found

    def all(self) -> list[SourceState]:
        with self.store.session() as session:
            return [to_state(row) for row in session.scalars(select(SourceStateRow).order_by(SourceStateRow.id))]

    def unannounced(self, limit: int = 50) -> list[SourceState]:
        """Sources whose failing state changed since the last alert posted about them (oldest first)."""
        query = (
            select(SourceStateRow)
            .where(SourceStateRow.failing != SourceStateRow.announced)
            .order_by(SourceStateRow.id)
            .limit(limit)
        )
        with self.store.session() as session:
            return [to_state(row) for row in session.scalars(query)]

    def mark_announced(self, url: str, failing: bool) -> None:
        """Record that an alert for ``url`` being failing (or recovered) was posted."""
        statement = update(SourceStateRow).where(SourceStateRow.url == url).values(announced=failing)
        with self.store.session() as session, session.begin():
            session.execute(statement)

    def save(self, states: Iterable[SourceState], with_counts: bool = True) -> None:
        """Write the states a poll made (a new source's row with every field; never ``announced`` over a stored
        one). Without ``with_counts`` a stored ``last_new`` is kept: see :meth:`start_count`."""
        states = list(states)
        if not states:
            return
        names = POLLED if with_counts else tuple(name for name in POLLED if name != "last_new")
        with self.store.session() as session, session.begin():
            query = select(SourceStateRow).where(SourceStateRow.url.in_([state.url for state in states]))
            rows = {row.url: row for row in session.scalars(query)}
            for state in states:
                row = rows.get(state.url)
                if row is None:
                    session.add(SourceStateRow(**{name: getattr(state, name) for name in NAMES}))
                    continue
                for name in names:
                    setattr(row, name, getattr(state, name))

    def start_count(self, state: SourceState) -> None:
        """Before a poll's articles are stored elsewhere (e.g. by analysis jobs): save ``state`` as it was loaded
        (a new source gets its row) with ``last_new`` at zero, for :meth:`count_new` to add to."""
        self.save([replace(state, last_new=0)])

    def count_new(self, url: str, count: int = 1) -> None:
        """Add ``count`` new or updated articles to the source's ``last_new`` (one atomic update)."""
        statement = (
            update(SourceStateRow).where(SourceStateRow.url == url).values(last_new=SourceStateRow.last_new + count)
        )
        with self.store.session() as session, session.begin():
            session.execute(statement)


def to_state(row: SourceStateRow) -> SourceState:
    values = {name: getattr(row, name) for name in NAMES}
    for name in MOMENTS:
        values[name] = as_utc(values[name])
    return SourceState(**values)
