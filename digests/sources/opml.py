"""Feed lists in OPML files (the subscription export of every feed reader)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

MAX_OPML_BYTES = 5_000_000


class OpmlError(ValueError):
    """An OPML file that cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class OpmlFeed:
    """One subscription: its feed URL and, when the file gives one, its title."""

    url: str
    title: str | None = None


def read_opml(path: Path) -> list[OpmlFeed]:
    """Every ``<outline xmlUrl=...>`` in the file, in document order, each URL once."""
    try:
        if path.stat().st_size > MAX_OPML_BYTES:
            raise OpmlError(f"{path}: larger than {MAX_OPML_BYTES} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        raise OpmlError(f"{path}: file not found") from None
    except OSError as error:
        raise OpmlError(f"{path}: cannot be read ({error.strerror or error})") from None
    if b"<!ENTITY" in data.upper():
        raise OpmlError(f"{path}: entity declarations are not accepted")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise OpmlError(f"{path}: not valid XML ({error})") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"{path}: not an OPML file (root element <{root.tag}>)")
    feeds: dict[str, OpmlFeed] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and url not in feeds:
            title = (outline.get("title") or outline.get("text") or "").strip() or None
            feeds[url] = OpmlFeed(url, title)
    return list(feeds.values())
