"""``newsdigest bench cards``: how long one quote card takes to render, over the seed and a corpus."""

from __future__ import annotations

import contextlib
import json
import statistics
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import click

from digests.cards import CARD_SIZES, CardError, CardSettings, render_card
from digests.loaders import ArticleError, load_file, load_seeds
from digests.models import Article, StoredArticle
from digests.pipeline import analyse

TARGET_MS = 50.0


def corpus_articles(corpus: Path | None) -> list[Article]:
    """The packaged seed articles, then every ``article/**/*.txt`` of the corpus in path order."""
    articles = [item for item in load_seeds() if isinstance(item, Article)]
    if corpus is not None:
        folder = corpus / "article" if (corpus / "article").is_dir() else corpus
        for path in sorted(folder.rglob("*.txt")):
            try:
                articles.append(load_file(path))
            except ArticleError:
                continue
    return articles


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@click.command()
@click.option(
    "--corpus",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="A corpus folder (article/<topic>/NNN.txt) added to the seed articles.",
)
@click.option("--size", "sizes", multiple=True, type=click.Choice(list(CARD_SIZES)), help="Card size(s); default both.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def cards(corpus: Path | None, sizes: tuple[str, ...], as_json: bool) -> None:
    """Median render time per quote card (target <= 50 ms), quotations vs fallbacks, refusals by reason."""
    articles = corpus_articles(corpus)
    stored = [StoredArticle(n, a, analyse(a), datetime.now(UTC)) for n, a in enumerate(articles, start=1)]
    results: dict[str, dict[str, object]] = {}
    for size in sizes or tuple(CARD_SIZES):
        settings = CardSettings(outlet="Newsroom", size=size)
        started = time.perf_counter()
        with contextlib.suppress(CardError):
            render_card(stored[0], settings)
        cold_ms = (time.perf_counter() - started) * 1000
        timings: list[float] = []
        refusals: Counter[str] = Counter()
        quotations = 0
        for item in stored:
            started = time.perf_counter()
            try:
                card = render_card(item, settings)
            except CardError as error:
                refusals[str(error)] += 1
                continue
            finally:
                timings.append((time.perf_counter() - started) * 1000)
            quotations += card.is_quotation
        made = len(stored) - sum(refusals.values())
        results[size] = {
            "articles": len(stored),
            "cards": made,
            "quotations": quotations,
            "fallbacks": made - quotations,
            "refused": dict(refusals.most_common()),
            "median_ms": round(statistics.median(timings), 1),
            "p90_ms": round(percentile(timings, 0.9), 1),
            "max_ms": round(max(timings), 1),
            "first_card_ms": round(cold_ms, 1),
        }
    if as_json:
        click.echo(json.dumps({"target_ms": TARGET_MS, "sizes": results}, ensure_ascii=False))
        return
    for size, figures in results.items():
        click.echo(
            f"{size}: {figures['cards']}/{figures['articles']} cards "
            f"({figures['quotations']} quotations, {figures['fallbacks']} attributed sentences); "
            f"median {figures['median_ms']} ms, p90 {figures['p90_ms']} ms, max {figures['max_ms']} ms, "
            f"first card {figures['first_card_ms']} ms (target <= {TARGET_MS:.0f} ms median)"
        )
        refused = figures["refused"]
        assert isinstance(refused, dict)
        for reason, count in refused.items():
            click.echo(f"  refused {count}: {reason}")
