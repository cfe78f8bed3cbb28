"""``newsdigest bench``: reproducible measurements behind docs/BENCHMARKS.md."""

from __future__ import annotations

import click

from bot.lazy_group import LazyGroup

BENCHMARKS = {
    "summaries": "bot.bench.summaries:summaries",
    "answers": "bot.bench.answers:answers",
    "cards": "bot.bench.cards:cards",
    "slack-ack": "bot.bench.slack_ack:slack_ack",
    "crash": "bot.bench.crash:crash",
    "scale": "bot.bench.scale:scale",
}


@click.group(cls=LazyGroup, lazy_commands=BENCHMARKS)
def bench() -> None:
    """Benchmarks: summary quality and speed, answers, cards, Slack ack latency, crash recovery, scale-out."""
