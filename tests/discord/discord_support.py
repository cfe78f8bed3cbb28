"""Helpers shared by the Discord tests: the real client connected to the fake, and demanding digests."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.app import App
from bot.discord.platform import DiscordPlatform, DiscordSettings
from bot.fakes.discord_server import FakeDiscord
from digests.models import Digest, DigestItem, Figure

HOSTILE = "@everyone look: <@&123456789012345678> and <@123456789012345678> say **bold** [click](https://evil.example)"


def settings_for(fake: FakeDiscord, **overrides: Any) -> DiscordSettings:
    """Settings aimed at ``fake`` with a short guild_ready_timeout."""
    base = DiscordSettings(
        token=fake.token,
        api_url=fake.api_url,
        gateway_url=fake.gateway_url,
        guilds=fake.guild_ids,
        guild_ready_timeout=0.1,
        ready_timeout=10,
    )
    return replace(base, **overrides)


@asynccontextmanager
async def connected(
    app: App, fake: FakeDiscord, serve_commands: bool = True, **overrides: Any
) -> AsyncIterator[DiscordPlatform]:
    """A started platform against ``fake``; stopped on exit."""
    platform = DiscordPlatform(app, settings_for(fake, **overrides))
    await platform.start(serve_commands)
    try:
        yield platform
    finally:
        await platform.stop()


def run_clean(scenario: Callable[[], Awaitable[None]]) -> None:
    """Run ``scenario`` on a fresh loop in debug mode; fail on unclosed sessions or tasks left behind."""
    leftovers: list[str] = []

    async def main() -> None:
        await asyncio.wait_for(scenario(), 120)
        await asyncio.sleep(0)
        current = asyncio.current_task()
        leftovers.extend(repr(t) for t in asyncio.all_tasks() if t is not current and not t.done())

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        asyncio.run(main(), debug=True)
        gc.collect()
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert not leftovers, f"tasks still pending after the scenario: {leftovers}"
    assert not unclosed, f"resources left open: {unclosed}"


def sentence(number: int, words: int) -> str:
    body = " ".join(f"word{number}x{i}" for i in range(words))
    return f"Sentence {number} says {body} 🗞️."


def demanding_digest(articles: int = 30) -> Digest:
    """A digest that crosses every Discord limit if rendered naively: long headlines, long summaries,
    more than 25 figures per article, astral characters, mentions and markdown in the text."""
    items = []
    for n in range(1, articles + 1):
        figures = tuple(
            Figure(
                text=f"{n * 1000 + f:,}",
                kind="count",
                sentence=f"Figure sentence {f}.",
                counts=f"people counted in category {f} " + "detail " * (40 if f == 0 else 1),
                qualifiers=("at least",) if f % 2 else (),
                attribution=f"according to @everyone source {f}",
            )
            for f in range(30 if n % 3 == 0 else 3)
        )
        items.append(
            DigestItem(
                article_id=n,
                title=(f"Article {n}: {HOSTILE} " + "headline words " * (25 if n % 4 == 0 else 1)).strip(),
                source=f"https://news.example/{n}" if n % 2 else f"articles/{n}.txt",
                url=f"https://news.example/{n}" if n % 2 else None,
                outlet="Example News",
                summary=tuple(sentence(n * 10 + s, 220 if n % 5 == 0 else 20) for s in range(5)),
                key_figures=figures,
            )
        )
    return Digest(title="Morning digest", created_at=datetime(2026, 6, 1, 7, 0, tzinfo=UTC), items=tuple(items))
