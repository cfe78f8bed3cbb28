"""``newsdigest bench search``: the database search index at scale, measured in fresh processes.

For each scale a store is filled with distinct articles made from the corpus stories (paragraphs rotated, an
edition line added), indexed in batches, and then a new Python process opens it and times its first search and
every further one. The old in-memory ``ArticleIndex`` is built the same way in another fresh process for the
side-by-side figures, and its rankings are compared with the database index's.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from bot.bench.databases import throwaway_database
from digests.loaders import load_paths
from digests.models import Article
from digests.pipeline import analyse
from digests.retrieval import ArticleIndex, terms
from digests.search import catch_up, index_documents, indexed_text
from digests.storage import Store
from digests.storage.codec import analysis_to_dict
from digests.storage.tables import ArticleRow

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
QUESTION_FILES = (DATA / "bbc_questions.json", DATA / "cnn_questions.json")
CANDIDATES = 5
BATCH = 2000


def corpus_articles(folders: tuple[Path, ...]) -> list[Article]:
    return [item for folder in folders for item in load_paths([folder / "article"]) if isinstance(item, Article)]


def queries(articles: list[Article], question_files: tuple[Path, ...]) -> list[list[str]]:
    """Stemmed queries: every question of the question files, then every corpus headline."""
    found: list[list[str]] = []
    for path in question_files:
        found += [terms(q["question"]) for q in json.loads(path.read_text(encoding="utf-8"))["questions"]]
    found += [terms(a.title) for a in articles]
    return [q for q in found if q]


def synthetic_rows(analysed: list[tuple[Article, dict[str, Any]]], start: int, stop: int) -> Iterator[ArticleRow]:
    """Articles ``start`` .. ``stop - 1`` of the scaled store: a corpus story with its paragraphs rotated and an
    edition line, so every body is distinct."""
    now = datetime.now(UTC)
    for n in range(start, stop):
        article, analysis = analysed[n % len(analysed)]
        paragraphs = article.paragraphs
        shift = (n // len(analysed)) % max(1, len(paragraphs))
        body = "\n\n".join([*paragraphs[shift:], *paragraphs[:shift], f"Edition {n} of this report."])
        copy = replace(article, body=body, source=f"{article.source}#{n}")
        yield ArticleRow(
            content_hash=copy.content_hash,
            title=copy.title,
            body=copy.body,
            source=copy.source,
            ingested_at=now,
            analysis=analysis,
        )


def fill(store: Store, analysed: list[tuple[Article, dict[str, Any]]], scale: int) -> dict[str, float]:
    """Insert ``scale`` articles around the index, then index them in batches; CPU seconds of each part."""
    insert = build = 0.0
    for start in range(0, scale, BATCH):
        began = time.process_time()
        with store.session() as session, session.begin():
            session.add_all(synthetic_rows(analysed, start, min(scale, start + BATCH)))
        insert += time.process_time() - began
        began = time.process_time()
        with store.engine.begin() as connection:
            catch_up(connection, BATCH)
        build += time.process_time() - began
    return {"insert_cpu_s": round(insert, 1), "index_build_cpu_s": round(build, 1)}


Analysed = list[tuple[Article, dict[str, Any]]]


def ingest_overhead(store: Store, analysed: Analysed, scale: int, count: int) -> dict[str, Any]:
    """Median cost per article of writing ``count`` new article rows one at a time, and of indexing each in its
    own transaction afterwards (what ``Store.add`` adds to the same transaction); CPU of this process and wall."""
    store_cpu: list[float] = []
    index_cpu: list[float] = []
    store_wall: list[float] = []
    index_wall: list[float] = []
    for row in synthetic_rows(analysed, scale, scale + count):
        wall, cpu = time.perf_counter(), time.process_time()
        with store.session() as session, session.begin():
            session.add(row)
            session.flush()
            pair = (row.id, indexed_text(row.title, row.body))
        store_cpu.append(time.process_time() - cpu)
        store_wall.append(time.perf_counter() - wall)
        wall, cpu = time.perf_counter(), time.process_time()
        with store.engine.begin() as connection:
            index_documents(connection, [pair])
        index_cpu.append(time.process_time() - cpu)
        index_wall.append(time.perf_counter() - wall)
    return {
        "articles": count,
        "row_cpu_ms": round(statistics.median(store_cpu) * 1000, 2),
        "index_cpu_ms": round(statistics.median(index_cpu) * 1000, 2),
        "row_wall_ms": round(statistics.median(store_wall) * 1000, 2),
        "index_wall_ms": round(statistics.median(index_wall) * 1000, 2),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def probe(url: str, query_file: str, mode: str) -> None:
    """Run in a fresh process: open the store, time the first search and then every query; print JSON."""
    all_queries: list[list[str]] = json.loads(Path(query_file).read_text(encoding="utf-8"))
    wall, cpu = time.perf_counter(), time.process_time()
    store = Store(url)
    if mode == "database":
        index: Any = store.search_index()
    else:
        index = ArticleIndex()
        with store.session() as session:
            rows = session.execute(select(ArticleRow.id, ArticleRow.title, ArticleRow.body).order_by(ArticleRow.id))
            for article_id, title, body in rows:
                index.add(article_id, indexed_text(title, body))
    opened = {"open_ms": (time.perf_counter() - wall) * 1000, "open_cpu_ms": (time.process_time() - cpu) * 1000}
    timings: list[tuple[float, float]] = []
    fetched: list[float] = []
    results = []
    for query in all_queries:
        wall, cpu = time.perf_counter(), time.process_time()
        hits = index.search(query, CANDIDATES)
        timings.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
        results.append(hits)
        wall = time.perf_counter()
        store.articles(ids=[i for i, _ in hits], refresh=False)
        fetched.append((time.perf_counter() - wall) * 1000)
    rest = timings[1:] or timings
    report = {
        **{k: round(v, 1) for k, v in opened.items()},
        "first_search_ms": round(timings[0][0], 2),
        "first_search_cpu_ms": round(timings[0][1], 2),
        "searches": len(timings),
        "search_p50_ms": round(statistics.median(t[0] for t in rest), 2),
        "search_p99_ms": round(percentile([t[0] for t in rest], 0.99), 2),
        "search_p50_cpu_ms": round(statistics.median(t[1] for t in rest), 2),
        "search_p99_cpu_ms": round(percentile([t[1] for t in rest], 0.99), 2),
        "fetch_candidates_p99_ms": round(percentile(fetched, 0.99), 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "results": results,
    }
    store.close()
    print(json.dumps(report))


def fresh_process(url: str, query_file: Path, mode: str) -> dict[str, Any]:
    script = "import sys; from bot.bench.search import probe; probe(sys.argv[1], sys.argv[2], sys.argv[3])"
    done = subprocess.run(
        [sys.executable, "-c", script, url, str(query_file), mode], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise click.ClickException(f"the {mode} probe failed: {done.stderr.strip().splitlines()[-1:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def agreement(ours: list[list[list[Any]]], baseline: list[list[list[Any]]]) -> dict[str, float]:
    """Share of queries whose best article is the same and whose top scores match, by the two indexes."""
    same_top = same_scores = 0
    for mine, theirs in zip(ours, baseline, strict=True):
        same_top += bool(mine and theirs and mine[0][0] == theirs[0][0]) or (not mine and not theirs)
        same_scores += [round(s, 9) for _, s in mine] == [round(s, 9) for _, s in theirs]
    return {"same_best_article": round(same_top / len(ours), 3), "same_scores": round(same_scores / len(ours), 3)}


@contextmanager
def database(kind: str, folder: Path, scale: int, admin_url: str | None) -> Iterator[str]:
    """A new empty database: a SQLite file in ``folder``, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'search-{scale}.db'}"
        return
    assert admin_url is not None
    with throwaway_database(admin_url, "newsdigest_bench") as url:
        yield url


