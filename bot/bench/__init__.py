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
    "cost": "bot.bench.cost:cost",
    "search": "bot.bench.search:search",
    "feeds": "bot.bench.feeds:feeds",
    "feed-suite": "bot.bench.feed_suite:feed_suite",
    "http-clients": "bot.bench.http_clients:http_clients",
    "grouping": "bot.bench.grouping:grouping",
    "splitting": "bot.bench.splitting:splitting",
    "scale": "bot.bench.scale:scale",
    "scale-ingest": "bot.bench.scale_ingest:scale_ingest",
    "job-queues": "bot.bench.job_queues:job_queues",
}


@click.group(cls=LazyGroup, lazy_commands=BENCHMARKS)
def bench() -> None:
    """Benchmarks: summaries, answers, search, cards, Slack, feeds, grouping, crash, hardening, scale-out."""
