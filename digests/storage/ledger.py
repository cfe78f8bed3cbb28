"""The delivery ledger (an outbox): digests are stored per schedule slot first, then delivered once per channel.

A delivery's key is (schedule, slot, channel); its state goes pending -> sending -> sent or failed
(``skipped`` when the window was empty and the schedule does not post empty digests). Every article
a channel has been given is recorded, so the same channel's digests never repeat it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from digests.digest import CardFile, CardMaker, build_digest
from digests.grouping.groups import first_of_each_story
from digests.models import Digest, DigestItem, Figure, StoredArticle, public_source
from digests.storage.ledger_tables import DeliveredArticleRow, DeliveryRow, DigestRunRow
from digests.storage.store import Store, as_utc, to_stored
from digests.storage.stories import delivered_stories, outlets_by_article, stories_of
from digests.storage.tables import ArticleRow

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"
OPEN_STATES = (PENDING, SENDING)
ONE_OFF_SCHEDULE = "once"

logger = logging.getLogger(__name__)


class LedgerError(ValueError):
    """A ledger request that cannot be honoured, worded for the person who made it."""


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles a schedule wants: any of ``sources``, any of ``keywords``, and the ``topic`` (all optional)."""

    sources: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    topic: str | None = None

    def matches(self, stored: StoredArticle) -> bool:
        article = stored.article
        if self.sources and not any(self._from_source(article.source, article.outlet, s) for s in self.sources):
            return False
        text = f"{article.title}\n{article.body}"
        if self.keywords and not any(contains_words(text, keyword) for keyword in self.keywords):
            return False
        if self.topic:
            folders = [part.lower() for part in re.split(r"[\\/]", article.source)[:-1]]
            if self.topic.lower() not in folders and not contains_words(text, self.topic):
                return False
        return True

    @staticmethod
    def _from_source(source: str, outlet: str | None, wanted: str) -> bool:
        wanted = wanted.strip().rstrip("/")
        return source == wanted or source.startswith(wanted + "/") or (outlet or "").lower() == wanted.lower()


def contains_words(text: str, words: str) -> bool:
    """Whether ``words`` occur in ``text`` as whole words, ignoring case."""
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words.split()) + r"(?!\w)"
    return bool(words.strip()) and re.search(pattern, text, re.IGNORECASE) is not None


@dataclass(frozen=True)
class SlotRequest:
    """What to store for one slot of one schedule.

    With ``article_ids`` (a one-off run) exactly those articles go to every channel; otherwise the window is
    the articles that arrived since the schedule's previous slot, filtered, minus what each channel already
    had, newest ``max_items`` kept.
    """

    schedule: str
    slot: datetime
    channels: tuple[str, ...]
    title: str = "News digest"
    max_items: int = 10
    post_empty: bool = False
    filter: ArticleFilter = ArticleFilter()
    article_ids: tuple[int, ...] | None = None
    first_attempt_at: datetime | None = None
    cards: CardMaker | None = None  # makes the chosen articles' quote cards, shown with each item


@dataclass(frozen=True)
class Delivery:
    """One row of the ledger."""

    id: int
    digest_id: int
    schedule: str
    slot: datetime
    channel: str
    article_ids: tuple[int, ...]
    state: str
    message_id: str | None
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def marker(self) -> str:
        """The delivery key as carried in the posted message (the channel is where it is looked for)."""
        return delivery_marker(self.schedule, self.slot)


def delivery_marker(schedule: str, slot: datetime) -> str:
    """``morning@20260601T070000Z``; fractions of a second only when the slot has them (one-off runs)."""
    slot = slot.astimezone(UTC)
    fraction = f".{slot.microsecond:06d}" if slot.microsecond else ""
    return f"{schedule}@{slot:%Y%m%dT%H%M%S}{fraction}Z"


@dataclass(frozen=True)
class SlotRecord:
    """The stored digest of a slot and its deliveries; ``created`` is False when the slot was already stored."""

    digest_id: int
    created: bool
    deliveries: tuple[Delivery, ...]


def now_utc() -> datetime:
    return datetime.now(UTC)


def utc(moment: datetime) -> datetime:
    aware = as_utc(moment)
    assert aware is not None
    return aware.astimezone(UTC)


