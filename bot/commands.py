"""The ``/news`` command, platform-neutral: text in, a :class:`Reply` out, rendered by each front end."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from bot.answer_queue import BUSY, AnswerQueue, Busy
from digests.digest import build_digest
from digests.figures import figure_line
from digests.models import Answer, Citation, Digest, QuoteCard, StoredArticle
from digests.quotes import quote_line
from digests.storage import default_database_url
from digests.storage.errors import is_storage_fault, storage_error

if TYPE_CHECKING:
    from bot.app import App

SUBCOMMANDS = ("digest", "ask", "figures", "quotes", "card", "sources", "help")
USAGE = (
    "Usage: /news digest [since|topic] · /news ask <question> · /news figures [article] · "
    "/news quotes [article] · /news card [article] · /news sources · /news help"
)
HELP = "\n".join(
    (
        "/news digest [since|topic] - the digest of stored articles; since as 24h, 3d or 2025-06-01, or a topic word",
        "/news ask <question> - an answer in the articles' own words, with the sentences it came from",
        "/news figures [article] - the figures an article reports, with what they count and who says so",
        "/news quotes [article] - the direct quotations in an article, with their speakers",
        "/news card [article] - a quote card image for an article",
        "/news sources - every feed and page with its last fetch, and the stored articles",
        "An article is its id, a words-in-headline match, or its path or URL; the default is the newest.",
    )
)
MAX_LISTED_SOURCES = 20
STORE_UNAVAILABLE = "The article store is unavailable right now; try again in a minute."

logger = logging.getLogger(__name__)
QUEUED = frozenset(("digest", "ask", "figures", "quotes", "card", "sources"))  # the ones that do real work


@dataclass(frozen=True)
class Fact:
    """One listed item (a figure, a quote, a source) and the sentence it stands on."""

    text: str
    citation: Citation | None = None


@dataclass(frozen=True)
class Reply:
    """What a front end shows for one command; ``ephemeral`` replies are seen only by the caller."""

    kind: str
    text: str
    title: str = ""
    answer: Answer | None = None
    digest: Digest | None = None
    facts: tuple[Fact, ...] = ()
    card: QuoteCard | None = None
    ephemeral: bool = False


def usage(problem: str) -> Reply:
    return Reply(kind="usage", text=f"{problem}\n{USAGE}", ephemeral=True)


def failure(problem: str) -> Reply:
    return Reply(kind="error", text=problem, ephemeral=True)


def busy() -> Reply:
    return Reply(kind="busy", text=BUSY, ephemeral=True)


def citation_for(stored: StoredArticle, sentence: str) -> Citation:
    article = stored.article
    return Citation(article_id=stored.id, title=article.title, source=article.public_source, sentence=sentence)


def parse_since(text: str, now: datetime) -> datetime | None:
    """``24h``, ``3d``, ``2w`` or an ISO date; None when ``text`` is not a time."""
    match = re.fullmatch(r"(\d{1,4})\s*([hdw])", text.strip().lower())
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        return now - timedelta(hours=amount * {"h": 1, "d": 24, "w": 168}[unit])
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class CommandHandler:
    """Runs ``/news`` sub-commands against the store; blocking work runs in a thread."""

    def __init__(
        self, app: App, now: Callable[[], datetime] | None = None, queue: AnswerQueue[Reply] | None = None
    ) -> None:
        self.app = app
        self.now = now or (lambda: datetime.now(UTC))
        self.queue: AnswerQueue[Reply] = queue or AnswerQueue()
        self._engine: AnswerEngineLike | None = None

    def start(self, text: str) -> asyncio.Future[Reply] | None:
        """Start answering ``text`` through the bounded answer queue; None when it is refused (busy)."""
        if text.strip().partition(" ")[0].lower() not in QUEUED:
            return asyncio.ensure_future(self.handle(text))  # help and usage: nothing to queue
        return self.queue.submit(lambda: self.handle(text))

    async def answer(self, text: str, started: asyncio.Future[Reply] | None = None) -> Reply:
        """The reply to ``text`` (or to its ``started`` answer), or "busy, try again" when the queue refuses it."""
        future = started or self.start(text)
        if future is None:
            return busy()
        try:
            return await future
        except Busy:
            return busy()

    async def handle(self, text: str) -> Reply:
        """Parse ``<sub-command> [argument]`` and answer it."""
        name, _, argument = text.strip().partition(" ")
        name, argument = name.lower(), argument.strip()
        handlers: dict[str, Callable[[str], Reply]] = {
            "digest": self.digest,
            "ask": self.ask,
            "figures": self.figures,
            "quotes": self.quotes,
            "card": self.card,
            "sources": self.sources,
            "help": lambda _: Reply(kind="help", text=HELP, ephemeral=True),
        }
        if not name:
            return usage("Tell me what to do.")
        if name not in handlers:
            return usage(f"Unknown sub-command {name!r}.")
        try:
            return await to_thread(handlers[name], argument)
        except Exception as error:
            if not is_storage_fault(error):
                raise
            logger.error("/news %s: %s", name, storage_error(error, self.app.database_url or default_database_url()))
            return failure(STORE_UNAVAILABLE)

    def digest(self, argument: str) -> Reply:
        since = parse_since(argument, self.now()) if argument else None
        topic = argument if argument and since is None else None
        limit = self.app.config.digest.max_items
        articles, also_in = self.app.store.latest_stories(limit, since=since, containing=topic)
        digest = build_digest(articles, title=self.app.config.digest.title, now=self.now(), also_in=also_in)
        if digest.is_empty:
            return Reply(kind="digest", text="No articles match.", digest=digest, ephemeral=True)
        return Reply(kind="digest", text=f"{digest.title}: {len(digest.items)} articles", digest=digest)

    def ask(self, question: str) -> Reply:
        if not question:
            return usage("Ask a question, for example: /news ask who signed the letter?")
        answer = self.answer_engine().ask(question)
        return Reply(kind="answer", text=answer.text, answer=answer)

    def answer_engine(self) -> AnswerEngineLike:
        if self._engine is None:
            from digests.answers import AnswerEngine

            self._engine = AnswerEngine(self.app.store)
        return self._engine

    def article(self, reference: str) -> StoredArticle | Reply:
        store = self.app.store
        stored = store.find(reference) if reference else store.newest()
        if stored is not None:
            return stored
        if reference:
            return failure(f"No stored article matches {reference!r}. Try /news sources.")
        return failure("No articles are stored yet.")

    def figures(self, reference: str) -> Reply:
        return self.fact_list(
            reference,
            kind="figures",
            lines=lambda s: [(figure_line(f), f.sentence) for f in s.analysis.figures],
            empty="No figures found in this article.",
        )

    def quotes(self, reference: str) -> Reply:
        return self.fact_list(
            reference,
            kind="quotes",
            lines=lambda s: [(quote_line(q), q.sentence) for q in s.analysis.quotes],
            empty="No direct quotations in this article.",
        )

    def fact_list(
        self, reference: str, kind: str, lines: Callable[[StoredArticle], list[tuple[str, str]]], empty: str
    ) -> Reply:
        """One article's figures or quotes, each citing its sentence."""
        stored = self.article(reference)
        if isinstance(stored, Reply):
            return stored
        facts = tuple(Fact(text, citation_for(stored, sentence)) for text, sentence in lines(stored))
        title = f"{kind.capitalize()} in “{stored.article.title}”"
        text = "\n".join(f"• {fact.text}" for fact in facts) or empty
        return Reply(kind=kind, title=title, text=text, facts=facts)

    def card(self, reference: str) -> Reply:
        stored = self.article(reference)
        if isinstance(stored, Reply):
            return stored
        from digests.cards import CardError, render_card

        try:
            card = render_card(stored, self.app.card_settings)
        except CardError as error:
            return failure(f"No quote card for “{stored.article.title}”: {error}")
        return Reply(kind="card", title=stored.article.title, text=card.alt_text, card=card)

    def sources(self, _: str) -> Reply:
        articles = self.app.store.latest(MAX_LISTED_SOURCES, refresh=False)
        facts = tuple(Fact(f"#{s.id} {s.article.title} — {s.article.public_source}") for s in articles)
        text = "\n".join(fact.text for fact in facts) or "No articles are stored yet."
        feeds = [line for line in self.app.source_lines() if not line.startswith("path ")]
        if not feeds:
            return Reply(kind="sources", title="Stored articles", text=text, facts=facts)
        listed = tuple(Fact(line) for line in feeds[:MAX_LISTED_SOURCES])
        hidden = len(feeds) - MAX_LISTED_SOURCES
        more = f"\n… and {hidden} more (newsdigest sources)" if hidden > 0 else ""
        text = "\n".join(fact.text for fact in listed) + more + "\n\nStored articles:\n" + text
        return Reply(kind="sources", title="Sources and stored articles", text=text, facts=listed + facts)


class AnswerEngineLike(Protocol):
    """What the command handler needs of the answer engine."""

    def ask(self, question: str) -> Answer: ...


async def to_thread(function: Callable[[str], Reply], argument: str) -> Reply:
    """Run blocking store work off the event loop."""
    result: Awaitable[Reply] = asyncio.to_thread(function, argument)
    return await result
