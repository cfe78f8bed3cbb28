"""A Discord text channel as a digest destination (``discord:CHANNEL_ID``)."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord

from bot.channels.base import DeliveryError
from bot.discord.cards import CardText, headline_alt_text, load_cards
from bot.discord.render import MessagePayload, digest_payloads, read_marker
from bot.pacing import Gate, Window
from digests.models import Digest

logger = logging.getLogger(__name__)

HISTORY_LIMIT = 50
CHANNEL_MESSAGES = 5  # Discord allows about 5 messages per 5 s in a channel;
CHANNEL_PERIOD = 5.2  # a little slack for clocks
BOT_REQUESTS = 45  # Discord allows 50 requests a second per bot, over all channels; kept under it, as other
BOT_PERIOD = 1.0  # requests (logging in, /news command syncs) take from the same budget
BOT_KEY = "bot"  # the budget's one key: every channel of the bot shares it
NEEDED_PERMISSIONS = "View Channel, Send Messages, Embed Links, Attach Files and Read Message History"


def channel_id_of(address: str) -> int:
    """``123456789012345678`` from ``discord:123456789012345678``."""
    _, _, raw = address.partition(":")
    if not raw.isdigit():
        raise DeliveryError(address, "a Discord channel is written discord:<channel id>, a number", permanent=True)
    return int(raw)


def delivery_error(address: str, error: Exception) -> DeliveryError:
    """A Discord failure as a :class:`DeliveryError` worded for whoever reads the log."""
    if isinstance(error, discord.NotFound):
        return DeliveryError(
            address, "channel not found (check the id, and that the bot was invited to its server)", True
        )
    if isinstance(error, discord.Forbidden):
        return DeliveryError(address, f"the bot may not post there: it needs {NEEDED_PERMISSIONS}", True)
    if isinstance(error, discord.DiscordServerError):
        return DeliveryError(address, f"Discord is having trouble ({error.status}); will retry")
    if isinstance(error, discord.HTTPException):
        return DeliveryError(address, f"Discord refused the message ({error.status}: {error.text})", permanent=True)
    if isinstance(error, UNREADABLE):
        return DeliveryError(address, "Discord sent an unreadable answer; will retry")
    return DeliveryError(address, f"cannot reach Discord ({type(error).__name__}: {error})")


# discord.py hands a body that is not JSON on as text, which then fails where a field is read: transient too.
UNREADABLE = (ValueError, TypeError, KeyError)
TRANSIENT = (aiohttp.ClientError, OSError, asyncio.TimeoutError, *UNREADABLE)


class DiscordChannel:
    """Posts digests to one channel by REST (no gateway needed) and finds them again by their footer marker.

    Each message waits for ``pacing`` (the per-channel window, keyed by channel id), then every REST request
    (each message sent, each history page read) for ``budget`` (the per-bot budget, one key for the bot).
    """

    def __init__(
        self,
        client: discord.Client,
        address: str,
        card_text: CardText = headline_alt_text,
        pacing: Gate | None = None,
        budget: Gate | None = None,
    ) -> None:
        self.client = client
        self.address = address
        self.channel_id = channel_id_of(address)
        self.card_text = card_text
        self.pacing = pacing or Window(CHANNEL_MESSAGES, CHANNEL_PERIOD)
        self.budget = budget or Window(BOT_REQUESTS, BOT_PERIOD)

    @property
    def _target(self) -> discord.PartialMessageable:
        return self.client.get_partial_messageable(self.channel_id, type=discord.ChannelType.text)

    async def post_digest(self, digest: Digest, marker: str) -> str:
        """Post ``digest`` (split over several messages when long); returns the first message's id.

        Parts already in the channel under the same marker (an earlier attempt cut short) are not posted again.
        """
        cards = await asyncio.to_thread(load_cards, digest, self.card_text)
        payloads = digest_payloads(digest, marker, cards)
        try:
            posted, unchecked = await self._earlier_parts(marker)
            ids: list[str] = []
            for part, payload in enumerate(payloads, start=1):
                ids.append(posted[part] if part in posted else await self._send(payload))
        except (discord.HTTPException, *TRANSIENT) as error:
            raise delivery_error(self.address, error) from error
        if unchecked:
            logger.warning(
                "%s: cannot read message history (Read Message History missing), so a retry may repeat a digest",
                self.address,
            )
        logger.debug("posted the digest to %s in %d message(s)", self.address, len(payloads))
        return ids[0]

    async def _earlier_parts(self, marker: str) -> tuple[dict[int, str], bool]:
        """Parts of this digest already posted, and whether the history could not be read."""
        try:
            parts, _ = await self._posted_parts(marker)
        except discord.Forbidden:
            return {}, True
        return parts, False

    async def _send(self, payload: MessagePayload) -> str:
        await self.pacing.wait(self.channel_id)
        await self.budget.wait(BOT_KEY)
        message = await self._target.send(
            content=payload.content,
            embeds=payload.embeds,
            files=payload.files(),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        return str(message.id)

    async def _posted_parts(self, marker: str) -> tuple[dict[int, str], int]:
        """Message ids by part number of this bot's recent messages carrying ``marker``, and the part count."""
        parts: dict[int, str] = {}
        total = 0
        me = self.client.user.id if self.client.user else None
        await self.budget.wait(BOT_KEY)  # HISTORY_LIMIT fits in one request (discord.py reads 100 a page)
        async for message in self._target.history(limit=HISTORY_LIMIT):
            if me is not None and message.author.id != me:
                continue
            for embed in message.embeds:
                parsed = read_marker(embed.footer.text)
                if parsed and parsed[0] == marker:
                    parts.setdefault(parsed[1], str(message.id))
                    total = parsed[2]
        return parts, total

    async def find_marker(self, marker: str) -> str | None:
        """The first message of a digest posted whole under ``marker`` in the recent history, else None."""
        try:
            parts, total = await self._posted_parts(marker)
        except (discord.HTTPException, *TRANSIENT) as error:
            raise delivery_error(self.address, error) from error
        if total and all(part in parts for part in range(1, total + 1)):
            return parts[1]
        return None
