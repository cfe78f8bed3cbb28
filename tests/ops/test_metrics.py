"""The small recording functions behind /metrics (the feeds code calls record_feed_poll)."""

from __future__ import annotations

import pytest

from bot.ops.metrics import REGISTRY, command_name, record_feed_poll


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_feed_poll_counts_its_result_and_new_articles() -> None:
    polls, ingested = sample("newsdigest_feed_polls_total", result="new"), sample("newsdigest_articles_ingested_total")
    record_feed_poll("new", new_articles=3)
    record_feed_poll("unchanged")
    assert sample("newsdigest_feed_polls_total", result="new") == polls + 1
    assert sample("newsdigest_articles_ingested_total") == ingested + 3
    with pytest.raises(ValueError, match="poll result 'weird' is not one of error, new, unchanged"):
        record_feed_poll("weird")


def test_command_labels_stay_a_fixed_set() -> None:
    assert [command_name(text) for text in ("ask who?", "HELP", "", "drop tables")] == ["ask", "help", "none", "other"]
