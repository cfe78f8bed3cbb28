"""``newsdigest bench answers``: question-set accuracy, ``ask`` latency at corpus and 10,000-article scale, and
pipeline throughput with and without fact extraction."""

from __future__ import annotations

import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from digests.answers import AnswerEngine
from digests.loaders import load_file, load_paths
from digests.models import Answer, Article
from digests.pipeline import analyse
from digests.retrieval import terms
from digests.sentences import split_sentences
from digests.storage import Store
from digests.storage.codec import analysis_to_dict
from digests.storage.tables import ArticleRow
from digests.summaries import summarise

logger = logging.getLogger(__name__)

QUESTIONS = Path(__file__).resolve().parents[2] / "tests" / "data" / "bbc_questions.json"
CNN_QUESTIONS = QUESTIONS.with_name("cnn_questions.json")
SEED_QUESTIONS = ("Who signed the letter?", "What figures were reported?", "What did the officers say?")


@dataclass(frozen=True)
class Outcome:
    """One question's result against its expectation."""

    question: str
    kind: str
    correct: bool
    answer: Answer


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    questions: list[dict[str, Any]] = data["questions"]
    return questions


def is_correct(
    answer: Answer, expected: list[str], article_suffix: str, source_of: Callable[[int], str | None] | None = None
) -> bool:
    """Answered, contains one of the expected strings, and cites the expected article.

    Citations show only a file's name, so ``source_of`` gives the stored source (its path) of a cited article.
    """
    text = answer.text.lower()
    sources = [(source_of(c.article_id) if source_of else None) or c.source for c in answer.citations]
    cited = any(source.replace("\\", "/").split("#")[0].endswith(article_suffix) for source in sources)
    return answer.answered and cited and any(e.lower() in text for e in expected)


