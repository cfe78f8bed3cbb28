"""``newsdigest bench crash``: kill -9 the running bot at random points and check every digest arrived exactly once.

The fake Slack and fake Discord run in this (the bench) process, so what they received survives the bot's
restarts. The bot runs as a subprocess on short schedules (every 2 and every 3 seconds, empty digests posted,
so every slot is owed to every channel) and is killed with SIGKILL either at a random moment after it started
or just after a message reaches a fake (the window between posting and marking the delivery sent), then
restarted after a random pause (so slots are missed and must be caught up). A final clean run lets it finish.

Counted at the end, per channel, from what the fakes received and what the ledger holds:
duplicates (a delivery marker posted more than once), lost (a stored delivery not posted, or not sent),
missed slots (a slot that fell while the bot was up but was never stored), missed catch-ups (after a restart,
the slot missed while down, within the grace period, was never stored) and unexpected posts.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from bot.bench.environment import child_environment
from bot.scheduler import cron_trigger
from digests.storage import Store
from digests.storage.ledger import SENT, SKIPPED, Ledger

SCHEDULES = {"every2": "*/2 * * * * *", "every3": "*/3 * * * * *"}
SLACK_CHANNEL = "#crash-test"
RUNNING_LINE = "newsdigest is running"
FOUND_LINE = "already has the"  # logged when a crash left a delivery in doubt and its marker was found
STARTUP_TIMEOUT = 60.0


@dataclass
class Figures:
    """What one crash run measured."""

    trials: int = 0
    kills_after_post: int = 0
    kills_at_random: int = 0
    kills_while_running: int = 0
    found_by_marker: int = 0
    channels: list[str] = field(default_factory=list)
    slots: int = 0
    deliveries: int = 0
    posts: int = 0
    duplicates: int = 0
    lost: int = 0
    missed_slots: int = 0
    missed_catch_ups: int = 0
    unexpected: int = 0
    repeated_articles: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        problems = (self.duplicates, self.lost, self.missed_slots, self.missed_catch_ups, self.unexpected)
        return not any(problems) and not self.repeated_articles


class Fakes:
    """The fake Slack and (when present) the fake Discord, served from a thread of this process."""

    def __init__(self, with_discord: bool) -> None:
        from bot.fakes.slack_web_api import FakeSlack

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="crash-fakes", daemon=True)
        self.slack = FakeSlack()
        self.discord: Any = None
        self.discord_channel = 0
        if with_discord:
            from bot.fakes.discord_server import FakeDiscord

            self.discord = FakeDiscord()

    def call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    @contextmanager
    def running(self) -> Iterator[Fakes]:
        self.thread.start()
        try:
            self.call(self.slack.start())
            self.slack.add_channel(SLACK_CHANNEL)
            if self.discord is not None:
                self.call(self.discord.start())
                self.discord_channel = self.discord.add_channel("crash-test")
            yield self
        finally:
            self.call(self.slack.stop())
            if self.discord is not None:
                self.call(self.discord.stop())
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)

    def environ(self) -> dict[str, str]:
        # the fake has no rate limits, and slots fire every few seconds: pace at a twentieth of Slack's limits
        env = {"SLACK_BOT_TOKEN": self.slack.bot_token, "SLACK_API_URL": self.slack.base_url, "SLACK_PACE": "0.05"}
        if self.discord is not None:
            env.update(self.discord.environ())
        return env

    def addresses(self) -> list[str]:
        addresses = [f"slack:{SLACK_CHANNEL}"]
        if self.discord is not None:
            addresses.append(f"discord:{self.discord_channel}")
        return addresses

    def markers(self) -> dict[str, list[str]]:
        """The delivery marker of every digest's first message, per channel address, in arrival order."""

        async def snapshot() -> dict[str, list[str]]:
            found = {f"slack:{SLACK_CHANNEL}": slack_markers(self.slack.messages(SLACK_CHANNEL))}
            if self.discord is not None:
                found[f"discord:{self.discord_channel}"] = discord_markers(self.discord.messages(self.discord_channel))
            return found

        result: dict[str, list[str]] = self.call(snapshot())
        return result

    def message_count(self) -> int:
        async def count() -> int:
            total = len(self.slack.messages(SLACK_CHANNEL))
            if self.discord is not None:
                total += len(self.discord.messages(self.discord_channel))
            return total

        result: int = self.call(count())
        return result


def slack_markers(messages: list[dict[str, Any]]) -> list[str]:
    markers = []
    for message in messages:
        payload = (message.get("metadata") or {}).get("event_payload") or {}
        if payload.get("marker") and payload.get("part", 1) == 1:
            markers.append(str(payload["marker"]))
    return markers


def discord_markers(messages: list[dict[str, Any]]) -> list[str]:
    from bot.discord.render import read_marker

    markers = []
    for message in messages:
        for embed in message.get("embeds") or []:
            parsed = read_marker((embed.get("footer") or {}).get("text"))
            if parsed is not None:
                if parsed[1] == 1:
                    markers.append(parsed[0])
                break
    return markers


