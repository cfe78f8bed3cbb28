"""The running application's shared parts: configuration and store, built once and passed in."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Config

if TYPE_CHECKING:
    from digests.cards.settings import CardSettings
    from digests.ingest import IngestReport
    from digests.limits import LoadLimits
    from digests.loaders import Rejected
    from digests.models import Article
    from digests.pipeline import SummarySettings
    from digests.sources.ingest import SourcesReport, Transition
    from digests.sources.settings import FetchSettings, SourceSpec
    from digests.storage import Store


@dataclass
class App:
    """Configuration plus lazily opened store (opened, and migrated, once even when threads ask together)."""

    config: Config
    database_url: str | None = None
    _store: Store | None = field(default=None, init=False, repr=False)
    _store_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def store(self) -> Store:
        store = self._store
        if store is None:
            with self._store_lock:
                if self._store is None:
                    from digests.pipeline import ArticleAnalyser
                    from digests.storage import Store

                    self._store = Store(self.database_url, analyser=ArticleAnalyser(self.summary_settings))
                store = self._store
        return store

    @cached_property
    def load_limits(self) -> LoadLimits:
        """How large an article file may be, from the ``[ingest]`` section."""
        from digests.limits import LoadLimits

        return LoadLimits.from_megabytes(self.config.ingest.max_article_mb)

    @cached_property
    def summary_settings(self) -> SummarySettings:
        from digests.pipeline import SummarySettings

        return SummarySettings(self.config.summary.algorithm, self.config.summary.sentences)

    @cached_property
    def card_settings(self) -> CardSettings:
        """Quote card settings from the ``[cards]`` section."""
        from digests.cards.settings import CardSettings

        cards = self.config.cards
        return CardSettings(
            outlet=cards.outlet,
            size=cards.size,
            background=cards.background,
            foreground=cards.text,
            accent=cards.accent,
            logo=Path(cards.logo).expanduser() if cards.logo else None,
            headline=cards.headline,
        )

    def source_items(self) -> Iterator[Article | Rejected]:
        """Articles from the configured file and folder sources; ``seeds`` is the packaged corpus."""
        from digests.loaders import SEEDS, load_paths, load_seeds

        for source in self.config.sources:
            if source.path is None:
                continue
            if source.path == SEEDS:
                yield from load_seeds()
            else:
                yield from load_paths([Path(source.path).expanduser()], self.load_limits)

    @cached_property
    def fetch_settings(self) -> FetchSettings:
        """The ``[fetch]`` section as the fetcher's settings."""
        from digests.sources.settings import FetchSettings

        fetch = self.config.fetch
        return FetchSettings(
            contact=fetch.contact,
            allow_hosts=tuple(fetch.allow_hosts),
            connect_timeout=fetch.connect_timeout,
            read_timeout=fetch.read_timeout,
            total_timeout=fetch.total_timeout,
            max_bytes=fetch.max_bytes,
            max_redirects=fetch.max_redirects,
            concurrency=fetch.concurrency,
            per_host=fetch.per_host,
        )

    def web_sources(self) -> tuple[list[SourceSpec], list[Rejected]]:
        """The configured feeds and article pages (OPML files expanded), and OPML files that could not be read."""
        from digests.loaders import Rejected
        from digests.sources.opml import OpmlError, read_opml
        from digests.sources.settings import FEED, PAGE, SourceSpec

        specs: list[SourceSpec] = []
        rejected: list[Rejected] = []
        for source in self.config.sources:
            every = timedelta(seconds=source.every_seconds)
            if source.feed is not None:
                specs.append(SourceSpec(source.feed, FEED, every, source.outlet))
            elif source.url is not None:
                specs.append(SourceSpec(source.url, PAGE, every, source.outlet))
            elif source.opml is not None:
                try:
                    feeds = read_opml(Path(source.opml).expanduser())
                except OpmlError as error:
                    rejected.append(Rejected(source.opml, str(error).removeprefix(f"{source.opml}: ")))
                    continue
                specs.extend(SourceSpec(feed.url, FEED, every, source.outlet) for feed in feeds)
        return specs, rejected

    def poll_web_sources(self, force: bool = False, specs: list[SourceSpec] | None = None) -> SourcesReport:
        """Poll the feeds and pages that are due (every one with ``force``) and store their new articles.

        Sources that start failing or recover are kept for an alert (:meth:`unannounced_alerts`).
        """
        from bot.ops.metrics import record_poll_report
        from digests.pipeline import ArticleAnalyser
        from digests.sources.ingest import poll_sources

        specs = self.web_sources()[0] if specs is None else specs
        report = poll_sources(
            self.store,
            specs,
            self.fetch_settings,
            ArticleAnalyser(self.summary_settings).analyse,
            force=force,
            failure_threshold=self.config.fetch.failures_before_alert,
        )
        record_poll_report(report)
        return report

    def due_web_sources(self) -> list[SourceSpec]:
        """The configured feeds and pages due for a poll now, from their stored states (nothing is fetched)."""
        from digests.sources.ingest import due_sources

        return due_sources(self.store, self.web_sources()[0])[0]

    def unannounced_alerts(self) -> list[Transition]:
        """Sources that started failing or recovered since the last alert about them (none without a channel)."""
        if not self.config.alerts.channel or not any(s.path is None for s in self.config.sources):
            return []
        from digests.sources.ingest import Transition
        from digests.sources.state import SourceStates

        return [
            Transition(s.url, s.failing, s.last_error or "recovered", s.failures)
            for s in SourceStates(self.store).unannounced()
        ]

    def mark_announced(self, transition: Transition) -> None:
        from digests.sources.state import SourceStates

        SourceStates(self.store).mark_announced(transition.url, transition.failing)

    def source_lines(self) -> list[str]:
        """One line per configured source: files and folders, then feeds and pages with their last fetch."""
        from digests.sources.state import SourceStates
        from digests.sources.status import source_statuses

        lines = [f"path {source.path}" for source in self.config.sources if source.path is not None]
        specs, rejected = self.web_sources()
        lines.extend(f"opml {item}" for item in rejected)
        states = SourceStates(self.store).load(spec.url for spec in specs)
        lines.extend(status.line() for status in source_statuses(specs, states))
        return lines

    def ingest_sources(self, web: bool = True) -> IngestReport:
        """Ingest every configured source: files and folders, then (``web``) every feed and page, conditionally.

        Web articles count as new only when first stored; an updated or already stored one is not posted again.
        """
        from bot.ops.metrics import record_ingested
        from digests.ingest import ingest_articles

        report = ingest_articles(self.store, self.source_items(), self.summary_settings)
        record_ingested(len(report.new))
        specs, rejected = self.web_sources()
        report.rejected.extend(rejected)
        if specs and web:
            polled = self.poll_web_sources(force=True, specs=specs)
            report.new.extend(polled.new)
        return report

    def close(self) -> None:
        with self._store_lock:
            if self._store is not None:
                self._store.close()
                self._store = None
