"""``newsdigest bench grouping``: precision and recall of near-duplicate grouping on pairs built from a corpus.

Positives are one article and a lightly edited copy of it (re-wrapped, a paragraph cut, the headline changed,
a byline and outlet boilerplate added, a sentence reworded, and all of these at once), as another outlet would
run the same wire story. Negatives are two different articles of the same corpus topic folder (the same BBC
category: different stories on the same subject). A pair is grouped when the LSH index offers it (one equal
band) and the signatures agree, exactly as ingest decides.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import resource
import statistics
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click

from digests.grouping.minhash import Signature, jaccard, near_duplicates, share_band, signature

Edit = Callable[[str, random.Random], str]


@dataclass(frozen=True)
class Story:
    topic: str
    name: str
    title: str
    body: str


def load_stories(corpus: Path) -> list[Story]:
    """Every ``article/<topic>/<name>.txt``: a headline line then the body when a blank line follows it."""
    files = sorted((corpus / "article").glob("*/*.txt"))
    if not files:
        raise click.ClickException(f"{corpus} has no article/<topic>/*.txt files")
    stories = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
        head, _, rest = text.partition("\n")
        title, body = (head.strip(), rest.strip()) if rest.startswith("\n") else ("", text)
        stories.append(Story(path.parent.name, path.stem, title, body))
    return stories


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def paragraphs(text: str) -> list[str]:
    """Its lines (one paragraph each), or runs of three sentences for a text written as one block."""
    found = [line.strip() for line in text.splitlines() if line.strip()]
    if len(found) >= 3:
        return found
    split = sentences(text)
    return [" ".join(split[i : i + 3]) for i in range(0, len(split), 3)]


def rewrap(text: str, rng: random.Random) -> str:
    width = rng.choice((50, 64, 72))
    return "\n\n".join(textwrap.fill(p, width) for p in paragraphs(text))


def cut_paragraph(text: str, rng: random.Random) -> str:
    found = paragraphs(text)
    if len(found) < 2:
        return text
    del found[rng.randrange(1, len(found))]
    return "\n\n".join(found)


def change_headline(text: str, rng: random.Random) -> str:
    return text  # the headline is not part of the signature: the body is what another outlet keeps


def add_boilerplate(text: str, rng: random.Random) -> str:
    outlet = rng.choice(("The Daily Courier", "Metro Wire", "Northern Post"))
    byline = f"By {rng.choice(('Jane Smith', 'Ravi Patel', 'Ana Lopez'))}, {outlet} | Updated 29 November 2026"
    footer = f"Copyright 2026 {outlet}. All rights reserved. Sign up for our morning newsletter. Follow us."
    return f"{byline}\n\n{text}\n\n{footer}"


def reword(text: str, rng: random.Random) -> str:
    """One sentence said differently: two words swapped, one dropped, one replaced."""
    split = sentences(text)
    candidates = [i for i, s in enumerate(split) if len(s.split()) >= 8]
    if not candidates:
        return text
    index = rng.choice(candidates)
    words = split[index].split()
    i = rng.randrange(1, len(words) - 3)
    words[i], words[i + 1] = words[i + 1], words[i]
    del words[i + 2]
    words[-2] = "reportedly"
    split[index] = " ".join(words)
    return " ".join(split)


def truncate(text: str, rng: random.Random) -> str:
    """Only the first half of the paragraphs, as a shorter edition runs a wire story."""
    found = paragraphs(text)
    return "\n\n".join(found[: max(1, (len(found) + 1) // 2)])


def everything(text: str, rng: random.Random) -> str:
    return add_boilerplate(rewrap(reword(cut_paragraph(text, rng), rng), rng), rng)


EDITS: dict[str, Edit] = {
    "rewrapped": rewrap,
    "paragraph cut": cut_paragraph,
    "headline changed": change_headline,
    "boilerplate added": add_boilerplate,
    "sentence reworded": reword,
    "all of these": everything,
    "cut to first half": truncate,
}


def grouped(a: Signature | None, b: Signature | None) -> bool:
    return a is not None and b is not None and share_band(a, b) and near_duplicates(a, b)


def cpu() -> float:
    return time.process_time()


def measure(corpus: Path, seed: int, limit: int | None = None) -> dict[str, object]:
    stories = load_stories(corpus)[:limit]
    rng = random.Random(seed)
    started = cpu()
    originals = [signature(story.body) for story in stories]
    per_article_ms = (cpu() - started) * 1000 / len(stories)
    recall: dict[str, float] = {}
    positives = 0
    found_positive = 0
    for name, edit in EDITS.items():
        pairs = zip(stories, originals, strict=True)
        hits = sum(grouped(sig, signature(edit(story.body, rng))) for story, sig in pairs)
        recall[name] = hits / len(stories)
        positives += len(stories)
        found_positive += hits
    negatives = 0
    false_positive = 0
    worst = 0.0
    candidates = 0
    confused: list[str] = []
    by_topic: dict[str, list[int]] = {}
    for index, story in enumerate(stories):
        by_topic.setdefault(story.topic, []).append(index)
    for members in by_topic.values():
        for i, j in itertools.combinations(members, 2):
            a, b = originals[i], originals[j]
            negatives += 1
            if grouped(a, b):
                false_positive += 1
                confused.append(f"{stories[i].topic}/{stories[i].name} ~ {stories[j].topic}/{stories[j].name}")
            candidates += a is not None and b is not None and share_band(a, b)
            if a is not None and b is not None:
                worst = max(worst, jaccard(a, b))
    precision = found_positive / max(1, found_positive + false_positive)
    return {
        "corpus": corpus.name,
        "articles": len(stories),
        "positive_pairs": positives,
        "negative_pairs": negatives,
        "recall": recall,
        "recall_all": found_positive / positives,
        "false_positives": false_positive,
        "precision": precision,
        "false_positive_pairs": confused,
        "highest_negative_jaccard": worst,
        "negative_candidate_rate": candidates / max(1, negatives),
        "signature_cpu_ms_per_article": per_article_ms,
    }


def lookup_cost(corpus: Path, sizes: tuple[int, ...], database: Path) -> dict[int, dict[str, float]]:
    """Median CPU ms to store an article (with its signature and story) and to find a new text's group alone,
    at growing store sizes; every stored text is a different shuffle of a corpus article, so none groups."""
    from digests.models import Analysis, Article
    from digests.storage import Store
    from digests.storage.stories import GROUPING_WINDOW, nearest_story

    stories = load_stories(corpus)
    rng = random.Random(7)

    def shuffled(story: Story) -> str:
        words = story.body.split()
        rng.shuffle(words)
        return " ".join(words)

    figures: dict[int, dict[str, float]] = {}
    database.unlink(missing_ok=True)
    store = Store(f"sqlite:///{database}")
    empty = Analysis(sentences=(), summary=())
    try:
        count = 0
        for size in sizes:
            adds = []
            while count < size:
                story = stories[count % len(stories)]
                article = Article(title=story.title, body=shuffled(story), source=f"bench/{count}", outlet="Bench")
                begun = cpu()
                store.add(article, empty)
                adds.append(cpu() - begun)
                count += 1
            lookups = []
            for story in stories[:50]:
                found = signature(shuffled(story))
                assert found is not None
                with store.session() as session:
                    begun = cpu()
                    nearest_story(session, found, found.bands(), datetime.now(UTC) - GROUPING_WINDOW)
                    lookups.append(cpu() - begun)
            figures[size] = {
                "add_ms": statistics.median(adds[-50:]) * 1000,
                "lookup_ms": statistics.median(lookups) * 1000,
            }
    finally:
        store.close()
        database.unlink(missing_ok=True)
    return figures


@click.command()
@click.option(
    "--corpus",
    "corpora",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder with article/<topic>/NNN.txt (repeatable).",
)
@click.option("--seed", type=int, default=13, show_default=True, help="Seed of the edits.")
@click.option("--store", "store_file", type=click.Path(path_type=Path), default=None,
              help="Also time store+lookup per article at growing store sizes in this SQLite file (deleted after).")
@click.option("--limit", type=click.IntRange(min=2), default=None, help="Only the first N articles of each corpus.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
def grouping(corpora: tuple[Path, ...], seed: int, store_file: Path | None, limit: int | None, as_json: bool) -> None:
    """Near-duplicate grouping: recall per kind of edit, precision against same-topic stories, CPU cost."""
    results = [measure(corpus, seed, limit) for corpus in corpora]
    lookups = lookup_cost(corpora[0], (200, 1000, 3000), store_file) if store_file else None
    if as_json:
        click.echo(json.dumps({"corpora": results, "store_lookup_cpu_ms": lookups}, indent=2))
        return
    for result in results:
        click.echo(
            f"{result['corpus']}: {result['articles']} articles, {result['positive_pairs']} positive pairs,"
            f" {result['negative_pairs']} same-topic negative pairs"
        )
        recall = result["recall"]
        assert isinstance(recall, dict)
        for name, value in recall.items():
            click.echo(f"  recall {name:<18} {value:6.3f}")
        click.echo(f"  recall overall            {result['recall_all']:6.3f}")
        grouped_negatives = result["false_positives"]
        click.echo(f"  precision                 {result['precision']:6.3f}  ({grouped_negatives} grouped negatives)")
        confused = result["false_positive_pairs"]
        assert isinstance(confused, list)
        for pair in confused:
            click.echo(f"    grouped: {pair}")
        click.echo(f"  highest negative Jaccard  {result['highest_negative_jaccard']:6.3f}")
        click.echo(f"  negatives offered by LSH  {result['negative_candidate_rate']:6.3f}")
        click.echo(f"  signature CPU ms/article  {result['signature_cpu_ms_per_article']:6.2f}")
    if lookups:
        for size, ms in lookups.items():
            click.echo(
                f"{size} stored articles: store one article {ms['add_ms']:.2f} CPU ms (median),"
                f" its group lookup alone {ms['lookup_ms']:.2f} CPU ms"
            )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    click.echo(f"peak RSS {rss / 1024:.0f} MiB", err=True)
    sys.stdout.flush()