def write_config(folder: Path, addresses: list[str]) -> Path:
    lines = ['[[sources]]\npath = "seeds"\n', f'[[sources]]\npath = "{(folder / "articles").as_posix()}"\n']
    for name, cron in SCHEDULES.items():
        lines.append(
            f'[[schedules]]\nname = "{name}"\ncron = "{cron}"\ntimezone = "UTC"\n'
            f"channels = {json.dumps(addresses)}\npost_empty = true\n"
        )
    lines.append("[scheduler]\nmisfire_grace_seconds = 3600\nretry_initial_seconds = 0.5\n")
    lines.append("retry_max_seconds = 2\nmax_attempts = 20\nlock_poll_seconds = 0.5\n")
    path = folder / "newsdigest.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    (folder / "articles").mkdir(exist_ok=True)
    return path


def add_article(folder: Path, number: int) -> None:
    """A new article arrives between runs, so digests have items and the no-repeat rule is exercised."""
    body = (
        f"Crash test dispatch {number}. The council met on Tuesday to discuss item {number} of the agenda. "
        f"Members voted {number % 7 + 2} to 1 in favour, the clerk said. The next meeting is in a week."
    )
    (folder / "articles" / f"dispatch-{number:03d}.txt").write_text(f"Dispatch {number}\n\n{body}\n", encoding="utf-8")


