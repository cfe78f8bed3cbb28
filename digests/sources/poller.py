"""One poll of many sources, concurrently and bounded: a slow or broken source never delays another."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from digests.headlines import headline_from_lede
from digests.models import Article
from digests.sources.feeds import Feed, FeedItem, InvalidFeed, looks_like_json, parse_feed
from digests.sources.fetcher import Fetcher, FetchError, Response
from digests.sources.fulltext import HTML_ACCEPT, PageError, RobotsRules, fetch_page, is_teaser, without_headline
from digests.sources.identity import article_url
from digests.sources.settings import AUTO, FEED, PAGE, FetchSettings, SourceSpec
from digests.sources.state import SourceState
from digests.sources.text import one_line

logger = logging.getLogger("digests.sources")

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
)
PAGES_PER_FEED = 4  # article pages one feed fetches at the same time
MAX_BACKOFF = timedelta(hours=24)


@dataclass
class PollOutcome:
    """What fetching one source gave: articles to store, or why not."""

    spec: SourceSpec
    kind: str
    status: int | None = None
    articles: list[Article] = field(default_factory=list)
    title: str | None = None
    error: str | None = None
    retry_after: float | None = None
    max_age: float | None = None
    response: Response | None = None
    body_hash: str | None = None
    unchanged: bool = False

    @property
    def not_modified(self) -> bool:
        return self.status == 304


KnownUrls = Callable[[Sequence[str]], Mapping[str, datetime | None]]
Deliver = Callable[[PollOutcome], Awaitable[None]]


class Poller:
    """Fetches sources concurrently (at most ``settings.concurrency`` at once) with conditional requests."""

    def __init__(self, fetcher: Fetcher, known: KnownUrls | None = None) -> None:
        self.fetcher = fetcher
        self.robots = RobotsRules(fetcher)
        self.known = known or (lambda urls: {})
        self._slots = asyncio.Semaphore(fetcher.settings.concurrency)

    async def poll(
        self, specs: Sequence[SourceSpec], states: Mapping[str, SourceState], deliver: Deliver | None = None
    ) -> list[PollOutcome]:
        """Fetch every source in ``specs``; each outcome is independent of the others' failures.

        With ``deliver``, each outcome is handed over as soon as it is ready (and not kept in the result); its
        fetch slot is held until ``deliver`` returns, so a slow consumer slows fetching instead of piling up.
        """
        outcomes = await asyncio.gather(*(self._guarded(spec, states.get(spec.url), deliver) for spec in specs))
        return [outcome for outcome in outcomes if outcome is not None]

    async def _guarded(
        self, spec: SourceSpec, state: SourceState | None, deliver: Deliver | None
    ) -> PollOutcome | None:
        async with self._slots:
            outcome = await self._outcome(spec, state)
            if deliver is None:
                return outcome
            await deliver(outcome)
            return None

    async def _outcome(self, spec: SourceSpec, state: SourceState | None) -> PollOutcome:
        try:
            return await self.poll_one(spec, state)
        except FetchError as error:
            return PollOutcome(spec, spec.kind, error.status, error=error.reason, retry_after=error.retry_after)
        except (InvalidFeed, PageError) as error:
            return PollOutcome(spec, spec.kind, 200, error=str(error))
        except Exception as error:  # a bug in one source's handling must not stop the others
            return PollOutcome(spec, spec.kind, error=f"unexpected {type(error).__name__}: {one_line(str(error))}")

    async def poll_one(self, spec: SourceSpec, state: SourceState | None) -> PollOutcome:
        validators = state.validators if state is not None else None
        if spec.kind in (PAGE, AUTO):  # a URL given to `ingest` may be a page: robots.txt first
            if not await self.robots.allows(spec.url):
                raise PageError("robots.txt disallows fetching this page")
            accept = HTML_ACCEPT if spec.kind == PAGE else f"{FEED_ACCEPT}, text/html;q=0.8"
            response = await self.fetcher.get(spec.url, validators, accept)
        else:
            response = await self.fetcher.get(spec.url, validators, FEED_ACCEPT)
        # The outcome keeps the headers, not the body: a poll of many feeds holds only their articles.
        headers_only = replace(response, body=b"")
        outcome = PollOutcome(spec, spec.kind, response.status, response=headers_only, max_age=response.max_age)
        if response.not_modified:
            return outcome
        outcome.body_hash = hashlib.sha256(response.body).hexdigest()
        if state is not None and state.body_hash == outcome.body_hash and state.kind != AUTO:
            outcome.unchanged = True  # the same bytes as last time (a server without validators): nothing to parse
            return outcome
        kind = spec.kind
        if kind == AUTO:
            kind = FEED if is_feed_like(response) else PAGE
        outcome.kind = kind
        if kind == PAGE:
            from digests.sources.fulltext import page_article

            article = await asyncio.to_thread(page_article, response, spec.outlet)
            outcome.articles.append(article)
            outcome.title = article.title
            return outcome
        # Parsed on a thread: a large feed must not hold the event loop (a worker's heartbeats, its other jobs).
        feed = await asyncio.to_thread(parse_feed, response.body, response.url, response.content_type)
        outcome.title = feed.title or None
        outcome.articles = await self.feed_articles(spec, feed)
        return outcome

    async def feed_articles(self, spec: SourceSpec, feed: Feed) -> list[Article]:
        """Each item as an article; teasers whose page is not yet stored get the page's full text."""
        outlet = spec.outlet or feed.title or None
        links = [article_url(item.link) for item in feed.items if item.link]
        known = await asyncio.to_thread(self.known, links) if links else {}
        pages = asyncio.Semaphore(PAGES_PER_FEED)

        async def one(item: FeedItem) -> Article | None:
            if item.link and is_teaser(item.text):
                identity = article_url(item.link)
                if identity in known and not newer(item.published, known[identity]):
                    return None  # stored before, and the feed does not say it changed
                async with pages:
                    try:
                        return await fetch_page(
                            self.fetcher, self.robots, item.link, outlet, item.title, item.published, item.author
                        )
                    except (FetchError, PageError) as error:
                        reason = error.reason if isinstance(error, FetchError) else str(error)
                        if not item.text.strip():
                            logger.warning("feed %s: item %s skipped: %s", spec.url, item.link, reason)
                            return None
                        logger.warning("feed %s: item %s: %s; using the feed's text", spec.url, item.link, reason)
            return item_article(item, spec.url, outlet)

        found = await asyncio.gather(*(one(item) for item in feed.items))
        return [article for article in found if article is not None]


