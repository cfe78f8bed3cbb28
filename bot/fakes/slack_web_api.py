"""A small fake of Slack's Web API and Socket Mode on 127.0.0.1, for tests and benchmarks.

It speaks just enough of Slack for the real ``slack_sdk``/``slack_bolt`` clients::

    async with FakeSlack() as slack:             # random port on 127.0.0.1
        channel_id = slack.add_channel("news")
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.base_url)
        await client.chat_postMessage(channel=channel_id, text="hi")
        slack.messages("#news")                  # every message posted there, in order

Methods: ``auth.test``, ``chat.postMessage`` (validates blocks like Slack: more than 50 blocks, a header over 150
characters or a section over 3,000 give ``invalid_blocks``), ``conversations.list`` (paginated),
``conversations.history`` (parent messages, newest first, metadata with ``include_all_metadata``),
``conversations.replies`` (a thread),
``files.getUploadURLExternal`` + the upload URL + ``files.completeUploadExternal``, and ``apps.connections.open``,
which returns ``ws://127.0.0.1:PORT/socket-mode`` for a local Socket Mode websocket:
``await slack.push_slash_command("/news", "help")`` sends a ``slash_commands`` envelope and returns the ack.
Each command carries a ``response_url`` on this server; what the app sends there lands in ``slack.responses``.

From blocking code (a CLI run, a bot in a subprocess): ``with FakeSlack().running_in_thread() as slack: ...``,
and ``slack.run_coroutine(slack.push_slash_command("/news", "help"))`` to drive Socket Mode from there.

Every Web API call's arrival time is kept for pacing checks: ``slack.times_of("chat.postMessage", channel_id)``.

Failure injection: ``slack.fail("chat.postMessage", status=429, retry_after=1)`` (rate limited once),
``slack.fail("auth.test", body="")`` (a blank HTTP 200), ``slack.fail("auth.test", body="{garbled")``,
``slack.fail("chat.postMessage", status=503)`` (server error), ``slack.fail("chat.postMessage",
error="channel_not_found")``; ``times`` repeats it. Channels added with ``member=False`` or ``archived=True``
answer ``not_in_channel`` / ``is_archived`` as Slack does; unknown ids answer ``channel_not_found``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
import uuid
from collections.abc import Coroutine, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from aiohttp import WSMsgType, web

from bot.fakes.threaded import loop_in_thread

logger = logging.getLogger(__name__)

MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_SECTION_TEXT = 3000
MAX_CONTEXT_ELEMENTS = 10
MAX_MESSAGE_TEXT = 40_000
CONTEXT_ELEMENTS = {"plain_text", "mrkdwn", "image"}
RICH_TEXT_CONTAINERS = {"rich_text_section", "rich_text_list", "rich_text_quote", "rich_text_preformatted"}
RICH_TEXT_ELEMENTS = {"text", "link", "emoji", "user", "usergroup", "channel", "broadcast", "date", "color"}
TEXT_STYLES = {"bold", "italic", "strike", "code", "underline"}
Json = dict[str, Any]
T = TypeVar("T")


@dataclass
class FakeChannel:
    """A conversation the fake knows, with everything posted to it."""

    id: str
    name: str
    is_member: bool = True
    is_archived: bool = False
    is_private: bool = False
    messages: list[Json] = field(default_factory=list)


@dataclass
class Failure:
    """An injected failure for the next call(s) of ``method``."""

    method: str
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    times: int = 1
    after: int = 0
    body: str | None = None


def block_errors(blocks: Any) -> list[str]:
    """The reasons Slack would reject these blocks (empty when they are fine)."""
    if not isinstance(blocks, list):
        return ["blocks must be an array"]
    errors = []
    if len(blocks) > MAX_BLOCKS:
        errors.append(f"no more than {MAX_BLOCKS} items allowed [json-pointer:/blocks]")
    for index, block in enumerate(blocks):
        kind = block.get("type") if isinstance(block, dict) else None
        text = block.get("text") if isinstance(block, dict) else None
        text_value = text.get("text", "") if isinstance(text, dict) else ""
        if kind == "header":
            if not isinstance(text, dict) or text.get("type") != "plain_text" or not text_value:
                errors.append(f"header needs plain_text [json-pointer:/blocks/{index}/text]")
            elif len(text_value) > MAX_HEADER:
                errors.append(f"must be less than {MAX_HEADER + 1} characters [json-pointer:/blocks/{index}/text]")
        elif kind == "section":
            if not text_value and not block.get("fields"):
                errors.append(f"section needs text or fields [json-pointer:/blocks/{index}]")
            if len(text_value) > MAX_SECTION_TEXT:
                errors.append(
                    f"must be less than {MAX_SECTION_TEXT + 1} characters [json-pointer:/blocks/{index}/text/text]"
                )
        elif kind == "context":
            elements = block.get("elements") or []
            if not elements or len(elements) > MAX_CONTEXT_ELEMENTS:
                errors.append(f"context needs 1 to {MAX_CONTEXT_ELEMENTS} elements [json-pointer:/blocks/{index}]")
            for element in elements:
                if not isinstance(element, dict) or element.get("type") not in CONTEXT_ELEMENTS:
                    errors.append(f"context elements are text objects or images [json-pointer:/blocks/{index}]")
                elif len(element.get("text", "")) > MAX_SECTION_TEXT:
                    errors.append(f"context text too long [json-pointer:/blocks/{index}/elements]")
        elif kind == "rich_text":
            errors += [f"{error} [json-pointer:/blocks/{index}]" for error in rich_text_errors(block)]
        elif kind not in {"divider", "image", "actions"}:
            errors.append(f"unsupported block type {kind!r} [json-pointer:/blocks/{index}]")
    return errors


def rich_text_errors(block: Json) -> list[str]:
    """Why a ``rich_text`` block is malformed: sections of text, link, emoji, user, channel or broadcast elements."""
    sections = block.get("elements")
    if not isinstance(sections, list) or not sections:
        return ["rich_text needs elements"]
    errors = []
    for section in sections:
        if not isinstance(section, dict) or section.get("type") not in RICH_TEXT_CONTAINERS:
            errors.append("unknown rich_text container")
            continue
        elements = section.get("elements")
        if not isinstance(elements, list) or not elements:
            errors.append("rich_text_section needs elements")
            continue
        for element in elements:
            kind = element.get("type") if isinstance(element, dict) else None
            if kind not in RICH_TEXT_ELEMENTS:
                errors.append(f"unknown rich_text element {kind!r}")
            elif kind in {"text", "link"} and not isinstance(element.get("text", ""), str):
                errors.append("rich_text text must be a string")
            elif kind == "text" and not element.get("text"):
                errors.append("rich_text text must not be empty")
            elif kind == "link" and not str(element.get("url") or "").startswith(("http://", "https://")):
                errors.append("rich_text link needs an http(s) url")
            style = element.get("style") if isinstance(element, dict) else None
            if style is not None and (not isinstance(style, dict) or set(style) - TEXT_STYLES):
                errors.append("unknown rich_text style")
    return errors


def truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


class FakeSlack:
    """Slack's Web API, upload URLs, response URLs and Socket Mode, served on 127.0.0.1."""

    def __init__(self, bot_token: str = "xoxb-fake-bot-token", app_token: str = "xapp-fake-app-token") -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.team_id = "T0FAKE0001"
        self.bot_user_id = "U0FAKEBOT1"
        self.bot_id = "B0FAKEBOT1"
        self.port = 0
        self.page_size = 100
        self.channels: dict[str, FakeChannel] = {}
        self.calls: list[tuple[str, Json]] = []
        self.call_times: list[tuple[str, float, str]] = []  # (method, time.monotonic(), channel) of every call
        self.uploads: list[Json] = []
        self.responses: list[Json] = []
        self.response_times: dict[str, float] = {}  # response_url key -> time.time() the first reply arrived
        self.acks: list[Json] = []
        self._failures: list[Failure] = []
        self._pending_files: dict[str, Json] = {}
        self._ids = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_connected = asyncio.Event()
        self._waiting_acks: dict[str, asyncio.Future[Json]] = {}
        self._runner: web.AppRunner | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        """Listen on a random free port of 127.0.0.1."""
        server = web.Application(client_max_size=64 * 1024 * 1024)
        server.add_routes(
            [
                web.route("*", "/api/{method}", self._api),
                web.post("/upload/{file_id}", self._upload),
                web.post("/response/{key}", self._response),
                web.get("/socket-mode", self._socket),
            ]
        )
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Close websockets and the server."""
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @contextlib.contextmanager
    def running_in_thread(self) -> Iterator[FakeSlack]:
        """Serve from a background thread's event loop, for code that blocks (a CLI run, a subprocess)."""
        with loop_in_thread("fake-slack", self.start, self.stop, timeout=10) as loop:
            self._thread_loop = loop
            try:
                yield self
            finally:
                self._thread_loop = None

    def run_coroutine(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run one of this fake's coroutines (e.g. ``push_slash_command``) from blocking code, in its thread."""
        if self._thread_loop is None:
            raise RuntimeError("run_coroutine needs running_in_thread()")
        return asyncio.run_coroutine_threadsafe(coroutine, self._thread_loop).result(timeout)

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The Web API base URL for ``AsyncWebClient(base_url=...)`` / ``SLACK_API_URL`` (ends with '/')."""
        return f"{self.url}/api/"

    # -- test API --------------------------------------------------------------------------------------------

    def add_channel(
        self,
        name: str,
        *,
        channel_id: str | None = None,
        member: bool = True,
        archived: bool = False,
        private: bool = False,
    ) -> str:
        """Create a channel; returns its id."""
        channel_id = channel_id or f"C{next(self._ids):08d}"
        self.channels[channel_id] = FakeChannel(channel_id, name.lstrip("#"), member, archived, private)
        return channel_id

    def channel(self, reference: str) -> FakeChannel | None:
        """A channel by id or ``#name``."""
        if reference.startswith("#"):
            return next((c for c in self.channels.values() if c.name == reference[1:]), None)
        return self.channels.get(reference)

    def messages(self, reference: str) -> list[Json]:
        """Every message posted to a channel (id or ``#name``), thread replies included, oldest first."""
        channel = self.channel(reference)
        return list(channel.messages) if channel else []

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        after: int = 0,
        body: str | None = None,
    ) -> None:
        """Fail ``times`` calls of ``method`` (HTTP ``status`` and/or Slack ``error``), starting ``after`` calls on.

        ``body`` answers with that raw body instead (``""`` for a blank answer, ``"{not json"`` for a garbled one).
        """
        self._failures.append(Failure(method, status, error, retry_after, times, after, body))

    def clear_failures(self) -> None:
        """Forget every injected failure still pending."""
        self._failures.clear()

    def calls_to(self, method: str) -> list[Json]:
        """The parameters of every call of ``method`` (failed ones included)."""
        return [params for name, params in self.calls if name == method]

    def times_of(self, method: str, channel: str | None = None) -> list[float]:
        """When (``time.monotonic()``) each call of ``method`` arrived, optionally only those for ``channel``."""
        return [at for name, at, where in self.call_times if name == method and channel in (None, where)]

    def response_url(self, key: str | None = None) -> str:
        """A response_url on this server; replies sent there are recorded in ``responses``."""
        return f"{self.url}/response/{key or uuid.uuid4().hex}"

    def slash_command(self, command: str, text: str, channel_id: str = "C0COMMANDS", **extra: str) -> dict[str, str]:
        """The form fields Slack sends for a slash command."""
        fields = {
            "token": "deprecated-verification-token",
            "team_id": self.team_id,
            "team_domain": "newsroom",
            "channel_id": channel_id,
            "channel_name": "newsroom",
            "user_id": "U0EDITOR01",
            "user_name": "editor",
            "command": command,
            "text": text,
            "api_app_id": "A0FAKEAPP1",
            "response_url": self.response_url(),
            "trigger_id": f"{next(self._ids)}.fake.trigger",
        }
        fields.update(extra)
        return fields

    async def wait_for_socket(self, timeout: float = 10) -> None:
        """Wait until a Socket Mode client is connected."""
        await asyncio.wait_for(self._socket_connected.wait(), timeout)

    async def push_slash_command(self, command: str, text: str, timeout: float = 10, **extra: str) -> Json:
        """Send a ``slash_commands`` envelope over Socket Mode and return the client's ack message."""
        await self.wait_for_socket(timeout)
        envelope_id = uuid.uuid4().hex
        acked: asyncio.Future[Json] = asyncio.get_running_loop().create_future()
        self._waiting_acks[envelope_id] = acked
        envelope = {
            "envelope_id": envelope_id,
            "type": "slash_commands",
            "payload": self.slash_command(command, text, **extra),
            "accepts_response_payload": True,
        }
        await self._sockets[-1].send_json(envelope)
        return await asyncio.wait_for(acked, timeout)

    async def wait_for_responses(self, count: int, timeout: float = 10) -> list[Json]:
        """Wait until ``count`` replies reached response URLs."""
        async with asyncio.timeout(timeout):
            while len(self.responses) < count:
                await asyncio.sleep(0.01)
        return list(self.responses)

    # -- Web API ---------------------------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> Json:
        params: Json = dict(request.query)
        body = await request.read()
        if body:
            if request.content_type == "application/json":
                params.update(json.loads(body))
            else:
                params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        for key in ("blocks", "metadata", "files"):
            if isinstance(params.get(key), str) and params[key]:
                with contextlib.suppress(json.JSONDecodeError):
                    params[key] = json.loads(params[key])
        return params

    def _take_failure(self, method: str) -> Failure | None:
        for failure in self._failures:
            if failure.method == method:
                if failure.after > 0:
                    failure.after -= 1
                    return None
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        self.call_times.append((method, time.monotonic(), str(params.get("channel") or params.get("channel_id") or "")))
        failure = self._take_failure(method)
        if failure is not None and failure.body is not None:
            return web.Response(status=failure.status, text=failure.body, content_type="application/json")
        if failure is not None and failure.status != 200:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            if failure.status == 429:
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers=headers)
            return web.Response(status=failure.status, text="upstream error", headers=headers)
        if failure is not None and failure.error:
            return web.json_response({"ok": False, "error": failure.error})
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or params.get("token", "")
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth" if token else "not_authed"})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        result: Json = handler(params)
        return web.json_response(result)

    def _auth_test(self, params: Json) -> Json:
        return {
            "ok": True,
            "url": "https://newsroom.slack.com/",
            "team": "Newsroom",
            "user": "newsdigest",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
        }

    def _writable(self, reference: str | None) -> FakeChannel | Json:
        channel = self.channel(reference or "")
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if channel.is_archived:
            return {"ok": False, "error": "is_archived"}
        if not channel.is_member:
            return {"ok": False, "error": "not_in_channel"}
        return channel

    def _next_ts(self) -> str:
        n = next(self._ids)
        return f"{1_700_000_000 + n}.{n:06d}"

    def _chat_postMessage(self, params: Json) -> Json:
        channel = self._writable(params.get("channel"))
        if not isinstance(channel, FakeChannel):
            return channel
        text, blocks = params.get("text") or "", params.get("blocks")
        if not text and not blocks:
            return {"ok": False, "error": "no_text"}
        if len(text) > MAX_MESSAGE_TEXT:
            return {"ok": False, "error": "msg_too_long"}
        if blocks is not None:
            errors = block_errors(blocks)
            if errors:
                return {"ok": False, "error": "invalid_blocks", "errors": errors}
        message: Json = {
            "type": "message",
            "ts": self._next_ts(),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "text": text,
            "blocks": blocks or [],
        }
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        if isinstance(params.get("metadata"), dict):
            message["metadata"] = params["metadata"]
        for flag in ("unfurl_links", "unfurl_media", "parse", "link_names"):
            if flag in params:
                message[flag] = params[flag]
        channel.messages.append(message)
        return {"ok": True, "channel": channel.id, "ts": message["ts"], "message": message}

    def _conversations_list(self, params: Json) -> Json:
        types = str(params.get("types") or "public_channel").split(",")
        wanted = [
            c
            for c in self.channels.values()
            if ("private_channel" if c.is_private else "public_channel") in types
            and not (truthy(params.get("exclude_archived")) and c.is_archived)
        ]
        start = int(params.get("cursor") or 0)
        size = min(int(params.get("limit") or self.page_size), self.page_size)
        page = wanted[start : start + size]
        next_cursor = str(start + size) if start + size < len(wanted) else ""
        channels = [
            {"id": c.id, "name": c.name, "is_member": c.is_member, "is_archived": c.is_archived}
            | {"is_private": c.is_private}
            for c in page
        ]
        return {"ok": True, "channels": channels, "response_metadata": {"next_cursor": next_cursor}}

    def _readable(self, params: Json) -> FakeChannel | Json:
        channel = self.channel(params.get("channel") or "")
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if not channel.is_member and channel.is_private:
            return {"ok": False, "error": "not_in_channel"}
        return channel

    @staticmethod
    def _shown(message: Json, params: Json) -> Json:
        """A message as read back: metadata only with ``include_all_metadata``."""
        if truthy(params.get("include_all_metadata")):
            return message
        return {k: v for k, v in message.items() if k != "metadata"}

    def _conversations_history(self, params: Json) -> Json:
        channel = self._readable(params)
        if not isinstance(channel, FakeChannel):
            return channel
        parents = [m for m in channel.messages if m.get("thread_ts", m["ts"]) == m["ts"]]
        limit = int(params.get("limit") or 100)
        messages = []
        for message in reversed(parents[-limit:]):
            replies = sum(1 for m in channel.messages if m.get("thread_ts") == message["ts"] and m is not message)
            messages.append(self._shown({**message, "reply_count": replies} if replies else message, params))
        return {"ok": True, "messages": messages, "has_more": len(parents) > limit}

    def _conversations_replies(self, params: Json) -> Json:
        channel = self._readable(params)
        if not isinstance(channel, FakeChannel):
            return channel
        parent = next((m for m in channel.messages if m["ts"] == params.get("ts")), None)
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        replies = [m for m in channel.messages if m.get("thread_ts") == parent["ts"] and m is not parent]
        limit = int(params.get("limit") or 100)
        messages = [self._shown(m, params) for m in [parent, *replies][:limit]]
        return {"ok": True, "messages": messages, "has_more": len(replies) + 1 > limit}

    def _files_getUploadURLExternal(self, params: Json) -> Json:
        if not params.get("filename") or not params.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):08d}"
        self._pending_files[file_id] = {
            "id": file_id,
            "filename": params["filename"],
            "length": int(params["length"]),
            "alt_txt": params.get("alt_txt"),
            "content": None,
        }
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        pending = self._pending_files.get(request.match_info["file_id"])
        if pending is None:
            return web.Response(status=404, text="unknown upload")
        pending["content"] = await request.read()
        return web.Response(text=f"OK - {len(pending['content'])}")

    def _files_completeUploadExternal(self, params: Json) -> Json:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        channel: FakeChannel | None = None
        if params.get("channel_id"):
            found = self._writable(params["channel_id"])
            if not isinstance(found, FakeChannel):
                return found
            channel = found
        completed = []
        for entry in files:
            pending = self._pending_files.pop(entry.get("id", ""), None)
            if pending is None or pending["content"] is None:
                return {"ok": False, "error": "file_not_found"}
            if len(pending["content"]) != pending["length"]:
                return {"ok": False, "error": "file_upload_size_mismatch"}
            record = {**pending, "title": entry.get("title"), "channel": channel.id if channel else None}
            record["thread_ts"] = params.get("thread_ts")
            record["initial_comment"] = params.get("initial_comment")
            self.uploads.append(record)
            completed.append({"id": record["id"], "title": record["title"], "name": record["filename"]})
        if channel is not None:
            message: Json = {"type": "message", "ts": self._next_ts(), "user": self.bot_user_id, "files": completed}
            message["text"] = params.get("initial_comment") or ""
            if params.get("thread_ts"):
                message["thread_ts"] = params["thread_ts"]
            channel.messages.append(message)
        return {"ok": True, "files": completed}

    def _apps_connections_open(self, params: Json) -> Json:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket-mode"}

    # -- response URLs and Socket Mode -----------------------------------------------------------------------

    async def _response(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.response_times.setdefault(request.match_info["key"], time.time())
        self.responses.append({"key": request.match_info["key"], **body})
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": len(self._sockets), "debug_info": {}})
        self._socket_connected.set()
        try:
            async for message in socket:
                if message.type != WSMsgType.TEXT:
                    continue
                ack: Json = json.loads(message.data)
                self.acks.append(ack)
                waiting = self._waiting_acks.pop(ack.get("envelope_id", ""), None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(ack)
        finally:
            self._sockets.remove(socket)
            if not self._sockets:
                self._socket_connected.clear()
        return socket


def form_body(fields: Mapping[str, str]) -> bytes:
    """URL-encode slash command fields the way Slack does."""
    return urlencode(fields).encode("utf-8")


def signed_headers(signing_secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers of a request signed with Slack's v0 scheme (``timestamp`` defaults to now)."""
    from slack_sdk.signature import SignatureVerifier

    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=body)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature or "",
    }
