"""The Prometheus metrics newsdigest keeps, and one small function per event that records them.

Label values come from short fixed sets (platform, delivery state, command name, outcome, poll result), so
the number of series stays bounded whatever the input.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

if TYPE_CHECKING:
    from digests.sources.ingest import SourcesReport

REGISTRY = CollectorRegistry(auto_describe=True)
KNOWN_COMMANDS = frozenset({"digest", "ask", "figures", "quotes", "card", "sources", "help"})
POLL_RESULTS = frozenset({"new", "unchanged", "error"})

DELIVERIES = Counter(
    "newsdigest_deliveries",
    "Delivery attempts by platform and resulting state (sent, retry, failed).",
    ["platform", "state"],
    registry=REGISTRY,
)
DELIVERY_SECONDS = Histogram(
    "newsdigest_delivery_seconds",
    "Seconds from a digest's slot time to its message being posted.",
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 1800, 3600, 7200),
    registry=REGISTRY,
)
FEED_POLLS = Counter(
    "newsdigest_feed_polls", "Feed polls by result (new, unchanged, error).", ["result"], registry=REGISTRY
)
ARTICLES_INGESTED = Counter("newsdigest_articles_ingested", "New articles stored.", registry=REGISTRY)
COMMANDS = Counter(
    "newsdigest_commands",
    "/news commands answered, by platform, sub-command and outcome (ok, usage, error, failed).",
    ["platform", "command", "outcome"],
    registry=REGISTRY,
)
COMMAND_SECONDS = Histogram(
    "newsdigest_command_seconds",
    "Seconds to answer a /news command.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30),
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge(
    "newsdigest_queue_depth", "Deliveries waiting to be posted (pending or sending).", registry=REGISTRY
)
SCHEDULER_LEADER = Gauge(
    "newsdigest_scheduler_leader", "1 while this process holds the scheduler lock, else 0.", registry=REGISTRY
)


def platform_of(channel: str) -> str:
    """``slack`` for ``slack:#news``."""
    return channel.split(":", 1)[0]


def record_delivery(channel: str, state: str, slot: datetime | None = None) -> None:
    """One delivery attempt ended in ``state``; a posted one also records its slot-to-posted time."""
    DELIVERIES.labels(platform=platform_of(channel), state=state).inc()
    if state == "sent" and slot is not None:
        DELIVERY_SECONDS.observe(max(0.0, (datetime.now(UTC) - slot).total_seconds()))


def record_feed_poll(result: str, new_articles: int = 0) -> None:
    """One feed poll: ``new`` (it brought articles), ``unchanged`` or ``error``."""
    if result not in POLL_RESULTS:
        raise ValueError(f"poll result {result!r} is not one of {', '.join(sorted(POLL_RESULTS))}")
    FEED_POLLS.labels(result=result).inc()
    record_ingested(new_articles)


def record_poll_report(report: SourcesReport) -> None:
    """A poll of several sources: each failed one an ``error``, each 304 or same-bytes one ``unchanged``, the
    others ``new``; the articles it stored count as ingested."""
    unchanged = report.not_modified + report.unchanged
    for result, count in (("error", report.failed), ("unchanged", unchanged)):
        if count:
            FEED_POLLS.labels(result=result).inc(count)
    fetched = report.polled - report.failed - unchanged
    if fetched > 0:
        FEED_POLLS.labels(result="new").inc(fetched)
    record_ingested(len(report.new) + len(report.updated))


def record_ingested(new_articles: int) -> None:
    if new_articles > 0:
        ARTICLES_INGESTED.inc(new_articles)


def command_name(text: str) -> str:
    """The sub-command of ``/news TEXT``, or ``other`` (so label values stay a fixed set)."""
    name = text.strip().partition(" ")[0].lower()
    return name if name in KNOWN_COMMANDS else ("none" if not name else "other")


class HasKind(Protocol):
    @property
    def kind(self) -> str: ...


def reply_outcome(reply: HasKind) -> str:
    """``usage`` and ``error`` replies by their kind; everything else answered is ``ok``."""
    return reply.kind if reply.kind in ("usage", "error") else "ok"


class CommandOutcome:
    """Set ``outcome`` inside :func:`timed_command` (it starts as ``failed``, for an exception)."""

    outcome = "failed"


@contextmanager
def timed_command(platform: str, text: str) -> Iterator[CommandOutcome]:
    """Count and time one ``/news`` command."""
    started = time.perf_counter()
    result = CommandOutcome()
    try:
        yield result
    finally:
        COMMAND_SECONDS.observe(time.perf_counter() - started)
        COMMANDS.labels(platform=platform, command=command_name(text), outcome=result.outcome).inc()


def set_leader(leader: bool) -> None:
    SCHEDULER_LEADER.set(1 if leader else 0)
