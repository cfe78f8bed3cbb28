"""Operator mistakes and storage faults end in one line on stderr, never a traceback."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import event

from bot.app import App
from bot.cli import cli
from bot.commands import CommandHandler
from bot.config import Config, DigestConfig
from digests.models import Analysis, Article
from digests.storage.store import STORY_WINDOW
from digests.storage.tables import ArticleRow


def newsdigest(*args: str) -> Result:
    """``newsdigest ARGS`` in this process, as click runs it (stderr apart, exceptions not caught)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_line(result: Result) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://editor:s3cret@127.0.0.1:1/news", "the database server cannot be reached"),
        ("postgresql://postgres@127.0.0.1:5432/newsdigest_no_such_db", "the database does not exist"),
        ("sqlite:////nonexistent/dir/news.db", "the folder /nonexistent/dir does not exist"),
        ("mysql+nosuchdriver://x@y/z", "not a database URL"),
    ],
)
def test_storage_faults_are_one_line_naming_the_database(
    request: pytest.FixtureRequest, url: str, expected: str
) -> None:
    if "no_such_db" in url:
        request.getfixturevalue("postgres_url")  # skips cleanly where no PostgreSQL server answers
    line = one_line(newsdigest("--db", url, "digest"))
    assert line.startswith("newsdigest: database ")
    assert expected in line
    assert "s3cret" not in line
    assert not Path("/nonexistent").exists()


def test_a_read_only_database_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Headline\n\nThe council met on Monday.\n")
    assert newsdigest("--db", f"sqlite:///{tmp_path / 'news.db'}", "digest").exit_code == 0
    read_only = f"sqlite:///file:{tmp_path / 'news.db'}?mode=ro&uri=true"
    line = one_line(newsdigest("--db", read_only, "ingest", str(tmp_path / "a.txt")))
    assert "the database is read-only" in line


def test_ingest_of_a_missing_path_fails_in_one_line() -> None:
    line = one_line(newsdigest("ingest", "nope/"))
    assert line == "newsdigest: nope: no such file or folder"


def test_bad_channel_options_are_one_line_each() -> None:
    result = newsdigest("run", "--once", "--channel", "discord:abc", "--channel", "teams:foo")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert [line.split(" is not a channel")[0] for line in lines] == [
        "newsdigest: --channel 'discord:abc'",
        "newsdigest: --channel 'teams:foo'",
    ]
    assert not Path("newsdigest.db").exists()


def test_run_reports_a_channel_without_a_token_at_start(tmp_path: Path) -> None:
    config = tmp_path / "news.toml"
    config.write_text('[[schedules]]\nname = "morning"\ncron = "0 7 * * *"\nchannels = ["slack:#newsroom"]\n')
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "NEWSDIGEST_"))}
    process = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", "--config", str(config), "run"],
        cwd=tmp_path,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    stamp, _, line = first.strip().partition(" ")  # an ISO-8601 timestamp, then the message
    assert stamp.startswith("20") and stamp.endswith("Z")
    assert line == (
        "ERROR newsdigest: slack:#newsroom will get nothing: Slack is not configured:"
        " set SLACK_BOT_TOKEN (and SLACK_APP_TOKEN or SLACK_SIGNING_SECRET)"
    )


def test_digest_reads_only_the_articles_it_shows(sqlite_url: str) -> None:
    record = None
    app = App(Config(digest=DigestConfig(max_items=3)), sqlite_url)
    try:
        for n in range(30):
            topic = "harbour" if n % 10 == 0 else "council"
            article = Article(title=f"Story {n}", body=f"The {topic} met for the {n}th time.", source=f"{n}.txt")
            app.store.add(article, Analysis(sentences=(article.body,), summary=(article.body,)))
        loaded: list[int] = []

        def record(row: ArticleRow, _: object) -> None:
            loaded.append(row.id)

        event.listen(ArticleRow, "load", record)
        handler = CommandHandler(app)
        latest = asyncio.run(handler.handle("digest"))
        assert [item.title for item in latest.digest.items] == ["Story 27", "Story 28", "Story 29"]  # type: ignore[union-attr]
        # the newest rows only: a bounded window per story shown, whatever the store holds
        assert {28, 29, 30} <= set(loaded) and len(loaded) <= 3 * STORY_WINDOW
        loaded.clear()
        topic = asyncio.run(handler.handle("digest Harbour"))
        assert [item.title for item in topic.digest.items] == ["Story 0", "Story 10", "Story 20"]  # type: ignore[union-attr]
        assert sorted(loaded) == [1, 11, 21]
        loaded.clear()
        asyncio.run(handler.handle("sources"))
        assert len(loaded) == 20
    finally:
        event.remove(ArticleRow, "load", record)
        app.close()
