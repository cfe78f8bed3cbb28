"""The running application's shared parts: configuration and store, built once and passed in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bot.config import Config
from digests.cards.settings import CardSettings
from digests.ingest import IngestReport, ingest_articles
from digests.loaders import SEEDS, Rejected, load_paths, load_seeds
from digests.models import Article
from digests.pipeline import ArticleAnalyser, SummarySettings
from digests.storage import Store


@dataclass
class App:
    """Configuration plus lazily opened store."""

    config: Config
    database_url: str | None = None
    _store: Store | None = field(default=None, init=False, repr=False)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.database_url, analyser=ArticleAnalyser(self.summary_settings))
        return self._store

    @cached_property
    def summary_settings(self) -> SummarySettings:
        return SummarySettings(self.config.summary.algorithm, self.config.summary.sentences)

    @cached_property
    def card_settings(self) -> CardSettings:
        """Quote card settings from the ``[cards]`` section."""
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
        """Articles from the configured sources; ``seeds`` is the packaged corpus."""
        for source in self.config.sources:
            if source.path == SEEDS:
                yield from load_seeds()
            else:
                yield from load_paths([Path(source.path).expanduser()])

    def ingest_sources(self) -> IngestReport:
        """Ingest every configured source."""
        from bot.ops.metrics import record_ingested

        report = ingest_articles(self.store, self.source_items(), self.summary_settings)
        record_ingested(len(report.new))
        return report

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
