"""``newsdigest bench feed-suite``: every document of feedparser's own test suite through newsdigest's feed path.

The suite (about 2,200 well-formed, ill-formed, encoding, entity and compression cases) ships in feedparser's
source distribution, not in its wheel: give the sdist with ``--sdist``, or let the command fetch it from PyPI
with ``pip download`` into a temporary folder. Nothing is copied into the project.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

import click

from digests.sources.feeds import InvalidFeed, parse_feed


def download_sdist(folder: Path, version: str) -> Path:
    """feedparser's source distribution via pip (PyPI only), into ``folder``."""
    requirement = f"feedparser=={version}" if version else "feedparser"
    command = [sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps", "-d", str(folder)]
    subprocess.run([*command, requirement], check=True, capture_output=True)
    return next(folder.glob("feedparser-*.tar.gz"))


def suite_documents(sdist: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of every file under the sdist's ``tests/`` except the test runner itself."""
    documents = []
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            parts = member.name.split("/")
            if member.isfile() and len(parts) > 2 and parts[1] == "tests" and not member.name.endswith(".py"):
                extracted = archive.extractfile(member)
                if extracted is not None:
                    documents.append(("/".join(parts[2:]), extracted.read()))
    return sorted(documents)


def run_suite(documents: list[tuple[str, bytes]]) -> tuple[Counter[str], list[str], float]:
    """Feed each document to :func:`parse_feed`; count outcomes; list unhandled exceptions (there should be none)."""
    outcomes: Counter[str] = Counter()
    unhandled = []
    started = time.process_time()
    for name, body in documents:
        try:
            feed = parse_feed(body, f"http://127.0.0.1/{name}", "application/xml")
        except InvalidFeed as error:
            outcomes[f"invalid: {str(error).split(':')[0].split('(')[0].strip()}"] += 1
            continue
        except Exception as error:
            unhandled.append(f"{name}: {type(error).__name__}: {error}")
            continue
        outcomes["feed with items" if feed.items else "feed without items"] += 1
    return outcomes, unhandled, time.process_time() - started


@click.command("feed-suite")
@click.option("--sdist", type=click.Path(path_type=Path, dir_okay=False, exists=True), help="feedparser-*.tar.gz")
@click.option("--version", default="", help="feedparser version to download when no --sdist is given.")
def feed_suite(sdist: Path | None, version: str) -> None:
    """Parse every feedparser test-suite document; exit 1 if any raises an unhandled exception."""
    with tempfile.TemporaryDirectory() as folder:
        path = sdist or download_sdist(Path(folder), version)
        documents = suite_documents(path)
    outcomes, unhandled, seconds = run_suite(documents)
    click.echo(f"{path.name}: {len(documents)} documents in {seconds:.2f} CPU s")
    for outcome, count in outcomes.most_common():
        click.echo(f"  {count:5d}  {outcome}")
    click.echo(f"  {len(unhandled):5d}  unhandled exceptions")
    for line in unhandled[:20]:
        click.echo(f"    {line}", err=True)
    sys.exit(1 if unhandled else 0)
