"""Load, analyse and store articles, counting what was new, duplicate or rejected."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from digests.loaders import Rejected, load_paths
from digests.models import Article
from digests.pipeline import SummarySettings, analyse
from digests.storage import Store


@dataclass
class IngestReport:
    """What one ingest run did."""

    new: list[int] = field(default_factory=list)
    duplicate: list[int] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def summary_line(self) -> str:
        return f"{len(self.new)} new, {len(self.duplicate)} duplicate, {len(self.rejected)} rejected"


def ingest_articles(
    store: Store,
    items: Iterable[Article | Rejected],
    settings: SummarySettings | None = None,
    on_item: Callable[[Article | Rejected], None] | None = None,
) -> IngestReport:
    """Analyse and store each article; duplicates are not re-analysed."""
    report = IngestReport()
    for item in items:
        if isinstance(item, Rejected):
            report.rejected.append(item)
        elif (existing := store.id_of(item)) is not None:
            store.seen_again(existing, item)  # another outlet's identical copy is listed with the story
            report.duplicate.append(existing)
        else:
            article_id, created = store.add(item, analyse(item, settings))
            (report.new if created else report.duplicate).append(article_id)
        if on_item is not None:
            on_item(item)
    return report


def ingest_paths(
    store: Store,
    paths: list[Path],
    settings: SummarySettings | None = None,
    on_item: Callable[[Article | Rejected], None] | None = None,
) -> IngestReport:
    """Ingest every article file under ``paths``."""
    return ingest_articles(store, load_paths(paths), settings, on_item)
