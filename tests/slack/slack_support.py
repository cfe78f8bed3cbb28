"""Helpers for the Slack tests: running async scenarios and building digests of any size."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from digests.models import Digest, DigestItem, Figure

SIGNING_SECRET = "test-signing-secret"


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    """Run one async scenario on a fresh event loop."""
    return asyncio.run(scenario())  # type: ignore[arg-type]


def make_digest(count: int, title: str = "Morning digest", **item_fields: Any) -> Digest:
    """A digest of ``count`` articles with realistic lengths."""
    items = tuple(
        DigestItem(
            article_id=n,
            title=item_fields.get("headline", f"Council approves budget number {n} after long debate"),
            source=item_fields.get("source", f"articles/{n:03d}.txt"),
            summary=item_fields.get(
                "summary",
                (
                    f"The council voted {n} to 3 on Tuesday to approve the budget.",
                    "Opposition members said the cuts would hurt libraries.",
                    "The mayor said the plan was “the only responsible choice”.",
                ),
            ),
            url=item_fields.get("url", f"https://news.example/{n}"),
            outlet=item_fields.get("outlet", "Example News"),
            published=datetime(2025, 6, 1, 8, n % 60, tzinfo=UTC),
            key_figures=item_fields.get("key_figures", (Figure(f"{n}", "count", "", counts="votes"),)),
            card_path=item_fields.get("card_path"),
            card_alt_text=item_fields.get("card_alt_text"),
        )
        for n in range(1, count + 1)
    )
    return Digest(title=title, created_at=datetime(2025, 6, 1, 8, 0, tzinfo=UTC), items=items)
