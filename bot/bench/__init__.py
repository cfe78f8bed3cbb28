"""``newsdigest bench``: reproducible measurements behind docs/BENCHMARKS.md."""

from __future__ import annotations

import click

from bot.lazy_group import LazyGroup

BENCHMARKS = {
    "summaries": "bot.bench.summaries:summaries",
    "answers": "bot.bench.answers:answers",
    "cards": "bot.bench.cards:cards",
    "slack-ack": "bot.bench.slack_ack:slack_ack",
    "slack-load": "bot.bench.slack_load:slack_load",
    "crash": "bot.bench.crash:crash",
    "hardening": "bot.bench.hardening:hardening",
}


@click.group(cls=LazyGroup, lazy_commands=BENCHMARKS)
def bench() -> None:
    """Benchmarks: summary quality and speed, answers, cards, Slack ack latency and load, crash recovery."""
