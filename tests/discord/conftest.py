"""Discord test fixtures: an app with the seeded article stored, and discord.py aimed back at Discord afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import discord
import pytest

from bot.app import App
from bot.config import parse_config
from bot.discord.platform import DEFAULT_API_URL, DEFAULT_GATEWAY_URL, point_at

GUILD_ID = 900000000000000001


@pytest.fixture
def discord_app(sqlite_url: str) -> Iterator[App]:
    """The application, configured to register /news in the fake's guild, with the seed article ingested."""
    config = parse_config(f"[discord]\nguilds = [{GUILD_ID}]\n", "test config")
    opened = App(config, sqlite_url)
    report = opened.ingest_sources()
    assert report.new or report.duplicate
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def real_discord_endpoints() -> Iterator[None]:
    """Tests point discord.py's class-level endpoints at a fake; put them back afterwards."""
    yield
    point_at(DEFAULT_API_URL, DEFAULT_GATEWAY_URL)
    assert discord.http.Route.BASE == DEFAULT_API_URL
