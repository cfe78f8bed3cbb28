"""``newsdigest bench feeds``: poll cycles of many feeds served by a local server in another process.

Cycle 1 (cold) stores every item (fetch, parse, analyse, store); cycle 2 finds nothing new through conditional
requests (every feed answers 304); cycle 3 finds nothing new without them (the server stops sending
validators, so every feed is downloaded again: the same bytes as last time are not parsed); cycle 4 is a cold
cycle's parse without the analysis (every feed changed its bytes, every item already stored).
CPU seconds are this process's only: the server runs in a child process.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import resource
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import click

from bot.fakes.feed_server import FeedServer, Story, rss_feed
from digests.pipeline import analyse
from digests.sources.ingest import poll_sources
from digests.sources.settings import FEED, FetchSettings, SourceSpec
from digests.storage import Store

SENTENCES = (
    "The regional council met on {day} to discuss item {n} of the transport budget for the coming year.",
    "Officials said about {k},000 residents would be affected by the changes to bus route {n}.",
    '"We have listened to every objection," said councillor number {n}, who chairs the committee.',
    "Opposition members said the plan for district {n} had been rushed and asked for a delay of {k} months.",
    "The final decision on proposal {n} is expected after a public consultation that ends in {day}.",
    "Local traders in ward {n} said they were worried about deliveries during the {k}-week closure.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def bench_story(feed: int, item: int) -> Story:
    """A distinct generated article (no corpus needed) of about 200 words."""
    n = feed * 100 + item
    paragraphs = tuple(
        sentence.format(n=n, k=(n + index) % 9 + 1, day=DAYS[(n + index) % 5])
        for index, sentence in enumerate(SENTENCES * 2)
    )
    published = datetime(2026, 11, 29, tzinfo=UTC) - timedelta(minutes=item)
    return Story(f"/f{feed}/{item}.html", f"Council weighs transport plan {n}", paragraphs, published)


def serve(feeds: int, items: int, pipe: Connection) -> None:
    """Child process: serve ``feeds`` RSS feeds with ETags until told to drop validators, then to stop."""
    with FeedServer().running_in_thread() as server:
        base = server.url("")
        for feed in range(feeds):
            stories = [bench_story(feed, item) for item in range(items)]
            server.add(f"/f{feed}.xml", rss_feed(f"Outlet {feed}", base, stories, full=True), etag=True, gzip=True)
        pipe.send(server.port)
        while (command := pipe.recv()) != "stop":
            if command == "no-validators":
                for route in server.routes.values():
                    route.etag = None
            if command == "new-bytes":
                for route in server.routes.values():
                    route.body = route.body.replace(b"</channel>", b"<!-- changed --></channel>")
            pipe.send("ok")


@dataclass
class Cycle:
    name: str
    wall: float
    cpu: float
    stored: int
    not_modified: int
    unchanged: int
    failed: int
    peak_rss_mb: float

    def line(self) -> str:
        return (
            f"{self.name:<34} wall {self.wall:7.2f} s  CPU {self.cpu:7.2f} s  stored {self.stored:5d}"
            f"  304 {self.not_modified:4d}  same bytes {self.unchanged:4d}  failed {self.failed:3d}"
            f"  peak RSS {self.peak_rss_mb:6.1f} MB"
        )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_cycle(name: str, store: Store, specs: list[SourceSpec], settings: FetchSettings) -> Cycle:
    wall, cpu = time.perf_counter(), time.process_time()
    report = poll_sources(store, specs, settings, analyse, force=True)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Cycle(name, wall, cpu, len(report.new), report.not_modified, report.unchanged, report.failed, peak_rss_mb())


@click.command()
@click.option("--feeds", default=500, show_default=True, help="Feeds served and polled.")
@click.option("--items", default=2, show_default=True, help="Items per feed (full text, about 200 words each).")
@click.option("--concurrency", default=20, show_default=True, help="Feeds fetched at the same time.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def feeds(feeds: int, items: int, concurrency: int, as_json: bool) -> None:
    """Wall and CPU time, peak memory and items/s of poll cycles over FEEDS local feeds (aim: 304 cycle < 10 s)."""
    logging.getLogger("digests.sources").setLevel(logging.WARNING)  # one line per feed per cycle is too many here
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=serve, args=(feeds, items, theirs), daemon=True)
    child.start()
    try:
        port = ours.recv()
        specs = [SourceSpec(f"http://127.0.0.1:{port}/f{feed}.xml", FEED) for feed in range(feeds)]
        # One local server stands in for many sites, so the per-host limit is the overall one here.
        settings = FetchSettings(allow_hosts=("127.0.0.1",), concurrency=concurrency, per_host=concurrency)
        with tempfile.TemporaryDirectory() as folder:
            store = Store(f"sqlite:///{Path(folder) / 'bench.db'}")
            try:
                cycles = [run_cycle("1 cold: store every item", store, specs, settings)]
                cycles.append(run_cycle("2 nothing new, conditional (304)", store, specs, settings))
                ours.send("no-validators")
                ours.recv()
                cycles.append(run_cycle("3 nothing new, no validators (200)", store, specs, settings))
                ours.send("new-bytes")
                ours.recv()
                cycles.append(run_cycle("4 new bytes, items already stored", store, specs, settings))
            finally:
                store.close()
        ours.send("stop")
    finally:
        child.join(10)
        if child.is_alive():
            child.kill()
    cold = cycles[0]
    figures = {
        "feeds": feeds,
        "items_per_feed": items,
        "concurrency": concurrency,
        "cycles": [vars(replace(cycle)) for cycle in cycles],
        "cold_items_per_second_wall": round(cold.stored / cold.wall, 1) if cold.wall else None,
        "cold_items_per_cpu_second": round(cold.stored / cold.cpu, 1) if cold.cpu else None,
    }
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo(f"{feeds} feeds x {items} items, {concurrency} at a time (server in a child process)")
    for cycle in cycles:
        click.echo(cycle.line())
    click.echo(
        f"cold cycle: {figures['cold_items_per_second_wall']} items/s stored (wall),"
        f" {figures['cold_items_per_cpu_second']} items per CPU second"
    )
