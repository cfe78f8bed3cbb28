"""Slack test fixtures: an app with the seeded article stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app import App
from bot.config import Config


@pytest.fixture
def app(sqlite_url: str) -> Iterator[App]:
    """The application with the packaged seed article ingested."""
    opened = App(Config(), sqlite_url)
    report = opened.ingest_sources()
    assert report.new or report.duplicate
    yield opened
    opened.close()
