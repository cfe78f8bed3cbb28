"""``newsdigest bench slack-load``: sustained concurrent ``/news ask`` over HTTP mode against a large store.

A separate process keeps ``--concurrency`` signed requests in flight for ``--duration`` seconds (each sender sends
its next command as soon as the previous one is acknowledged, as a crowd of editors would). The fake Slack runs on
its own thread and records when each answer reaches its response_url. Reported: ack latency, answer delivery
latency (request sent -> answer received), refusal latency ("busy, try again"), and answers never delivered.
Targets: ack p99 <= 1 s; answers delivered p99 <= 5 s, or refused at once.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from bot.answer_queue import BUSY, AnswerQueue
from bot.app import App
from bot.bench.slack_ack import QUESTIONS, percentile
from bot.config import Config
from bot.fakes.slack_web_api import FakeSlack

SECRET = "bench-signing-secret"
ACK_TARGET_S = 1.0
ANSWER_TARGET_S = 5.0
DRAIN_S = 20.0
WARM_UP = 3

# The load generator: its own process, as Slack would be.
# Prints one JSON list of [key, sent_at, ack_s, status, refused in the ack].
CLIENT = """
import asyncio, hashlib, hmac, json, sys, time, uuid
from urllib.parse import urlencode
import aiohttp

url, fake, secret = sys.argv[1], sys.argv[2], sys.argv[3].encode()
concurrency, duration, questions = int(sys.argv[4]), float(sys.argv[5]), json.loads(sys.argv[6])
results = []

