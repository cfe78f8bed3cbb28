"""The local feed server fixture: feeds and article pages on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.fakes.feed_server import FeedServer


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer().running_in_thread() as running:
        yield running
