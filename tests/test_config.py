"""Configuration: embedded defaults, validation with one line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config


def test_embedded_defaults_post_seeds_to_console(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSDIGEST_CONFIG", raising=False)
    config = load_config()
    assert [s.path for s in config.sources] == ["seeds"]
    assert config.channels() == ["console"]
    assert config.summary.sentences == 3


def test_repository_config_is_valid() -> None:
    config = load_config(str(Path(__file__).resolve().parents[1] / "config" / "newsdigest.toml"))
    assert config.schedules[0].name == "morning"


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[summary]\nsentencs = 3\n", "x.toml: summary.sentencs: unknown key (check its spelling)"),
        ("[summary]\nalgorithm = 'magic'\n", "x.toml: summary.algorithm: unknown summariser 'magic'; choose one of"),
        ("[summary]\nsentences = 0\n", "x.toml: summary.sentences: Input should be greater than or equal to 1"),
        (
            "[[schedules]]\nname='m'\ncron='61 8 * * *'\nchannels=['console']\n",
            "x.toml: schedules.0.cron: '61 8 * * *' is not a valid cron expression",
        ),
        (
            "[[schedules]]\nname='m'\ncron='0 8 * * *'\ntimezone='Mars/Base'\nchannels=['console']\n",
            "x.toml: schedules.0.timezone: 'Mars/Base' is not an IANA time zone",
        ),
        (
            "[[schedules]]\nname='m'\ncron='0 8 * * *'\nchannels=['irc:#news']\n",
            "x.toml: schedules.0.channels: 'irc:#news' is not a channel",
        ),
        ("[summary\n", "x.toml: not valid TOML"),
    ],
)
def test_bad_config_names_key_and_problem(toml: str, expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(toml, "x.toml")
    message = str(raised.value)
    assert message.startswith(expected), message
    assert "\n" not in message


def test_channel_forms_accepted() -> None:
    config = parse_config(
        "[[schedules]]\nname='m'\ncron='0 8 * * 1-5'\n"
        "channels=['console','slack:#newsroom','slack:C0123ABCD','discord:123456789012345678']\n",
        "x.toml",
    )
    assert config.channels() == ["console", "slack:#newsroom", "slack:C0123ABCD", "discord:123456789012345678"]


def test_missing_file_is_one_line() -> None:
    with pytest.raises(ConfigError, match=r"^nowhere\.toml: configuration file not found$"):
        load_config("nowhere.toml")
