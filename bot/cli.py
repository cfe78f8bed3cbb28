"""The ``newsdigest`` command line."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from bot.app import App
from bot.config import ConfigError, load_config
from bot.lazy_group import LazyGroup
from bot.logs import LOG_FORMAT_ENV, LOG_FORMATS, configure_logging
from bot.secret_files import load_secret_files
from digests.digest import build_digest
from digests.loaders import SUFFIXES, Rejected, expand, load_paths
from digests.models import Article, Digest

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
    "worker": "bot.cli_worker:worker",
}


class OneLineErrors(LazyGroup):
    """Turn configuration and storage errors into one line on stderr and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            click.echo(f"newsdigest: configuration error: {error}", err=True)
            sys.exit(2)


@click.group(cls=OneLineErrors, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
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
    load_secret_files(os.environ)
    configure_logging(log_format, verbose)
    app = App(load_config(config_file), database_url or os.environ.get("DATABASE_URL"))
    ctx.obj = app
    ctx.call_on_close(app.close)


def progress_total(paths: list[Path]) -> int:
    return sum(1 for path in paths for _ in expand(path)) if all(p.exists() for p in paths) else 0


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def ingest(app: App, paths: tuple[Path, ...]) -> None:
    """Load article files and folders (.txt, .md, .html, .json) into the store."""
    from digests.ingest import ingest_articles

    total = sum(1 for path in paths if path.exists() for _ in expand(path))
    items = load_paths(list(paths))
    show_bar = total >= 20 and sys.stderr.isatty()
    with click.progressbar(length=total, label="Ingesting", file=sys.stderr, hidden=not show_bar) as bar:
        report = ingest_articles(app.store, items, app.summary_settings, on_item=lambda _: bar.update(1))
    for rejected in report.rejected:
        click.echo(f"rejected {rejected}", err=True)
    click.echo(report.summary_line())


def digest_json(digest: Digest) -> str:
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

    stored = app.store.refreshed(app.store.articles(refresh=False)[-app.config.digest.max_items :])
    built = build_digest(stored, title=app.config.digest.title)
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
    from bot.runner import run_bot, run_once

    if not once:
        if channels:
            raise click.UsageError("--channel only applies with --once; schedules name their own channels")
        sys.exit(asyncio.run(run_bot(app)))
    sys.exit(asyncio.run(run_once(app, list(channels) or app.config.channels())))


def main() -> None:
    """Console-script entry point; secrets given as ``NAME_FILE`` are read before ``--db`` looks at the environment."""
    try:
        load_secret_files(os.environ)
    except ConfigError as error:
        click.echo(f"newsdigest: configuration error: {error}", err=True)
        sys.exit(2)
    cli(prog_name="newsdigest")


__all__ = ["SUFFIXES", "Article", "Rejected", "cli", "main"]
