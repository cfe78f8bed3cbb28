"""``newsdigest bench hardening``: what bounded input, concurrency and lazy start-up cost, measured in CPU time.

Each measured command runs as its own process; its CPU time (user + system) and peak memory (max RSS) come
from ``os.wait4``, so other processes on a shared machine do not count.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import click

PARAGRAPH = (
    "The council approved a budget of 4.2 million pounds on Monday after a debate that lasted three hours. "
    '"We will build the new library by 2027," said Mayor Jane Smith, who chaired the meeting. '
    "Opposition members said the plan left too little for road repairs, and 7 of the 31 members voted against.\n\n"
)


# Prepended to every measured program: at exit it reports the process's own peak memory (VmHWM, which unlike
# ru_maxrss is not inherited from the forking bench process).
PEAK_HOOK = (
    "import atexit, sys\n"
    "def _peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('\\n@peak_kb ' + line.split()[1] + '\\n')\n"
    "atexit.register(_peak)\n"
)


def python_args(code: str, *args: str) -> list[str]:
    """A Python program measured with its own peak memory."""
    return [sys.executable, "-c", PEAK_HOOK + code, *args]


@dataclass(frozen=True)
class Measured:
    """One process: what it cost and how it ended."""

    cpu_seconds: float
    peak_mb: float
    exit_status: int
    stdout: str
    stderr: str


def measure(args: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Measured:
    """Run ``args`` and return its own CPU time and peak memory."""
    environment = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(list(args), cwd=cwd, env=environment, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stderr = err.read()
        peaks = [line.split()[1] for line in stderr.splitlines() if line.startswith("@peak_kb ")]
        return Measured(
            cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
            peak_mb=round(int(peaks[-1]) / 1024, 1) if peaks else float("nan"),
            exit_status=process.returncode,
            stdout=out.read()[-400:],
            stderr="\n".join(line for line in stderr.splitlines() if not line.startswith("@peak_kb "))[-400:],
        )


def newsdigest_args(*args: str) -> list[str]:
    return python_args("from bot.cli import main; main()", *args)


def article_text(size: int) -> str:
    """An article of about ``size`` bytes of ordinary news prose."""
    return "Council approves budget\n\n" + PARAGRAPH * (size // len(PARAGRAPH) + 1)


@click.group()
def hardening() -> None:
    """Bounded input, concurrency and start-up: size limit, first commands, concurrent ingests, digest scale."""


@hardening.command("size-limit")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def size_limit(as_json: bool) -> None:
    """Ingest a 5 MB article (rejected at once) and load a 2 MB one (the loader's share; analysis not included)."""
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for megabytes in (5, 2):
            path = work / f"article-{megabytes}mb.txt"
            path.write_text(article_text(megabytes * 1_000_000 - 100_000 * (megabytes == 2)))
        ingest = measure(newsdigest_args("--db", f"sqlite:///{work / 'news.db'}", "ingest", "article-5mb.txt"), work)
        results["ingest 5 MB"] = asdict(ingest)
        load = measure(
            python_args(
                "from pathlib import Path; from digests.loaders import load_file;"
                " a = load_file(Path(sys.argv[1])); print(len(a.body))",
                "article-2mb.txt",
            ),
            work,
        )
        results["load 2 MB (loader only)"] = asdict(load)
        baseline = measure(python_args("import digests.loaders"), work)
        results["import the loader (baseline)"] = asdict(baseline)
    report(results, as_json)


@hardening.command("first-commands")
@click.option("--db", "database_url", metavar="URL", help="Database URL (default: a new SQLite file).")
@click.option("--commands", "count", default=8, show_default=True, help="Commands started at once.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def first_commands(database_url: str | None, count: int, as_json: bool) -> None:
    """``count`` /news commands at once on a freshly started bot: how many stores opened, how many failed."""
    from bot.app import App
    from bot.commands import CommandHandler
    from bot.config import Config

    stores: set[int] = set()
    with tempfile.TemporaryDirectory() as folder:
        app = App(Config(), database_url or f"sqlite:///{Path(folder) / 'news.db'}")
        handler = CommandHandler(app)
        barrier = threading.Barrier(count)
        replies: list[str] = []

        def command(text: str) -> None:
            barrier.wait()
            try:
                stores.add(id(app.store))  # the store this command uses
                replies.append(asyncio.run(handler.handle(text)).kind)
            except Exception as error:
                replies.append(f"raised {type(error).__name__}")

        started = time.process_time()
        try:
            threads = [threading.Thread(target=command, args=(("sources", "digest")[n % 2],)) for n in range(count)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            app.close()
    report(
        {
            "commands": count,
            "stores used": len(stores),
            "replies": dict(sorted((kind, replies.count(kind)) for kind in set(replies))),
            "cpu_seconds": round(time.process_time() - started, 3),
        },
        as_json,
    )


@hardening.command("concurrent-ingest")
@click.option("--db", "database_url", metavar="URL", help="Database URL (default: a new SQLite file per round).")
@click.option("--rounds", default=4, show_default=True)
@click.option("--articles", default=20, show_default=True, help="Articles in the folder both processes ingest.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def concurrent_ingest(database_url: str | None, rounds: int, articles: int, as_json: bool) -> None:
    """Two ``newsdigest ingest`` of the same folder at once: both must succeed and each article be stored once."""
    from digests.storage import Store

    outcomes = []
    for round_number in range(rounds):
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            (work / "in").mkdir()
            for n in range(articles):
                (work / "in" / f"{n}.txt").write_text(f"Story {n} of round {round_number}\n\n{PARAGRAPH}Item {n}.\n")
            url = database_url or f"sqlite:///{work / 'news.db'}"
            processes = [
                subprocess.Popen(newsdigest_args("--db", url, "ingest", "in"), cwd=work, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
                for _ in range(2)
            ]
            results = [process.communicate(timeout=600) for process in processes]
            store = Store(url)
            try:
                stored = store.count()
            finally:
                store.close()
            outcomes.append(
                {
                    "exit statuses": [process.returncode for process in processes],
                    "summaries": [out.strip().splitlines()[-1] if out.strip() else err.strip()[-200:]
                                  for out, err in results],
                    "tracebacks": sum("Traceback" in err for _, err in results),
                    "stored": stored,
                }
            )
            if database_url:
                break  # a given database keeps its articles: later rounds would only find duplicates
    report({"articles": articles, "rounds": outcomes}, as_json)


@hardening.command("digest-scale")
@click.option("--articles", default=50_000, show_default=True)
@click.option("--db", "database_url", metavar="URL", help="Database URL (default: a new SQLite file).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def digest_scale(articles: int, database_url: str | None, as_json: bool) -> None:
    """``newsdigest digest`` over a store of ``articles`` articles, against reading every row (the old way)."""
    from sqlalchemy import insert

    from digests.models import Analysis
    from digests.pipeline import ANALYSIS_VERSION
    from digests.storage import Store
    from digests.storage.codec import analysis_to_dict
    from digests.storage.tables import ArticleRow

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        url = database_url or f"sqlite:///{work / 'news.db'}"
        store = Store(url)
        body = PARAGRAPH * 3
        sentences = tuple(s.strip() for s in body.replace("\n", " ").split(". ") if s.strip())
        analysis = analysis_to_dict(
            Analysis(sentences=sentences, summary=sentences[:3], version=ANALYSIS_VERSION, summariser="default",
                     summary_sentences=3)
        )
        now = datetime.now(UTC)
        with store.session() as session, session.begin():
            for start in range(0, articles, 5_000):
                session.execute(
                    insert(ArticleRow),
                    [
                        {"content_hash": f"{n:064x}", "title": f"Story {n}", "body": f"{body}Item {n}.",
                         "source": f"{n}.txt", "ingested_at": now, "analysis": analysis}
                        for n in range(start, min(articles, start + 5_000))
                    ],
                )
        store.close()
        digest = [measure(newsdigest_args("--db", url, "digest"), work) for _ in range(3)]
        every_row = [
            measure(
                python_args(
                    "from digests.storage import Store; print(len(Store(sys.argv[1]).articles(refresh=False)[-10:]))",
                    url,
                ),
                work,
            )
            for _ in range(3)
        ]
    report(
        {
            "articles": articles,
            "digest (reads 10 rows)": summarise(digest),
            "read every row, keep 10 (as before)": summarise(every_row),
        },
        as_json,
    )


@hardening.command("startup")
@click.option("--runs", default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def startup(runs: int, as_json: bool) -> None:
    """CPU time of ``newsdigest --help`` against a bare Python start (medians)."""
    here = Path.cwd()
    help_runs = [measure(newsdigest_args("--help"), here) for _ in range(runs)]
    bare_runs = [measure(python_args("pass"), here) for _ in range(runs)]
    report({"newsdigest --help": summarise(help_runs), "python -c pass": summarise(bare_runs)}, as_json)


def summarise(runs: list[Measured]) -> dict[str, object]:
    """Median CPU time and peak memory of several runs, with their exit statuses."""
    return {
        "median_cpu_seconds": round(statistics.median(r.cpu_seconds for r in runs), 3),
        "median_peak_mb": round(statistics.median(r.peak_mb for r in runs), 1),
        "exit_statuses": sorted({r.exit_status for r in runs}),
    }


def report(results: dict[str, object], as_json: bool) -> None:
    click.echo(json.dumps(results, indent=None if as_json else 2))