class Bot:
    """One ``newsdigest run`` subprocess and the moments it was up."""

    def __init__(self, folder: Path, config: Path, database: str, environ: dict[str, str], number: int) -> None:
        env = child_environment({**environ, "DATABASE_URL": database})
        self.log = folder / f"bot-{number:03d}.log"
        self._stream = self.log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from bot.cli import main; main()", "--config", str(config), "run"],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self._stream,
        )
        self.running_at: datetime | None = None
        self.stopped_at: datetime | None = None

    def poll_running(self) -> bool:
        if self.running_at is None and RUNNING_LINE in self.log.read_text(errors="replace"):
            self.running_at = datetime.now(UTC)
        return self.running_at is not None

    def wait_running(self, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not self.poll_running():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise click.ClickException(f"the bot did not start; see {self.log}")
            time.sleep(0.01)

    def kill(self) -> None:
        self.poll_running()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self.stopped_at = datetime.now(UTC)
        self._stream.close()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(60)
        self.stopped_at = datetime.now(UTC)
        self._stream.close()
        if code != 0:
            raise click.ClickException(f"the bot exited with status {code} on SIGTERM; see {self.log}")


def run_trials(trials: int, seed: int, folder: Path, database: str | None, with_discord: bool) -> Figures:
    """The whole crash experiment; returns its figures."""
    rng = random.Random(seed)
    figures = Figures(trials=trials)
    started = time.monotonic()
    database = database or f"sqlite:///{(folder / 'crash.db').as_posix()}"
    with Fakes(with_discord).running() as fakes:
        config = write_config(folder, fakes.addresses())
        figures.channels = fakes.addresses()
        bots: list[Bot] = []
        for number in range(trials):
            if number % 4 == 0:
                add_article(folder, number)
            bot = Bot(folder, config, database, fakes.environ(), number)
            bots.append(bot)
            if rng.random() < 0.5:
                figures.kills_after_post += 1
                before = fakes.message_count()
                deadline = time.monotonic() + 12
                while fakes.message_count() == before and time.monotonic() < deadline and bot.process.poll() is None:
                    bot.poll_running()
                    time.sleep(0.002)
                time.sleep(rng.uniform(0, 0.05))
            else:
                figures.kills_at_random += 1
                bot.wait_running()
                time.sleep(rng.uniform(0, 5.0))
            bot.kill()
            figures.kills_while_running += bot.running_at is not None
            time.sleep(rng.uniform(0, 3.5))
        last = Bot(folder, config, database, fakes.environ(), trials)
        bots.append(last)
        last.wait_running()
        settle_until(last, database, time.monotonic() + 60)
        last.stop()
        figures.seconds = round(time.monotonic() - started, 1)
        figures.found_by_marker = sum(b.log.read_text(errors="replace").count(FOUND_LINE) for b in bots)
        check(figures, fakes.markers(), database, bots)
    return figures


def settle_until(bot: Bot, database: str, deadline: float) -> None:
    """Let the last run deliver everything owed, including a slot after it started."""
    store = Store(database)
    try:
        ledger = Ledger(store)
        begun = datetime.now(UTC)
        while time.monotonic() < deadline:
            time.sleep(0.5)
            newest = {name: max(ledger.slots(name), default=None) for name in SCHEDULES}
            fresh = all(slot is not None and slot > begun for slot in newest.values())
            if fresh and all(d.state in (SENT, SKIPPED) for d in ledger.deliveries()):
                return
    finally:
        store.close()


def check(figures: Figures, markers: dict[str, list[str]], database: str, bots: list[Bot]) -> None:
    store = Store(database)
    try:
        ledger = Ledger(store)
        deliveries = [d for d in ledger.deliveries() if d.schedule in SCHEDULES]
        owed = [d for d in deliveries if d.state != SKIPPED]
        figures.deliveries = len(owed)
        figures.slots = sum(len(ledger.slots(name)) for name in SCHEDULES)
        figures.posts = sum(len(found) for found in markers.values())
        for address, found in markers.items():
            counts = Counter(found)
            expected = {d.marker for d in owed if d.channel == address}
            figures.duplicates += sum(n - 1 for n in counts.values() if n > 1)
            figures.lost += sum(1 for marker in expected if marker not in counts)
            figures.unexpected += sum(1 for marker in counts if marker not in expected)
        figures.lost += sum(1 for d in owed if d.state != SENT)
        for address in figures.channels:
            seen: Counter[int] = Counter()
            for delivery in deliveries:
                if delivery.channel == address:
                    seen.update(delivery.article_ids)
            figures.repeated_articles += sum(n - 1 for n in seen.values() if n > 1)
        for name, cron in SCHEDULES.items():
            stored = set(ledger.slots(name))
            figures.missed_slots += missed_slots(cron, stored, bots)
            figures.missed_catch_ups += missed_catch_ups(cron, stored, bots)
    finally:
        store.close()


def cron_slots(cron: str, start: datetime, end: datetime) -> list[datetime]:
    trigger = cron_trigger(cron, "UTC")
    slots = []
    moment = trigger.get_next_fire_time(None, start)
    while moment is not None and moment <= end:
        slots.append(moment)
        moment = trigger.get_next_fire_time(None, moment + timedelta(microseconds=1))
    return slots


def missed_slots(cron: str, stored: set[datetime], bots: list[Bot]) -> int:
    """Slots that fell while a bot was up (and stayed up 1.5 s more to build it) yet were never stored."""
    missed = 0
    for bot in bots:
        if bot.running_at is None or bot.stopped_at is None:
            continue
        for slot in cron_slots(cron, bot.running_at + timedelta(seconds=0.2), bot.stopped_at - timedelta(seconds=1.5)):
            missed += slot not in stored
    return missed


def missed_catch_ups(cron: str, stored: set[datetime], bots: list[Bot]) -> int:
    """After each restart that came up, the latest slot before it must be stored (or a later one superseded it)."""
    missed = 0
    first = next((b.running_at for b in bots if b.running_at is not None), None)
    for bot in bots[1:]:
        if bot.running_at is None or first is None or bot.stopped_at is None:
            continue
        if bot.stopped_at - bot.running_at < timedelta(seconds=1.5):
            continue  # killed too soon after starting to be held to it
        due = cron_slots(cron, first, bot.running_at)
        if due and not any(slot >= due[-1] for slot in stored):
            missed += 1
    return missed


def markdown(figures: Figures, command: str) -> str:
    """The section docs/BENCHMARKS.md holds."""
    rows = [
        ("trials (kill -9 then restart)", figures.trials),
        ("kills just after a message reached a fake", figures.kills_after_post),
        ("kills at a random moment (0-5 s after start-up)", figures.kills_at_random),
        ("kills while the scheduler was running", figures.kills_while_running),
        ("posts found by their marker after a kill (not posted again)", figures.found_by_marker),
        ("channels", ", ".join(figures.channels)),
        ("slots stored", figures.slots),
        ("deliveries owed", figures.deliveries),
        ("digests received by the fakes", figures.posts),
        ("duplicates", figures.duplicates),
        ("lost", figures.lost),
        ("slots missed while up", figures.missed_slots),
        ("catch-ups missed after a restart", figures.missed_catch_ups),
        ("posts the ledger does not know", figures.unexpected),
        ("articles repeated in a channel", figures.repeated_articles),
        ("wall time (s)", figures.seconds),
    ]
    table = "\n".join(f"| {name} | {value} |" for name, value in rows)
    return f"`{command}`\n\n| measure | value |\n|---|---|\n{table}\n"


@click.command()
@click.option("--trials", default=100, show_default=True, type=click.IntRange(min=1), help="Kill/restart cycles.")
@click.option("--seed", default=7, show_default=True, help="Random seed for kill points and pauses.")
@click.option("--db", "database", metavar="URL", help="Database for the bot (default: a SQLite file in a temp folder).")
@click.option("--no-discord", is_flag=True, help="Only the fake Slack.")
@click.option("--keep", is_flag=True, help="Keep the work folder (logs, database) and print its path.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def crash(trials: int, seed: int, database: str | None, no_discord: bool, keep: bool, as_json: bool) -> None:
    """Kill -9 the bot at random points across many trials; check every owed digest arrived exactly once."""
    with_discord = not no_discord and discord_available()
    folder = Path(tempfile.mkdtemp(prefix="newsdigest-crash-"))
    try:
        figures = run_trials(trials, seed, folder, database, with_discord)
    finally:
        if keep:
            click.echo(f"work folder: {folder}", err=True)
        else:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
    if as_json:
        click.echo(json.dumps({**asdict(figures), "ok": figures.ok}))
    else:
        click.echo(markdown(figures, f"newsdigest bench crash --trials {trials} --seed {seed}"))
    if not figures.ok:
        sys.exit(1)


def discord_available() -> bool:
    try:
        import bot.discord.platform
        import bot.fakes.discord_server  # noqa: F401
    except ImportError:
        return False
    return True
