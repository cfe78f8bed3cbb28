"""``newsdigest bench splitting``: newsdigest's sentence splitter against pysbd, for speed and agreement."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from digests.loaders import ArticleError, load_file
from digests.sentences import split_sentences


def pysbd_splitter() -> Callable[[str], list[str]]:
    """Stock pysbd as sumy's plain-text parser feeds it: a paragraph's lines joined with spaces."""
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False)

    def split(paragraph: str) -> list[str]:
        joined = " ".join(line.strip() for line in paragraph.splitlines())
        return [sentence.strip() for sentence in segmenter.segment(joined) if sentence.strip()]

    return split


def timed(split: Callable[[str], Sequence[str]], articles: list[list[str]]) -> tuple[list[str], float]:
    """Every sentence of every article, and the CPU milliseconds per article it took."""
    started = time.process_time()
    sentences = [sentence for paragraphs in articles for paragraph in paragraphs for sentence in split(paragraph)]
    return sentences, (time.process_time() - started) * 1000 / max(len(articles), 1)


@click.command()
@click.option("--corpus", required=True, type=click.Path(path_type=Path), help="Folder with article/**/*.txt.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def splitting(corpus: Path, as_json: bool) -> None:
    """Sentences, CPU ms per article and agreement (identical sentences) of newsdigest's splitter and pysbd."""
    files = sorted((corpus / "article").rglob("*.txt"))
    if not files:
        click.echo(f"newsdigest bench splitting: {corpus}: no article/**/*.txt files", err=True)
        sys.exit(2)
    try:
        articles = [load_file(path).paragraphs for path in files]
    except ArticleError as error:
        click.echo(f"newsdigest bench splitting: {error}", err=True)
        sys.exit(2)
    ours, ours_ms = timed(split_sentences, articles)
    stock, stock_ms = timed(pysbd_splitter(), articles)
    shared = len(set(ours) & set(stock))
    report = {
        "corpus": corpus.name,
        "articles": len(articles),
        "newsdigest": {"sentences": len(ours), "ms_per_article": round(ours_ms, 3)},
        "pysbd": {"sentences": len(stock), "ms_per_article": round(stock_ms, 3)},
        "pysbd_sentences_reproduced": round(shared / max(len(set(stock)), 1), 3),
        "newsdigest_sentences_in_pysbd": round(shared / max(len(set(ours)), 1), 3),
    }
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(
        f"{corpus.name}: {len(articles)} articles; newsdigest {len(ours)} sentences, {ours_ms:.2f} ms/article;"
        f" pysbd {len(stock)} sentences, {stock_ms:.2f} ms/article ({stock_ms / max(ours_ms, 1e-9):.0f}x);"
        f" identical sentences: {report['pysbd_sentences_reproduced']:.1%} of pysbd's,"
        f" {report['newsdigest_sentences_in_pysbd']:.1%} of newsdigest's"
    )
