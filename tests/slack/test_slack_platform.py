"""Slack settings from the environment: which mode, which URL, and secrets kept out of sight."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.channels.registry import ChannelDirectory
from bot.config import ConfigError
from bot.platforms import platform_from_env
from bot.slack.platform import DEFAULT_API_URL, SlackPlatform, SlackSettings


def test_no_bot_token_means_no_slack(app: App) -> None:
    assert SlackSettings.from_env({}) is None
    assert platform_from_env("slack", app, {"SLACK_APP_TOKEN": "xapp-1"}) is None


@pytest.mark.parametrize(
    ("environ", "mode"),
    [
        ({"SLACK_APP_TOKEN": "xapp-1", "SLACK_SIGNING_SECRET": "s"}, "socket"),
        ({"SLACK_SIGNING_SECRET": "s"}, "http"),
        ({}, "post-only"),
    ],
)
def test_mode_follows_the_tokens(environ: dict[str, str], mode: str) -> None:
    settings = SlackSettings.from_env({"SLACK_BOT_TOKEN": "xoxb-secret-1", **environ})
    assert settings is not None and settings.mode == mode
    assert settings.api_url == DEFAULT_API_URL
    assert "xoxb-secret-1" not in repr(settings) and "xapp-1" not in repr(settings)


def test_api_url_must_end_with_a_slash() -> None:
    with pytest.raises(ConfigError, match="SLACK_API_URL must end with '/'"):
        SlackSettings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": "http://127.0.0.1:1/api"})
    settings = SlackSettings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": "http://127.0.0.1:1/api/"})
    assert settings is not None and settings.api_url == "http://127.0.0.1:1/api/"


def test_factory_gives_a_platform_whose_client_uses_the_api_url(app: App) -> None:
    platform = platform_from_env("slack", app, {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": "http://127.0.0.1:1/x/"})
    assert isinstance(platform, SlackPlatform)
    assert platform.client.base_url == "http://127.0.0.1:1/x/"
    assert platform.channel("slack:#news").address == "slack:#news"


def test_directory_without_slack_setup_fails_the_channel_permanently(app: App) -> None:
    directory = ChannelDirectory(app, environ={})
    with pytest.raises(Exception, match="SLACK_BOT_TOKEN") as raised:
        directory.channel("slack:#news")
    assert getattr(raised.value, "permanent", False) is True


def test_slack_pace_scales_the_pacing_and_rejects_nonsense() -> None:
    settings = SlackSettings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_PACE": "0.5"})
    assert settings is not None and settings.pacing.scale == 0.5
    default = SlackSettings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"})
    assert default is not None and default.pacing.scale == 1.0
    for bad in ("fast", "-1", "nan"):
        with pytest.raises(ConfigError, match="SLACK_PACE"):
            SlackSettings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_PACE": bad})
