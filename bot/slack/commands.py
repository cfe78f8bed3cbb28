"""``/news`` on a Bolt app: acknowledge at once, then answer through ``respond`` (the command's response_url)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import CommandHandler, Reply
from bot.ops.metrics import reply_outcome, timed_command
from bot.slack.channel import MAX_ALT_TEXT, SLACK_ERRORS
from bot.slack.client import delivery_error
from bot.slack.render import clip, clip_escaped, render_reply

logger = logging.getLogger(__name__)

COMMAND = "/news"
MAX_RESPONSES = 5  # a response_url takes at most five replies
FAILED = "Sorry, that command failed; the details are in the bot's log."


class AcksFirst:
    """Hold answers back while commands are still arriving, so a burst's acks never queue behind answer work.

    Answers are CPU-bound and hold the GIL in a worker thread; the event loop must win it back for every ack.
    Slack needs an ack within 3 s but waits 30 min for an answer, so answers wait (at most ``MAX_WAIT``) until no
    command has arrived for ``QUIET`` seconds.
    """

    QUIET = 0.02
    MAX_WAIT = 0.5

    def __init__(self) -> None:
        self.last_ack = 0.0

    def acked(self) -> None:
        self.last_ack = time.monotonic()

    async def quiet(self) -> None:
        deadline = time.monotonic() + self.MAX_WAIT
        while (now := time.monotonic()) < deadline and now - self.last_ack < self.QUIET:
            await asyncio.sleep(self.QUIET - (now - self.last_ack))


def register_commands(bolt: AsyncApp, handler: CommandHandler, command: str = COMMAND) -> None:
    """Answer ``command`` on ``bolt`` with ``handler``.

    The ack is the whole listener and the answer a lazy listener, so with ``process_before_response`` the
    acknowledgement goes back at once instead of after bolt's 10 ms polling of an async listener.
    """

    gate = AcksFirst()

    async def acknowledge(ack: AsyncAck) -> None:
        gate.acked()
        await ack()

    async def reply(command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient) -> None:
        await gate.quiet()
        await answer(handler, command, respond, client)

    bolt.command(command)(ack=acknowledge, lazy=[reply])


async def answer(
    handler: CommandHandler, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
) -> None:
    """Run the sub-command and send its reply; failures are answered to the caller only, never raised."""
    text = str(command.get("text") or "")
    with timed_command("slack", text) as timing:
        try:
            reply = await handler.handle(text)
            if reply.card is not None:
                await post_card(reply, str(command.get("channel_id") or ""), respond, client)
            else:
                response_type = "ephemeral" if reply.ephemeral else "in_channel"
                for message in render_reply(reply)[:MAX_RESPONSES]:
                    await respond(
                        text=message.text,
                        blocks=list(message.blocks),
                        response_type=response_type,
                        replace_original=False,
                    )
            timing.outcome = reply_outcome(reply)
        except Exception:
            logger.exception("/news %s failed", text.partition(" ")[0] or "(empty)", extra={"platform": "slack"})
            await respond(text=FAILED, response_type="ephemeral", replace_original=False)


async def post_card(reply: Reply, channel_id: str, respond: AsyncRespond, client: AsyncWebClient) -> None:
    """Upload the card PNG with its alt text to the channel the command came from."""
    card = reply.card
    assert card is not None
    try:
        await client.files_upload_v2(
            channel=channel_id,
            content=card.png,
            filename=f"quote-card-{card.article_id or 'article'}.png",
            title=clip(f"Quote card: {reply.title}", 250),
            alt_txt=clip(card.alt_text, MAX_ALT_TEXT),
        )
    except SLACK_ERRORS as error:
        reason = delivery_error(f"slack:{channel_id}", error).reason
        logger.warning("quote card not posted to slack:%s: %s", channel_id, reason)
        message = f"I could not post the quote card here: {reason}.\nCard text: {card.alt_text}"
        await respond(text=clip_escaped(message, 3000), response_type="ephemeral", replace_original=False)
        return
    await respond(
        text=clip_escaped(f"Quote card posted for “{reply.title}”.", 3000),
        response_type="ephemeral",
        replace_original=False,
    )
