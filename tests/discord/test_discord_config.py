"""The ``[discord]`` configuration section."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.config import ConfigError, embedded_defaults, parse_config
from bot.discord.channel import BOT_PERIOD, BOT_REQUESTS
from bot.discord.platform import from_env


def test_guilds_and_global_sync() -> None:
    config = parse_config("[discord]\nguilds = [123456789012345678, '223456789012345678']\nglobal_sync = true\n", "t")
    assert config.discord.guilds == [123456789012345678, 223456789012345678]
    assert config.discord.global_sync is True


def test_defaults_register_nowhere() -> None:
    config = parse_config(embedded_defaults(), "embedded defaults")
    assert config.discord.guilds == [] and config.discord.global_sync is False


def test_the_bot_budget_defaults_under_discords_limit_and_reaches_the_platform(sqlite_url: str) -> None:
    defaults = parse_config(embedded_defaults(), "embedded defaults").discord
    assert (defaults.bot_requests, defaults.bot_period) == (BOT_REQUESTS, BOT_PERIOD)
    assert BOT_REQUESTS / BOT_PERIOD < 50  # Discord's 50 requests a second per bot, with a margin
    app = App(parse_config("[discord]\nbot_requests = 10\nbot_period = 2.5\n", "t"), sqlite_url)
    try:
        platform = from_env(app, {"DISCORD_TOKEN": "t"})
        assert platform is not None
        assert (platform.settings.bot_requests, platform.settings.bot_period) == (10, 2.5)
    finally:
        app.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[discord]\nguilds = ['general']\n", "discord.guilds.0"),
        ("[discord]\nguild = [1]\n", "discord.guild: unknown key"),
        ("[discord]\ntoken = 'x'\n", "discord.token: unknown key"),
        ("[discord]\nbot_requests = 0\n", "discord.bot_requests"),
        ("[discord]\nbot_period = 0\n", "discord.bot_period"),
    ],
)
def test_mistakes_are_one_line(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "newsdigest.toml")
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)
