"""Load, analyse and store articles, counting what was new, duplicate or rejected."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from digests.limits import LoadLimits
from digests.loaders import Rejected, load_paths
from digests.models import Article, public_source
from digests.pipeline import SummarySettings, analyse
from digests.storage import Store

logger = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What one ingest run did."""

    new: list[int] = field(default_factory=list)
    duplicate: list[int] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    decoded: list[tuple[str, str]] = field(default_factory=list)  # (source, encoding) of files not in UTF-8

    def summary_line(self) -> str:
        line = f"{len(self.new)} new, {len(self.duplicate)} duplicate, {len(self.rejected)} rejected"
        encodings = Counter(encoding for _, encoding in self.decoded)
        if encodings:
            line += "; " + ", ".join(f"{n} read as {encoding}" for encoding, n in sorted(encodings.items()))
        return line

    def decoded_lines(self) -> list[str]:
        """One line per file that was not UTF-8 and the encoding it was read as."""
        return [f"{source}: not UTF-8; read as {encoding}" for source, encoding in self.decoded]


def ingest_articles(
    store: Store,
    items: Iterable[Article | Rejected],
    settings: SummarySettings | None = None,
    on_item: Callable[[Article | Rejected], None] | None = None,
) -> IngestReport:
    """Analyse and store each article; duplicates are not re-analysed, and one bad article stops nothing."""
    report = IngestReport()
    for item in items:
        if isinstance(item, Rejected):
            report.rejected.append(item)
        elif (existing := store.id_of(item)) is not None:
            store.seen_again(existing, item)  # another outlet's identical copy is listed with the story
            report.duplicate.append(existing)
        else:
            try:
                analysis = analyse(item, settings)
            except Exception as error:  # an analysis fault in one article must not stop the others
                logger.debug("analysing %s failed", public_source(item.source), exc_info=True)
                report.rejected.append(Rejected(item.source, f"could not be analysed ({type(error).__name__})"))
            else:
                article_id, created = store.add(item, analysis)
                (report.new if created else report.duplicate).append(article_id)
                if item.encoding:
                    report.decoded.append((item.source, item.encoding))
        if on_item is not None:
            on_item(item)
    return report


def ingest_paths(
    store: Store,
    paths: list[Path],
    settings: SummarySettings | None = None,
    on_item: Callable[[Article | Rejected], None] | None = None,
    limits: LoadLimits | None = None,
) -> IngestReport:
    """Ingest every article file under ``paths``."""
    return ingest_articles(store, load_paths(paths, limits), settings, on_item)
