"""A small fake of Discord (REST API + gateway websocket) on 127.0.0.1, for tests and benchmarks.

It speaks just enough Discord for the real ``discord.py`` client::

    async with FakeDiscord() as fake:                       # random port on 127.0.0.1
        channel_id = fake.add_channel("news")               # in the fake's guild
        # point discord.py at it: DISCORD_API_URL=fake.api_url, DISCORD_GATEWAY_URL=fake.gateway_url
        ...
        fake.messages(channel_id)                           # every message posted there, oldest first

REST (under ``/api/v10``): ``GET /users/@me``, ``GET /oauth2/applications/@me`` and ``/applications/@me``,
``GET /gateway`` and ``/gateway/bot``, ``GET /channels/{id}``, ``POST /channels/{id}/messages`` (JSON, or
multipart with ``payload_json`` and ``files[n]``; validated against Discord's embed limits, a violation answers
400 with code 50035 as Discord does), ``GET /channels/{id}/messages`` (newest first, ``limit``/``before``/``after``),
``PUT``/``GET`` application commands (global and per guild), ``POST /interactions/{id}/{token}/callback``,
and the interaction webhook: ``POST /webhooks/{app}/{token}`` (follow-ups), ``GET``/``PATCH``/``DELETE
/webhooks/{app}/{token}/messages/{id|@original}``. Every JSON answer has ``Content-Type: application/json``.
A wrong ``Authorization: Bot <token>`` answers 401.

Gateway (``ws://127.0.0.1:PORT/gateway``, plain-text JSON frames): HELLO, heartbeat ACK, IDENTIFY -> READY and one
GUILD_CREATE per guild, RESUME -> INVALID_SESSION. ``await fake.push_command("ask", question="...")`` sends an
INTERACTION_CREATE for ``/news ask`` and returns an :class:`InteractionRecord`; ``await record.wait(...)`` waits for
what the bot answered (the callback, then follow-ups and edits).

From synchronous code (a test that runs ``newsdigest`` as a process, say), ``with running_in_thread() as fake:``
serves it from a background thread; ``python -m bot.fakes.discord_server`` runs it standalone and prints the
environment variables that point newsdigest at it.

Failure injection: unknown channel ids answer 404 ``Unknown Channel`` (10003); ``fake.forbid(channel_id)`` answers
403 ``Missing Access`` (50001) for that channel; ``fake.fail("POST", "/channels/{id}/messages", status=500,
times=2)`` fails the next calls of a route; ``status=429`` sends a rate limit with ``retry_after``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from bot.fakes.threaded import loop_in_thread

logger = logging.getLogger(__name__)

Json = dict[str, Any]
API_PREFIX = "/api/v10"
EPOCH_MS = 1420070400000
EMBED_LIMITS = {"title": 256, "description": 4096, "footer": 2048, "author": 256, "field_name": 256}
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
EMBEDS_PER_MESSAGE = 10
EMBED_TOTAL = 6000
CONTENT_LIMIT = 2000
ATTACHMENT_DESCRIPTION_LIMIT = 1024
EPHEMERAL = 1 << 6


def units(text: str) -> int:
    """Length as Discord counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def embed_errors(embeds: Any) -> list[str]:
    """The reasons Discord would reject these embeds (empty when they are fine)."""
    if not isinstance(embeds, list):
        return ["embeds must be an array"]
    errors: list[str] = []
    if len(embeds) > EMBEDS_PER_MESSAGE:
        errors.append(f"embeds: must be {EMBEDS_PER_MESSAGE} or fewer in length")
    total = 0
    for index, embed in enumerate(embeds):
        texts = {
            "title": embed.get("title") or "",
            "description": embed.get("description") or "",
            "footer": (embed.get("footer") or {}).get("text") or "",
            "author": (embed.get("author") or {}).get("name") or "",
        }
        for key, text in texts.items():
            if units(text) > EMBED_LIMITS[key]:
                errors.append(f"embeds.{index}.{key}: must be {EMBED_LIMITS[key]} or fewer in length")
        fields = embed.get("fields") or []
        if len(fields) > FIELDS_PER_EMBED:
            errors.append(f"embeds.{index}.fields: must be {FIELDS_PER_EMBED} or fewer in length")
        size = sum(units(text) for text in texts.values())
        for number, item in enumerate(fields):
            name, value = str(item.get("name") or ""), str(item.get("value") or "")
            if not name or not value:
                errors.append(f"embeds.{index}.fields.{number}: name and value are required")
            if units(name) > EMBED_LIMITS["field_name"]:
                errors.append(f"embeds.{index}.fields.{number}.name: must be 256 or fewer in length")
            if units(value) > FIELD_VALUE_LIMIT:
                errors.append(f"embeds.{index}.fields.{number}.value: must be {FIELD_VALUE_LIMIT} or fewer in length")
            size += units(name) + units(value)
        url = embed.get("url")
        if url is not None and not re.match(r"^https?://\S+$", str(url)):
            errors.append(f"embeds.{index}.url: not a well formed URL")
        total += size
    if total > EMBED_TOTAL:
        errors.append(f"embeds: total size must be {EMBED_TOTAL} or fewer characters")
    return errors


