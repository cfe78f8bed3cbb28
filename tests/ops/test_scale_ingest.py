"""Feed polls and analyses as jobs, with real processes: one ``newsdigest run`` and a ``newsdigest worker``.

The measured run (1, 2 and 4 workers, hundreds of articles) is ``newsdigest bench scale-ingest``.
"""

from __future__ import annotations

from pathlib import Path

from bot.bench.scale_ingest import corpus_bodies, run_scale_ingest, stories


def test_a_scheduler_and_a_worker_store_every_served_article_once(postgres_url: str, tmp_path: Path) -> None:
    figures = run_scale_ingest(tmp_path, postgres_url, workers=1, feed_stories=stories(2, 3, []), drain_timeout=240)
    assert figures.errors == []
    assert figures.stored == figures.distinct_urls == figures.articles == 6
    assert figures.feed_requests == 2  # each feed fetched once, by the worker's poll job
    assert figures.ok and figures.worker_cpu_seconds > 0


def test_a_small_corpus_is_used_again_as_distinct_articles(tmp_path: Path) -> None:
    folder = tmp_path / "article" / "news"
    folder.mkdir(parents=True)
    words = " ".join(f"word{n}" for n in range(60))
    (folder / "a.txt").write_text(f"The council met on Tuesday. {words}.", encoding="utf-8")
    (folder / "short.txt").write_text("Too short to be a story.", encoding="utf-8")
    bodies = corpus_bodies(tmp_path)
    assert len(bodies) == 1
    [[first, second, third]] = stories(1, 3, bodies)
    assert first.paragraphs == (bodies[0],) and second.paragraphs == ("Edition 1.", bodies[0])
    assert len({first.title, second.title, third.title}) == 3 and len({s.slug for s in (first, second, third)}) == 3