class Ledger:
    """Ledger operations over a :class:`~digests.storage.Store`'s database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- slots -------------------------------------------------------------------------------------------

    def has_slot(self, schedule: str, slot: datetime) -> bool:
        with self.store.session() as session:
            return self._digest_row(session, schedule, slot) is not None

    def slots(self, schedule: str) -> list[datetime]:
        """Every stored slot of ``schedule``, oldest first."""
        with self.store.session() as session:
            rows = session.scalars(select(DigestRunRow.slot).where(DigestRunRow.schedule == schedule))
            return sorted(utc(slot) for slot in rows)

    def record_slot(self, request: SlotRequest, now: datetime | None = None) -> SlotRecord:
        """Store the slot's digest and its deliveries in one transaction; a second call returns the first's."""
        slot = utc(request.slot)
        now = now or now_utc()
        try:
            with self.store.session() as session, session.begin():
                existing = self._digest_row(session, request.schedule, slot)
                if existing is not None:
                    return self._record(session, existing, created=False)
                row = self._store_slot(session, request, slot, now)
                return self._record(session, row, created=True)
        except IntegrityError:
            # Another caller stored the same slot first: the unique key (schedule, slot) makes that one win.
            with self.store.session() as session:
                existing = self._digest_row(session, request.schedule, slot)
                if existing is None:
                    raise
                return self._record(session, existing, created=False)

    def _store_slot(self, session: Session, request: SlotRequest, slot: datetime, now: datetime) -> DigestRunRow:
        high_water = int(session.scalar(select(func.max(ArticleRow.id))) or 0)
        if request.article_ids is not None:
            candidates = self._articles(session, ArticleRow.id.in_(list(request.article_ids)))
            story_of = stories_of(session, [c.id for c in candidates])
            per_channel = {channel: first_of_each_story(candidates, story_of) for channel in request.channels}
        else:
            previous = session.scalar(
                select(DigestRunRow.high_water)
                .where(DigestRunRow.schedule == request.schedule, DigestRunRow.slot < slot)
                .order_by(DigestRunRow.slot.desc())
                .limit(1)
            )
            window = self._articles(session, ArticleRow.id > (previous or 0), ArticleRow.id <= high_water)
            candidates = [stored for stored in window if request.filter.matches(stored)]
            story_of = stories_of(session, [c.id for c in candidates])
            per_channel = {}
            for channel in request.channels:
                # A story the channel had through any outlet's article is not posted again when another arrives.
                had = self._delivered(session, channel, [c.id for c in candidates])
                had_stories = delivered_stories(session, channel, story_of.values())
                fresh = [c for c in candidates if c.id not in had and story_of[c.id] not in had_stories]
                per_channel[channel] = first_of_each_story(fresh, story_of)[-request.max_items :]
        chosen = sorted({stored.id: stored for items in per_channel.values() for stored in items}.items())
        articles = self.store.refreshed([stored for _, stored in chosen])
        cards = make_cards(request.cards, articles)
        outlets = outlets_by_article(session, articles, story_of, up_to=high_water)
        digest = build_digest(articles, title=request.title, cards=cards, now=slot, also_in=outlets)
        row = DigestRunRow(
            schedule=request.schedule,
            slot=slot,
            article_ids=[article_id for article_id, _ in chosen],
            high_water=high_water,
            digest=digest_to_dict(digest),
            created_at=now,
        )
        session.add(row)
        session.flush()
        for channel in request.channels:
            ids = [stored.id for stored in per_channel[channel]]
            state = PENDING if ids or request.post_empty else SKIPPED
            delivery = DeliveryRow(
                digest_id=row.id,
                schedule=request.schedule,
                slot=slot,
                channel=channel,
                article_ids=ids,
                state=state,
                attempts=0,
                next_attempt_at=(request.first_attempt_at or now) if state == PENDING else None,
                created_at=now,
                updated_at=now,
            )
            session.add(delivery)
            session.flush()
            had = self._delivered(session, channel, ids)
            session.add_all(
                DeliveredArticleRow(channel=channel, article_id=i, delivery_id=delivery.id) for i in ids if i not in had
            )
        session.flush()
        return row

    @staticmethod
    def _articles(session: Session, *conditions: Any) -> list[StoredArticle]:
        return [to_stored(r) for r in session.scalars(select(ArticleRow).where(*conditions).order_by(ArticleRow.id))]

    @staticmethod
    def _delivered(session: Session, channel: str, ids: Sequence[int]) -> set[int]:
        if not ids:
            return set()
        query = select(DeliveredArticleRow.article_id).where(
            DeliveredArticleRow.channel == channel, DeliveredArticleRow.article_id.in_(list(ids))
        )
        return set(session.scalars(query))

    @staticmethod
    def _digest_row(session: Session, schedule: str, slot: datetime) -> DigestRunRow | None:
        query = select(DigestRunRow).where(DigestRunRow.schedule == schedule, DigestRunRow.slot == utc(slot))
        return session.scalar(query)

    def _record(self, session: Session, row: DigestRunRow, created: bool) -> SlotRecord:
        query = select(DeliveryRow).where(DeliveryRow.digest_id == row.id).order_by(DeliveryRow.id)
        return SlotRecord(row.id, created, tuple(to_delivery(d) for d in session.scalars(query)))

    def digest_for(self, delivery: Delivery) -> Digest:
        """The digest exactly as stored for the slot, holding this delivery's articles."""
        with self.store.session() as session:
            row = session.get(DigestRunRow, delivery.digest_id)
            if row is None:
                raise LedgerError(f"delivery {delivery.id}: its stored digest is missing")
            stored = digest_from_dict(row.digest)
        wanted = set(delivery.article_ids)
        return Digest(stored.title, stored.created_at, tuple(i for i in stored.items if i.article_id in wanted))

    # -- deliveries --------------------------------------------------------------------------------------

    def get(self, delivery_id: int) -> Delivery | None:
        with self.store.session() as session:
            row = session.get(DeliveryRow, delivery_id)
            return to_delivery(row) if row else None

    def deliveries(
        self, failed_only: bool = False, limit: int | None = None, schedule: str | None = None
    ) -> list[Delivery]:
        """Deliveries, newest first."""
        query = select(DeliveryRow).order_by(DeliveryRow.id.desc())
        if failed_only:
            query = query.where(DeliveryRow.state == FAILED)
        if schedule is not None:
            query = query.where(DeliveryRow.schedule == schedule)
        if limit is not None:
            query = query.limit(limit)
        with self.store.session() as session:
            return [to_delivery(row) for row in session.scalars(query)]

    def due(self, now: datetime | None = None, digest_id: int | None = None) -> list[Delivery]:
        """Open deliveries whose next attempt time has come, oldest first."""
        now = now or now_utc()
        query = (
            select(DeliveryRow)
            .where(DeliveryRow.state.in_(OPEN_STATES))
            .where((DeliveryRow.next_attempt_at.is_(None)) | (DeliveryRow.next_attempt_at <= now))
            .order_by(DeliveryRow.id)
        )
        if digest_id is not None:
            query = query.where(DeliveryRow.digest_id == digest_id)
        with self.store.session() as session:
            return [to_delivery(row) for row in session.scalars(query)]

    def next_attempt_time(self) -> datetime | None:
        """When the earliest open delivery is next due, if any."""
        with self.store.session() as session:
            query = select(func.min(DeliveryRow.next_attempt_at)).where(DeliveryRow.state.in_(OPEN_STATES))
            moment = session.scalar(query)
            return utc(moment) if moment is not None else None

    def claim(self, delivery: Delivery, now: datetime | None = None) -> bool:
        """Mark ``delivery`` as being sent (one more attempt) unless someone changed it since it was read."""
        return self._update(
            delivery.id,
            {"state": SENDING, "attempts": delivery.attempts + 1, "updated_at": now or now_utc()},
            DeliveryRow.state == delivery.state,
            DeliveryRow.attempts == delivery.attempts,
        )

    def mark_sent(self, delivery_id: int, message_id: str, now: datetime | None = None) -> bool:
        values = {"state": SENT, "message_id": message_id, "next_attempt_at": None, "updated_at": now or now_utc()}
        return self._update(delivery_id, values, DeliveryRow.state.in_(OPEN_STATES))

    def mark_retry(self, delivery_id: int, error: str, next_attempt_at: datetime, now: datetime | None = None) -> bool:
        """A transient failure: try again at ``next_attempt_at`` (the state stays open)."""
        when = utc(next_attempt_at)
        values = {"last_error": one_line(error), "next_attempt_at": when, "updated_at": now or now_utc()}
        return self._update(delivery_id, values, DeliveryRow.state.in_(OPEN_STATES))

    def mark_failed(self, delivery_id: int, error: str, now: datetime | None = None) -> bool:
        values: dict[str, Any] = {"state": FAILED, "last_error": one_line(error), "next_attempt_at": None}
        values["updated_at"] = now or now_utc()
        return self._update(delivery_id, values, DeliveryRow.state.in_(OPEN_STATES))

    def retry(self, delivery_id: int, now: datetime | None = None, due_at: datetime | None = None) -> Delivery:
        """Queue a failed delivery again, due at ``due_at`` (default now)."""
        now = now or now_utc()
        current = self.get(delivery_id)
        if current is None:
            raise LedgerError(f"there is no delivery {delivery_id}")
        if current.state != FAILED:
            raise LedgerError(f"delivery {delivery_id} is {current.state}, only failed deliveries can be retried")
        # attempts is kept above zero so the sender first looks for an earlier post by its marker.
        values = {"state": PENDING, "next_attempt_at": utc(due_at) if due_at else now, "updated_at": now}
        if not self._update(delivery_id, values, DeliveryRow.state == FAILED):
            raise LedgerError(f"delivery {delivery_id} changed while retrying it; look again")
        retried = self.get(delivery_id)
        assert retried is not None
        return retried

    def _update(self, delivery_id: int, values: dict[str, Any], *conditions: Any) -> bool:
        statement = update(DeliveryRow).where(DeliveryRow.id == delivery_id, *conditions).values(**values)
        with self.store.session() as session, session.begin():
            result = session.execute(statement)
            return bool(getattr(result, "rowcount", 0))

    def delivered_articles(self, channel: str) -> list[int]:
        """Ids of the articles ``channel`` has been given, in id order."""
        with self.store.session() as session:
            query = select(DeliveredArticleRow.article_id).where(DeliveredArticleRow.channel == channel)
            return sorted(session.scalars(query))


