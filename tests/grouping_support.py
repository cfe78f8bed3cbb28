"""Stories for grouping tests: one wire story, another outlet's lightly edited copy, and a different story."""

from __future__ import annotations

from digests.loaders import load_seeds
from digests.models import Analysis, Article


def wire_body() -> str:
    """The packaged seeded article's body, as the wire ran it."""
    seeds = [item for item in load_seeds() if isinstance(item, Article)]
    return seeds[0].body


def edited_copy(body: str) -> str:
    """Another outlet's copy: its byline and footer added, one paragraph cut, one sentence reworded, re-wrapped."""
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    del paragraphs[len(paragraphs) // 2]
    paragraphs[1] = paragraphs[1].replace("In a scathing letter", "In a strongly worded letter")
    rewrapped = "\n\n".join(paragraphs)
    return f"By Staff Reporter, Metro Wire\n\n{rewrapped}\n\nCopyright 2026 Metro Wire. All rights reserved."


OTHER_STORY = """Israel's cabinet met late on Sunday to discuss a revised ceasefire proposal for Gaza, officials said,
as mediators from Egypt and Qatar pressed both sides to return to talks in Cairo.

The proposal would see a six-week pause in fighting and the phased release of hostages in exchange for
Palestinian prisoners, according to two people briefed on the discussions who asked not to be named.

Opposition leaders accused the government of delaying a deal for political reasons, while ministers on the
right of the coalition threatened to resign if the war ended before Hamas was defeated.

Aid agencies warned that food and fuel were running out in the north of the territory, where the United Nations
says hundreds of thousands of people remain displaced. A spokesman for the prime minister declined to comment
on the timing of any vote, saying only that the security of Israel's citizens came first."""


def bare_analysis(body: str) -> Analysis:
    """A cheap analysis (grouping does not depend on it)."""
    return Analysis(sentences=(body[:200],), summary=(body[:200],))


def article(body: str, outlet: str | None, url: str | None = None, title: str = "Officers refuse") -> Article:
    source = url or f"desk/{(outlet or 'none').lower().replace(' ', '-')}/{abs(hash(body)) % 10_000}.txt"
    return Article(title=title, body=body, source=source, url=url, outlet=outlet)
