"""Feed documents (RSS 0.9x/1.0/2.0, Atom, JSON Feed) into plain items; a document that is no feed is an error."""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from digests.sources.text import html_to_text, one_line

MAX_ITEMS = 200  # items read from one feed document; the rest are ignored (newest first is the feed's order)
JSON_FEED_PREFIX = "https://jsonfeed.org/version/"


class InvalidFeed(ValueError):
    """A document with no feed structure, or one that cannot be read; the message says why in one line."""


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, its HTML already reduced to text."""

    title: str
    link: str | None
    text: str
    published: datetime | None = None
    author: str | None = None
    guid: str | None = None


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its title, format and items."""

    title: str
    kind: str
    items: tuple[FeedItem, ...]


def looks_like_json(body: bytes, content_type: str) -> bool:
    return "json" in content_type.lower() or body.lstrip()[:1] == b"{"


def parse_feed(body: bytes, url: str, content_type: str = "") -> Feed:
    """Parse any supported feed format; raises :class:`InvalidFeed` for anything else."""
    if not body.strip():
        raise InvalidFeed("empty document")
    if looks_like_json(body, content_type):
        return parse_json_feed(body, url)
    return parse_xml_feed(body, url, content_type)


def parse_xml_feed(body: bytes, url: str, content_type: str) -> Feed:
    """RSS and Atom through feedparser (which tolerates the malformed XML feeds are known for)."""
    import feedparser

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        # Content is reduced to plain text (html_to_text), never posted as HTML: sanitising it first would only
        # cost time (2.6x the parse, measured in docs/BENCHMARKS.md).
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    except Exception as error:  # feedparser is defensive, but a parser bug must not stop the other feeds
        raise InvalidFeed(f"unreadable ({type(error).__name__})") from None
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        head = body.lstrip()[:200].lower()
        if b"<html" in head or b"<!doctype html" in head:
            raise InvalidFeed("an HTML page, not a feed")
        if problem is not None:
            raise InvalidFeed(f"not a feed: {one_line(str(problem), 160)}")
        raise InvalidFeed("no feed structure (no RSS, Atom or JSON Feed elements)")
    channel = parsed.get("feed", {})
    items = tuple(item for entry in parsed.entries[:MAX_ITEMS] if (item := xml_item(entry, url)) is not None)
    return Feed(title=one_line(html_to_text(str(channel.get("title") or ""))), kind=str(parsed.version), items=items)


def web_link(value: Any, base: str) -> str | None:
    """An item's link made absolute; only http(s) links are kept (never ``javascript:``, ``file:`` ...)."""
    if not isinstance(value, str) or not value.strip():
        return None
    link = urljoin(base, value.strip())
    return link if urlsplit(link).scheme.lower() in ("http", "https") and len(link) <= 2000 else None


def xml_item(entry: Any, base: str) -> FeedItem | None:
    """One feedparser entry; the fullest of its content blocks, else its summary."""
    contents = [str(block.get("value") or "") for block in entry.get("content") or []]
    html = max(contents, key=len, default="")
    summary = str(entry.get("summary") or "")
    text = html_to_text(html if len(html) >= len(summary) else summary)
    title = one_line(html_to_text(str(entry.get("title") or "")))
    link = web_link(entry.get("link"), base)
    if not (title or text or link):
        return None
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    published = datetime.fromtimestamp(calendar.timegm(moment), UTC) if moment else None
    author = one_line(str(entry.get("author") or "")) or None
    return FeedItem(title, link, text, published, author, entry.get("id"))


def parse_json_feed(body: bytes, url: str = "") -> Feed:
    """JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidFeed(f"not valid JSON ({one_line(str(error), 120)})") from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(JSON_FEED_PREFIX):
        raise InvalidFeed("JSON without a JSON Feed 'version'")
    items = data.get("items")
    if not isinstance(items, list):
        raise InvalidFeed("JSON Feed without an 'items' list")
    parsed = tuple(item for raw in items[:MAX_ITEMS] if isinstance(raw, dict) and (item := json_item(raw, url)))
    return Feed(title=one_line(str(data.get("title") or "")), kind="json" + str(data["version"])[-3:], items=parsed)


def json_item(raw: dict[str, Any], base: str) -> FeedItem | None:
    html, plain, summary = (raw.get(key) for key in ("content_html", "content_text", "summary"))
    candidates = [html_to_text(html) if isinstance(html, str) else "", str(plain or ""), str(summary or "")]
    text = max(candidates, key=len).strip()
    title = one_line(str(raw.get("title") or ""))
    link = web_link(raw.get("url") or raw.get("external_url"), base)
    if not (title or text or link):
        return None
    author = None
    authors = raw.get("authors") or ([raw["author"]] if isinstance(raw.get("author"), dict) else [])
    if isinstance(authors, list) and authors and isinstance(authors[0], dict):
        author = one_line(str(authors[0].get("name") or "")) or None
    published = parse_iso(raw.get("date_published") or raw.get("date_modified"))
    return FeedItem(title, link, text, published, author, str(raw.get("id") or "") or None)


def parse_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
