"""The console channel: a readable digest printed to the terminal."""

from __future__ import annotations

import sys
import textwrap
from typing import TextIO

from digests.figures import figure_line
from digests.models import Digest, DigestItem

WIDTH = 88


def also_in_line(item: DigestItem) -> str:
    """The other outlets that ran the item's story, as plain text."""
    return "Also in: " + ", ".join(" ".join(outlet.split()) for outlet in item.also_in)


def render_item(item: DigestItem, number: int) -> str:
    """One article: headline, summary sentences, key figures and source."""
    lines = [f"{number}. {item.title}"]
    lines += [textwrap.fill(s, WIDTH, initial_indent="   - ", subsequent_indent="     ") for s in item.summary]
    if item.key_figures:
        figures = "; ".join(figure_line(f) for f in item.key_figures)
        lines.append(textwrap.fill(f"Figures: {figures}", WIDTH, initial_indent="   ", subsequent_indent="   "))
    origin = f"{item.outlet} - {item.source}" if item.outlet else item.source
    lines.append(f"   Source: {origin}")
    if item.also_in:
        lines.append(textwrap.fill(also_in_line(item), WIDTH, initial_indent="   ", subsequent_indent="     "))
    if item.card_path:
        lines.append(f"   Quote card: {item.card_path}")
    return "\n".join(lines)


def render_digest(digest: Digest) -> str:
    """The whole digest as plain text."""
    when = digest.created_at.strftime("%Y-%m-%d %H:%M %Z").strip()
    header = f"{digest.title} - {when}"
    if digest.is_empty:
        return f"{header}\n{digest.notice or 'No new articles.'}"
    body = "\n\n".join(render_item(item, n) for n, item in enumerate(digest.items, start=1))
    return f"{header}\n{'=' * len(header)}\n\n{body}\n"


class ConsoleChannel:
    """Prints digests; it cannot look back, so a marker is only shown, never searched."""

    address = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.posted = 0

    async def post_digest(self, digest: Digest, marker: str) -> str:
        self.stream.write(render_digest(digest) + "\n")
        self.stream.flush()
        self.posted += 1
        return f"console:{marker}"

    async def find_marker(self, marker: str) -> str | None:
        return None
