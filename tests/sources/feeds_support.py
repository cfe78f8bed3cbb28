"""Stories for the local feed server: a few shared corpus stories (read in place), else generated text."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.fakes.feed_server import Story

SHARED = Path(os.environ.get("NEWSDIGEST_SHARED", Path(__file__).resolve().parents[3] / "shared"))

GENERATED = (
    "The {body} approved the new {project} on Tuesday after a debate that lasted most of the evening.",
    "Engineers said the {project} would serve about {number} people a day once it opens in the spring.",
    '"This is the biggest investment {town} has seen in a generation," said {mayor}.',
    "Residents who opposed the plan said the money should have gone to {instead} instead of the {project}.",
    "The work in {town} is expected to cost £{cost}m and to take two years, according to the {body}.",
    "{detour} while the {project} is built, the {body} said in a statement.",
    "Shops near the {project} site in {town} welcomed the decision but asked for help during the work.",
    "A final vote on the {project} contractor is due next month, {mayor} told reporters in {town}.",
)
# Each generated story gets its own subject, place and people, so that no two are near-duplicates of each
# other (story grouping would rightly merge stories that differ only in a number).
VARIANTS = (
    (
        "bridge", "Eastbrook", "Mayor Ana Ruiz", "town council",
        "schools", "12,000", "48", "Buses will use the old crossing",
    ),
    (
        "hospital wing", "Millford", "Councillor Tom Baptiste", "health board",
        "roads", "3,500", "120", "Parking will be closed",
    ),
    (
        "tram line", "Haverport", "Mayor Ingrid Solberg", "transport authority",
        "housing", "40,000", "310", "Two streets will close",
    ),
    (
        "library", "Ashcombe", "Councillor Ravi Menon", "district council",
        "parks", "900", "9", "Books will move to the school",
    ),
    (
        "sports centre", "Kelsworth", "Mayor Lucy Adeyemi", "leisure trust",
        "the pool", "2,000", "25", "Clubs will train elsewhere",
    ),
    (
        "water plant", "Dunmere", "Councillor Owen Price", "water company",
        "pipes", "60,000", "75", "Supplies will be trucked in",
    ),
)


def generated_stories(count: int) -> list[Story]:
    """Distinct articles long enough to summarise, made of varied sentences (no corpus needed)."""
    stories = []
    for number in range(count):
        project, town, mayor, body, instead, people, cost, detour = VARIANTS[number % len(VARIANTS)]
        words = {"project": project, "town": town, "mayor": mayor, "body": body, "instead": instead}
        words |= {"number": people, "cost": cost, "detour": detour}
        sentences = [template.format(**words) for template in GENERATED]
        paragraphs = tuple(f"{sentence} (Report {number}.{index}.)" for index, sentence in enumerate(sentences * 2))
        stories.append(
            Story(
                slug=f"/news/{number}.html",
                title=f"{town} approves {project} plan, report {number}",
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
