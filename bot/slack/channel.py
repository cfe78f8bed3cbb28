"""A Slack channel as a digest destination: Block Kit messages carrying the delivery marker, quote cards as files."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.base import DeliveryError
from bot.slack.client import delivery_error
from bot.slack.render import SlackMessage, clip, render_digest
from digests.models import Digest, DigestItem

logger = logging.getLogger(__name__)

EVENT_TYPE = "newsdigest_digest"
HISTORY_LOOKBACK = 200
REFRESH_INTERVAL = 60.0
MAX_ALT_TEXT = 1000
CARDS_PER_UPLOAD = 10  # files.completeUploadExternal shares one call (and one thread message) among these
SLACK_ERRORS = (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError, OSError)


def card_alt_text(item: DigestItem) -> str:
    """The card's own alt text (quote, speaker, outlet); a description from the headline for older digests."""
    return item.card_alt_text or f"Quote card for the article “{item.title}”"


class ChannelResolver:
    """``slack:#name`` -> channel id through ``conversations.list``, cached; ids pass straight through."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._ids: dict[str, str] = {}
        self._loaded_at: float | None = None
        self._lock = asyncio.Lock()

    async def resolve(self, address: str) -> str:
        target = address.split(":", 1)[1] if ":" in address else address
        if not target.startswith("#"):
            return target
        name = target[1:]
        async with self._lock:
            stale = self._loaded_at is None or time.monotonic() - self._loaded_at > REFRESH_INTERVAL
            if name not in self._ids and stale:
                try:
                    await self._load()
                except SLACK_ERRORS as error:
                    raise delivery_error(address, error) from error
        if name not in self._ids:
            reason = f"Slack has no channel #{name} that the bot can see (check the name; invite the bot to it)"
            raise DeliveryError(address, reason, permanent=True)
        return self._ids[name]

    async def _load(self) -> None:
        ids: dict[str, str] = {}
        cursor: str | None = None
        while True:
            page = await self.client.conversations_list(
                types="public_channel,private_channel", exclude_archived=True, limit=200, cursor=cursor
            )
            channels: list[dict[str, Any]] = page.get("channels") or []
            ids.update({channel["name"]: channel["id"] for channel in channels})
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        self._ids, self._loaded_at = ids, time.monotonic()


@dataclass(frozen=True)
class Posted:
    """What of one digest (by marker) is already in the channel: its first message, parts and card files."""

    first_ts: str | None = None
    parts: frozenset[int] = frozenset()
    total: int = 0
    files: frozenset[str] = frozenset()

    @property
    def complete(self) -> bool:
        return self.first_ts is not None and len(self.parts) >= self.total


def marker_part(message: dict[str, Any], marker: str) -> tuple[int, int] | None:
    """``(part, parts)`` when ``message`` is one of our digest messages for ``marker``."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    if metadata.get("event_type") != EVENT_TYPE or payload.get("marker") != marker:
        return None
    return int(payload.get("part") or 1), int(payload.get("parts") or 1)


class SlackChannel:
    """Posts digests to one Slack channel; every message carries the marker (and its part) in its metadata.

    Posting is resumable: parts and cards already in the channel for the same marker are not posted again, so a
    retry after a crash or a failure half-way through a long digest completes it instead of repeating it.
    """

    def __init__(self, address: str, client: AsyncWebClient, resolver: ChannelResolver) -> None:
        self.address = address
        self.client = client
        self.resolver = resolver

    async def post_digest(self, digest: Digest, marker: str) -> str:
        """Post the digest (continuations and quote cards in the first message's thread); returns channel/ts."""
        channel_id = await self.resolver.resolve(self.address)
        messages = render_digest(digest)
        posted = await self._posted(channel_id, marker)
        if posted.first_ts is not None:
            logger.info("%s already has part of the %s digest; completing it", self.address, marker)
        first_ts = posted.first_ts
        for part, message in enumerate(messages, start=1):
            if part in posted.parts:
                continue
            payload = {"marker": marker, "part": part, "parts": len(messages)}
            ts = await self._post(channel_id, message, payload, first_ts)
            first_ts = first_ts or ts
        assert first_ts is not None
        waiting = [item for item in digest.items if item.card_path and Path(item.card_path).name not in posted.files]
        for start in range(0, len(waiting), CARDS_PER_UPLOAD):
            await self._upload_cards(channel_id, waiting[start : start + CARDS_PER_UPLOAD], first_ts)
        return f"{channel_id}/{first_ts}"

    async def find_marker(self, marker: str) -> str | None:
        """The channel/ts of the digest carrying ``marker`` when all its parts are in the channel, else None."""
        channel_id = await self.resolver.resolve(self.address)
        posted = await self._posted(channel_id, marker)
        return f"{channel_id}/{posted.first_ts}" if posted.complete else None

    async def _posted(self, channel_id: str, marker: str) -> Posted:
        """Look back through recent messages (and the digest's thread) for ``marker``."""
        try:
            history = await self.client.conversations_history(
                channel=channel_id, limit=HISTORY_LOOKBACK, include_all_metadata=True
            )
            recent: list[dict[str, Any]] = history.get("messages") or []
            first = next((m for m in recent if marker_part(m, marker) is not None), None)
            if first is None:
                return Posted()
            _, total = marker_part(first, marker) or (1, 1)
            thread: list[dict[str, Any]] = []
            if total > 1 or first.get("reply_count"):
                replies = await self.client.conversations_replies(
                    channel=channel_id, ts=first["ts"], limit=HISTORY_LOOKBACK, include_all_metadata=True
                )
                thread = replies.get("messages") or []
        except SLACK_ERRORS as error:
            raise delivery_error(self.address, error) from error
        parts = {found[0] for m in [first, *thread] if (found := marker_part(m, marker)) is not None}
        files = {str(f.get("name")) for m in thread for f in m.get("files") or []}
        return Posted(str(first["ts"]), frozenset(parts), total, frozenset(files))

    async def _post(self, channel_id: str, message: SlackMessage, payload: dict[str, Any], thread: str | None) -> str:
        try:
            response = await self.client.chat_postMessage(
                channel=channel_id,
                text=message.text,
                blocks=list(message.blocks),
                metadata={"event_type": EVENT_TYPE, "event_payload": payload},
                thread_ts=thread,
                unfurl_links=False,
                unfurl_media=False,
                link_names=False,
                parse="none",
            )
        except SLACK_ERRORS as error:
            raise delivery_error(self.address, error) from error
        return str(response["ts"])

    async def _upload_cards(self, channel_id: str, items: list[DigestItem], thread: str) -> None:
        """Upload quote cards into the digest's thread, several to one completion call; a failure is logged, the
        digest stands."""
        uploads = []
        for item in items:
            path = Path(item.card_path or "")
            if not path.is_file():
                logger.warning("quote card %s not posted to %s: the file is missing", path.name, self.address)
                continue
            uploads.append(
                {
                    "file": str(path),
                    "filename": path.name,
                    "title": clip(f"Quote card: {item.title}", 250),
                    "alt_txt": clip(card_alt_text(item), MAX_ALT_TEXT),
                }
            )
        if not uploads:
            return
        try:
            await self.client.files_upload_v2(file_uploads=uploads, channel=channel_id, thread_ts=thread)
        except SLACK_ERRORS as error:
            reason = delivery_error(self.address, error).reason
            names = ", ".join(upload["filename"] for upload in uploads)
            logger.warning("quote cards %s not posted to %s: %s", names, self.address, reason)
