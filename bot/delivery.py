"""Deliver digests to channels, exactly once through the delivery ledger; one channel's failure never stops others."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.channels.base import Channel, DeliveryError
from bot.ops.metrics import record_delivery
from digests.models import Digest
from digests.storage.ledger import SENDING, Delivery, Ledger

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


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff for transient failures: ``initial`` doubling up to ``maximum``, ``max_attempts`` tries."""

    initial: float = 30.0
    maximum: float = 3600.0
    max_attempts: int = 8

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt."""
        return float(min(self.maximum, self.initial * 2 ** max(0, attempts - 1)))


def delivery_fields(delivery: Delivery) -> dict[str, object]:
    """A delivery's key as structured log fields."""
    return {
        "schedule": delivery.schedule,
        "slot": delivery.slot.isoformat(),
        "channel": delivery.channel,
        "delivery_id": delivery.id,
    }


class LedgerDelivery:
    """Delivers the ledger's open deliveries exactly once each.

    Before any second attempt (a crash left the delivery ``sending``, or an earlier attempt failed in a
    way that may still have posted) the channel is asked for a message carrying the delivery's marker,
    and a message found there counts as the delivery.
    """

    def __init__(
        self, ledger: Ledger, open_channel: Callable[[str], Channel], policy: RetryPolicy | None = None
    ) -> None:
        self.ledger = ledger
        self.open_channel = open_channel
        self.policy = policy or RetryPolicy()
        self._wake = asyncio.Event()
        self._busy = asyncio.Lock()

    def wake(self) -> None:
        """Look for due deliveries now."""
        self._wake.set()

    async def run(self, idle_seconds: float = 60.0) -> None:
        """Deliver whatever is due, then sleep until the next retry or a wake-up; runs until cancelled."""
        while True:
            self._wake.clear()
            try:
                await self.deliver_due()
            except Exception:
                logger.exception("delivery pass failed; trying again shortly")
            pause = idle_seconds
            upcoming = await asyncio.to_thread(self.ledger.next_attempt_time)
            if upcoming is not None:
                pause = min(pause, max(0.05, (upcoming - datetime.now(UTC)).total_seconds()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), pause)

    async def deliver_due(self, digest_id: int | None = None) -> list[Delivery]:
        """Deliver every due delivery (with ``digest_id``: that digest's open ones, due or not)."""
        async with self._busy:
            if digest_id is None:
                due = await asyncio.to_thread(self.ledger.due)
            else:
                due = await asyncio.to_thread(self.ledger.due, datetime.max.replace(tzinfo=UTC), digest_id)
            results = []
            for delivery in due:
                results.append(await self.deliver(delivery))
            return results

    async def deliver(self, delivery: Delivery) -> Delivery:
        """One attempt at one delivery; returns it as the ledger then holds it."""
        ledger = self.ledger
        if not ledger.claim(delivery):  # changed since it was read (another worker, or a retry command)
            return self._reread(delivery)
        try:
            channel = self.open_channel(delivery.channel)
            if delivery.attempts > 0 or delivery.state == SENDING:
                found = await channel.find_marker(delivery.marker)
                if found is not None:
                    ledger.mark_sent(delivery.id, found)
                    record_delivery(delivery.channel, "sent")
                    logger.info(
                        "%s already has the %s digest (message %s)",
                        delivery.channel,
                        delivery.marker,
                        found,
                        extra=delivery_fields(delivery),
                    )
                    return self._reread(delivery)
            digest = ledger.digest_for(delivery)
            message_id = await channel.post_digest(digest, delivery.marker)
        except DeliveryError as error:
            self._failed(delivery, error.reason, error.permanent)
        except Exception as error:  # a network or rendering fault: retried, and visible in the ledger
            logger.debug("delivery %s raised", delivery.id, exc_info=True, extra=delivery_fields(delivery))
            self._failed(delivery, f"{type(error).__name__}: {error}", permanent=False)
        else:
            ledger.mark_sent(delivery.id, message_id)
            record_delivery(delivery.channel, "sent", delivery.slot)
            logger.info(
                "posted the %s digest to %s", delivery.marker, delivery.channel, extra=delivery_fields(delivery)
            )
        return self._reread(delivery)

    def _failed(self, delivery: Delivery, reason: str, permanent: bool) -> None:
        current = self.ledger.get(delivery.id)
        attempts = current.attempts if current else delivery.attempts + 1
        if permanent or attempts >= self.policy.max_attempts:
            why = reason if permanent else f"gave up after {attempts} attempts: {reason}"
            self.ledger.mark_failed(delivery.id, why)
            record_delivery(delivery.channel, "failed")
            logger.error(
                "could not post the %s digest to %s: %s",
                delivery.marker,
                delivery.channel,
                why,
                extra=delivery_fields(delivery),
            )
            return
        wait = self.policy.delay(attempts)
        self.ledger.mark_retry(delivery.id, reason, datetime.now(UTC) + timedelta(seconds=wait))
        record_delivery(delivery.channel, "retry")
        where = f"the {delivery.marker} digest to {delivery.channel}"
        fields = delivery_fields(delivery)
        logger.warning("could not post %s (%s); retrying in %.0f s", where, reason, wait, extra=fields)

    def _reread(self, delivery: Delivery) -> Delivery:
        return self.ledger.get(delivery.id) or delivery
