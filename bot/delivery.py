"""Deliver one digest to several channels; one channel's failure never stops the others."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.channels.base import Channel, DeliveryError
from digests.models import Digest

logger = logging.getLogger(__name__)


@dataclass
class DeliveryOutcome:
    """Which channels got the digest and which did not, with the reason."""

    sent: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


async def deliver_to_all(
    digest: Digest,
    addresses: Sequence[str],
    marker: str,
    open_channel: Callable[[str], Channel],
) -> DeliveryOutcome:
    """Post ``digest`` to each address; failures are logged in one line each and collected."""
    outcome = DeliveryOutcome()
    for address in addresses:
        try:
            channel = open_channel(address)
            outcome.sent[address] = await channel.post_digest(digest, marker)
        except DeliveryError as error:
            logger.error("could not post the digest to %s: %s", address, error.reason)
            outcome.failed[address] = error.reason
    return outcome
