"""The Slack Web API client: paced within Slack's limits, retrying rate limits, server and connection errors and
unreadable answers; Slack errors in plain words."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.channels.base import DeliveryError
from bot.pacing import Gates, LocalGates

DEFAULT_API_URL = "https://slack.com/api/"
RATE_LIMIT_RETRIES = 5
SERVER_ERROR_RETRIES = 3
CONNECTION_RETRIES = 3

UNREADABLE = "unreadable_response"
# Slack error codes worth retrying later; any other error code will not change by retrying.
TRANSIENT_ERRORS = {
    "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", UNREADABLE
}
# Seconds between calls of one method (Slack's tiers: 1 = 1+/min, 2 = 20+/min, 3 = 50+/min, 4 = 100+/min), kept a
# little under each tier; methods not listed are Tier 3 or better.
TIER_INTERVALS = {
    "conversations.list": 3.2,  # Tier 2
    "conversations.history": 1.25,  # Tier 3
    "conversations.replies": 1.25,  # Tier 3
    "files.getUploadURLExternal": 0.65,  # Tier 4
    "files.completeUploadExternal": 0.65,  # Tier 4
}
DEFAULT_INTERVAL = 0.05
POST_INTERVAL = 1.05  # Slack allows about one message a second in a channel
POSTING_METHODS = {"chat.postMessage", "files.completeUploadExternal"}


@dataclass(frozen=True)
class Pacing:
    """How calls are spaced: per method within its tier, and messages into one channel about one a second.

    ``scale`` multiplies every interval (tests and benchmarks shrink it to run fast; 1.0 is Slack's own limits).
    """

    scale: float = 1.0
    intervals: dict[str, float] = field(default_factory=lambda: dict(TIER_INTERVALS))

    def method_interval(self, method: str) -> float:
        return self.intervals.get(method, DEFAULT_INTERVAL) * self.scale

    @property
    def post_interval(self) -> float:
        return POST_INTERVAL * self.scale


def channel_of(*sources: Any) -> str | None:
    """The ``channel``/``channel_id`` argument of a call, wherever slack_sdk put it (json, form data, query)."""
    for source in sources:
        if isinstance(source, dict):
            found = source.get("channel") or source.get("channel_id")
            if found:
                return str(found)
    return None


class PacedWebClient(AsyncWebClient):
    """An :class:`AsyncWebClient` whose calls wait for their slot, so one big digest stays within Slack's limits.

    The slots come from ``gates``: this process's own by default, the database's in worker mode (so every worker
    keeps to the same per-method and per-channel limits together).
    """

    def __init__(self, *args: Any, pacing: Pacing | None = None, gates: Gates | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pacing = pacing or Pacing()
        self.gates = gates or LocalGates()

    async def api_call(
        self, api_method: str, *, params: dict[str, Any] | None = None, json: dict[str, Any] | None = None,
        data: Any = None, **kwargs: Any
    ) -> AsyncSlackResponse:
        await self.gates.window("slack.method", 1, self.pacing.method_interval(api_method)).wait(api_method)
        if api_method in POSTING_METHODS:
            channel = channel_of(json, data, params)
            if channel:
                await self.gates.window("slack.post", 1, self.pacing.post_interval).wait(channel)
        return await super().api_call(api_method, params=params, json=json, data=data, **kwargs)


class UnreadableAnswerRetryHandler(AsyncRetryHandler):
    """Retries a blank or garbled answer (not JSON, or JSON without ``ok``): Slack had a hiccup, not a verdict."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if isinstance(error, SlackApiError):  # raised by slack_sdk while reading a body that is not JSON
            return True
        if response is None or error is not None or response.status_code != 200:
            return False
        return (response.data is None and not isinstance(response.body, dict)) or response.body == {}

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
    UNREADABLE: "Slack kept answering with a blank or unreadable response after retries",
}


def make_client(
    token: str,
    base_url: str = DEFAULT_API_URL,
    backoff: float = 0.5,
    pacing: Pacing | None = None,
    gates: Gates | None = None,
) -> PacedWebClient:
    """A paced async client that waits out 429s (honouring Retry-After) and retries 5xx, dropped connections and
    blank or garbled answers."""
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff)
    return PacedWebClient(
        token=token,
        base_url=base_url,
        pacing=pacing,
        gates=gates,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES, interval_calculator=interval),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES, interval_calculator=interval),
            UnreadableAnswerRetryHandler(max_retry_count=SERVER_ERROR_RETRIES, interval_calculator=interval),
        ],
    )


def error_code(error: SlackApiError) -> str:
    """Slack's error code (``channel_not_found``), ``http_503`` for a failed HTTP status, or ``unreadable_response``
    for a blank or garbled answer (slack_sdk then attaches aiohttp's response, or a body without ``ok``)."""
    response = error.response
    data = getattr(response, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    status = getattr(response, "status_code", None) or getattr(response, "status", 0)
    if not isinstance(status, int) or status in (0, 200):
        return UNREADABLE
    return f"http_{status}"


def is_permanent(code: str) -> bool:
    if code in TRANSIENT_ERRORS or code == "http_429":
        return False
    return not (code.startswith("http_") and code[5:].isdigit() and int(code[5:]) >= 500)


def delivery_error(address: str, error: Exception) -> DeliveryError:
    """A :class:`DeliveryError` for ``address`` that an editor can act on; tokens never appear in it."""
    if isinstance(error, SlackApiError):
        code = error_code(error)
        data = getattr(error.response, "data", None)
        needed = data.get("needed") if isinstance(data, dict) else None
        reason = REASONS.get(code, f"Slack refused the request ({code})")
        if needed:
            reason += f" (needs scope {needed})"
        if not is_permanent(code) and code not in REASONS:
            reason = f"Slack kept failing ({code}) after retries"
        return DeliveryError(address, reason, permanent=is_permanent(code))
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | SlackClientError | OSError):
        return DeliveryError(address, f"could not reach Slack ({type(error).__name__})", permanent=False)
    raise error