@dataclass
class FakeChannel:
    """A guild text channel the fake knows, with every message posted to it."""

    id: int
    guild_id: int
    name: str
    forbidden: bool = False
    messages: list[Json] = field(default_factory=list)


@dataclass
class Failure:
    """An injected failure for the next call(s) of one route."""

    method: str
    path: str
    status: int
    times: int = 1
    retry_after: float = 0.05
    body: str | None = None


@dataclass
class InteractionRecord:
    """An interaction pushed to the bot, and everything the bot answered to it."""

    id: int
    token: str
    payload: Json
    callbacks: list[Json] = field(default_factory=list)
    followups: list[Json] = field(default_factory=list)
    edits: list[Json] = field(default_factory=list)
    deleted_original: bool = False
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def answers(self) -> list[Json]:
        """Visible answers in order: the callback's message (if any), edits of the original, then follow-ups."""
        messages = [c["data"] for c in self.callbacks if c.get("type") == 4 and c.get("data")]
        return messages + self.edits + self.followups

    async def wait(self, callbacks: int = 1, messages: int = 1, timeout: float = 10) -> InteractionRecord:
        """Wait until at least ``callbacks`` callbacks and ``messages`` visible answers have arrived."""

        async def settled() -> None:
            while len(self.callbacks) < callbacks or len(self.answers) < messages:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(settled(), timeout)
        return self


RECORDED_ONLY = ("allowed_mentions", "files")


def public(message: Json) -> Json:
    """A recorded message as Discord would return it (without what only the fake keeps)."""
    return {key: value for key, value in message.items() if key not in RECORDED_ONLY}


def ok(data: Any, status: int = 200) -> web.Response:
    """A JSON answer with the exact content type discord.py parses."""
    # aiohttp's content_type= would append "; charset=utf-8", which discord.py does not parse as JSON
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})


def error(status: int, code: int, message: str, errors: list[str] | None = None) -> web.Response:
    body: Json = {"message": message, "code": code}
    if errors:
        body["errors"] = {"_errors": [{"code": "BASE_TYPE_INVALID", "message": e} for e in errors]}
    return ok(body, status)