def signed(text):
    key = uuid.uuid4().hex
    body = urlencode({"command": "/news", "text": text, "team_id": "T0FAKE0001", "channel_id": "C0COMMANDS",
                      "user_id": "U0EDITOR01", "response_url": f"{fake}/response/{key}", "trigger_id": key}).encode()
    stamp = str(int(time.time()))
    signature = "v0=" + hmac.new(secret, f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": signature}
    return key, body, headers

async def sender(session, number, stop_at):
    n = number
    while time.time() < stop_at:
        key, body, headers = signed("ask " + questions[n % len(questions)])
        n += concurrency
        sent = time.time()
        try:
            async with session.post(url, data=body, headers=headers) as response:
                refused = "busy" in await response.text()
                status = response.status
        except aiohttp.ClientError:
            status, refused = 0, False
        results.append([key, sent, time.time() - sent, status, refused])

async def main():
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        stop_at = time.time() + duration
        await asyncio.gather(*(sender(session, n, stop_at) for n in range(concurrency)))
    print(json.dumps(results))

asyncio.run(main())
"""


async def load(url: str, fake_url: str, concurrency: int, duration: float) -> list[list[Any]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CLIENT,
        url,
        fake_url,
        SECRET,
        str(concurrency),
        str(duration),
        json.dumps(QUESTIONS),
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise click.ClickException("the load generator failed")
    results: list[list[Any]] = json.loads(output)
    return results


def summary(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p99": None, "max": None}
    return {
        "p50": round(statistics.median(values), 3),
        "p99": round(percentile(values, 0.99), 3),
        "max": round(max(values), 3),
    }


async def measure(app: App, concurrency: int, duration: float, bounded: bool) -> dict[str, Any]:
    from bot.slack.platform import EVENTS_PATH, SlackPlatform, SlackSettings

    with FakeSlack().running_in_thread() as slack:
        settings = SlackSettings(bot_token=slack.bot_token, signing_secret=SECRET, api_url=slack.base_url)
        platform = SlackPlatform(app, settings)
        if not bounded:  # the old behaviour, for comparison: every answer queued, however long the wait
            platform.commands.queue = AnswerQueue(workers=4, capacity=10**9, max_wait=float("inf"))
        await platform.start(serve_commands=False)
        port = await platform.serve_http("127.0.0.1", 0)
        url = f"http://127.0.0.1:{port}{EVENTS_PATH}"
        for question in QUESTIONS[:WARM_UP]:  # build the answer index and time a few answers outside the load
            await platform.commands.answer(f"ask {question}")
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        try:
            sent = await load(url, slack.url, concurrency, duration)
            ended = time.time()
            drain_until = ended + DRAIN_S
            awaited = [row for row in sent if row[3] == 200 and not row[4]]
            while time.time() < drain_until and len(slack.responses) < len(awaited):
                await asyncio.sleep(0.1)
        finally:
            cpu_after = resource.getrusage(resource.RUSAGE_SELF)
            received = {str(r["key"]): (r, slack.response_times.get(str(r["key"]))) for r in list(slack.responses)}
            await platform.stop()
    answered, refused, failed, late = [], [], 0, 0
    for key, sent_at, ack_s, status, refused_in_ack in sent:
        if status == 200 and refused_in_ack:
            refused.append(ack_s)
            continue
        if status != 200 or key not in received:
            continue
        response, at = received[key]
        latency = (at or ended) - sent_at
        if BUSY in str(response.get("text")):
            refused.append(latency)
        elif "command failed" in str(response.get("text")):
            failed += 1
        else:
            answered.append(latency)
            late += latency > ANSWER_TARGET_S
    acks = [row[2] for row in sent if row[3] == 200]
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    return {
        "concurrency": concurrency,
        "duration_s": duration,
        "answer_queue": "bounded" if bounded else "unbounded",
        "requests": len(sent),
        "not_acked": len(sent) - len(acks),
        "ack_s": summary(acks),
        "answered": len(answered),
        "answer_s": summary(answered),
        "answers_over_5s": late,
        "refused_busy": len(refused),
        "refusal_s": summary(refused),
        "failed": failed,
        "undelivered_after_drain": len(acks) - len(answered) - len(refused) - failed,
        "bot_cpu_s": round(cpu, 1),
    }


@click.command("slack-load")
@click.option("--concurrency", default=100, show_default=True, help="Signed /news ask requests kept in flight.")
@click.option("--duration", default=60.0, show_default=True, help="Seconds of load.")
@click.option("--articles", default=10_000, show_default=True, help="Articles in the store (copies of the corpus).")
@click.option(
    "--corpus",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    required=True,
    help="A corpus folder (article/<topic>/NNN.txt) whose articles are copied up to --articles.",
)
@click.option("--unbounded", is_flag=True, help="Queue every answer (the behaviour before the bounded queue).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def slack_load(concurrency: int, duration: float, articles: int, corpus: Path, unbounded: bool, as_json: bool) -> None:
    """Acks and answers under sustained concurrent /news ask; targets ack p99 <= 1 s, answers p99 <= 5 s or refused."""
    from bot.bench.answers import build_scaled, corpus_articles

    with tempfile.TemporaryDirectory() as folder:
        app = App(Config(), f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            build_scaled(app.store, corpus_articles(corpus), articles)
            stored = app.store.count()
            result = asyncio.run(measure(app, concurrency, duration, bounded=not unbounded))
        finally:
            app.close()
    result["articles"] = stored
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(
        f"/news ask over HTTP mode: {concurrency} in flight for {duration:.0f} s, {stored} articles, "
        f"{result['answer_queue']} answer queue; load average {result['load_average_1m']}"
    )
    click.echo(f"requests {result['requests']} (not acked: {result['not_acked']}); ack s {result['ack_s']}")
    answered = f"answered {result['answered']}: delivery s {result['answer_s']}"
    click.echo(f"{answered}, over 5 s: {result['answers_over_5s']}")
    click.echo(f"refused busy {result['refused_busy']}: refusal s {result['refusal_s']}")
    undelivered = result["undelivered_after_drain"]
    click.echo(f"failed {result['failed']}; undelivered {DRAIN_S:.0f} s after the load: {undelivered}")
    click.echo(f"bot CPU {result['bot_cpu_s']} s")
