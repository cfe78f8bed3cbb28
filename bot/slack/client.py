"""The Slack Web API client: retries for rate limits, server and connection errors; Slack errors in plain words."""

from __future__ import annotations

import asyncio

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.base import DeliveryError

DEFAULT_API_URL = "https://slack.com/api/"
RATE_LIMIT_RETRIES = 5
SERVER_ERROR_RETRIES = 3
CONNECTION_RETRIES = 3

# Slack error codes worth retrying later; any other error code will not change by retrying.
TRANSIENT_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
REASONS = {
    "channel_not_found": "Slack has no such channel, or the bot cannot see it (invite the bot to a private channel)",
    "not_in_channel": "the bot is not a member of the channel; invite it with /invite @newsdigest",
    "is_archived": "the channel is archived",
    "invalid_auth": "Slack rejected SLACK_BOT_TOKEN (invalid_auth)",
    "not_authed": "no Slack token was sent; set SLACK_BOT_TOKEN",
    "token_revoked": "SLACK_BOT_TOKEN has been revoked",
    "account_inactive": "the Slack app's token is inactive (was the app uninstalled?)",
    "missing_scope": "the Slack app lacks a permission it needs; reinstall it from config/slack-app-manifest.yml",
    "ratelimited": "Slack kept rate-limiting the bot after several retries",
}


def make_client(token: str, base_url: str = DEFAULT_API_URL, backoff: float = 0.5) -> AsyncWebClient:
    """An async client that waits out 429s (honouring Retry-After) and retries 5xx and dropped connections."""
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff)
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES, interval_calculator=interval),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES, interval_calculator=interval),
        ],
    )


def error_code(error: SlackApiError) -> str:
    """Slack's error code (``channel_not_found``), or ``http_503`` when the answer was not JSON."""
    data = error.response.data if error.response is not None else None
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    status = error.response.status_code if error.response is not None else 0
    return f"http_{status}"


def is_permanent(code: str) -> bool:
    if code in TRANSIENT_ERRORS or code == "http_429":
        return False
    return not (code.startswith("http_") and code[5:].isdigit() and int(code[5:]) >= 500)


def delivery_error(address: str, error: Exception) -> DeliveryError:
    """A :class:`DeliveryError` for ``address`` that an editor can act on; tokens never appear in it."""
    if isinstance(error, SlackApiError):
        code = error_code(error)
        needed = error.response.data.get("needed") if isinstance(error.response.data, dict) else None
        reason = REASONS.get(code, f"Slack refused the request ({code})")
        if needed:
            reason += f" (needs scope {needed})"
        if not is_permanent(code) and code not in REASONS:
            reason = f"Slack kept failing ({code}) after retries"
        return DeliveryError(address, reason, permanent=is_permanent(code))
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | SlackClientError | OSError):
        return DeliveryError(address, f"could not reach Slack ({type(error).__name__})", permanent=False)
    raise error
