"""The interface every channel implements, whatever the platform."""

from __future__ import annotations

from typing import Protocol

from digests.models import Digest


class DeliveryError(Exception):
    """A digest could not be delivered; ``permanent`` errors are not worth retrying."""

    def __init__(self, channel: str, reason: str, permanent: bool = False) -> None:
        super().__init__(f"{channel}: {reason}")
        self.channel = channel
        self.reason = reason
        self.permanent = permanent


class Channel(Protocol):
    """A destination for digests."""

    address: str

    async def post_digest(self, digest: Digest, marker: str) -> str:
        """Post ``digest`` carrying ``marker`` where the platform allows; return the platform message id."""
        ...

    async def find_marker(self, marker: str) -> str | None:
        """The id of a recent message carrying ``marker``, if the platform can look back; else None."""
        ...
