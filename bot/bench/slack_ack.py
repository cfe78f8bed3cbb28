"""``newsdigest bench slack-ack``: how fast ``/news ask`` is acknowledged over HTTP mode (Slack allows 3 s)."""

from __future__ import annotations

import asyncio
import json
import math
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from bot.app import App
from bot.config import Config
from bot.fakes.slack_web_api import FakeSlack, form_body, signed_headers
from digests.ingest import ingest_articles
from digests.loaders import load_paths

TARGET_P99_MS = 100.0
SECRET = "bench-signing-secret"
QUESTIONS = (
    "Who signed the letter?",
    "What figures were reported?",
    "What did the officers say?",
    "How many hostages are still held?",
    "When did the attacks happen?",
)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


# The load generator runs in its own process, as Slack would be, so its work does not share the bot's event loop.
CLIENT = """
import asyncio, json, sys, time
import aiohttp

async def main():
    url, requests = sys.argv[1], json.load(sys.stdin)
    async with aiohttp.ClientSession() as session:
        async def one(body, headers):
            started = time.perf_counter()
            async with session.post(url, data=body.encode(), headers=headers) as response:
                await response.read()
                return response.status, (time.perf_counter() - started) * 1000
        await one(*requests[0])  # open the connection pool's first connection outside the timing
        print(json.dumps(await asyncio.gather(*(one(body, headers) for body, headers in requests[1:]))))

asyncio.run(main())
"""


async def burst(url: str, bodies: list[bytes]) -> list[float]:
    """Send the signed bodies concurrently from a separate process; milliseconds to each ack."""
    signed = [(body.decode(), signed_headers(SECRET, body)) for body in bodies]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CLIENT, url, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await process.communicate(json.dumps(signed).encode())
    if process.returncode != 0:
        raise click.ClickException("the load generator failed")
    results = json.loads(output)
    bad = sorted({status for status, _ in results if status != 200})
    if bad:
        raise click.ClickException(f"the bot answered HTTP {bad} instead of an ack")
    return [float(ms) for _, ms in results]


async def measure(app: App, requests: int, rounds: int) -> dict[str, Any]:
    """Fire ``rounds`` bursts of ``requests`` concurrent ``/news ask``; ack latencies and answers delivered."""
    from bot.slack.platform import EVENTS_PATH, SlackPlatform, SlackSettings

    acks: list[float] = []
    failed = 0
    # The fake Slack runs on its own thread and event loop: Slack's side of the response URLs is not the bot's work.
    with FakeSlack().running_in_thread() as slack:
        settings = SlackSettings(bot_token=slack.bot_token, signing_secret=SECRET, api_url=slack.base_url)
        platform = SlackPlatform(app, settings)
        await platform.start(serve_commands=False)
        port = await platform.serve_http("127.0.0.1", 0)
        url = f"http://127.0.0.1:{port}{EVENTS_PATH}"
        try:
            for round_number in range(rounds + 1):  # round 0 warms up (imports, answer index)
                questions = [QUESTIONS[n % len(QUESTIONS)] for n in range(requests + 1)]
                bodies = [form_body(slack.slash_command("/news", f"ask {question}")) for question in questions]
                before = len(slack.responses)
                timings = await burst(url, bodies)
                replies = await slack.wait_for_responses(before + requests + 1, timeout=300)
                if round_number:
                    acks += timings
                    failed += sum(1 for r in replies[before:] if "command failed" in str(r.get("text")))
        finally:
            await platform.stop()
    return {
        "requests": requests,
        "rounds": rounds,
        "ack_ms": {
            "p50": round(statistics.median(acks), 2),
            "p99": round(percentile(acks, 0.99), 2),
            "max": round(max(acks), 2),
        },
        "answers_delivered": requests * rounds - failed,
        "answers_failed": failed,
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": percentile(acks, 0.99) <= TARGET_P99_MS,
    }


@click.command("slack-ack")
@click.option("--requests", default=20, show_default=True, help="Concurrent /news ask requests per burst.")
@click.option("--rounds", default=10, show_default=True, help="Bursts measured (after one warm-up burst).")
@click.option(
    "--corpus",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Also ingest this corpus (article/<topic>/NNN.txt), so answers search a realistic store.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def slack_ack(requests: int, rounds: int, corpus: Path | None, as_json: bool) -> None:
    """Ack latency (p50/p99) of /news ask over HTTP mode with concurrent signed requests; target p99 <= 100 ms."""
    with tempfile.TemporaryDirectory() as folder:
        app = App(Config(), f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            app.ingest_sources()
            if corpus is not None:
                source = corpus / "article" if (corpus / "article").is_dir() else corpus
                ingest_articles(app.store, load_paths([source]), app.summary_settings)
            articles = app.store.count()
            result = asyncio.run(measure(app, requests, rounds))
        finally:
            app.close()
    result["articles"] = articles
    result["load_average_1m"] = round(os.getloadavg()[0], 2)  # other work on the machine skews the tail
    if as_json:
        click.echo(json.dumps(result))
        return
    ack = result["ack_ms"]
    click.echo(
        f"/news ask over HTTP mode, {requests} concurrent signed requests x {rounds} bursts, {articles} articles stored"
    )
    click.echo(f"load average during the run: {result['load_average_1m']}")
    click.echo(f"ack latency: p50 {ack['p50']} ms, p99 {ack['p99']} ms, max {ack['max']} ms (target p99 <= 100 ms)")
    click.echo(f"answers delivered: {result['answers_delivered']}, failed: {result['answers_failed']}")
