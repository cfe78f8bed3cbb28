"""``newsdigest bench cost``: CPU time and peak memory of splitting, summarising and analysing long articles.

The articles are made here, so the benchmark needs no corpus: news-like sentences drawn with a fixed seed from
a small vocabulary, with names, figures and quotations, as many as asked (and a run of abbreviations, which is
what made the old splitter super-linear).
"""

from __future__ import annotations

import json
import random
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import click

from digests.models import Article
from digests.pipeline import analyse
from digests.sentences import split_sentences
from digests.summaries import summarise

SUBJECTS = ["The council", "Police", "The minister", "Mr Smith", "The company", "Officials", "Dr Jones", "The union"]
VERBS = ["said", "announced", "warned", "confirmed", "denied", "reported", "expected", "agreed"]
OBJECTS = [
    "that the budget would rise by {n}% next year",
    "a plan to hire {n} teachers across the region",
    "that {n} people had been evacuated from the coast",
    "the deal was worth ${n}m over five years",
    "talks with the unions would resume on Monday",
    "that the bridge would reopen in the spring",
]
QUOTES = ['"We will not accept this," said {who}.', "'The plan is working. We are confident,' {who} told reporters."]


def article_text(sentences: int, seed: int = 7) -> str:
    """A made-up article of about ``sentences`` sentences in paragraphs of five."""
    chooser = random.Random(seed)
    made: list[str] = []
    for index in range(sentences):
        if index % 9 == 4:
            made.append(chooser.choice(QUOTES).format(who=chooser.choice(SUBJECTS)))
        else:
            subject, verb, thing = chooser.choice(SUBJECTS), chooser.choice(VERBS), chooser.choice(OBJECTS)
            made.append(f"{subject} {verb} {thing.format(n=chooser.randint(2, 900))}.")
    paragraphs = [" ".join(made[i : i + 5]) for i in range(0, len(made), 5)]
    return "\n\n".join(paragraphs)


def measure(work: Callable[[], Any]) -> tuple[float, float]:
    """CPU seconds and peak traced memory (MB) of one call."""
    tracemalloc.start()
    started = time.process_time()
    work()
    seconds = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1e6


def rows(sizes: list[int]) -> list[dict[str, Any]]:
    """One row per size: text size, and CPU seconds and peak MB of split, summary (split + summarise), analysis."""
    results: list[dict[str, Any]] = []
    for size in sizes:
        text = article_text(size)
        paragraphs = [split_sentences(paragraph) for paragraph in text.split("\n\n")]
        article = Article(title="Made-up article", body=text, source="bench")
        row: dict[str, Any] = {"sentences": sum(map(len, paragraphs)), "kb": round(len(text.encode()) / 1000, 1)}
        for name, work in (
            ("split", lambda text=text: split_sentences(text)),
            ("summary", lambda paragraphs=paragraphs: summarise(paragraphs, 3)),
            ("analysis", lambda article=article: analyse(article)),
        ):
            seconds, peak = measure(work)
            row[f"{name}_cpu_s"] = round(seconds, 3)
            row[f"{name}_peak_mb"] = round(peak, 1)
        results.append(row)
    abbreviations = "Mr " * 20_000 + "Smith arrived."
    seconds, peak = measure(lambda: split_sentences(abbreviations))
    results.append({"abbreviation_run_kb": round(len(abbreviations) / 1000, 1), "split_cpu_s": round(seconds, 3)})
    return results


@click.command()
@click.option(
    "--sentences",
    "sizes",
    multiple=True,
    type=click.IntRange(min=1),
    default=(500, 5_000, 50_000),
    show_default=True,
    help="Article sizes in sentences (repeat the option).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def cost(sizes: tuple[int, ...], as_json: bool) -> None:
    """CPU time and peak memory (tracemalloc) of splitting, summarising and analysing made-up long articles."""
    summarise([["Warm-up sentence for the stemmer and stop words."]], 1)
    results = rows(list(sizes))
    if as_json:
        click.echo(json.dumps(results, indent=2))
        return
    click.echo(
        f"{'sentences':>9} {'KB':>8} {'split s':>8} {'split MB':>8} {'summ. s':>8} {'summ. MB':>8}"
        f" {'analysis s':>10} {'analysis MB':>11}"
    )
    for row in results[:-1]:
        click.echo(
            f"{row['sentences']:>9} {row['kb']:>8} {row['split_cpu_s']:>8} {row['split_peak_mb']:>8}"
            f" {row['summary_cpu_s']:>8} {row['summary_peak_mb']:>8} {row['analysis_cpu_s']:>10}"
            f" {row['analysis_peak_mb']:>11}"
        )
    last = results[-1]
    click.echo(f"'Mr ' x 20,000 ({last['abbreviation_run_kb']} KB, one paragraph): split {last['split_cpu_s']} s")
