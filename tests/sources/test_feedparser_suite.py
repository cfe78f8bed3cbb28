"""Every document of feedparser's own test suite goes through newsdigest's feed path without an unhandled exception.

The suite is in feedparser's source distribution. Point ``NEWSDIGEST_FEEDPARSER_SDIST`` at a downloaded
``feedparser-*.tar.gz`` to run this here; ``newsdigest bench feed-suite`` downloads it (PyPI) and runs the same.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.bench.feed_suite import run_suite, suite_documents


def test_feedparser_suite_documents_never_raise() -> None:
    sdist = os.environ.get("NEWSDIGEST_FEEDPARSER_SDIST")
    if not sdist or not Path(sdist).is_file():
        pytest.skip("set NEWSDIGEST_FEEDPARSER_SDIST to a feedparser sdist (or run `newsdigest bench feed-suite`)")
    documents = suite_documents(Path(sdist))
    assert len(documents) > 1000
    outcomes, unhandled, _ = run_suite(documents)
    assert unhandled == []
    assert outcomes["feed with items"] > 100
