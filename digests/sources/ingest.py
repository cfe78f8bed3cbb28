"""Poll sources and store what they give: one log line per source, state saved, failures counted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from digests.models import Analysis, Article
from digests.sources.poller import PollOutcome, fetch_all, is_due, next_poll, utc_now
from digests.sources.settings import FetchSettings, SourceSpec
from digests.sources.state import SourceState, SourceStates
from digests.sources.text import one_line
from digests.storage import Store

logger = logging.getLogger("digests.sources")

DEFAULT_FAILURE_THRESHOLD = 3
QUEUE_SIZE = 8  # fetched sources waiting to be stored


@dataclass(frozen=True)
class Transition:
    """A source that became failing (``failing=True``) or recovered; alerts are posted for these."""

    url: str
    failing: bool
    reason: str
    failures: int


@dataclass
class SourcesReport:
    """What one poll of the sources stored."""

    new: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    duplicate: list[int] = field(default_factory=list)
    polled: int = 0
    not_modified: int = 0
    unchanged: int = 0
    failed: int = 0
    transitions: list[Transition] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


HandOver = Callable[[PollOutcome], Awaitable[str]]
"""Takes a polled source's articles elsewhere; returns what became of them for the poll's log line
(e.g. ``"5 queued for analysis"``)."""
NOTHING_STORED = {"new": 0, "updated": 0, "duplicate": 0}


def known_urls(store: Store) -> Callable[[Sequence[str]], dict[str, datetime | None]]:
    return store.published_by_url


def poll_sources(
    store: Store,
    specs: Sequence[SourceSpec],
    settings: FetchSettings,
    analyse: Callable[[Article], Analysis],
    force: bool = False,
    failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
    now: datetime | None = None,
) -> SourcesReport:
    """Fetch the sources that are due (all with ``force``, Retry-After permitting) and store their articles.

    Runs its own event loop: call it from a thread (``asyncio.to_thread``) when one is already running.
    """
    due, states = due_sources(store, specs, force, now)
    report = SourcesReport()
    if not due:
        return report
    changed = []
    for outcome in fetched(due, states, settings, known_urls(store)):
        counts = store_articles(store, outcome, analyse, report)
        changed.append(account(outcome, states.get(outcome.spec.url), counts, failure_threshold, report))
    SourceStates(store).save(changed)
    return report


def due_sources(
    store: Store, specs: Sequence[SourceSpec], force: bool = False, now: datetime | None = None
) -> tuple[list[SourceSpec], dict[str, SourceState]]:
    """The sources to fetch now (each URL once) and the stored states of all of them (one read, no fetching).

    A source the server asked to wait for is logged in one line each time it is passed over.
    """
    now = now or utc_now()
    specs = list({spec.url: spec for spec in specs}.values())
    states = SourceStates(store).load(spec.url for spec in specs)
    due = [spec for spec in specs if is_due(states.get(spec.url), now, force)]
    for spec in specs:
        state = states.get(spec.url)
        if spec not in due and state is not None and state.not_before is not None and state.not_before > now:
            logger.info("%s %s: not polled; the server asked to wait until %s", spec.kind, spec.url, state.not_before)
    return due, states


async def poll_source(
    store: Store,
    spec: SourceSpec,
    settings: FetchSettings,
    hand_over: HandOver,
    failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
    now: datetime | None = None,
) -> SourcesReport:
    """Poll one source if it is due, handing its articles to ``hand_over`` instead of storing them.

    For work spread over processes (e.g. analysis jobs): whoever stores a handed-over article adds it to the
    source's count with :meth:`SourceStates.count_new`. The new state (validators included) is saved only after
    ``hand_over`` returns, so a poll that stops in between fetches the same articles again next time rather
    than a 304 hiding them. The report's ``polled`` is 0 when the source was not due.
    """
    states_store = SourceStates(store)
    states = await asyncio.to_thread(states_store.load, [spec.url])
    previous = states.get(spec.url)
    report = SourcesReport()
    if not is_due(previous, now or utc_now(), force=False):
        logger.debug("%s %s: not due; not polled", spec.kind, spec.url)
        return report
    [outcome] = await fetch_all([spec], states, settings, known_urls(store))
    if not outcome.articles:
        state = account(outcome, previous, NOTHING_STORED, failure_threshold, report)
        await asyncio.to_thread(states_store.save, [state])
        return report
    start = previous or SourceState(url=spec.url, kind=outcome.kind)
    await asyncio.to_thread(states_store.start_count, start)
    handed = await hand_over(outcome)
    state = account(outcome, start, NOTHING_STORED, failure_threshold, report, handed)
    await asyncio.to_thread(states_store.save, [state], False)
    return report


def account(
    outcome: PollOutcome,
    state: SourceState | None,
    counts: dict[str, int],
    threshold: int,
    report: SourcesReport,
    handed: str | None = None,
) -> SourceState:
    """The source's state after ``outcome`` (``state`` is updated in place), its one log line, and the report's
    tallies; ``handed`` says what became of articles handed over rather than stored."""
    finished = utc_now()
    state = state or SourceState(url=outcome.spec.url, kind=outcome.spec.kind)
    transition = record(state, outcome, counts, threshold, finished)
    if transition is not None:
        report.transitions.append(transition)
    line = poll_line(outcome, state, counts, finished, handed)
    report.lines.append(line)
    (logger.warning if outcome.error else logger.info)("%s", line)
    report.polled += 1
    report.not_modified += outcome.not_modified
    report.unchanged += outcome.unchanged
    report.failed += outcome.error is not None
    return state


def fetched(
    specs: Sequence[SourceSpec],
    states: dict[str, SourceState],
    settings: FetchSettings,
    known: Callable[[Sequence[str]], dict[str, datetime | None]],
) -> Iterator[PollOutcome]:
    """Outcomes as they arrive: fetching runs on its own thread and event loop, while this thread stores.

    A bounded queue sits between them, so a cold poll of many feeds holds at most a few feeds' articles.
    """
    handover: queue.Queue[PollOutcome | BaseException | None] = queue.Queue(maxsize=QUEUE_SIZE)

    async def deliver(outcome: PollOutcome) -> None:
        await asyncio.to_thread(handover.put, outcome)

    def produce() -> None:
        try:
            asyncio.run(fetch_all(specs, states, settings, known, deliver))
        except BaseException as error:  # handed to the consuming thread, which raises it
            handover.put(error)
        finally:
            handover.put(None)

    producer = threading.Thread(target=produce, name="newsdigest-fetch", daemon=True)
    producer.start()
    try:
        while (item := handover.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        while producer.is_alive():  # let a stopped consumer's producer finish rather than block on the queue
            with contextlib.suppress(queue.Empty):
                handover.get(timeout=0.1)
        producer.join()


def store_articles(
    store: Store, outcome: PollOutcome, analyse: Callable[[Article], Analysis], report: SourcesReport
) -> dict[str, int]:
    counts = {"new": 0, "updated": 0, "duplicate": 0}
    for article in outcome.articles:
        try:
            article_id, kind = store.store_version(article, analyse)
        except Exception as error:  # one article that cannot be analysed or stored must not stop the others
            logger.warning(
                "%s %s: item %s not stored: %s: %s",
                outcome.kind,
                outcome.spec.url,
                article.url or article.title,
                type(error).__name__,
                one_line(str(error), 200),
            )
            continue
        counts[kind] += 1
        getattr(report, kind).append(article_id)
    return counts


def record(
    state: SourceState, outcome: PollOutcome, counts: dict[str, int], threshold: int, now: datetime
) -> Transition | None:
    """Update ``state`` from one poll; a source crossing the failure threshold (or recovering) is a transition."""
    state.kind = outcome.kind
    state.last_fetch_at = now
    state.last_status = outcome.status
    state.last_error = outcome.error
    state.last_new = counts["new"] + counts["updated"]
    if outcome.title:
        state.title = outcome.title
    transition = None
    if outcome.error is None:
        if outcome.response is not None and not outcome.not_modified:
            validators = outcome.response.validators
            state.etag, state.last_modified = validators.etag, validators.last_modified
            state.body_hash = outcome.body_hash
        if state.failing:
            transition = Transition(state.url, False, "recovered", state.failures)
        state.failures, state.failing = 0, False
    else:
        state.failures += 1
        if state.failures >= threshold and not state.failing:
            state.failing = True
            transition = Transition(state.url, True, outcome.error, state.failures)
    state.not_before = now + _seconds(outcome.retry_after) if outcome.retry_after is not None else None
    state.next_poll_at = next_poll(outcome.spec, state, outcome, now)
    return transition


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=min(value, 7 * 86400))


def poll_line(
    outcome: PollOutcome, state: SourceState, counts: dict[str, int], now: datetime, handed: str | None = None
) -> str:
    """The one log line of a poll: source, HTTP status, what it gave (stored, or ``handed`` over), or why it
    failed, and when next."""
    status = f"HTTP {outcome.status}" if outcome.status is not None else "no response"
    wait = state.next_poll_at - now if state.next_poll_at else None
    next_in = f"next poll in {format_wait(wait)}" if wait is not None else ""
    head = f"{outcome.kind} {outcome.spec.url}"
    if outcome.error is not None:
        failing = ", marked failing" if state.failing else ""
        return f"{head}: failed: {one_line(outcome.error)} ({state.failures} in a row{failing}); {next_in}"
    if outcome.not_modified:
        return f"{head}: {status} not modified; {next_in}"
    if outcome.unchanged:
        return f"{head}: {status}, unchanged (the same bytes as last time); {next_in}"
    if handed is not None:
        return f"{head}: {status}, {len(outcome.articles)} item(s): {handed}; {next_in}"
    return (
        f"{head}: {status}, {len(outcome.articles)} item(s): {counts['new']} new, {counts['updated']} updated,"
        f" {counts['duplicate']} already stored; {next_in}"
    )


def format_wait(wait: timedelta) -> str:
    seconds = max(0, int(wait.total_seconds()))
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds >= 60:
        return f"{seconds // 60}m" + (f"{seconds % 60}s" if seconds % 60 and seconds < 600 else "")
    return f"{seconds}s"
