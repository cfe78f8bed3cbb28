"""``newsdigest bench scale``: one scheduler and N workers on PostgreSQL against the local fakes, workers killed.

The fake Slack and fake Discord run in this process (so what they received survives the workers' deaths). One
``newsdigest run`` (the scheduler, ``[queue] enabled``) fires a schedule every second to every channel (empty
digests posted, so every slot is owed to every channel) until ``--slots`` slots are stored; ``--workers``
``newsdigest worker`` processes build and post them. During the run a random worker is killed with SIGKILL
``--kills`` times and replaced at once (as a supervisor such as systemd or Docker would restart it).

Counted at the end from what the fakes received and what the ledger holds: duplicates (a delivery marker posted
twice to a channel), lost (an owed delivery not posted, or not ``sent`` in the ledger), posts the ledger does
not know, and pacing violations (two digests in one channel closer than ``channel_interval_seconds``, measured
at the fakes' arrival times). Throughput is deliveries per second from the first post to the last, and per
CPU-second of the workers (their user + system time after start-up, read from /proc just before they stop or are
killed; a replacement that was killed before it finished starting counts nothing).
"""

from __future__ import annotations

import itertools
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from bot.bench import machine
from bot.bench.columns import MACHINE_ROWS, per_worker_table
from bot.bench.crash import discord_markers, slack_markers
from bot.bench.databases import throwaway_database
from bot.bench.environment import child_environment
from digests.storage import Store
from digests.storage.ledger import SENT, SKIPPED, Ledger

SCHEDULE = "scale"
WORKER_RUNNING = "newsdigest worker is running"
SLOT_QUEUED = f"schedule {SCHEDULE}: queued the"
STARTUP_TIMEOUT = 120.0
# The fake Slack enforces no rate tiers; a pace of 0.05 runs the bot's Slack pacing 20 times faster (a card upload
# is Tier 4, ~1.5 a second per workspace at Slack's own limits), so the bench measures the queue, not Slack's tiers.
SLACK_PACE = 0.05


@dataclass
class ScaleFigures:
    """What one scale run measured."""

    workers: int = 0
    channels: int = 0
    slots: int = 0
    deliveries: int = 0
    posts: int = 0
    kills: int = 0
    duplicates: int = 0
    lost: int = 0
    unexpected: int = 0
    pacing_violations: int = 0
    closest_gap_seconds: float | None = None
    interval_seconds: float = 0.0
    posting_seconds: float = 0.0
    deliveries_per_second: float = 0.0
    worker_cpu_seconds: float = 0.0
    deliveries_per_cpu_second: float = 0.0
    machine_busy_cores: float | None = None
    postgres_cpu_seconds: float | None = None
    fakes_cpu_seconds: float | None = None
    wall_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        problems = (self.duplicates, self.lost, self.unexpected, self.pacing_violations)
        return not any(problems) and not self.errors and self.deliveries > 0


class Fakes:
    """The fake Slack and fake Discord in threads of this process; each digest's arrival time is recorded."""

    def __init__(self, slack_channels: int, discord_channels: int) -> None:
        from bot.fakes.discord_server import FakeDiscord
        from bot.fakes.slack_web_api import FakeSlack

        arrivals: dict[str, float] = {}

        class TimedSlack(FakeSlack):
            def _chat_postMessage(self, params: Any) -> Any:
                answer = super()._chat_postMessage(params)
                if answer.get("ok"):
                    arrivals[str(answer["ts"])] = time.time()
                return answer

        self.slack = TimedSlack()
        self.discord = FakeDiscord()
        self.arrivals = arrivals
        self.slack_count = slack_channels
        self.discord_count = discord_channels
        self.slack_names: list[str] = []
        self.discord_ids: list[int] = []

    @contextmanager
    def running(self) -> Iterator[Fakes]:
        from bot.fakes.discord_server import running_in_thread

        with self.slack.running_in_thread(), running_in_thread() as discord:
            self.discord = discord
            self.slack_names = [f"scale-{n:03d}" for n in range(self.slack_count)]
            for name in self.slack_names:
                self.slack.add_channel(name)
            self.discord_ids = [discord.add_channel(f"scale-{n:03d}") for n in range(self.discord_count)]
            yield self

    def environ(self, slack_pace: float) -> dict[str, str]:
        slack = {"SLACK_BOT_TOKEN": self.slack.bot_token, "SLACK_API_URL": self.slack.base_url}
        return {**slack, "SLACK_PACE": str(slack_pace), **self.discord.environ()}

    def addresses(self) -> list[str]:
        return [f"slack:#{name}" for name in self.slack_names] + [f"discord:{i}" for i in self.discord_ids]

    def received(self) -> dict[str, list[tuple[str, float]]]:
        """Per channel address: (marker, arrival time) of each digest's first message, in arrival order."""
        found: dict[str, list[tuple[str, float]]] = {}
        for name in self.slack_names:
            messages = [m for m in list(self.slack.messages(f"#{name}")) if "thread_ts" not in m]
            markers = slack_markers(messages)
            times = [self.arrivals.get(str(m["ts"]), 0.0) for m in messages if _slack_first_part(m)]
            found[f"slack:#{name}"] = list(zip(markers, times, strict=True))
        for channel_id in self.discord_ids:
            messages = list(self.discord.messages(channel_id))
            firsts = [m for m in messages if discord_markers([m])]
            found[f"discord:{channel_id}"] = [
                (discord_markers([m])[0], datetime.fromisoformat(m["timestamp"]).timestamp()) for m in firsts
            ]
        return found


