"""``newsdigest serve``: answer ``/news`` over HTTP, for deployments behind a proxy."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import click

from bot.app import App
from bot.channels.base import DeliveryError
from bot.slack.platform import DEFAULT_HTTP_HOST, SlackPlatform, SlackSettings

logger = logging.getLogger(__name__)


@click.command()
@click.option("--host", default=DEFAULT_HTTP_HOST, show_default=True, help="Address to listen on (0.0.0.0 for all).")
@click.option("--port", default=3000, show_default=True, envvar="PORT", type=int, help="Port (default: $PORT or 3000).")
@click.pass_obj
def serve(app: App, host: str, port: int) -> None:
    """Serve Slack's HTTP requests at /slack/events, checking their signatures with SLACK_SIGNING_SECRET."""
    settings = SlackSettings.from_env(os.environ)
    if settings is None:
        raise click.UsageError("set SLACK_BOT_TOKEN to the Slack app's bot token (xoxb-...)")
    if not settings.signing_secret:
        raise click.UsageError("set SLACK_SIGNING_SECRET (the Slack app's Basic Information page) for HTTP mode")
    logger.debug("store %s ready", app.store.description)  # opened and migrated before the first request
    try:
        asyncio.run(serve_until_stopped(SlackPlatform(app, settings), host, port))
    except DeliveryError as error:
        raise click.ClickException(f"Slack: {error.reason}") from None
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


async def serve_until_stopped(platform: SlackPlatform, host: str, port: int) -> None:
    """Check the token, serve HTTP until SIGINT/SIGTERM, then shut down cleanly."""
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    await platform.start(serve_commands=False)
    try:
        await platform.serve_http(host, port)
        await stopped.wait()
    finally:
        await platform.stop()
        logger.info("stopped")
