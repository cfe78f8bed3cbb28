"""Operational alerts: a source that starts failing, and its recovery, posted once each to ``[alerts] channel``."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from bot.channels.base import Channel, DeliveryError
from digests.models import Digest
from digests.sources.ingest import Transition
from digests.sources.text import one_line

logger = logging.getLogger(__name__)


def alert_digest(transition: Transition, now: datetime) -> Digest:
    """An itemless message whose notice says which source and why."""
    if transition.failing:
        title = "newsdigest: a source is failing"
        notice = f"{transition.url} failed {transition.failures} times in a row: {one_line(transition.reason, 200)}"
    else:
        title = "newsdigest: a source recovered"
        notice = f"{transition.url} is fetched again."
    return Digest(title=title, created_at=now, notice=notice)


async def post_alerts(
    address: str | None,
    transitions: Sequence[Transition],
    open_channel: Callable[[str], Channel],
    posted_one: Callable[[Transition], None] = lambda transition: None,
) -> int:
    """Post each transition to ``address``, calling ``posted_one`` after each success (a failure is one log line,
    and the alert stays due for the next try). Returns how many were posted."""
    if not address or not transitions:
        return 0
    posted = 0
    for transition in transitions:
        now = datetime.now(UTC)
        key = f"{transition.url}|{transition.failing}|{now.isoformat()}"
        marker = "alert@" + hashlib.sha256(key.encode()).hexdigest()[:16]
        try:
            await open_channel(address).post_digest(alert_digest(transition, now), marker)
        except DeliveryError as error:
            logger.warning("alert for %s not posted to %s: %s", transition.url, address, error.reason)
            continue
        posted += 1
        await asyncio.to_thread(posted_one, transition)
    return posted