def stages(store: Store, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy, share answered, precision when answered, each pipeline stage's hit rate (right story first; a
    sentence holding the gold span first / in the top 3 of that story; the gold span among the candidates) and
    the baseline "first 600 characters of the best BM25 article", on one question set."""
    engine = AnswerEngine(store)
    counts = dict.fromkeys(("correct", "answered", "story", "unit1", "unit3", "candidates", "baseline"), 0)
    wrong: list[str] = []
    for item in questions:
        answer = engine.ask(item["question"])
        trace = engine.last
        gold = [g.lower() for g in item["expected"]]
        correct = is_correct(answer, item["expected"], item["article"], lambda i: stored_source(engine, i))
        counts["correct"] += correct
        counts["answered"] += answer.answered
        top = store.get(trace.stories[0]) if trace.stories else None
        right = top is not None and top.article.source.replace("\\", "/").endswith(item["article"])
        counts["story"] += right
        counts["unit1"] += right and any(g in u.lower() for u in trace.units[:1] for g in gold)
        counts["unit3"] += right and any(g in u.lower() for u in trace.units[:3] for g in gold)
        counts["candidates"] += any(g in c.lower() for c in trace.candidates for g in gold)
        hits = engine.index.search(terms(item["question"]), 1)
        first = store.get(hits[0][0]) if hits else None
        if first is not None and first.article.source.replace("\\", "/").endswith(item["article"]):
            counts["baseline"] += any(g in first.article.body[:600].lower() for g in gold)
        if not correct:
            wrong.append(item["question"])
    n = len(questions) or 1
    return {
        "questions": len(questions),
        "accuracy": round(counts["correct"] / n, 3),
        "answered": round(counts["answered"] / n, 3),
        "precision_when_answered": round(counts["correct"] / (counts["answered"] or 1), 3),
        "story_top1": round(counts["story"] / n, 3),
        "sentence_top1": round(counts["unit1"] / n, 3),
        "sentence_top3": round(counts["unit3"] / n, 3),
        "candidates_hold_answer": round(counts["candidates"] / n, 3),
        "baseline_600_chars": round(counts["baseline"] / n, 3),
        "wrong": wrong,
    }


def held_out(paths: tuple[Path, ...], corpus: Path) -> dict[str, Any]:
    """Accuracy of each further question set over its own corpus (named in the file, found beside ``corpus``)."""
    results: dict[str, Any] = {}
    for path in paths:
        name = json.loads(path.read_text(encoding="utf-8"))["corpus"]
        folder = corpus if corpus.name == name else corpus.parent / name
        if not (folder / "article").is_dir():
            raise click.ClickException(f"{path.name} asks about the {name} corpus, which is not beside {corpus.name}.")
        questions = load_questions(path)
        with tempfile.TemporaryDirectory() as temporary:
            store = Store(f"sqlite:///{Path(temporary) / 'held-out.db'}")
            ingest_all(store, corpus_articles(folder))
            results[f"{name}/{path.name}"] = {"corpus": name, **stages(store, questions)}
            store.close()
    return results


def evaluate(engine: AnswerEngine, questions: list[dict[str, Any]]) -> list[Outcome]:
    outcomes = []
    for item in questions:
        answer = engine.ask(item["question"])
        correct = is_correct(answer, item["expected"], item["article"], lambda i: stored_source(engine, i))
        outcomes.append(Outcome(item["question"], item["kind"], correct, answer))
    return outcomes


def stored_source(engine: AnswerEngine, article_id: int) -> str | None:
    stored = engine.store.get(article_id)
    return stored.article.source if stored else None


def corpus_articles(corpus: Path) -> list[Article]:
    return [item for item in load_paths([corpus / "article"]) if isinstance(item, Article)]


def ingest_all(store: Store, articles: list[Article]) -> None:
    for article in articles:
        store.add(article, analyse(article))


def build_scaled(store: Store, articles: list[Article], scale: int) -> None:
    """``scale`` distinct articles from the corpus: each copy gets its own edition line and rotated paragraphs.

    Each base article is analysed once and its copies reuse that analysis plus the edition sentence, so building
    a 10,000-article store takes seconds; retrieval sees 10,000 distinct bodies.
    """
    analysed = [(article, analyse(article)) for article in articles]
    now = datetime.now(UTC)
    rows = []
    for n in range(scale):
        article, analysis = analysed[n % len(analysed)]
        paragraphs = article.paragraphs
        shift = (n // len(analysed)) % max(1, len(paragraphs))
        rotated = paragraphs[shift:] + paragraphs[:shift]
        edition = f"Edition {n} of this report."
        body = "\n\n".join([*rotated, edition])
        copy = replace(article, body=body, source=f"{article.source}#{n}")
        varied = replace(analysis, sentences=(*analysis.sentences, edition))
        rows.append(
            ArticleRow(
                content_hash=copy.content_hash,
                title=copy.title,
                body=copy.body,
                source=copy.source,
                url=None,
                outlet=None,
                published=None,
                ingested_at=now,
                analysis=analysis_to_dict(varied),
            )
        )
    with store.session() as session, session.begin():
        session.add_all(rows)


FIRST_ASK = """
import json, sys, time
from digests.answers import AnswerEngine
from digests.storage import Store
start = time.process_time()
store = Store(sys.argv[1])
engine = AnswerEngine(store)
opened = time.process_time()
engine.ask(sys.argv[2])
done = time.process_time()
print(json.dumps({"open_ms": round((opened - start) * 1000, 1), "ask_ms": round((done - opened) * 1000, 1)}))
"""


def first_ask(url: str, question: str) -> dict[str, float]:
    """CPU ms of opening the store and of the first question in a new process (imports not counted)."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_ASK, url, question], capture_output=True, text=True, check=True, timeout=600
    )
    measured: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return {**measured, "open_and_ask_ms": round(measured["open_ms"] + measured["ask_ms"], 1)}


def latencies(engine: AnswerEngine, questions: list[str]) -> dict[str, float]:
    engine.refresh()
    timings = []
    for question in questions:
        start = time.process_time()  # CPU time: other processes sharing the cores do not count
        engine.ask(question)
        timings.append((time.process_time() - start) * 1000)
    timings.sort()
    p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
    return {"p50_ms": round(statistics.median(timings), 2), "p99_ms": round(p99, 2), "questions": len(timings)}


