"""A local web server of feeds and article pages on 127.0.0.1, with the traffic shapes real sites produce.

For tests and ``newsdigest bench feeds``::

    with FeedServer().running_in_thread() as server:      # random port on 127.0.0.1
        server.add("/world.xml", rss_feed("World", stories), etag=True)
        server.add("/old", redirect="/world.xml")          # 301
        server.add("/busy.xml", status=429, headers={"Retry-After": "120"})
        server.url("/world.xml")
        server.requests("/world.xml")                      # the request headers seen, in order

A route with ``etag=True`` (or ``last_modified``) answers conditional requests with 304; ``gzip=True`` compresses
when the client accepts it; ``delay`` holds the answer; ``stream_bytes`` sends a body of that size with no
Content-Length. Builders make documents: :func:`rss_feed`, :func:`atom_feed`, :func:`json_feed`,
:func:`article_page`, each from :class:`Story` values.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from typing import Any

from aiohttp import web

from bot.fakes.threaded import loop_in_thread


@dataclass(frozen=True)
class Story:
    """An article to publish: its page path, headline, paragraphs, and when and by whom."""

    slug: str
    title: str
    paragraphs: tuple[str, ...]
    published: datetime = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    author: str = "Staff Reporter"

    @property
    def teaser(self) -> str:
        return self.paragraphs[0][:200] if self.paragraphs else ""

    def html(self) -> str:
        return "".join(f"<p>{escape(p)}</p>" for p in self.paragraphs)


@dataclass
class Route:
    """What one path answers."""

    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    delay: float = 0.0
    redirect: str | None = None
    stream_bytes: int = 0


@dataclass(frozen=True)
class Seen:
    """One request the server answered."""

    path: str
    headers: dict[str, str]
    status: int


class FeedServer:
    """Serves registered routes; unknown paths are 404."""

    def __init__(self) -> None:
        self.port = 0
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self._runner: web.AppRunner | None = None
        self._lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(
        self,
        path: str,
        body: str | bytes = b"",
        content_type: str | None = None,
        *,
        etag: bool = False,
        last_modified: datetime | None = None,
        **options: Any,
    ) -> Route:
        """Serve ``body`` at ``path`` (replacing what was there); returns the route for later changes."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(body=data, content_type=content_type or guess_type(data), **options)
        if etag:
            route.etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if last_modified is not None:
            route.last_modified = format_datetime(last_modified, usegmt=True)
        with self._lock:
            self.routes[path] = route
        return route

    def requests(self, path: str) -> list[Seen]:
        with self._lock:
            return [seen for seen in self.seen if seen.path == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            route = self.routes.get(request.path)
        if route is None:
            return self._record(request, web.Response(status=404, text="not found"))
        if route.delay:
            await asyncio.sleep(route.delay)
        if route.redirect is not None:
            status = route.status if route.status in (301, 302, 303, 307, 308) else 301
            return self._record(request, web.Response(status=status, headers={"Location": route.redirect}))
        validators = {}
        if route.etag:
            validators["ETag"] = route.etag
        if route.last_modified:
            validators["Last-Modified"] = route.last_modified
        if route.status == 200 and (
            (route.etag and request.headers.get("If-None-Match") == route.etag)
            or (route.last_modified and request.headers.get("If-Modified-Since") == route.last_modified)
        ):
            return self._record(request, web.Response(status=304, headers={**route.headers, **validators}))
        if route.stream_bytes:
            response = web.StreamResponse(status=route.status, headers={"Content-Type": route.content_type})
            self._record(request, response)
            await response.prepare(request)
            chunk = b"<p>" + b"x" * 65530 + b"</p>"
            sent = 0
            try:
                while sent < route.stream_bytes:
                    await response.write(chunk)
                    sent += len(chunk)
                await response.write_eof()
            except (ConnectionResetError, RuntimeError):
                pass
            return response
        body, headers = route.body, {**route.headers, **validators, "Content-Type": route.content_type}
        if route.gzip and "gzip" in request.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        return self._record(request, web.Response(status=route.status, body=body, headers=headers))

    def _record(self, request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
        with self._lock:
            self.seen.append(Seen(request.path, dict(request.headers), response.status))
        return response

    async def start(self) -> FeedServer:
        server = web.Application()
        server.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FeedServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @contextmanager
    def running_in_thread(self) -> Iterator[FeedServer]:
        """Serve from a background thread's event loop, for blocking callers (a CLI run, a benchmark)."""
        with loop_in_thread("feed-server", self.start, self.stop, timeout=10):
            yield self


def guess_type(body: bytes) -> str:
    head = body.lstrip()[:200]
    if head.startswith(b"{"):
        return "application/feed+json"
    if b"<rss" in head or b"<?xml" in head:
        return "application/rss+xml; charset=utf-8"
    if b"<feed" in head:
        return "application/atom+xml; charset=utf-8"
    if b"<html" in head.lower() or b"<!doctype" in head.lower():
        return "text/html; charset=utf-8"
    return "text/plain; charset=utf-8"


def rss_feed(title: str, base: str, stories: Sequence[Story], full: bool = False) -> str:
    """RSS 2.0; with ``full`` each item carries the whole article in ``content:encoded``, else a teaser."""
    items = []
    for story in stories:
        content = f"<content:encoded><![CDATA[{story.html()}]]></content:encoded>" if full else ""
        items.append(
            f"<item><title>{escape(story.title)}</title><link>{base}{story.slug}</link>"
            f"<guid>{base}{story.slug}</guid><pubDate>{format_datetime(story.published)}</pubDate>"
            f"<description>{escape(story.teaser)}</description>{content}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(title)}</title><link>{base}/</link><description>{escape(title)}</description>"
        + "".join(items)
        + "</channel></rss>"
    )


def atom_feed(title: str, base: str, stories: Sequence[Story], full: bool = True) -> str:
    """Atom 1.0; with ``full`` each entry's ``content`` is the whole article, else only a ``summary``."""
    entries = []
    for story in stories:
        when = story.published.isoformat()
        content = f'<content type="html">{escape(story.html())}</content>' if full else ""
        entries.append(
            f"<entry><title>{escape(story.title)}</title><link href=\"{base}{story.slug}\"/>"
            f"<id>{base}{story.slug}</id><updated>{when}</updated><published>{when}</published>"
            f"<author><name>{escape(story.author)}</name></author>"
            f"<summary>{escape(story.teaser)}</summary>{content}</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>{base}/</id><updated>2026-11-29T08:00:00Z</updated>"
        + "".join(entries)
        + "</feed>"
    )


def json_feed(title: str, base: str, stories: Sequence[Story], full: bool = True) -> str:
    """JSON Feed 1.1."""
    items = [
        {
            "id": f"{base}{story.slug}",
            "url": f"{base}{story.slug}",
            "title": story.title,
            "date_published": story.published.isoformat(),
            "authors": [{"name": story.author}],
            **({"content_html": story.html()} if full else {"summary": story.teaser}),
        }
        for story in stories
    ]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": title, "items": items})


def article_page(story: Story, site: str = "Example News") -> str:
    """A news article page with navigation and footer around the story, and its metadata in the head."""
    paragraphs = story.html()
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(story.title)} | {escape(site)}</title>"
        f"<meta property='og:title' content='{escape(story.title)}'>"
        f"<meta property='og:site_name' content='{escape(site)}'>"
        f"<meta name='author' content='{escape(story.author)}'>"
        f"<meta property='article:published_time' content='{story.published.isoformat()}'>"
        "</head><body><nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>{escape(story.title)}</h1><p class='byline'>By {escape(story.author)}</p>{paragraphs}</article>"
        "<footer><p>Copyright Example News. All rights reserved.</p></footer></body></html>"
    )
