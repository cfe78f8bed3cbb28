"""Turn a configured channel address into a channel object."""

from __future__ import annotations

from bot.channels.base import Channel, DeliveryError
from bot.channels.console import ConsoleChannel


def open_channel(address: str) -> Channel:
    """The channel for ``address``; raises :class:`DeliveryError` when it cannot be used here."""
    if address == "console":
        return ConsoleChannel()
    platform = address.split(":", 1)[0]
    raise DeliveryError(address, f"{platform} is not set up in this build", permanent=True)