def _slack_first_part(message: dict[str, Any]) -> bool:
    return bool(slack_markers([message]))


def write_config(folder: Path, addresses: list[str], interval: float, concurrency: int, stalled: float) -> Path:
    text = f"""
[[schedules]]
name = "{SCHEDULE}"
cron = "* * * * * *"
timezone = "UTC"
channels = {json.dumps(addresses)}
post_empty = true

[cards]
directory = "{(folder / "cards").as_posix()}"

[scheduler]
misfire_grace_seconds = 3600
retry_initial_seconds = 0.5
retry_max_seconds = 2
max_attempts = 30
lock_poll_seconds = 0.5

[queue]
enabled = true
concurrency = {concurrency}
channel_interval_seconds = {interval}
sweep_seconds = 1
heartbeat_seconds = 1
stalled_seconds = {stalled}
"""
    path = folder / "newsdigest.toml"
    path.write_text(text, encoding="utf-8")
    return path


class Process:
    """One ``newsdigest`` subprocess with its log file."""

    def __init__(self, args: list[str], folder: Path, env: dict[str, str], log_name: str) -> None:
        self.log = folder / log_name
        self._stream = self.log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from bot.cli import main; main()", *args],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self._stream,
        )
        self.cpu_seconds = 0.0
        self.startup_cpu_seconds: float | None = None  # CPU spent until it logged it was running

    def note_started(self, text: str) -> None:
        """Once the process logs ``text``, remember the CPU spent starting up (not counted as work)."""
        if self.startup_cpu_seconds is None and text in self.log.read_text(errors="replace"):
            self._read_cpu()
            self.startup_cpu_seconds = self.cpu_seconds

    @property
    def work_cpu_seconds(self) -> float:
        return max(0.0, self.cpu_seconds - (self.startup_cpu_seconds or self.cpu_seconds))

    def wait_for(self, text: str, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise click.ClickException(f"newsdigest did not log {text!r}; see {self.log}")
            time.sleep(0.05)

    def _read_cpu(self) -> None:
        seconds = machine.process_seconds(self.process.pid)
        if seconds is not None:
            self.cpu_seconds = seconds

    def kill(self) -> None:
        self._read_cpu()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self._stream.close()

    def stop(self) -> int:
        self._read_cpu()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(10)
        self._stream.close()
        return code


def run_scale(
    folder: Path,
    database: str,
    workers: int,
    channels: int,
    slots: int,
    kills: int,
    seed: int,
    interval: float,
    concurrency: int = 4,
    drain_timeout: float = 600.0,
    replace: bool = True,
    stalled_seconds: float = 10.0,
    kill_window: float = 120.0,
    slack_pace: float = SLACK_PACE,
    discord_budget: int | None = None,
) -> ScaleFigures:
    """The whole experiment; returns its figures."""
    rng = random.Random(seed)
    figures = ScaleFigures(workers=workers, channels=channels, interval_seconds=interval)
    started = time.monotonic()
    store = Store(database)  # migrates the schema before any process starts
    ledger = Ledger(store)
    with Fakes(channels - channels // 2, channels // 2).running() as fakes:
        config = write_config(folder, fakes.addresses(), interval, concurrency, stalled_seconds)
        settings = {"DATABASE_URL": database, "NEWSDIGEST_CONFIG": str(config)}
        env = child_environment({**fakes.environ(slack_pace), **settings})
        if discord_budget is not None:
            env["NEWSDIGEST_DISCORD__BOT_REQUESTS"] = str(discord_budget)
        running: list[Process] = []
        finished: list[Process] = []
        serial = 0

        def start_worker() -> Process:
            nonlocal serial
            serial += 1
            worker = Process(["worker"], folder, env, f"worker-{serial:03d}.log")
            running.append(worker)
            return worker

        for _ in range(workers):
            start_worker()
        scheduler = Process(["run"], folder, env, "scheduler.log")
        try:
            for worker in list(running):
                worker.wait_for(WORKER_RUNNING)
                worker.note_started(WORKER_RUNNING)
            scheduler.wait_for("newsdigest is running")
            cpu_at_start = machine.snapshot()
            kill_at = sorted(rng.uniform(1.0, kill_window) for _ in range(kills))
            begun = time.monotonic()
            deadline = begun + slots + drain_timeout
            scheduling = True
            while time.monotonic() < deadline:
                for worker in running:
                    worker.note_started(WORKER_RUNNING)
                if scheduling and scheduler.log.read_text(errors="replace").count(SLOT_QUEUED) >= slots:
                    scheduling = False
                    if scheduler.stop() != 0:
                        figures.errors.append(f"the scheduler exited uncleanly; see {scheduler.log}")
                if kill_at and time.monotonic() - begun >= kill_at[0]:
                    kill_at.pop(0)
                    victim = rng.choice(running)
                    running.remove(victim)
                    victim.kill()
                    finished.append(victim)
                    figures.kills += 1
                    if replace or not running:
                        start_worker()
                if not scheduling and not kill_at and all_delivered(ledger):
                    break
                time.sleep(0.1)
            else:
                figures.errors.append(f"not everything was delivered within {drain_timeout:.0f} s")
            cpu = machine.used(cpu_at_start, machine.snapshot())
            figures.machine_busy_cores = cpu.busy_cores
            figures.postgres_cpu_seconds = cpu.postgres_seconds
            figures.fakes_cpu_seconds = cpu.own_seconds
        finally:
            if scheduler.process.poll() is None:
                scheduler.stop()
            for worker in running:
                if worker.stop() != 0:
                    figures.errors.append(f"a worker exited uncleanly; see {worker.log}")
                finished.append(worker)
        check(figures, fakes.received(), ledger, interval)
    store.close()
    figures.worker_cpu_seconds = round(sum(w.work_cpu_seconds for w in finished), 2)
    if figures.worker_cpu_seconds:
        figures.deliveries_per_cpu_second = round(figures.posts / figures.worker_cpu_seconds, 1)
    figures.wall_seconds = round(time.monotonic() - started, 1)
    return figures


def all_delivered(ledger: Ledger) -> bool:
    """Every stored delivery done and no job left in the queue (a slot may still be waiting to be built)."""
    from sqlalchemy import text

    with ledger.store.engine.connect() as connection:
        query = text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")
        if connection.execute(query).scalar():
            return False
    return all(d.state in (SENT, SKIPPED) for d in ledger.deliveries(schedule=SCHEDULE))


def check(figures: ScaleFigures, received: dict[str, list[tuple[str, float]]], ledger: Ledger, interval: float) -> None:
    deliveries = ledger.deliveries(schedule=SCHEDULE)
    owed = [d for d in deliveries if d.state != SKIPPED]
    figures.deliveries = len(owed)
    figures.slots = len(ledger.slots(SCHEDULE))
    expected: dict[str, set[str]] = defaultdict(set)
    for delivery in owed:
        expected[delivery.channel].add(delivery.marker)
    figures.lost += sum(1 for d in owed if d.state != SENT)
    arrivals: list[float] = []
    gaps: list[float] = []
    for address, posts in received.items():
        counts = Counter(marker for marker, _ in posts)
        figures.posts += len(posts)
        figures.duplicates += sum(n - 1 for n in counts.values() if n > 1)
        figures.lost += sum(1 for marker in expected[address] if marker not in counts)
        figures.unexpected += sum(1 for marker in counts if marker not in expected[address])
        times = sorted(moment for _, moment in posts)
        arrivals.extend(times)
        gaps.extend(later - earlier for earlier, later in itertools.pairwise(times))
    # Discord's timestamps are whole microseconds: allow that much rounding.
    figures.pacing_violations = sum(1 for gap in gaps if gap < interval - 1e-6)
    figures.closest_gap_seconds = round(min(gaps), 3) if gaps else None
    if len(arrivals) > 1:
        figures.posting_seconds = round(max(arrivals) - min(arrivals), 2)
        figures.deliveries_per_second = round((len(arrivals) - 1) / figures.posting_seconds, 1)


def markdown(runs: list[ScaleFigures], command: str) -> str:
    """The section docs/BENCHMARKS.md holds: one column per run."""
    rows = [
        ("workers", "workers"),
        ("channels (half Slack, half Discord)", "channels"),
        ("slots stored", "slots"),
        ("deliveries owed", "deliveries"),
        ("digests received by the fakes", "posts"),
        ("workers killed with SIGKILL (and replaced)", "kills"),
        ("duplicates", "duplicates"),
        ("lost", "lost"),
        ("posts the ledger does not know", "unexpected"),
        ("pacing violations (per channel)", "pacing_violations"),
        ("closest gap between two digests in a channel (s)", "closest_gap_seconds"),
        ("channel interval (s)", "interval_seconds"),
        ("deliveries per second (first post to last)", "deliveries_per_second"),
        ("worker CPU seconds after start-up (user + system)", "worker_cpu_seconds"),
        ("deliveries per worker CPU second", "deliveries_per_cpu_second"),
        *MACHINE_ROWS,
        ("CPU seconds of the bench process (the fake Slack and Discord)", "fakes_cpu_seconds"),
        ("wall time (s)", "wall_seconds"),
    ]
    return per_worker_table(runs, rows, command)


@click.command()
@click.option("--db", "database", metavar="URL", required=True, help="PostgreSQL URL (a fresh database per run).")
@click.option("--workers", "worker_counts", default="3", show_default=True, help="Workers, or a list such as 1,2,4.")
@click.option("--channels", default=200, show_default=True, type=click.IntRange(min=2), help="Half Slack, half Discord")
@click.option("--slots", default=20, show_default=True, type=click.IntRange(min=1), help="Slots (one a second).")
@click.option("--kills", default=10, show_default=True, type=click.IntRange(min=0), help="Workers killed per run.")
@click.option("--interval", default=1.0, show_default=True, help="[queue] channel_interval_seconds.")
@click.option("--concurrency", default=4, show_default=True, help="[queue] concurrency of each worker.")
@click.option("--kill-window", default=120.0, show_default=True, help="Kills fall in this many seconds of the run.")
@click.option("--drain", default=1200.0, show_default=True, help="Seconds allowed to deliver everything.")
@click.option("--slack-pace", default=SLACK_PACE, show_default=True, help="SLACK_PACE of the bot (1 = Slack's tiers).")
@click.option("--discord-budget", type=click.IntRange(min=1), help="[discord] bot_requests (default: the bot's).")
@click.option("--seed", default=7, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON lines.")
def scale(
    database: str,
    worker_counts: str,
    channels: int,
    slots: int,
    kills: int,
    interval: float,
    concurrency: int,
    kill_window: float,
    drain: float,
    slack_pace: float,
    discord_budget: int | None,
    seed: int,
    as_json: bool,
) -> None:
    """1 scheduler + N workers on PostgreSQL, workers killed at random: exactly once, paced, throughput."""
    from bot.jobs.queue import is_postgres

    if not is_postgres(database):
        raise click.UsageError("bench scale needs a PostgreSQL database (--db postgresql://...)")
    counts = [int(part) for part in worker_counts.split(",") if part.strip()]
    runs = []
    for count in counts:
        folder = Path(tempfile.mkdtemp(prefix="newsdigest-scale-"))
        with throwaway_database(database, "newsdigest_scale") as url:
            figures = run_scale(
                folder,
                url,
                count,
                channels,
                slots,
                kills,
                seed,
                interval,
                concurrency,
                drain,
                kill_window=kill_window,
                slack_pace=slack_pace,
                discord_budget=discord_budget,
            )
            runs.append(figures)
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    if as_json:
        for figures in runs:
            click.echo(json.dumps({**asdict(figures), "ok": figures.ok}))
    else:
        command = (
            f"newsdigest bench scale --db URL --workers {worker_counts} --channels {channels} --slots {slots}"
            f" --kills {kills} --interval {interval} --concurrency {concurrency} --kill-window {kill_window}"
            f" --slack-pace {slack_pace}"
            + (f" --discord-budget {discord_budget}" if discord_budget is not None else "")
            + f" --seed {seed}"
        )
        click.echo(markdown(runs, command))
        for figures in runs:
            for error in figures.errors:
                click.echo(f"{figures.workers} workers: {error}", err=True)
    if not all(figures.ok for figures in runs):
        sys.exit(1)
