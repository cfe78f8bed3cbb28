"""Chat platforms (Slack, Discord) as the runner sees them: started, stopped, asked for channels."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from bot.channels.base import Channel

if TYPE_CHECKING:
    from bot.app import App

# platform name -> "module:factory"; a factory takes (app, environ) and returns a Platform, or None
# when the environment does not configure that platform (no token).
PLATFORM_FACTORIES = {
    "slack": "bot.slack.platform:from_env",
    "discord": "bot.discord.platform:from_env",
}
MISSING_SETUP = {
    "slack": "Slack is not configured: set SLACK_BOT_TOKEN (and SLACK_APP_TOKEN or SLACK_SIGNING_SECRET)",
    "discord": "Discord is not configured: set DISCORD_TOKEN",
}


class Platform(Protocol):
    """One chat platform connection shared by its channels and its slash commands."""

    name: str

    async def start(self, serve_commands: bool) -> None:
        """Connect; with ``serve_commands`` also start answering slash commands."""
        ...

    async def stop(self) -> None:
        """Disconnect cleanly."""
        ...

    def channel(self, address: str) -> Channel:
        """The channel for a configured address such as ``slack:#newsroom``."""
        ...


def platform_from_env(name: str, app: App, environ: Mapping[str, str] | None = None) -> Platform | None:
    """The platform ``name`` if the environment configures it, else None."""
    target = PLATFORM_FACTORIES.get(name)
    if target is None:
        return None
    module_name, attribute = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None
    factory = getattr(module, attribute)
    platform: Platform | None = factory(app, os.environ if environ is None else environ)
    return platform