@click.command()
@click.option(
    "--corpus",
    "corpora",
    multiple=True,
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A corpus folder (with article/); repeat for more stories.",
)
@click.option("--scale", "scales", multiple=True, type=int, default=(10_000, 50_000), show_default=True)
@click.option("--postgres", "postgres_url", help="Also measure on PostgreSQL (a server URL that may create databases).")
@click.option("--sqlite/--no-sqlite", "on_sqlite", default=True, show_default=True, help="Measure on a SQLite file.")
@click.option("--baseline/--no-baseline", default=True, show_default=True, help="Also time the in-memory ArticleIndex.")
@click.option("--ingest", default=200, show_default=True, help="Articles stored one by one to time the index's cost.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def search(
    corpora: tuple[Path, ...],
    scales: tuple[int, ...],
    postgres_url: str | None,
    on_sqlite: bool,
    baseline: bool,
    ingest: int,
    as_json: bool,
) -> None:
    """Search index at scale: first search in a fresh process, p50/p99, ingest cost, agreement with ArticleIndex."""
    articles = corpus_articles(corpora)
    if not articles:
        raise click.ClickException("no articles found under the --corpus folders")
    analysed = [(a, analysis_to_dict(analyse(a))) for a in articles]
    kinds = (["sqlite"] if on_sqlite else []) + (["postgresql"] if postgres_url else [])
    report: dict[str, Any] = {"stories": len(articles)}
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        query_file = folder / "queries.json"
        all_queries = queries(articles, QUESTION_FILES)
        query_file.write_text(json.dumps(all_queries), encoding="utf-8")
        report["queries"] = len(all_queries)
        for kind in kinds:
            for scale in scales:
                with database(kind, folder, scale, postgres_url) as url:
                    store = Store(url)
                    built = fill(store, analysed, scale)
                    store.close()
                    ours = fresh_process(url, query_file, "database")
                    entry: dict[str, Any] = {"build": built}
                    if baseline:
                        theirs = fresh_process(url, query_file, "memory")
                        entry["agreement"] = agreement(ours["results"], theirs["results"])
                        entry["baseline"] = {k: v for k, v in theirs.items() if k != "results"}
                    entry["database"] = {k: v for k, v in ours.items() if k != "results"}
                    store = Store(url)
                    entry["ingest"] = ingest_overhead(store, analysed, scale, ingest)
                    store.close()
                report[f"{kind}_{scale}"] = entry
                if not as_json:
                    click.echo(f"{kind}, {scale} articles: {json.dumps(entry)}")
    if as_json:
        click.echo(json.dumps(report))
