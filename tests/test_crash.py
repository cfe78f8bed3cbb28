"""A short version of ``newsdigest bench crash``: kill -9 the bot a few times, every digest arrives exactly once."""

from __future__ import annotations

from pathlib import Path

from bot.bench.crash import discord_available, run_trials


def test_kill_9_and_restart_posts_every_digest_exactly_once(tmp_path: Path) -> None:
    figures = run_trials(trials=3, seed=11, folder=tmp_path, database=None, with_discord=discord_available())
    assert figures.slots > 0 and figures.deliveries >= figures.slots
    assert figures.posts == figures.deliveries
    assert figures.duplicates == 0
    assert figures.lost == 0
    assert figures.missed_slots == 0 and figures.missed_catch_ups == 0
    assert figures.unexpected == 0 and figures.repeated_articles == 0


def test_kill_9_and_restart_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    figures = run_trials(trials=2, seed=5, folder=tmp_path, database=postgres_url, with_discord=False)
    assert figures.deliveries > 0 and figures.posts == figures.deliveries
    assert (figures.duplicates, figures.lost, figures.missed_slots, figures.missed_catch_ups) == (0, 0, 0, 0)
