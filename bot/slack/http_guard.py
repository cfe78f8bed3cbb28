"""The front door of Slack's HTTP mode: every request is checked before Bolt sees it.

In order, each cheap and bounded: a declared body size within :data:`MAX_BODY`; a numeric, fresh
``X-Slack-Request-Timestamp`` and a well-formed ``X-Slack-Signature``; the body read within
:data:`BODY_TIMEOUT`; the v0 signature; a UTF-8 body that is a form or a JSON object; and a signature not seen
before (a replay within Slack's five-minute window is refused). Anything else is a 4xx with a one-line reason,
never a traceback. Connections that have not sent a whole request head within :data:`HEADER_TIMEOUT` (idle,
half-open or trickling headers) are closed by aiohttp's keep-alive timer, which we set to that timeout.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

logger = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # slash commands and interactions are a few KB
WINDOW = 300  # Slack's five minutes
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 10.0
MAX_REMEMBERED = 100_000
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
TIMESTAMP = re.compile(r"\d{1,12}")
FORM = "application/x-www-form-urlencoded"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def refuse(status: int, reason: str) -> web.Response:
    """A short plain-text refusal; the reason is logged in one line too."""
    logger.warning("refused a Slack HTTP request (%d): %s", status, reason)
    return web.Response(status=status, text=reason + "\n")


class SeenSignatures:
    """Signatures of requests accepted within the replay window, oldest first, at most ``limit`` of them."""

    def __init__(self, window: float = WINDOW, limit: int = MAX_REMEMBERED) -> None:
        self.window = window
        self.limit = limit
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, signature: str, now: float) -> bool:
        """Remember ``signature``; False when it was already seen within the window."""
        while self._seen and (next(iter(self._seen.values())) < now - 2 * self.window or len(self._seen) >= self.limit):
            self._seen.popitem(last=False)
        if signature in self._seen:
            return False
        self._seen[signature] = now
        return True

    def __len__(self) -> int:
        return len(self._seen)


@dataclass(frozen=True)
class HttpLimits:
    """How long a client may take and how much it may send."""

    header_timeout: float = HEADER_TIMEOUT  # from connecting (or the last answer) to a whole request head
    body_timeout: float = BODY_TIMEOUT
    max_body: int = MAX_BODY


class SlackRequestGuard:
    """An aiohttp middleware checking Slack's signed requests; see the module docstring for the order."""

    def __init__(
        self, signing_secret: str, limits: HttpLimits | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self._secret = signing_secret.encode()
        self.limits = limits or HttpLimits()
        self.clock = clock
        self.seen = SeenSignatures()

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST":
            return refuse(405, "only POST is accepted here")
        refused = await self.check(request)
        if refused is not None:
            return refused
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception as error:  # Bolt failed on a request we accepted: one line, no traceback to the caller
            logger.error("Slack request failed in the app: %s", type(error).__name__)
            return web.Response(status=500, text="internal error\n")

    async def check(self, request: web.Request) -> web.Response | None:
        """None when the request may go on to Bolt, else the refusal."""
        length = request.content_length
        if length is None:
            return refuse(411, "a Content-Length header is required")
        if length > self.limits.max_body:
            return refuse(413, f"the body is larger than {self.limits.max_body} bytes")
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not stamp or not signature:
            return refuse(401, "the request is not signed (X-Slack-Request-Timestamp, X-Slack-Signature)")
        if not TIMESTAMP.fullmatch(stamp):
            return refuse(400, "X-Slack-Request-Timestamp must be a Unix time in seconds")
        if not SIGNATURE.fullmatch(signature):
            return refuse(401, "X-Slack-Signature is missing or malformed")
        now = self.clock()
        if abs(now - int(stamp)) > WINDOW:
            return refuse(401, "the request timestamp is more than five minutes away")
        try:
            body = await asyncio.wait_for(request.read(), self.limits.body_timeout)
        except TimeoutError:
            return refuse(408, "the body was not sent in time")
        except web.HTTPRequestEntityTooLarge:
            return refuse(413, f"the body is larger than {self.limits.max_body} bytes")
        expected = "v0=" + hmac.new(self._secret, b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return refuse(401, "the signature does not match")
        problem = body_problem(body, request.content_type)
        if problem:
            return refuse(400, problem)
        if not self.seen.first_time(signature, now):
            return refuse(409, "this request was already received (replay refused)")
        return None


def body_problem(body: bytes, content_type: str) -> str | None:
    """Why Bolt could not read this body, or None: UTF-8, and a form or a JSON object."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the body must be UTF-8"
    if content_type == FORM:
        return None if not text.lstrip().startswith(("{", "[")) else "a form body was expected"
    if content_type == "application/json":
        try:
            parsed = json.loads(text)
        except ValueError:
            return "the body is not valid JSON"
        return None if isinstance(parsed, dict) else "the JSON body must be an object"
    return f"unsupported content type {content_type or '(none)'}"
