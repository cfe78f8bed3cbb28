"""How a fetched article travels from a poll job to its analysis job: as the job's JSON arguments.

The article rides in the job row itself (Procrastinate's ``args``, JSON in PostgreSQL), not in a table of our
own: it is written once with the job, read once by the worker that runs it, and deleted with the job when it
succeeds, so nothing needs cleaning up and no migration is needed. Its size is bounded by ``[ingest]
max_article_mb`` (the limit article files have), checked before it is queued.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from digests.models import Article

KEY_CHARS = 200  # a lock key longer than this is hashed (lock columns are indexed)


def article_payload(article: Article) -> dict[str, Any]:
    """The article as JSON-ready job arguments."""
    return {
        "title": article.title,
        "body": article.body,
        "source": article.source,
        "url": article.url,
        "outlet": article.outlet,
        "published": article.published.isoformat() if article.published else None,
        "author": article.author,
    }


def article_from_payload(payload: dict[str, Any]) -> Article:
    """The article back from :func:`article_payload` (a missing optional field is None)."""
    published = payload.get("published")
    return Article(
        title=str(payload["title"]),
        body=str(payload["body"]),
        source=str(payload["source"]),
        url=payload.get("url"),
        outlet=payload.get("outlet"),
        published=datetime.fromisoformat(published) if published else None,
        author=payload.get("author"),
    )


def text_bytes(article: Article) -> int:
    """The size of the article's words (UTF-8): what the job's arguments mostly hold."""
    return len(article.title.encode("utf-8")) + len(article.body.encode("utf-8"))


def lock_key(kind: str, *parts: str) -> str:
    """``kind:part|part``, or ``kind:`` and a SHA-256 of the parts when that would be long (long URLs)."""
    joined = "|".join(parts)
    if len(joined) <= KEY_CHARS:
        return f"{kind}:{joined}"
    return f"{kind}:" + hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def article_keys(feed: str, article: Article) -> tuple[str, str]:
    """The analysis job's (queueing lock, lock).

    The queueing lock is the item as this feed gave it (its address and its words): the same item waits in the
    queue at most once, while a changed text (an update) or the same story from another feed (an "also in")
    still gets its own job. The lock is the article's address, so two versions of one article are analysed and
    stored one after the other, never side by side.
    """
    identity = article.url or article.content_hash
    return lock_key("item", feed, identity, article.content_hash), lock_key("article", identity)
