"""Chat platforms (Slack, Discord) as the runner sees them: started, stopped, asked for channels."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

from bot.channels.base import Channel

if TYPE_CHECKING:
    from bot.app import App
    from bot.pacing import Gates

# platform name -> "module:factory"; a factory takes (app, environ, gates) and returns a Platform, or None
# when the environment does not configure that platform (no token). ``gates`` pace its calls.
PLATFORM_FACTORIES = {
    "slack": "bot.slack.platform:from_env",
    "discord": "bot.discord.platform:from_env",
}
MISSING_SETUP = {
    "slack": "Slack is not configured: set SLACK_BOT_TOKEN (and SLACK_APP_TOKEN or SLACK_SIGNING_SECRET)",
    "discord": "Discord is not configured: set DISCORD_TOKEN",
}

# platform name -> the environment variable without which it is not configured
TOKEN_VARIABLES = {"slack": "SLACK_BOT_TOKEN", "discord": "DISCORD_TOKEN"}


def unconfigured_channels(addresses: Iterable[str], environ: Mapping[str, str]) -> dict[str, list[str]]:
    """Platform name -> the given channels on it, for each platform whose token is not set in ``environ``."""
    missing: dict[str, list[str]] = {}
    for address in dict.fromkeys(addresses):
        name = address.split(":", 1)[0]
        variable = TOKEN_VARIABLES.get(name)
        if variable is not None and not environ.get(variable, "").strip():
            missing.setdefault(name, []).append(address)
    return missing


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


def platform_from_env(
    name: str, app: App, environ: Mapping[str, str] | None = None, gates: Gates | None = None
) -> Platform | None:
    """The platform ``name`` if the environment configures it, else None; ``gates`` pace its calls."""
    target = PLATFORM_FACTORIES.get(name)
    if target is None:
        return None
    module_name, attribute = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None
    factory = getattr(module, attribute)
    platform: Platform | None = factory(app, os.environ if environ is None else environ, gates)
    return platform
