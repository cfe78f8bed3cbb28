"""One HTTP client for every source: conditional GET, timeouts, size and redirect limits, checked addresses."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin

import aiohttp

from digests.sources.addresses import AddressPolicy, CheckedResolver, ForbiddenAddress
from digests.sources.settings import FetchSettings, Validators

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_URL_LENGTH = 2000
REFUSED = "refused: "


@dataclass(frozen=True)
class Response:
    """A successful (2xx) or not-modified (304) answer, body already read within the size limit."""

    url: str
    status: int
    body: bytes = b""
    content_type: str = ""
    validators: Validators = field(default_factory=Validators)
    max_age: float | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        charset = "utf-8"
        match = re.search(r"charset=([\w.-]+)", self.content_type, re.I)
        if match:
            charset = match.group(1)
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


class FetchError(Exception):
    """A fetch that failed; ``reason`` is one line, ``retry_after`` the seconds the server asked us to wait."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def max_age_seconds(cache_control: str | None) -> float | None:
    """The ``max-age`` of a ``Cache-Control`` header (None with ``no-cache``/``no-store`` or without one)."""
    if not cache_control:
        return None
    directives = [part.strip().lower() for part in cache_control.split(",")]
    if "no-cache" in directives or "no-store" in directives:
        return None
    for directive in directives:
        name, _, value = directive.partition("=")
        if name == "max-age" and value.strip('"').isdigit():
            return float(value.strip('"'))
    return None


class Fetcher:
    """An aiohttp session shared by all fetches of one poll; use as ``async with Fetcher(settings) as f``."""

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self.policy = AddressPolicy(self.settings.allow_hosts)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        settings = self.settings
        connector = aiohttp.TCPConnector(
            resolver=CheckedResolver(self.policy),
            limit=settings.concurrency,
            limit_per_host=settings.per_host,
            ttl_dns_cache=300,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=settings.total_timeout,
                sock_connect=settings.connect_timeout,
                sock_read=settings.read_timeout,
            ),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            auto_decompress=True,
            trust_env=False,
        )
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get(self, url: str, validators: Validators | None = None, accept: str = "*/*") -> Response:
        """GET ``url`` following at most ``max_redirects`` checked redirects; raises :class:`FetchError`."""
        try:
            return await asyncio.wait_for(self._get(url, validators, accept), self.settings.total_timeout)
        except TimeoutError:
            raise FetchError(f"timed out after {self.settings.total_timeout:g} s") from None

    async def _get(self, url: str, validators: Validators | None, accept: str) -> Response:
        if self._session is None:
            raise RuntimeError("use the Fetcher in 'async with'")
        headers = {"Accept": accept}
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        for _ in range(self.settings.max_redirects + 1):
            if len(url) > MAX_URL_LENGTH:
                raise FetchError(f"URL longer than {MAX_URL_LENGTH} characters")
            try:
                self.policy.check_url(url)
                async with self._session.get(url, headers=headers, allow_redirects=False) as reply:
                    if reply.status in REDIRECTS and "Location" in reply.headers:
                        url = urljoin(url, reply.headers["Location"])
                        continue
                    return await self._read(url, reply)
            except ForbiddenAddress as error:
                raise FetchError(f"{REFUSED}{error}") from None
            except aiohttp.ClientConnectorError as error:
                if isinstance(error.os_error, ForbiddenAddress):
                    raise FetchError(f"{REFUSED}{error.os_error}") from None
                raise FetchError(f"cannot connect ({error.os_error.strerror or error.os_error})") from None
            except aiohttp.ConnectionTimeoutError:
                raise FetchError(f"timed out connecting (after {self.settings.connect_timeout:g} s)") from None
            except aiohttp.ServerTimeoutError:
                raise FetchError(f"timed out reading (nothing for {self.settings.read_timeout:g} s)") from None
            except aiohttp.ClientPayloadError:
                raise FetchError("the response body was cut off or badly encoded") from None
            except aiohttp.ClientResponseError as error:
                raise FetchError(f"bad HTTP response ({error.message})", error.status) from None
            except aiohttp.ClientError as error:
                raise FetchError(f"{type(error).__name__}: {error}".rstrip(": ")) from None
            except TimeoutError:
                raise FetchError("timed out reading the response") from None
        raise FetchError(f"more than {self.settings.max_redirects} redirects")

    async def _read(self, url: str, reply: aiohttp.ClientResponse) -> Response:
        validators = Validators(reply.headers.get("ETag"), reply.headers.get("Last-Modified"))
        max_age = max_age_seconds(reply.headers.get("Cache-Control"))
        if reply.status == 304:
            return Response(url, 304, validators=validators, max_age=max_age)
        if not 200 <= reply.status < 300:
            wait = retry_after_seconds(reply.headers.get("Retry-After"))
            reason = f"HTTP {reply.status} {reply.reason or ''}".strip()
            if wait is not None:
                reason += f" (Retry-After {wait:g} s)"
            raise FetchError(reason, reply.status, wait)
        limit = self.settings.max_bytes
        if reply.content_length is not None and reply.content_length > limit:
            raise FetchError(f"body of {reply.content_length} bytes exceeds the {limit}-byte limit", reply.status)
        chunks, size = [], 0
        async for chunk in reply.content.iter_chunked(65536):
            size += len(chunk)
            if size > limit:
                raise FetchError(f"body exceeds the {limit}-byte limit", reply.status)
            chunks.append(chunk)
        content_type = reply.headers.get("Content-Type", "")
        return Response(str(reply.url), reply.status, b"".join(chunks), content_type, validators, max_age)
