"""Discord as a :class:`~bot.platforms.Platform`: one discord.py client on the shared event loop.

``start(serve_commands=False)`` (``newsdigest run --once``) only logs in over REST, which is all posting needs;
with ``serve_commands`` it also syncs the ``/news`` commands and connects to the gateway in a background task.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import aiohttp
import discord
import yarl
from discord import app_commands

from bot.channels.base import DeliveryError
from bot.commands import CommandHandler
from bot.discord.channel import (
    BOT_PERIOD,
    BOT_REQUESTS,
    CHANNEL_MESSAGES,
    CHANNEL_PERIOD,
    UNREADABLE,
    DiscordChannel,
)
from bot.discord.commands import DEFER_AFTER, news_group, on_tree_error
from bot.pacing import Gates, LocalGates

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"
# View Channel, Send Messages, Embed Links, Attach Files, Read Message History
PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, embed_links=True, attach_files=True, read_message_history=True
)


def invite_url(application_id: int) -> str:
    """The URL that adds the bot to a server with the scopes and permissions newsdigest needs."""
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=("bot", "applications.commands"))


@dataclass(frozen=True)
class DiscordSettings:
    """Everything the Discord connection needs; the token only ever comes from the environment."""

    token: str
    api_url: str = DEFAULT_API_URL
    gateway_url: str | None = None
    guilds: tuple[int, ...] = ()
    global_sync: bool = False
    guild_ready_timeout: float = 2.0
    ready_timeout: float = 30.0
    defer_after: float = DEFER_AFTER
    channel_messages: int = CHANNEL_MESSAGES  # at most this many messages ...
    channel_period: float = CHANNEL_PERIOD  # ... per this many seconds in one channel
    bot_requests: int = BOT_REQUESTS  # at most this many REST requests for posting ...
    bot_period: float = BOT_PERIOD  # ... per this many seconds over all channels ([discord] keys of these names)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], guilds: tuple[int, ...] = (), global_sync: bool = False
    ) -> DiscordSettings | None:
        token = environ.get("DISCORD_TOKEN", "").strip()
        if not token:
            return None
        return cls(
            token=token,
            api_url=(environ.get("DISCORD_API_URL") or DEFAULT_API_URL).rstrip("/"),
            gateway_url=environ.get("DISCORD_GATEWAY_URL") or None,
            guilds=guilds,
            global_sync=global_sync,
        )


def point_at(api_url: str, gateway_url: str) -> None:
    """Aim discord.py at the endpoints (class attributes of discord.py 2.7: one Discord per process)."""
    discord.http.Route.BASE = api_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class DiscordPlatform:
    """The Discord connection shared by every ``discord:`` channel and the ``/news`` commands.

    Its channels' posts are paced by ``gates``: a window per channel and one budget for the whole bot.
    """

    name = "discord"

    def __init__(self, app: App, settings: DiscordSettings, gates: Gates | None = None) -> None:
        self.app = app
        self.settings = settings
        self.client: discord.Client | None = None
        self.tree: app_commands.CommandTree[discord.Client] | None = None
        self._gateway: asyncio.Task[None] | None = None
        gates = gates or LocalGates()
        self.pacing = gates.window("discord.channel", settings.channel_messages, settings.channel_period)
        self.budget = gates.window("discord.bot", settings.bot_requests, settings.bot_period)
        self.commands = CommandHandler(app)

    async def start(self, serve_commands: bool) -> None:
        """Log in (REST); with ``serve_commands`` also sync ``/news`` and connect to the gateway."""
        settings = self.settings
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice here: no warnings about it
        point_at(settings.api_url, settings.gateway_url or DEFAULT_GATEWAY_URL)
        client = discord.Client(
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=settings.guild_ready_timeout,
        )
        self.client = client
        try:
            await client.login(settings.token)
            if serve_commands and settings.gateway_url is None and settings.api_url != DEFAULT_API_URL:
                _, gateway_url, _ = await client.http.get_bot_gateway()
                point_at(settings.api_url, gateway_url)
        except discord.LoginFailure:
            await self.stop()
            raise DeliveryError(
                "discord", "Discord rejected the bot token (check DISCORD_TOKEN)", permanent=True
            ) from None
        except (discord.HTTPException, discord.GatewayNotFound, aiohttp.ClientError, OSError, TimeoutError) as error:
            await self.stop()
            raise DeliveryError("discord", f"cannot reach Discord at {settings.api_url} ({error})") from None
        except UNREADABLE:  # a blank or garbled answer, which discord.py passes on as text
            await self.stop()
            raise DeliveryError("discord", f"Discord at {settings.api_url} sent an unreadable answer") from None
        except BaseException:
            await self.stop()
            raise
        logger.info("logged in to Discord as %s", client.user)
        logger.debug("invite the bot with %s", invite_url(client.application_id or 0))
        if serve_commands:
            try:
                await self._serve(client)
            except BaseException:
                await self.stop()
                raise

    async def _serve(self, client: discord.Client) -> None:
        tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
        tree.on_error = on_tree_error  # type: ignore[method-assign]
        tree.add_command(news_group(self.commands, self.settings.defer_after))
        self.tree = tree
        await self._sync(client, tree)
        self._gateway = asyncio.create_task(self._connect(client), name="discord-gateway")
        try:
            await asyncio.wait_for(client.wait_until_ready(), self.settings.ready_timeout)
        except TimeoutError:
            logger.warning(
                "Discord gateway not ready after %.0fs; still trying in the background", self.settings.ready_timeout
            )

    async def _sync(self, client: discord.Client, tree: app_commands.CommandTree[discord.Client]) -> None:
        """Register ``/news`` in the configured guilds (instant) and, when asked, globally (slow to spread)."""
        invite = invite_url(client.application_id or 0)
        for guild_id in self.settings.guilds:
            guild = discord.Object(id=guild_id)
            tree.copy_global_to(guild=guild)
            try:
                synced = await tree.sync(guild=guild)
            except discord.HTTPException as error:
                logger.error(
                    "could not register /news in Discord server %s (%s): is the bot in that server, invited with the"
                    " applications.commands scope? Invite: %s",
                    guild_id,
                    error.text or error.status,
                    invite,
                )
                continue
            logger.info("registered %d command(s) in Discord server %s", len(synced), guild_id)
        if self.settings.global_sync:
            try:
                await tree.sync()
            except discord.HTTPException as error:
                logger.error("could not register /news globally (%s)", error.text or error.status)
        if not self.settings.guilds and not self.settings.global_sync:
            logger.warning(
                "/news is not registered anywhere: list server ids under [discord] guilds, or set global_sync = true"
            )

    async def _connect(self, client: discord.Client) -> None:
        try:
            await client.connect(reconnect=True)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.error("Discord gateway connection ended: %s", error)

    async def stop(self) -> None:
        """Close the gateway and the HTTP session; waits for the background task to finish."""
        await self.commands.queue.close()
        client, self.client = self.client, None
        if client is not None and not client.is_closed():
            await client.close()
        elif client is not None:
            await client.http.close()
        task, self._gateway = self._gateway, None
        if task is not None:
            try:
                await asyncio.wait_for(task, 10)
            except (TimeoutError, asyncio.CancelledError):
                logger.debug("Discord gateway task cancelled on stop")

    def channel(self, address: str) -> DiscordChannel:
        """The channel for ``discord:CHANNEL_ID``."""
        if self.client is None:
            raise DeliveryError(address, "Discord is not connected", permanent=False)
        return DiscordChannel(self.client, address, pacing=self.pacing, budget=self.budget)


def from_env(app: App, environ: Mapping[str, str], gates: Gates | None = None) -> DiscordPlatform | None:
    """The Discord platform when ``DISCORD_TOKEN`` is set, else None; its posts are paced by ``gates``."""
    discord_config = app.config.discord
    settings = DiscordSettings.from_env(environ, tuple(discord_config.guilds), discord_config.global_sync)
    if settings is None:
        return None
    budget = replace(settings, bot_requests=discord_config.bot_requests, bot_period=discord_config.bot_period)
    return DiscordPlatform(app, budget, gates)
