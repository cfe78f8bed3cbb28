"""The ``/news`` application command group, answering through the shared :class:`~bot.commands.CommandHandler`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import discord
from discord import app_commands

from bot.commands import CommandHandler, Reply, failure
from bot.discord.render import MessagePayload, reply_payloads
from bot.ops.metrics import reply_outcome, timed_command

logger = logging.getLogger(__name__)

DEFER_AFTER = 1.0
NO_MENTIONS = discord.AllowedMentions.none()
ARTICLE_HELP = "article id, words from its headline, or its path or URL (default: the newest)"


async def send_reply(interaction: discord.Interaction, reply: Reply, deferred: bool) -> None:
    """Show ``reply``: as the interaction response, or as follow-ups after a deferral; ephemeral when it says so."""
    payloads: Sequence[MessagePayload] = reply_payloads(reply)
    ephemeral = reply.ephemeral
    first, rest = payloads[0], payloads[1:]
    if not deferred:
        await interaction.response.send_message(
            content=first.content,
            embeds=first.embeds,
            files=first.files(),
            ephemeral=ephemeral,
            allowed_mentions=NO_MENTIONS,
        )
    else:
        if ephemeral:
            # the "thinking…" message is public; replace it by a message only the caller sees
            await interaction.delete_original_response()
        await send_followup(interaction, first, ephemeral)
    for payload in rest:
        await send_followup(interaction, payload, ephemeral)


async def send_followup(interaction: discord.Interaction, payload: MessagePayload, ephemeral: bool) -> None:
    await interaction.followup.send(
        content=payload.content or discord.utils.MISSING,
        embeds=payload.embeds,
        files=payload.files(),
        ephemeral=ephemeral,
        allowed_mentions=NO_MENTIONS,
        wait=True,
    )


async def answer(
    interaction: discord.Interaction, handler: CommandHandler, text: str, defer_after: float = DEFER_AFTER
) -> None:
    """Run ``/news <text>``; defer first when the handler has not finished within ``defer_after`` seconds."""
    with timed_command("discord", text) as timing:
        task = asyncio.ensure_future(handler.answer(text))
        done, _ = await asyncio.wait({task}, timeout=defer_after)
        deferred = not done
        if deferred:
            await interaction.response.defer(thinking=True)
        try:
            reply = await task
            timing.outcome = reply_outcome(reply)
        except Exception:
            logger.exception("/news %s failed", text.split(" ", 1)[0], extra={"platform": "discord"})
            reply = failure("Sorry, something went wrong answering that; the error has been logged.")
        await send_reply(interaction, reply, deferred)


def news_group(handler: CommandHandler, defer_after: float = DEFER_AFTER) -> app_commands.Group:
    """The ``/news`` group: digest, ask, figures, quotes, card, sources, help."""
    group = app_commands.Group(name="news", description="News digests, answers, figures, quotes and quote cards")

    async def run(interaction: discord.Interaction, *words: str | None) -> None:
        await answer(interaction, handler, " ".join(w for w in words if w), defer_after)

    @group.command(name="digest", description="The digest of stored articles")
    @app_commands.rename(scope="filter")
    @app_commands.describe(scope="since when (24h, 3d, 2025-06-01) or a topic word")
    async def digest(interaction: discord.Interaction, scope: str | None = None) -> None:
        await run(interaction, "digest", scope)

    @group.command(name="ask", description="An answer in the articles' own words, with its sources")
    @app_commands.describe(question="for example: who signed the letter?")
    async def ask(interaction: discord.Interaction, question: app_commands.Range[str, 1, 500]) -> None:
        await run(interaction, "ask", question)

    @group.command(name="figures", description="The figures an article reports, with what they count and who says so")
    @app_commands.describe(article=ARTICLE_HELP)
    async def figures(interaction: discord.Interaction, article: str | None = None) -> None:
        await run(interaction, "figures", article)

    @group.command(name="quotes", description="The direct quotations in an article, with their speakers")
    @app_commands.describe(article=ARTICLE_HELP)
    async def quotes(interaction: discord.Interaction, article: str | None = None) -> None:
        await run(interaction, "quotes", article)

    @group.command(name="card", description="A quote card image for an article")
    @app_commands.describe(article=ARTICLE_HELP)
    async def card(interaction: discord.Interaction, article: str | None = None) -> None:
        await run(interaction, "card", article)

    @group.command(name="sources", description="The stored articles and where they came from")
    async def sources(interaction: discord.Interaction) -> None:
        await run(interaction, "sources")

    @group.command(name="help", description="What /news can do")
    async def help_(interaction: discord.Interaction) -> None:
        await run(interaction, "help")

    return group


async def on_tree_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    """One log line, and a one-line ephemeral reply when the interaction can still take one."""
    name = interaction.command.qualified_name if interaction.command else "unknown command"
    logger.error(
        "/%s failed: %s", name, error.original if isinstance(error, app_commands.CommandInvokeError) else error
    )
    if interaction.response.is_done():
        return
    try:
        await interaction.response.send_message(
            "Sorry, that command failed; the error has been logged.", ephemeral=True, allowed_mentions=NO_MENTIONS
        )
    except discord.HTTPException:
        logger.debug("could not tell the caller about the failure", exc_info=True)