def throughput(paths: list[Path], rounds: int = 5) -> dict[str, float]:
    """Articles/s of the whole pipeline (parse + split + summary + facts) against parse + split + summary only,
    on the same files in the same process.

    The two passes alternate and the best of ``rounds`` of each is kept; time is this process's CPU time, so
    other processes sharing the cores do not count.
    """

    def summary_only(path: Path) -> None:
        article = load_file(path)
        summarise([split_sentences(p) for p in article.paragraphs], 3, "default")

    def whole(path: Path) -> None:
        analyse(load_file(path))

    def timed(function: Any) -> float:
        start = time.process_time()
        for path in paths:
            function(path)
        return time.process_time() - start

    best_summary = best_full = float("inf")
    for _ in range(rounds):
        best_summary = min(best_summary, timed(summary_only))
        best_full = min(best_full, timed(whole))
    return {
        "summary_only_articles_per_s": round(len(paths) / best_summary, 1),
        "with_extraction_articles_per_s": round(len(paths) / best_full, 1),
        "slowdown": round(best_full / best_summary, 2),
    }


@click.command()
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True)
@click.option("--scale", default=10_000, show_default=True, help="Articles in the scaled store.")
@click.option(
    "--questions",
    "question_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A further question set (JSON like tests/data/cnn_questions.json), asked over the corpus it names.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def answers(corpus: Path, scale: int, question_files: tuple[Path, ...], as_json: bool) -> None:
    """Answer accuracy on the development question set (and any --questions sets), ask latency, and extraction
    throughput."""
    questions = load_questions()
    further = held_out(question_files, corpus)
    articles = corpus_articles(corpus)
    asked = [q["question"] for q in questions] + list(SEED_QUESTIONS)
    pipeline = throughput(sorted((corpus / "article").rglob("*.txt")))  # first, before the big stores fill memory
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'corpus.db'}")
        ingest_all(store, articles)
        outcomes = evaluate(AnswerEngine(store), questions)
        further[f"{corpus.name}/{QUESTIONS.name}"] = {"corpus": corpus.name, **stages(store, questions)}
        corpus_latency = latencies(AnswerEngine(store), asked)
        store.close()
        scaled = Store(f"sqlite:///{Path(folder) / 'scaled.db'}")
        build_scaled(scaled, articles, scale)
        start = time.process_time()
        scaled.search_index()  # the rows were written around Store.add: index them once, as an upgrade would
        index_seconds = time.process_time() - start
        fresh = first_ask(scaled.url, asked[0])
        engine = AnswerEngine(scaled)
        scaled_latency = latencies(engine, asked)
        scaled_outcomes = evaluate(engine, questions)
        scaled.close()
    by_kind: dict[str, list[bool]] = {}
    for outcome in outcomes:
        by_kind.setdefault(outcome.kind, []).append(outcome.correct)
    wrong = [o.question for o in outcomes if not o.correct]
    result: dict[str, Any] = {
        "questions": len(outcomes),
        "accuracy": round(sum(o.correct for o in outcomes) / len(outcomes), 3),
        "accuracy_by_kind": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(by_kind.items())},
        "accuracy_scaled": round(sum(o.correct for o in scaled_outcomes) / len(scaled_outcomes), 3),
        "latency_corpus": {**corpus_latency, "articles": len(articles)},
        "latency_scaled": {**scaled_latency, "articles": scale, "index_build_s": round(index_seconds, 2)},
        "first_ask_scaled": {**fresh, "articles": scale},
        "throughput": pipeline,
        "wrong": wrong,
        "question_sets": further,
    }
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(f"accuracy {result['accuracy']:.3f} on {len(outcomes)} questions {result['accuracy_by_kind']}")
    click.echo(f"ask latency, {len(articles)} articles: {corpus_latency}")
    click.echo(f"ask latency, {scale} articles: {result['latency_scaled']} (accuracy {result['accuracy_scaled']})")
    click.echo(f"first ask in a new process, {scale} articles: {result['first_ask_scaled']}")
    click.echo(f"pipeline throughput: {result['throughput']}")
    for question in wrong:
        click.echo(f"wrong: {question}")
    for name, outcome in further.items():
        figures = ", ".join(f"{k} {v}" for k, v in outcome.items() if isinstance(v, float))
        click.echo(f"{name}: {outcome['questions']} questions: {figures}")
