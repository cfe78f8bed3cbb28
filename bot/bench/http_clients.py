"""``newsdigest bench http-clients``: CPU cost of aiohttp and httpx for the same feed polls.

Needs httpx installed (it is not a dependency): ``pip install httpx``. The feeds are served by the local
feed server in a child process, so the CPU seconds are the client's only.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import statistics
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import aiohttp
import click

from bot.bench.feeds import serve

Poll = Callable[[Sequence[str], dict[str, str]], Coroutine[Any, Any, list[tuple[str, int, str | None]]]]


Result = list[tuple[str, int, str | None]]


async def with_aiohttp(urls: Sequence[str], etags: dict[str, str], width: int = 20) -> Result:
    connector = aiohttp.TCPConnector(limit=width, limit_per_host=width)
    async with aiohttp.ClientSession(connector=connector) as session:
        slots = asyncio.Semaphore(width)

        async def one(url: str) -> tuple[str, int, str | None]:
            async with slots, session.get(url, headers={"If-None-Match": etags[url]} if url in etags else {}) as reply:
                await reply.read()
                return url, reply.status, reply.headers.get("ETag")

        return list(await asyncio.gather(*(one(url) for url in urls)))


async def with_httpx(urls: Sequence[str], etags: dict[str, str], width: int = 20) -> Result:
    import httpx

    limits = httpx.Limits(max_connections=width, max_keepalive_connections=width)
    async with httpx.AsyncClient(limits=limits) as client:
        slots = asyncio.Semaphore(width)

        async def one(url: str) -> tuple[str, int, str | None]:
            async with slots:
                reply = await client.get(url, headers={"If-None-Match": etags[url]} if url in etags else {})
                return url, reply.status_code, reply.headers.get("ETag")

        return list(await asyncio.gather(*(one(url) for url in urls)))


def cpu_seconds(poll: Poll, urls: Sequence[str], etags: dict[str, str], status: int) -> float:
    started = time.process_time()
    results = asyncio.run(poll(urls, etags))
    spent = time.process_time() - started
    if any(code != status for _, code, _ in results):
        raise click.ClickException(f"expected HTTP {status} for every feed")
    return spent


@click.command("http-clients")
@click.option("--feeds", default=500, show_default=True)
@click.option("--rounds", default=5, show_default=True)
def http_clients(feeds: int, rounds: int) -> None:
    """Median CPU seconds per poll of FEEDS local feeds (200 with gzip, then 304), aiohttp against httpx."""
    try:
        import httpx  # noqa: F401
    except ImportError:
        raise click.ClickException("httpx is not installed (pip install httpx); nothing to compare") from None
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs every request at INFO: not the client's cost
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=serve, args=(feeds, 2, theirs), daemon=True)
    child.start()
    try:
        port = ours.recv()
        urls = [f"http://127.0.0.1:{port}/f{feed}.xml" for feed in range(feeds)]
        etags = {url: etag for url, _, etag in asyncio.run(with_aiohttp(urls, {})) if etag}
        clients: dict[str, Poll] = {"aiohttp": with_aiohttp, "httpx": with_httpx}
        times: dict[tuple[str, int], list[float]] = {(name, s): [] for name in clients for s in (200, 304)}
        for _ in range(rounds):
            for name, poll in clients.items():
                times[(name, 200)].append(cpu_seconds(poll, urls, {}, 200))
                times[(name, 304)].append(cpu_seconds(poll, urls, etags, 304))
        ours.send("stop")
    finally:
        child.join(10)
        if child.is_alive():
            child.kill()
    for (name, status), values in times.items():
        click.echo(f"{name:8} HTTP {status}: median {statistics.median(values):.3f} CPU s for {feeds} feeds")
