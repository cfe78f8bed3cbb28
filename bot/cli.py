"""The ``newsdigest`` command line."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.lazy_group import LazyGroup
from bot.logs import LOG_FORMAT_ENV, LOG_FORMATS, SECRET_VARIABLES, configure_logging

if TYPE_CHECKING:  # imported when a command runs, so `newsdigest --help` starts fast
    from bot.app import App
    from digests.models import Digest

logger = logging.getLogger("newsdigest")


COMMANDS = {
    "bench": "bot.bench:bench",
    "ask": "bot.cli_answers:ask",
    "figures": "bot.cli_answers:figures",
    "quotes": "bot.cli_answers:quotes",
    "card": "bot.cli_cards:card",
    "serve": "bot.slack.cli:serve",
    "deliveries": "bot.cli_deliveries:deliveries",
    "reanalyse": "bot.cli_reanalyse:reanalyse",
    "sources": "bot.cli_sources:sources",
    "worker": "bot.cli_worker:worker",
}
# Each lazy command's help (its docstring's first paragraph), so `newsdigest --help` imports none of them;
# tests/test_startup.py checks these against the commands.
COMMAND_HELP = {
    "bench": "Benchmarks: summaries, answers, search, cards, Slack, feeds, grouping, crash, hardening, scale-out.",
    "ask": "Answer QUESTION(s) from the stored articles, citing the sentences used.",
    "figures": "List the figures ARTICLE reports (id, path/URL or title words; default the newest).",
    "quotes": "List the direct quotations in ARTICLE with their speakers (default the newest).",
    "card": "Make a quote card for ARTICLE (an id, path, URL or headline words; default: the newest stored article).",
    "serve": "Serve Slack's HTTP requests at /slack/events, checking their signatures with SLACK_SIGNING_SECRET.",
    "deliveries": "List digest deliveries (id, schedule, slot, channel, state, attempts, last error), newest first.",
    "reanalyse": "Analyse stored articles again: those analysed by an older newsdigest or other [summary] settings.",
    "sources": "List every source: last fetch time, HTTP status, new items, next poll, consecutive failures.",
    "worker": (
        "Poll feeds, analyse articles, build and post digests, as queued by `newsdigest run` (needs PostgreSQL"
        " and [queue] enabled)."
    ),
}


class OneLineErrors(LazyGroup):
    """Turn configuration and storage errors into one line on stderr and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        from bot.config import ConfigError

        try:
            return super().invoke(ctx)
        except ConfigError as error:
            click.echo(f"newsdigest: configuration error: {error}", err=True)
            sys.exit(2)
        except Exception as error:
            line = storage_fault_line(error, ctx)
            if line is None:
                raise
            click.echo(f"newsdigest: {line}", err=True)
            sys.exit(2)


def storage_fault_line(error: BaseException, ctx: click.Context) -> str | None:
    """One line for a storage fault (the database named, its password masked), or None for other errors."""
    if "sqlalchemy" not in sys.modules:
        return None
    from digests.storage import default_database_url
    from digests.storage.errors import is_storage_fault, storage_error

    if not is_storage_fault(error):
        return None
    app = ctx.obj
    url = getattr(app, "database_url", None) or default_database_url()
    return str(storage_error(error, url))


@click.group(
    cls=OneLineErrors,
    lazy_commands=COMMANDS,
    lazy_help=COMMAND_HELP,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--config",
    "config_file",
    metavar="PATH",
    help="Configuration file (default: config/newsdigest.toml if present, else the embedded defaults).",
)
@click.option(
    "--db",
    "database_url",
    metavar="URL",
    envvar="DATABASE_URL",
    help="Database URL (default: $DATABASE_URL, else sqlite:///newsdigest.db).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log more detail.")
@click.option(
    "--log-format",
    type=click.Choice(LOG_FORMATS),
    default="text",
    envvar=LOG_FORMAT_ENV,
    show_default=True,
    help="Log lines as text or as one JSON object each (also $NEWSDIGEST_LOG_FORMAT).",
)
@click.pass_context
def cli(
    ctx: click.Context, config_file: str | None, database_url: str | None, verbose: bool, log_format: str
) -> None:
    """newsdigest: extractive news digests, quote cards and grounded answers for Slack and Discord."""
    from bot.app import App
    from bot.config import load_config
    from bot.secret_files import load_secret_files

    load_secret_files(os.environ)
    configure_logging(log_format, verbose)
    app = App(load_config(config_file), database_url or os.environ.get("DATABASE_URL"))
    ctx.obj = app
    ctx.call_on_close(app.close)


