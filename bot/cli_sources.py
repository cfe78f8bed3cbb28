"""``newsdigest sources``: every configured feed and page with its last fetch."""

from __future__ import annotations

import click

from bot.app import App


@click.command()
@click.pass_obj
def sources(app: App) -> None:
    """List every source: last fetch time, HTTP status, new items, next poll, consecutive failures."""
    for line in app.source_lines():
        click.echo(line)
