"""The ``[discord]`` configuration section."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, embedded_defaults, parse_config


def test_guilds_and_global_sync() -> None:
    config = parse_config("[discord]\nguilds = [123456789012345678, '223456789012345678']\nglobal_sync = true\n", "t")
    assert config.discord.guilds == [123456789012345678, 223456789012345678]
    assert config.discord.global_sync is True


def test_defaults_register_nowhere() -> None:
    config = parse_config(embedded_defaults(), "embedded defaults")
    assert config.discord.guilds == [] and config.discord.global_sync is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[discord]\nguilds = ['general']\n", "discord.guilds.0"),
        ("[discord]\nguild = [1]\n", "discord.guild: unknown key"),
        ("[discord]\ntoken = 'x'\n", "discord.token: unknown key"),
    ],
)
def test_mistakes_are_one_line(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "newsdigest.toml")
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)
