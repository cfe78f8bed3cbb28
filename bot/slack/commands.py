"""``/news`` on a Bolt app: acknowledge at once, then answer through ``respond`` (the command's response_url)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.answer_queue import BUSY
from bot.commands import CommandHandler, Reply
from bot.ops.metrics import reply_outcome, timed_command
from bot.slack.channel import MAX_ALT_TEXT, SLACK_ERRORS
from bot.slack.client import delivery_error
from bot.slack.render import clip, clip_escaped, literal_section, render_reply

logger = logging.getLogger(__name__)

COMMAND = "/news"
MAX_RESPONSES = 5  # a response_url takes at most five replies
FAILED = "Sorry, that command failed; the details are in the bot's log."
MAX_PENDING = 10_000


def command_key(command: dict[str, Any]) -> str:
    """What identifies one slash command invocation."""
    return str(command.get("trigger_id") or command.get("response_url") or id(command))


def register_commands(bolt: AsyncApp, handler: CommandHandler, command: str = COMMAND) -> None:
    """Answer ``command`` on ``bolt`` with ``handler``.

    The ack is the whole listener and the answer a lazy listener, so with ``process_before_response`` the
    acknowledgement goes back at once instead of after bolt's 10 ms polling of an async listener. The ack also
    queues the answer (so a free worker starts on it at once) or, when the answer queue is full, says "busy".
    """

    started: dict[str, asyncio.Future[Reply]] = {}  # answers queued at ack time, by command
    refused: set[str] = set()  # commands told "busy" in their ack; their lazy answer is skipped

    async def acknowledge(ack: AsyncAck, command: dict[str, Any]) -> None:
        key = command_key(command)
        future = handler.start(str(command.get("text") or ""))
        if future is None:
            if len(refused) < MAX_PENDING:
                refused.add(key)
            await ack(text=BUSY)  # an ack's text is shown to the caller only: refused at once, no extra call
            return
        if len(started) < MAX_PENDING:
            started[key] = future
        await ack()

    async def reply(command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient) -> None:
        key = command_key(command)
        if key in refused:
            refused.discard(key)
            return
        await answer(handler, command, respond, client, started.pop(key, None))

    bolt.command(command)(ack=acknowledge, lazy=[reply])


async def answer(
    handler: CommandHandler,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    started: asyncio.Future[Reply] | None = None,
) -> None:
    """Send the sub-command's reply (``started`` at ack time, or run now); failures go to the caller only."""
    text = str(command.get("text") or "")
    with timed_command("slack", text) as timing:
        try:
            reply = await handler.answer(text, started)
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
        await respond_literally(respond, message)
        return
    await respond_literally(respond, f"Quote card posted for “{reply.title}”.")


async def respond_literally(respond: AsyncRespond, message: str) -> None:
    """An ephemeral reply whose text (a headline, alt text) is shown as typed, never as mrkdwn."""
    await respond(
        text=clip_escaped(message, 3000),
        blocks=[literal_section(message)],
        response_type="ephemeral",
        replace_original=False,
    )
