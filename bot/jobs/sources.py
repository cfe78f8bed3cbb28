"""What the source jobs do in a worker: poll one source and queue its articles; analyse and store one article.

Both count in the worker's metrics: ``newsdigest_feed_polls_total`` where the poll ran, and
``newsdigest_articles_ingested_total`` where the article was stored.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot.jobs.articles import text_bytes
from bot.ops.metrics import record_ingested, record_poll_report
from digests.limits import describe_size
from digests.models import Article
from digests.sources.ingest import SourcesReport, poll_source
from digests.sources.poller import PollOutcome
from digests.sources.settings import SourceSpec
from digests.sources.state import SourceStates
from digests.sources.text import one_line
from digests.storage.errors import StorageError

if TYPE_CHECKING:
    from bot.app import App
    from bot.jobs.queue import JobQueue

logger = logging.getLogger("digests.sources")

STORED = ("new", "updated")


async def poll_and_queue(app: App, queue: JobQueue, spec: SourceSpec) -> SourcesReport:
    """Poll ``spec`` if it is still due and queue one analysis job per article; its state is saved after."""
    limits = app.load_limits

    async def hand_over(outcome: PollOutcome) -> str:
        queued = waiting = too_large = 0
        for article in outcome.articles:
            size = text_bytes(article)
            if size > limits.max_bytes:
                item = article.url or article.title
                logger.warning(
                    "%s %s: item %s not queued: its text is %s; %s",
                    outcome.kind,
                    spec.url,
                    item,
                    describe_size(size),
                    limits.describe(),
                )
                too_large += 1
            elif await queue.enqueue_article(spec.url, article):
                queued += 1
            else:
                waiting += 1
        return handed_line(queued, waiting, too_large)

    report = await poll_source(app.store, spec, app.fetch_settings, hand_over, app.config.fetch.failures_before_alert)
    record_poll_report(report)
    return report


def handed_line(queued: int, waiting: int, too_large: int) -> str:
    """``3 queued for analysis, 1 waiting already, 1 too large``: what a poll did with its items."""
    parts = [f"{queued} queued for analysis"]
    if waiting:
        parts.append(f"{waiting} waiting already")
    if too_large:
        parts.append(f"{too_large} too large")
    return ", ".join(parts)


def analyse_and_store(app: App, feed: str, article: Article) -> str | None:
    """Analyse and store one article from ``feed``: ``new``, ``updated`` or ``duplicate`` (analysed only when
    new or updated). An article that cannot be analysed is one warning line and None; a database fault raises,
    so the job is tried again."""
    from digests.pipeline import ArticleAnalyser

    try:
        article_id, kind = app.store.store_version(article, ArticleAnalyser(app.summary_settings).analyse)
    except (StorageError, SQLAlchemyError):
        raise
    except Exception as error:  # one article that cannot be analysed must not stop the others
        item = article.url or article.title
        reason = f"{type(error).__name__}: {one_line(str(error), 200)}"
        logger.warning("feed %s: item %s not stored: %s", feed, item, reason)
        return None
    if kind in STORED:
        SourceStates(app.store).count_new(feed)
        record_ingested(1)
    logger.debug("feed %s: item %s stored as article %d (%s)", feed, article.url or article.title, article_id, kind)
    return kind
