"""Turn configured channel addresses into channel objects, connecting platforms as needed."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from bot.channels.base import Channel, DeliveryError
from bot.channels.console import ConsoleChannel
from bot.platforms import MISSING_SETUP, Platform, platform_from_env

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)


def platform_of(address: str) -> str:
    """``slack`` for ``slack:#news``; ``console`` for ``console``."""
    return address.split(":", 1)[0]


class ChannelDirectory:
    """Owns the platform connections a set of channels needs; use ``async with``."""

    def __init__(
        self, app: App, environ: Mapping[str, str] | None = None, console: ConsoleChannel | None = None
    ) -> None:
        self.app = app
        self.environ = environ
        self.console = console or ConsoleChannel()
        self.platforms: dict[str, Platform] = {}

    async def connect(self, addresses: Iterable[str], serve_commands: bool = False) -> None:
        """Start each platform the addresses need (and, with ``serve_commands``, every configured one)."""
        wanted = {platform_of(a) for a in addresses} - {"console"}
        if serve_commands:
            wanted |= {"slack", "discord"}
        for name in sorted(wanted):
            platform = platform_from_env(name, self.app, self.environ)
            if platform is None:
                continue
            try:
                await platform.start(serve_commands)
            except DeliveryError as error:
                logger.error("could not connect to %s: %s", name, error.reason)
                continue
            self.platforms[name] = platform

    async def close(self) -> None:
        """Stop every started platform."""
        for platform in self.platforms.values():
            await platform.stop()
        self.platforms.clear()

    def channel(self, address: str) -> Channel:
        """The channel for ``address``; raises :class:`DeliveryError` when its platform is not set up."""
        name = platform_of(address)
        if name == "console":
            return self.console
        platform = self.platforms.get(name)
        if platform is None:
            reason = MISSING_SETUP.get(name, f"unknown platform {name!r}")
            raise DeliveryError(address, reason, permanent=True)
        return platform.channel(address)

    async def __aenter__(self) -> ChannelDirectory:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