class FakeDiscord:
    """Fake Discord REST API and gateway; see the module docstring for what it supports."""

    def __init__(
        self,
        token: str = "fake-discord-bot-token",
        guild_ids: tuple[int, ...] = (900000000000000001,),
        application_id: int = 800000000000000001,
    ) -> None:
        self.token = token
        self.application_id = application_id
        self.bot_user: Json = {
            "id": str(application_id),
            "username": "newsdigest",
            "discriminator": "0",
            "global_name": "newsdigest",
            "avatar": None,
            "bot": True,
            "flags": 0,
        }
        self.caller: Json = {
            "id": "700000000000000001",
            "username": "editor",
            "discriminator": "0",
            "global_name": "Editor",
            "avatar": None,
            "flags": 0,
        }
        self.guild_ids = guild_ids
        self.channels: dict[int, FakeChannel] = {}
        self.command_syncs: dict[int | None, list[Json]] = {}
        self.interactions: dict[str, InteractionRecord] = {}
        self.identifies: list[Json] = []
        self.requests: list[tuple[str, str]] = []
        self.request_times: list[tuple[str, str, float]] = []  # (method, path, time.monotonic()) of every request
        self.identified = asyncio.Event()
        self._failures: list[Failure] = []
        self._sockets: set[web.WebSocketResponse] = set()
        self._ids = itertools.count(1)
        self._sequence = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port = 0
        self.loop: asyncio.AbstractEventLoop | None = None

    # lifecycle

    async def start(self) -> FakeDiscord:
        """Listen on a random port of 127.0.0.1."""
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{path:.*}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        """Close every gateway connection and stop listening."""
        for socket in list(self._sockets):
            await socket.close(code=1001, message=b"fake Discord stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        """The REST base for ``DISCORD_API_URL`` / ``discord.http.Route.BASE``."""
        return self.url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """The websocket for ``DISCORD_GATEWAY_URL`` / ``DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://127.0.0.1:{self._port}/gateway"

    def environ(self) -> dict[str, str]:
        """The environment variables that point newsdigest at this fake."""
        return {"DISCORD_TOKEN": self.token, "DISCORD_API_URL": self.api_url, "DISCORD_GATEWAY_URL": self.gateway_url}

    # state and injection

    def snowflake(self) -> int:
        """A fresh id shaped like Discord's (timestamp in the high bits)."""
        now_ms = int(datetime.now(UTC).timestamp() * 1000)
        return ((now_ms - EPOCH_MS) << 22) | (next(self._ids) & 0x3FFFFF)

    def add_channel(self, name: str = "news", guild_id: int | None = None, channel_id: int | None = None) -> int:
        """A text channel in ``guild_id`` (default: the first guild); returns its id."""
        guild = guild_id or self.guild_ids[0]
        new_id = channel_id or self.snowflake()
        self.channels[new_id] = FakeChannel(id=new_id, guild_id=guild, name=name)
        return new_id

    def forbid(self, channel_id: int) -> None:
        """The bot lost access to this channel: every call about it answers 403 Missing Access."""
        self.channels[channel_id].forbidden = True

    def fail(
        self,
        method: str,
        path: str,
        status: int = 500,
        times: int = 1,
        retry_after: float = 0.05,
        body: str | None = None,
    ) -> None:
        """Fail the next ``times`` calls of ``method path`` (path as sent, under the API prefix, ids filled in);
        with ``body``, answer ``status`` with that raw JSON-typed body instead (``"{garbled"``, ``""``)."""
        self._failures.append(Failure(method.upper(), path, status, times, retry_after, body))

    def times_of(self, method: str, path: str) -> list[float]:
        """When (``time.monotonic()``) each ``method path`` request arrived (``"POST", "/channels/1/messages"``)."""
        return [at for m, p, at in self.request_times if m == method and p == path]

    def messages(self, channel_id: int) -> list[Json]:
        """Messages posted to a channel, oldest first; each has ``files`` with the uploaded bytes."""
        return self.channels[channel_id].messages

    def commands(self, guild_id: int | None = None) -> list[Json]:
        """The application commands last synced to a guild (None: global)."""
        return self.command_syncs.get(guild_id, [])

    async def wait_identified(self, timeout: float = 10) -> None:
        """Wait until a client has identified on the gateway."""
        await asyncio.wait_for(self.identified.wait(), timeout)

    # interactions

    def command_payload(
        self,
        subcommand: str,
        options: dict[str, str] | None = None,
        channel_id: int | None = None,
        command: str = "news",
    ) -> Json:
        """An INTERACTION_CREATE payload for ``/command subcommand option:value ...`` in a guild channel."""
        channel = self.channels[channel_id] if channel_id else next(iter(self.channels.values()), None)
        guild_id = channel.guild_id if channel else self.guild_ids[0]
        channel_json = self._channel_json(channel) if channel else {"id": str(self.snowflake()), "type": 0}
        synced = {c["name"]: c for c in self.command_syncs.get(guild_id, []) + self.command_syncs.get(None, [])}
        command_id = synced.get(command, {}).get("id", str(self.snowflake()))
        inner = [{"name": key, "type": 3, "value": value} for key, value in (options or {}).items()]
        return {
            "id": str(self.snowflake()),
            "application_id": str(self.application_id),
            "type": 2,
            "token": f"interaction-token-{next(self._ids)}",
            "version": 1,
            "guild_id": str(guild_id),
            "channel_id": channel_json["id"],
            "channel": channel_json,
            "member": {
                "user": self.caller,
                "roles": [],
                "joined_at": "2024-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": "2248473465835073",
            },
            "app_permissions": "2248473465835073",
            "locale": "en-GB",
            "guild_locale": "en-GB",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
            "attachment_size_limit": 26214400,
            "data": {
                "id": command_id,
                "name": command,
                "type": 1,
                "guild_id": str(guild_id),
                "options": [{"name": subcommand, "type": 1, "options": inner}],
            },
        }

    async def push_interaction(self, payload: Json) -> InteractionRecord:
        """Send an INTERACTION_CREATE to every connected client; returns the record answers land in."""
        record = InteractionRecord(id=int(payload["id"]), token=payload["token"], payload=payload)
        self.interactions[record.token] = record
        await self._dispatch("INTERACTION_CREATE", payload)
        return record

    async def push_command(
        self, subcommand: str, channel_id: int | None = None, command: str = "news", **options: str
    ) -> InteractionRecord:
        """``/news subcommand option:value`` as a user would type it."""
        return await self.push_interaction(self.command_payload(subcommand, options, channel_id, command))

    # gateway

    async def _dispatch(self, event: str, data: Json) -> None:
        frame = json.dumps({"op": 0, "t": event, "s": next(self._sequence), "d": data})
        for socket in list(self._sockets):
            if not socket.closed:
                await socket.send_str(frame)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        try:
            async for message in socket:
                if message.type != WSMsgType.TEXT:
                    if message.type == WSMsgType.ERROR:
                        break
                    continue
                frame = json.loads(message.data)
                await self._gateway_frame(socket, frame)
        finally:
            self._sockets.discard(socket)
        return socket

    async def _gateway_frame(self, socket: web.WebSocketResponse, frame: Json) -> None:
        op = frame.get("op")
        if op == 1:
            await socket.send_json({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            data = frame["d"]
            if data.get("token") != self.token:
                await socket.close(code=4004, message=b"Authentication failed.")
                return
            self.identifies.append(data)
            self._sockets.add(socket)
            await self._send_ready(socket)
            self.identified.set()
        elif op == 6:
            await socket.send_json({"op": 9, "d": False, "s": None, "t": None})

    async def _send_ready(self, socket: web.WebSocketResponse) -> None:
        ready = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": str(g), "unavailable": True} for g in self.guild_ids],
            "session_id": f"session-{next(self._ids)}",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await socket.send_str(json.dumps({"op": 0, "t": "READY", "s": next(self._sequence), "d": ready}))
        for guild_id in self.guild_ids:
            guild = self._guild_json(guild_id)
            await socket.send_str(json.dumps({"op": 0, "t": "GUILD_CREATE", "s": next(self._sequence), "d": guild}))

    def _guild_json(self, guild_id: int) -> Json:
        return {
            "id": str(guild_id),
            "name": f"Newsroom {guild_id % 1000}",
            "icon": None,
            "owner_id": self.caller["id"],
            "unavailable": False,
            "large": False,
            "member_count": 2,
            "features": [],
            "roles": [
                {
                    "id": str(guild_id),
                    "name": "@everyone",
                    "permissions": "2248473465835073",
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "emojis": [],
            "stickers": [],
            "channels": [self._channel_json(c) for c in self.channels.values() if c.guild_id == guild_id],
            "threads": [],
            "members": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "preferred_locale": "en-GB",
            "premium_tier": 0,
            "mfa_level": 0,
            "verification_level": 0,
            "explicit_content_filter": 0,
            "default_message_notifications": 0,
            "system_channel_flags": 0,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": "2024-01-01T00:00:00+00:00",
        }

    @staticmethod
    def _channel_json(channel: FakeChannel) -> Json:
        return {
            "id": str(channel.id),
            "type": 0,
            "guild_id": str(channel.guild_id),
            "name": channel.name,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "rate_limit_per_user": 0,
            "last_message_id": channel.messages[-1]["id"] if channel.messages else None,
            "flags": 0,
        }

    # REST

    def _take_failure(self, method: str, path: str) -> Failure | None:
        for failure in self._failures:
            if failure.method == method and failure.path == path and failure.times > 0:
                failure.times -= 1
                return failure
        return None

    async def _api(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        self.requests.append((request.method, path))
        self.request_times.append((request.method, path, time.monotonic()))
        failure = self._take_failure(request.method, path)
        if failure is not None:
            if failure.body is not None:
                return web.Response(status=failure.status, text=failure.body, content_type="application/json")
            if failure.status == 429:
                body = {"message": "You are being rate limited.", "retry_after": failure.retry_after, "global": False}
                headers = {"Retry-After": str(failure.retry_after), "X-RateLimit-Scope": "user", "Via": "1.1 fake"}
                return web.Response(
                    status=429, body=json.dumps(body).encode(), headers={**headers, "Content-Type": "application/json"}
                )
            return error(failure.status, 0, f"{failure.status}: injected failure")
        if not path.startswith(("/interactions/", "/webhooks/")) and request.headers.get("Authorization") != (
            f"Bot {self.token}"
        ):
            return error(401, 0, "401: Unauthorized")
        return await self._route(request, path)

    async def _route(self, request: web.Request, path: str) -> web.StreamResponse:
        method = request.method
        app = str(self.application_id)
        if method == "GET" and path == "/users/@me":
            return ok(self.bot_user)
        if method == "GET" and path in ("/oauth2/applications/@me", "/applications/@me"):
            return ok(self._application_json())
        if method == "GET" and path in ("/gateway", "/gateway/bot"):
            limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
            return ok({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})
        match = re.fullmatch(r"/applications/(\d+)(?:/guilds/(\d+))?/commands", path)
        if match and match.group(1) == app:
            guild = int(match.group(2)) if match.group(2) else None
            if method == "PUT":
                return ok(self._sync_commands(guild, await request.json()))
            if method == "GET":
                return ok(self.command_syncs.get(guild, []))
        match = re.fullmatch(r"/channels/(\d+)(/messages)?", path)
        if match:
            return await self._channel_route(request, int(match.group(1)), bool(match.group(2)))
        match = re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path)
        if match and method == "POST":
            return await self._callback(request, match.group(2))
        match = re.fullmatch(r"/webhooks/(\d+)/([^/]+)(?:/messages/([^/]+))?", path)
        if match and match.group(1) == app:
            return await self._webhook(request, match.group(2), match.group(3))
        return error(404, 0, "404: Not Found")

    def _application_json(self) -> Json:
        return {
            "id": str(self.application_id),
            "name": "newsdigest",
            "icon": None,
            "description": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.caller,
            "summary": "",
            "verify_key": "0" * 64,
            "team": None,
            "flags": 0,
            "bot": self.bot_user,
        }

    def _sync_commands(self, guild_id: int | None, commands: list[Json]) -> list[Json]:
        synced = []
        for command in commands:
            entry = {
                **command,
                "id": str(self.snowflake()),
                "application_id": str(self.application_id),
                "version": str(self.snowflake()),
                "default_member_permissions": command.get("default_member_permissions"),
            }
            if guild_id is not None:
                entry["guild_id"] = str(guild_id)
            synced.append(entry)
        self.command_syncs[guild_id] = synced
        return synced

    async def _channel_route(self, request: web.Request, channel_id: int, messages: bool) -> web.StreamResponse:
        channel = self.channels.get(channel_id)
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        if channel.forbidden:
            return error(403, 50001, "Missing Access")
        if not messages and request.method == "GET":
            return ok(self._channel_json(channel))
        if messages and request.method == "GET":
            return ok(self._history(channel, request.query))
        if messages and request.method == "POST":
            payload, files = await self._message_body(request)
            problems = self._message_errors(payload, files)
            if problems:
                return error(400, 50035, "Invalid Form Body", problems)
            message = self._message_json(channel.id, payload, files, author=self.bot_user)
            channel.messages.append(message)
            return ok(public(message))
        return error(405, 0, "405: Method Not Allowed")

    @staticmethod
    def _history(channel: FakeChannel, query: Any) -> list[Json]:
        limit = min(int(query.get("limit", 50)), 100)
        newest_first = [public(m) for m in reversed(channel.messages)]
        if "before" in query:
            newest_first = [m for m in newest_first if int(m["id"]) < int(query["before"])]
        if "after" in query:
            newest_first = [m for m in newest_first if int(m["id"]) > int(query["after"])]
            return list(reversed(list(reversed(newest_first))[:limit]))
        return newest_first[:limit]

    async def _message_body(self, request: web.Request) -> tuple[Json, list[Json]]:
        """The JSON payload and uploaded files of a message, callback or webhook request."""
        if not request.content_type.startswith("multipart/"):
            body = await request.read()
            return (json.loads(body) if body else {}), []
        payload: Json = {}
        files: list[Json] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                payload = json.loads(await part.text())
            elif part.name and part.name.startswith("files["):
                data = await part.read()
                index = int(part.name[6:-1])
                files.append({"index": index, "filename": part.filename, "data": bytes(data)})
        return payload, files

    @staticmethod
    def _message_errors(payload: Json, files: list[Json]) -> list[str]:
        data = payload.get("data", payload) if "type" in payload and "data" in payload else payload
        problems = embed_errors(data.get("embeds") or [])
        if units(data.get("content") or "") > CONTENT_LIMIT:
            problems.append(f"content: must be {CONTENT_LIMIT} or fewer in length")
        for attachment in data.get("attachments") or []:
            if units(attachment.get("description") or "") > ATTACHMENT_DESCRIPTION_LIMIT:
                problems.append("attachments.description: must be 1024 or fewer in length")
        if len(files) > 10:
            problems.append("files: must be 10 or fewer in length")
        return problems

    def _message_json(self, channel_id: int, payload: Json, files: list[Json], author: Json) -> Json:
        described = {int(a["id"]): a for a in payload.get("attachments") or [] if "id" in a}
        attachments = []
        for upload in files:
            meta = described.get(upload["index"], {})
            attachment_id = str(self.snowflake())
            attachments.append(
                {
                    "id": attachment_id,
                    "filename": upload["filename"],
                    "description": meta.get("description"),
                    "size": len(upload["data"]),
                    "content_type": "image/png" if upload["filename"].endswith(".png") else "application/octet-stream",
                    "url": f"{self.url}/attachments/{channel_id}/{attachment_id}/{upload['filename']}",
                    "proxy_url": f"{self.url}/attachments/{channel_id}/{attachment_id}/{upload['filename']}",
                }
            )
        return {
            "id": str(self.snowflake()),
            "channel_id": str(channel_id),
            "type": 0,
            "author": author,
            "content": payload.get("content") or "",
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": payload.get("embeds") or [],
            "pinned": False,
            "flags": int(payload.get("flags") or 0),
            "components": [],
            # what the fake saw, beyond what Discord would echo back (never sent back to the client):
            "allowed_mentions": payload.get("allowed_mentions"),
            "files": files,
        }

    async def _callback(self, request: web.Request, token: str) -> web.StreamResponse:
        record = self.interactions.get(token)
        if record is None:
            return error(404, 10062, "Unknown interaction")
        if record.callbacks:
            return error(400, 40060, "Interaction has already been acknowledged.")
        payload, files = await self._message_body(request)
        problems = self._message_errors(payload.get("data") or {}, files)
        if problems:
            return error(400, 50035, "Invalid Form Body", problems)
        callback_type = int(payload.get("type", 0))
        data = payload.get("data") or {}
        message = self._message_json(int(record.payload["channel_id"]), data, files, author=self.bot_user)
        if callback_type == 4:
            payload = {**payload, "data": message}
        record.callbacks.append(payload)
        record.changed.set()
        flags = int(data.get("flags") or 0)
        interaction = {
            "id": str(record.id),
            "type": 2,
            "response_message_id": message["id"],
            "response_message_loading": callback_type == 5,
            "response_message_ephemeral": bool(flags & EPHEMERAL),
        }
        resource: Json = {"type": callback_type}
        if callback_type in (4, 5):
            resource["message"] = public(message)
        return ok({"interaction": interaction, "resource": resource})

    async def _webhook(self, request: web.Request, token: str, message_id: str | None) -> web.StreamResponse:
        record = self.interactions.get(token)
        if record is None:
            return error(404, 10015, "Unknown Webhook")
        channel_id = int(record.payload["channel_id"])
        method = request.method
        if message_id is None and method == "POST":
            payload, files = await self._message_body(request)
            problems = self._message_errors(payload, files)
            if problems:
                return error(400, 50035, "Invalid Form Body", problems)
            message = self._message_json(channel_id, payload, files, author=self.bot_user)
            record.followups.append(message)
            record.changed.set()
            return ok(public(message))
        if message_id is not None and method == "PATCH":
            payload, files = await self._message_body(request)
            problems = self._message_errors(payload, files)
            if problems:
                return error(400, 50035, "Invalid Form Body", problems)
            message = self._message_json(channel_id, payload, files, author=self.bot_user)
            record.edits.append(message)
            record.changed.set()
            return ok(public(message))
        if message_id is not None and method == "DELETE":
            record.deleted_original = record.deleted_original or message_id == "@original"
            record.changed.set()
            return web.Response(status=204)
        if message_id is not None and method == "GET":
            return ok(public(self._message_json(channel_id, {}, [], author=self.bot_user)))
        return error(405, 0, "405: Method Not Allowed")


@contextmanager
def running_in_thread(**options: Any) -> Iterator[FakeDiscord]:
    """A :class:`FakeDiscord` served by its own event loop in a daemon thread, for synchronous callers.

    Read its records freely; to push interactions use ``asyncio.run_coroutine_threadsafe(..., fake.loop)``.
    """
    fake = FakeDiscord(**options)
    with loop_in_thread("fake-discord", fake.start, fake.stop, timeout=30) as loop:
        fake.loop = loop
        yield fake


def main() -> None:
    """Serve a fake Discord with one channel until interrupted; print how to point newsdigest at it."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    async def serve() -> None:
        async with FakeDiscord() as fake:
            channel_id = fake.add_channel("newsroom")
            for key, value in fake.environ().items():
                print(f"export {key}={value}")
            print(f"# channel: discord:{channel_id}", flush=True)
            await asyncio.Event().wait()

    with suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