def newer(published: datetime | None, stored: datetime | None) -> bool:
    return published is not None and stored is not None and published > stored


def item_article(item: FeedItem, feed_url: str, outlet: str | None) -> Article | None:
    """An article from the feed's own text (full content, or a teaser when the page gave none)."""
    body = without_headline(item.text, item.title)
    if not body:
        return None
    return Article(
        title=item.title or headline_from_lede(body),
        body=body,
        source=item.link or feed_url,
        url=article_url(item.link) if item.link else None,
        outlet=outlet,
        published=item.published,
        author=item.author,
    )


def is_feed_like(response: Response) -> bool:
    """Whether a fetched document should be read as a feed (by Content-Type, else by its first bytes)."""
    kind = response.content_type.split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return False
    if "rss" in kind or "atom" in kind or "xml" in kind or "json" in kind:
        return True
    head = response.body.lstrip()[:512].lower()
    return looks_like_json(response.body, kind) or any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf"))


def next_poll(spec: SourceSpec, state: SourceState, outcome: PollOutcome, now: datetime) -> datetime:
    """When to poll again: the interval (or the server's max-age, up to a day); backoff after failures."""
    if outcome.error is None:
        wait = max(spec.every, min(timedelta(seconds=outcome.max_age or 0), MAX_BACKOFF))
    else:
        wait = min(spec.every * 2 ** min(state.failures, 16), max(MAX_BACKOFF, spec.every))
    if outcome.retry_after is not None:
        wait = max(wait, timedelta(seconds=min(outcome.retry_after, 7 * 86400)))
    return now + wait


def is_due(state: SourceState | None, now: datetime, force: bool) -> bool:
    """Whether to fetch now: always when forced, except while the server's Retry-After lasts."""
    if state is None:
        return True
    if state.not_before is not None and state.not_before > now:
        return False
    return force or state.next_poll_at is None or state.next_poll_at <= now


def utc_now() -> datetime:
    return datetime.now(UTC)


async def fetch_all(
    specs: Sequence[SourceSpec],
    states: Mapping[str, SourceState],
    settings: FetchSettings,
    known: KnownUrls | None = None,
    deliver: Deliver | None = None,
) -> list[PollOutcome]:
    """Open one HTTP session and poll ``specs`` through it (see :meth:`Poller.poll` for ``deliver``)."""
    async with Fetcher(settings) as fetcher:
        return await Poller(fetcher, known).poll(specs, states, deliver)
