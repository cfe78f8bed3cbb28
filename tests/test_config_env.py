"""Configuration for containers: every key from the environment, and secrets from files."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import newsdigest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import ConfigError, parse_config
from bot.secret_files import load_secret_files

BASE = """
[digest]
max_items = 10

[[schedules]]
name = "morning"
cron = "0 8 * * *"
channels = ["console"]
"""


def test_environment_overrides_any_key() -> None:
    environ = {
        "NEWSDIGEST_DIGEST__MAX_ITEMS": "5",
        "NEWSDIGEST_SUMMARY__ALGORITHM": "lexrank",
        "NEWSDIGEST_SCHEDULES__0__CRON": "30 6 * * 1-5",
        "NEWSDIGEST_SCHEDULES__0__CHANNELS": '["console", "slack:#newsroom"]',
        "NEWSDIGEST_SOURCES": '[{path = "/data/articles"}, {path = "seeds"}]',
        "NEWSDIGEST_DISCORD__GUILDS": "[123456789012345678]",
        "NEWSDIGEST_SCHEDULER__MAX_ATTEMPTS": "3",
        "NEWSDIGEST_OPS_LISTEN": "0.0.0.0:9102",
        "NEWSDIGEST_CONFIG": "ignored here",
        "NEWSDIGEST_LOG_FORMAT": "json",
    }
    config = parse_config(BASE, "newsdigest.toml", environ)
    assert config.digest.max_items == 5 and config.summary.algorithm == "lexrank"
    assert config.schedules[0].cron == "30 6 * * 1-5" and config.schedules[0].channels == ["console", "slack:#newsroom"]
    assert [source.path for source in config.sources] == ["/data/articles", "seeds"]
    assert config.discord.guilds == [123456789012345678] and config.scheduler.max_attempts == 3
    assert config.ops.listen == "0.0.0.0:9102"
    assert parse_config(BASE, "newsdigest.toml", {}).ops.listen is None


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"NEWSDIGEST_DIGEST__MAX_ITEMS": "lots"}, "environment NEWSDIGEST_DIGEST__MAX_ITEMS: digest.max_items: "),
        ({"NEWSDIGEST_DIGEST__MAX_ITEMZ": "5"}, "environment NEWSDIGEST_DIGEST__MAX_ITEMZ: digest.max_itemz: unknown"),
        ({"NEWSDIGEST_DIGST__MAX_ITEMS": "5"}, "environment NEWSDIGEST_DIGST__MAX_ITEMS: 'digst' is not a config"),
        ({"NEWSDIGEST_SCHEDULES__3__CRON": "* * * * *"}, "environment NEWSDIGEST_SCHEDULES__3__CRON: there is no"),
        ({"NEWSDIGEST_OPS_LISTEN": "9102"}, "environment NEWSDIGEST_OPS_LISTEN: ops.listen: '9102' is not HOST:PORT"),
    ],
)
def test_a_bad_override_names_its_variable(environ: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(BASE, "newsdigest.toml", environ)
    assert str(raised.value).startswith(expected), str(raised.value)


def test_secrets_come_from_files(tmp_path: Path) -> None:
    (tmp_path / "bot").write_text("xoxb-from-a-file\n", encoding="utf-8")
    (tmp_path / "empty").write_text("\n", encoding="utf-8")
    environ = {"SLACK_BOT_TOKEN_FILE": str(tmp_path / "bot"), "DISCORD_TOKEN": "kept"}
    assert load_secret_files(environ) == ["SLACK_BOT_TOKEN"]
    assert environ["SLACK_BOT_TOKEN"] == "xoxb-from-a-file" and environ["DISCORD_TOKEN"] == "kept"
    assert load_secret_files(environ) == ["SLACK_BOT_TOKEN"]  # reading again is harmless
    for bad, message in [
        ({"SLACK_APP_TOKEN": "xapp-a", "SLACK_APP_TOKEN_FILE": str(tmp_path / "bot")}, "set SLACK_APP_TOKEN or"),
        ({"DISCORD_TOKEN_FILE": str(tmp_path / "missing")}, "DISCORD_TOKEN_FILE: cannot read"),
        ({"SLACK_SIGNING_SECRET_FILE": str(tmp_path / "empty")}, "SLACK_SIGNING_SECRET_FILE: "),
    ]:
        with pytest.raises(ConfigError, match=message):
            load_secret_files(bad)


def test_the_cli_reads_the_database_url_and_overrides_from_the_environment(tmp_path: Path) -> None:
    database = tmp_path / "from-file.db"
    (tmp_path / "database_url").write_text(f"sqlite:///{database}\n", encoding="utf-8")
    env = {"DATABASE_URL_FILE": str(tmp_path / "database_url"), "NEWSDIGEST_DIGEST__TITLE": "Env digest"}
    result = newsdigest("run", "--once", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "Env digest" in result.stdout and database.is_file()
    assert not (tmp_path / "newsdigest.db").exists()



def test_a_missing_secret_file_or_bad_override_is_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["digest"], env={"DATABASE_URL_FILE": str(tmp_path / "nope")})
    assert missing.exit_code == 2
    assert missing.output.startswith("newsdigest: configuration error: DATABASE_URL_FILE: cannot read")
    assert len(missing.output.strip().splitlines()) == 1
    bad = runner.invoke(cli, ["digest"], env={"NEWSDIGEST_DIGEST__MAX_ITEMS": "0"})
    assert bad.exit_code == 2 and "environment NEWSDIGEST_DIGEST__MAX_ITEMS: digest.max_items:" in bad.output