@cli.command()
@click.argument("targets", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.pass_obj
def ingest(app: App, targets: tuple[str, ...]) -> None:
    """Load article files and folders (.txt, .md, .html, .json), feeds and article pages (http/https URLs)."""
    from digests.ingest import ingest_articles
    from digests.loaders import expand, load_paths
    from digests.sources.settings import AUTO, SourceSpec

    urls = [target for target in targets if is_web_address(target)]
    paths = [Path(target) for target in targets if not is_web_address(target)]
    missing = [path for path in paths if not path.exists()]
    for path in missing:
        click.echo(f"newsdigest: {path}: no such file or folder", err=True)
    if missing:
        sys.exit(2)
    total = sum(1 for path in paths for _ in expand(path))
    items = load_paths(paths, app.load_limits)
    show_bar = total >= 20 and sys.stderr.isatty()
    with click.progressbar(length=total, label="Ingesting", file=sys.stderr, hidden=not show_bar) as bar:
        report = ingest_articles(app.store, items, app.summary_settings, on_item=lambda _: bar.update(1))
    for rejected in report.rejected:
        click.echo(f"rejected {rejected}", err=True)
    for line in report.decoded_lines():
        click.echo(line, err=True)
    if urls:
        web = app.poll_web_sources(force=True, specs=[SourceSpec(url, AUTO) for url in urls])
        report.new.extend(web.new + web.updated)
        report.duplicate.extend(web.duplicate)
        click.echo(f"{report.summary_line()}, {len(web.updated)} updated, {web.failed} URL(s) failed")
        return
    click.echo(report.summary_line())


def is_web_address(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))


def digest_json(digest: Digest) -> str:
    import json
    from dataclasses import asdict
    from datetime import datetime

    return json.dumps(
        asdict(digest),
        default=lambda o: o.isoformat() if isinstance(o, datetime) else str(o),
        ensure_ascii=False,
        indent=2,
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the digest as JSON.")
@click.pass_obj
def digest(app: App, as_json: bool) -> None:
    """Build the digest of the stored articles and print it."""
    from bot.channels.console import render_digest
    from digests.digest import build_digest

    stored, also_in = app.store.latest_stories(app.config.digest.max_items)
    built = build_digest(stored, title=app.config.digest.title, also_in=also_in)
    click.echo(digest_json(built) if as_json else render_digest(built))


@cli.command()
@click.option("--once", is_flag=True, help="Ingest the sources, post one digest to every channel, and exit.")
@click.option(
    "--channel",
    "channels",
    multiple=True,
    metavar="CHANNEL",
    help="Post only to this channel (repeatable), e.g. console, slack:#test, discord:1234.",
)
@click.pass_obj
def run(app: App, once: bool, channels: tuple[str, ...]) -> None:
    """Run the bot: with --once, post the digest now and exit; otherwise post each schedule's digests until stopped.

    The long-running bot answers the platforms' commands too; a second `newsdigest run` on the same database waits
    as a standby and takes over the schedules when the first stops.
    """
    import asyncio

    if not once and channels:
        raise click.UsageError("--channel only applies with --once; schedules name their own channels")
    check_channel_options(channels)
    report_unconfigured(list(channels) or app.config.channels())
    from bot.runner import run_bot, run_once

    if not once:
        sys.exit(asyncio.run(run_bot(app)))
    sys.exit(asyncio.run(run_once(app, list(channels) or app.config.channels())))


def check_channel_options(channels: tuple[str, ...]) -> None:
    """Each ``--channel`` checked as configuration channels are: one line per bad value, then exit status 2."""
    from bot.config import check_channel

    problems = []
    for value in channels:
        try:
            check_channel(value)
        except ValueError as error:
            problems.append(f"newsdigest: --channel {error}")
    for line in problems:
        click.echo(line, err=True)
    if problems:
        sys.exit(2)


def report_unconfigured(channels: list[str]) -> None:
    """One line per platform whose channels cannot be posted to because its token is not set."""
    from bot.platforms import MISSING_SETUP, unconfigured_channels

    for name, addresses in unconfigured_channels(channels, os.environ).items():
        logger.error("%s will get nothing: %s", ", ".join(addresses), MISSING_SETUP[name])


def main() -> None:
    """Console-script entry point; secrets given as ``NAME_FILE`` are read before ``--db`` looks at the environment."""
    if any(f"{name}_FILE" in os.environ for name in SECRET_VARIABLES):
        from bot.config import ConfigError
        from bot.secret_files import load_secret_files

        try:
            load_secret_files(os.environ)
        except ConfigError as error:
            click.echo(f"newsdigest: configuration error: {error}", err=True)
            sys.exit(2)
    cli(prog_name="newsdigest")


__all__ = ["cli", "main"]
