"""Scale-out on PostgreSQL: one scheduler, workers killed with SIGKILL mid-run; every digest exactly once, paced.

The full-size run (200 channels, 20 slots, 10 kills, 1/2/4 workers) is ``newsdigest bench scale``.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.bench.scale import run_scale
from bot.cli import cli


def test_workers_killed_mid_run_lose_and_repeat_nothing(postgres_url: str, tmp_path: Path) -> None:
    figures = run_scale(
        tmp_path,
        postgres_url,
        workers=3,
        channels=20,
        slots=3,
        kills=2,
        seed=3,
        interval=0.3,
        drain_timeout=240,
        replace=False,  # two of the three workers die; the last one finishes their jobs
        stalled_seconds=4,
        kill_window=8,
    )
    assert figures.errors == []
    assert figures.slots >= 3 and figures.deliveries == figures.slots * 20
    assert figures.kills == 2
    assert figures.posts == figures.deliveries
    assert (figures.duplicates, figures.lost, figures.unexpected) == (0, 0, 0)
    assert figures.pacing_violations == 0 and figures.closest_gap_seconds is not None
    assert figures.closest_gap_seconds >= 0.3


def test_a_worker_on_sqlite_says_it_needs_postgresql(sqlite_url: str) -> None:
    result = CliRunner().invoke(cli, ["--db", sqlite_url, "worker"])
    assert result.exit_code == 2
    assert "newsdigest worker needs PostgreSQL" in result.output
