"""The running application's shared parts: configuration and store, built once and passed in."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
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
        """Articles from the configured sources; ``seeds`` is the packaged corpus."""
        from digests.loaders import SEEDS, load_paths, load_seeds

        for source in self.config.sources:
            if source.path == SEEDS:
                yield from load_seeds()
            else:
                yield from load_paths([Path(source.path).expanduser()], self.load_limits)

    def ingest_sources(self) -> IngestReport:
        """Ingest every configured source."""
        from digests.ingest import ingest_articles

        return ingest_articles(self.store, self.source_items(), self.summary_settings)

    def close(self) -> None:
        with self._store_lock:
            if self._store is not None:
                self._store.close()
                self._store = None