def make_cards(maker: CardMaker | None, articles: Sequence[StoredArticle]) -> Mapping[int, CardFile]:
    """The articles' quote cards; if making them fails the digest goes out without them (one log line)."""
    if maker is None or not articles:
        return {}
    try:
        return maker(articles)
    except Exception as error:
        logger.warning("the digest goes out without quote cards: %s", one_line(f"{type(error).__name__}: {error}"))
        return {}


def one_line(text: str, limit: int = 300) -> str:
    """An error message as one short line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def to_delivery(row: DeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        digest_id=row.digest_id,
        schedule=row.schedule,
        slot=utc(row.slot),
        channel=row.channel,
        article_ids=tuple(row.article_ids),
        state=row.state,
        message_id=row.message_id,
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_at=utc(row.next_attempt_at) if row.next_attempt_at else None,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def digest_to_dict(digest: Digest) -> dict[str, Any]:
    """JSON-ready data from which :func:`digest_from_dict` rebuilds an equal digest."""
    return {
        "title": digest.title,
        "created_at": _iso(digest.created_at),
        "items": [
            {
                "article_id": item.article_id,
                "title": item.title,
                "source": item.source,
                "summary": list(item.summary),
                "url": item.url,
                "outlet": item.outlet,
                "published": _iso(item.published),
                "key_figures": [
                    {
                        "text": f.text,
                        "kind": f.kind,
                        "sentence": f.sentence,
                        "value": f.value,
                        "unit": f.unit,
                        "counts": f.counts,
                        "qualifiers": list(f.qualifiers),
                        "attribution": f.attribution,
                    }
                    for f in item.key_figures
                ],
                "card_path": item.card_path,
                "card_alt_text": item.card_alt_text,
                "also_in": list(item.also_in),
            }
            for item in digest.items
        ],
    }


def digest_from_dict(data: dict[str, Any]) -> Digest:
    """Rebuild a digest stored by :func:`digest_to_dict`."""
    created = _from_iso(data["created_at"])
    assert created is not None
    items = tuple(
        DigestItem(
            article_id=item["article_id"],
            title=item["title"],
            source=public_source(item["source"]),  # digests stored before sources were made public
            summary=tuple(item["summary"]),
            url=item.get("url"),
            outlet=item.get("outlet"),
            published=_from_iso(item.get("published")),
            key_figures=tuple(
                Figure(**{**f, "qualifiers": tuple(f.get("qualifiers", ()))}) for f in item.get("key_figures", ())
            ),
            card_path=item.get("card_path"),
            card_alt_text=item.get("card_alt_text"),
            also_in=tuple(item.get("also_in", ())),
        )
        for item in data["items"]
    )
    return Digest(title=data["title"], created_at=created, items=items)
