"""Stories for the local feed server: a few shared corpus stories (read in place), else generated text."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.fakes.feed_server import Story

SHARED = Path(os.environ.get("NEWSDIGEST_SHARED", Path(__file__).resolve().parents[3] / "shared"))

GENERATED = (
    "The council approved the new bridge on Tuesday after a debate that lasted most of the evening.",
    "Engineers said the structure would carry about 12,000 vehicles a day once it opens in the spring.",
    '"This is the biggest investment the town has seen in a generation," said Mayor Ana Ruiz.',
    "Residents who opposed the plan said the money should have gone to schools and the library.",
    "The work is expected to cost £48m and to take two years, according to the council's own estimate.",
    "Traffic on the old crossing will be limited to buses and bicycles while the work goes on.",
    "Local businesses said they welcomed the decision but asked for help during the construction.",
    "A final vote on the contractor is due next month, the council's transport committee said.",
)


def generated_stories(count: int) -> list[Story]:
    """Distinct articles long enough to summarise, made of varied sentences (no corpus needed)."""
    stories = []
    for number in range(count):
        paragraphs = tuple(f"{sentence} (Report {number}.{index}.)" for index, sentence in enumerate(GENERATED * 2))
        stories.append(
            Story(
                slug=f"/news/{number}.html",
                title=f"Town approves bridge plan, report {number}",
                paragraphs=paragraphs,
                published=datetime(2026, 11, 29, 6, 0, tzinfo=UTC) + timedelta(minutes=number),
            )
        )
    return stories


def corpus_stories(count: int) -> list[Story]:
    """A few BBC stories from the shared corpus when present (read in place, never copied), else generated ones."""
    folder = SHARED / "corpus" / "bbc-news-summary" / "article" / "politics"
    files = sorted(folder.glob("*.txt"))[:count] if folder.is_dir() else []
    stories = []
    for number, path in enumerate(files):
        title, _, body = path.read_text(encoding="utf-8", errors="replace").strip().partition("\n")
        paragraphs = tuple(line.strip() for line in body.splitlines() if line.strip())
        if len(" ".join(paragraphs).split()) < 200:
            continue
        published = datetime(2026, 11, 29, 7, 0, tzinfo=UTC) + timedelta(minutes=number)
        stories.append(Story(f"/politics/{path.stem}.html", title.strip(), paragraphs, published))
    return stories or generated_stories(count)


def write_config(folder: Path, body: str) -> Path:
    path = folder / "newsdigest.toml"
    path.write_text(body, encoding="utf-8")
    return path
