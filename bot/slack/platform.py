"""Slack as a platform: one Web API client, Socket Mode or HTTP mode for ``/news``, channels for digests.

Environment: ``SLACK_BOT_TOKEN`` (required), ``SLACK_APP_TOKEN`` (Socket Mode), ``SLACK_SIGNING_SECRET`` (HTTP mode),
``SLACK_API_URL`` (another Web API base URL, ending with '/'), ``SLACK_PACE`` (a factor on the bot's pacing:
1 keeps Slack's own limits, less suits a Slack-compatible gateway with higher ones, 0 is no pacing),
``SLACK_HTTP_HOST``/``PORT`` (where HTTP mode listens
when the long-running bot serves commands). Tokens are kept out of reprs and logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.channels.base import DeliveryError
from bot.commands import CommandHandler
from bot.config import ConfigError
from bot.pacing import Gates
from bot.slack.channel import SLACK_ERRORS, ChannelResolver, SlackChannel
from bot.slack.client import DEFAULT_API_URL, Pacing, delivery_error, make_client
from bot.slack.commands import register_commands
from bot.slack.http_guard import HttpLimits, SlackRequestGuard

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
DEFAULT_HTTP_HOST = "127.0.0.1"
DEFAULT_HTTP_PORT = 3000
# slack_sdk's debug logs print request parameters, and its clients test their own logger's level (not the
# effective one) before logging them or each retry: set both levels so they stay quiet even under --verbose.
for noisy in ("slack_sdk", "slack_sdk.web.async_base_client", "slack_sdk.socket_mode.aiohttp", "slack_bolt"):
    logging.getLogger(noisy).setLevel(logging.INFO)
BOLT_LOGGER = logging.getLogger("bot.slack.bolt")
# Bolt warns that SLACK_BOT_TOKEN in the environment is unused because we pass our own client: that is intended.
BOLT_LOGGER.addFilter(lambda record: "`token` will be unused" not in record.getMessage())


class SlackSetupError(ConfigError):
    """The Slack environment variables are missing or malformed."""


@dataclass(frozen=True)
class SlackSettings:
    """What the environment says about Slack; secrets never appear in the repr."""

    bot_token: str = field(repr=False)
    app_token: str | None = field(default=None, repr=False)
    signing_secret: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    pacing: Pacing = field(default_factory=Pacing)
    http_host: str = DEFAULT_HTTP_HOST
    http_port: int = DEFAULT_HTTP_PORT

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SlackSettings | None:
        """The settings, or None when ``SLACK_BOT_TOKEN`` is not set."""
        token = environ.get("SLACK_BOT_TOKEN", "").strip()
        if not token:
            return None
        api_url = environ.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
        if not api_url.endswith("/"):
            raise SlackSetupError(f"SLACK_API_URL must end with '/' (got {api_url!r})")
        port = environ.get("PORT", "").strip() or str(DEFAULT_HTTP_PORT)
        if not port.isdigit():
            raise SlackSetupError(f"PORT must be a number (got {port!r})")
        pace = environ.get("SLACK_PACE", "").strip() or "1"
        try:
            scale = float(pace)
        except ValueError:
            scale = -1.0
        if not 0 <= scale <= 10:
            raise SlackSetupError(f"SLACK_PACE must be a number from 0 to 10 (got {pace!r})")
        return cls(
            bot_token=token,
            app_token=environ.get("SLACK_APP_TOKEN", "").strip() or None,
            signing_secret=environ.get("SLACK_SIGNING_SECRET", "").strip() or None,
            api_url=api_url,
            pacing=Pacing(scale=scale),
            http_host=environ.get("SLACK_HTTP_HOST", "").strip() or DEFAULT_HTTP_HOST,
            http_port=int(port),
        )

    @property
    def mode(self) -> str:
        """``socket`` with an app token, else ``http`` with a signing secret, else ``post-only``."""
        if self.app_token:
            return "socket"
        return "http" if self.signing_secret else "post-only"


class SlackPlatform:
    """The Slack connection: posting digests, and answering ``/news`` in Socket Mode or HTTP mode."""

    name = "slack"

    def __init__(self, app: App, settings: SlackSettings, gates: Gates | None = None) -> None:
        self.settings = settings
        self.client = make_client(settings.bot_token, settings.api_url, pacing=settings.pacing, gates=gates)
        self.resolver = ChannelResolver(self.client)
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=settings.signing_secret or "",
            name="newsdigest",
            logger=BOLT_LOGGER,
            process_before_response=True,  # ack inline; answers run as lazy listeners (bot/slack/commands.py)
        )
        self.commands = CommandHandler(app)
        register_commands(self.bolt, self.commands)
        self.bot_user: str | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self.http_limits = HttpLimits()

    async def start(self, serve_commands: bool) -> None:
        """Check the token (``auth.test``); with ``serve_commands`` also answer ``/news``."""
        try:
            identity = await self.client.auth_test()
        except SLACK_ERRORS as error:
            raise delivery_error("slack", error) from error
        self.bot_user = str(identity.get("user_id") or "")
        logger.info("connected to Slack workspace %s as %s", identity.get("team"), identity.get("user"))
        if not serve_commands:
            return
        try:
            if self.settings.mode == "socket":
                await self.serve_socket_mode()
            elif self.settings.mode == "http":
                await self.serve_http(self.settings.http_host, self.settings.http_port)
            else:
                logger.warning("Slack /news is off: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP)")
        except DeliveryError as error:  # digests still go out; only the command is unavailable
            logger.error("Slack /news is off: %s", error.reason)
            await self.stop()
        except OSError as error:
            where = f"{self.settings.http_host}:{self.settings.http_port}"
            logger.error("Slack /news is off: cannot listen on %s (%s)", where, error.strerror or error)
            await self.stop()

    async def serve_socket_mode(self) -> None:
        """Open the Socket Mode websocket and answer commands over it; the connection is made in the background.

        The app token is checked here first: slack_sdk's client would otherwise retry a rejected token for ever.
        """
        if not self.settings.app_token:
            raise SlackSetupError("Socket Mode needs SLACK_APP_TOKEN")
        url: str | None = None
        try:
            opened = await self.client.apps_connections_open(app_token=self.settings.app_token)
            url = str(opened["url"])
        except SLACK_ERRORS as error:
            failure = delivery_error("slack", error)
            if failure.permanent:
                reason = failure.reason.replace("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
                raise DeliveryError("slack", f"Socket Mode failed: {reason}") from error
            logger.warning("Slack Socket Mode is not connected yet (%s); retrying", failure.reason)
        self._socket = AsyncSocketModeHandler(self.bolt, self.settings.app_token, web_client=self.client)
        self._socket.client.wss_uri = url
        self._connecting = asyncio.create_task(self._connect(self._socket), name="slack-socket-mode")

    async def _connect(self, handler: AsyncSocketModeHandler) -> None:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        logger.info("answering /news over Socket Mode")

    async def serve_http(self, host: str, port: int) -> int:
        """Serve Slack's requests on ``host:port`` at ``/slack/events``; returns the port bound."""
        if not self.settings.signing_secret:
            raise SlackSetupError("HTTP mode needs SLACK_SIGNING_SECRET to verify Slack's requests")
        guard = SlackRequestGuard(self.settings.signing_secret, self.http_limits)
        bolt_app = self.bolt.web_app(path=EVENTS_PATH, port=port)
        server = web.Application(middlewares=[guard.middleware], client_max_size=self.http_limits.max_body)
        server.router.add_route("*", EVENTS_PATH, bolt_handler(bolt_app))
        # aiohttp's keep-alive timer runs from the moment a connection opens: one that has not sent a whole request
        # head by then (idle, half-open, or trickling its headers) is closed.
        self._runner = web.AppRunner(server, access_log=None, keepalive_timeout=self.http_limits.header_timeout)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound = int(self._runner.addresses[0][1])
        logger.info("answering /news over HTTP on %s:%d%s", host, bound, EVENTS_PATH)
        return bound

    async def stop(self) -> None:
        """Close the websocket and the HTTP server."""
        await self.commands.queue.close()
        if self._connecting is not None:
            self._connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._connecting
            self._connecting = None
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def channel(self, address: str) -> SlackChannel:
        """``slack:#name`` or ``slack:C0123ABCD``."""
        return SlackChannel(address, self.client, self.resolver)


def bolt_handler(bolt_app: web.Application) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The request handler Bolt registered for its events path."""
    for resource in bolt_app.router.resources():
        if resource.canonical == EVENTS_PATH:
            for route in resource:
                if route.method == "POST":
                    return route.handler
    raise SlackSetupError("slack-bolt registered no POST handler")


def from_env(app: App, environ: Mapping[str, str], gates: Gates | None = None) -> SlackPlatform | None:
    """The Slack platform when ``SLACK_BOT_TOKEN`` is set, else None; its calls are paced by ``gates``."""
    settings = SlackSettings.from_env(environ)
    return SlackPlatform(app, settings, gates) if settings is not None else None
