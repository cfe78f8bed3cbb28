"""Where digests go: the console, Slack channels, Discord channels."""

from bot.channels.base import Channel, DeliveryError

__all__ = ["Channel", "DeliveryError"]
