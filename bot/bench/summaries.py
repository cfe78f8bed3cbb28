"""``newsdigest bench summaries``: ROUGE and speed of every summariser on a corpus of article/summary pairs."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from digests.evaluation import (
    FIXED_LENGTH,
    CorpusError,
    Result,
    System,
    corpus_pairs,
    evaluate,
    lead,
    library_system,
    plain_sumy_pysbd,
    whole_analysis,
)
from digests.readability import KINDS
from digests.summaries import DEFAULT_ALGORITHM, SUMY_SUMMARISERS

logger = logging.getLogger(__name__)

LEAD = "lead"


def systems() -> list[System]:
    """Lead-N, every sumy summariser, then the default."""
    return [
        System(name=LEAD, summarise=lead),
        *(library_system(name) for name in SUMY_SUMMARISERS),
        library_system(DEFAULT_ALGORITHM),
    ]


def row(label: str, result: Result) -> str:
    """One system's figures in the table's columns."""
    r = result.rouge
    return (
        f"{label:<10} {r['rouge1_oracle']:7.3f} {r['rouge2_oracle']:7.3f} {r['rougeL_oracle']:7.3f}"
        f" {r['rouge1_3']:7.3f} {r['rouge2_3']:7.3f} {r['rougeL_3']:7.3f}"
        f" {result.ms_per_article:7.2f} {result.articles_per_s:7.1f}"
    )


def readability_row(label: str, result: Result) -> str:
    """One system's readability rates, in percent of its three-sentence summaries' sentences."""
    return f"{label:<10} " + " ".join(f"{100 * result.readability.get(kind, 0.0):11.1f}" for kind in KINDS)


def table(results: list[Result], analysis: Result, baseline: Result, articles: int) -> str:
    """A plain-text table, one row per system."""
    header = (
        f"{'system':<10} {'R1 ref':>7} {'R2 ref':>7} {'RL ref':>7} {'R1 @3':>7} {'R2 @3':>7} {'RL @3':>7}"
        f" {'ms/art':>7} {'art/s':>7}"
    )
    lines = [
        f"{articles} articles; ROUGE F1 at the reference's sentence count (ref) and at {FIXED_LENGTH} sentences;"
        " speed of parse + split + summarise",
        header,
    ]
    for result in results:
        mark = "  <- default" if result.name == DEFAULT_ALGORITHM else ""
        lines.append(row(result.name, result) + mark)
    lines.append(f"readability at {FIXED_LENGTH} sentences, % of summary sentences flagged:")
    lines.append(f"{'system':<10} " + " ".join(f"{kind:>11}" for kind in KINDS))
    lines.extend(readability_row(result.name, result) for result in results)
    lines.append(
        f"whole analysis (parse, split, summary, figures, quotes, actors): {analysis.articles_per_s:.1f} art/s,"
        f" {analysis.ms_per_article:.2f} ms/art median, {speedup(analysis, baseline):.2f}x the stock pipeline"
    )
    lines.append(f"stock reference, {baseline.name}:")
    lines.append(row("stock", baseline))
    return "\n".join(lines)


@click.command()
@click.option(
    "--corpus",
    "corpus",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder with article/<topic>/NNN.txt and summary/<topic>/NNN.txt.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N pairs.")
@click.option(
    "--rounds",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Timing rounds; each article counts its fastest round.",
)
def summaries(corpus: Path, as_json: bool, limit: int | None, rounds: int) -> None:
    """Summary quality (ROUGE-1/2/L F1), readability and speed of Lead-N, every sumy summariser and the default."""
    try:
        pairs = corpus_pairs(corpus, limit)
        *results, analysis, baseline = evaluate([*systems(), whole_analysis(), plain_sumy_pysbd()], pairs, rounds)
    except CorpusError as error:
        click.echo(f"newsdigest bench summaries: {error}", err=True)
        sys.exit(2)
    if as_json:
        report = {
            "corpus": corpus.name,
            "articles": len(pairs),
            "rounds": rounds,
            "default": DEFAULT_ALGORITHM,
            "systems": {result.name: result.figures() for result in results},
            "baseline": {"name": baseline.name, **baseline.figures()},
            "analysis": {
                "ms_per_article": analysis.ms_per_article,
                "articles_per_s": analysis.articles_per_s,
                "x_stock": speedup(analysis, baseline),
            },
        }
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(table(results, analysis, baseline, len(pairs)))


def speedup(result: Result, baseline: Result) -> float:
    """How many times the baseline's articles per second ``result`` runs."""
    return result.articles_per_s / baseline.articles_per_s if baseline.articles_per_s else 0.0
