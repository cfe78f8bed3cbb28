"""``newsdigest reanalyse``: bring stored articles' analyses up to date after an upgrade or a [summary] change."""

from __future__ import annotations

import sys

import click

from bot.app import App

BATCH = 200


@click.command()
@click.option("--all", "everything", is_flag=True, help="Analyse every stored article again, not only outdated ones.")
@click.pass_obj
def reanalyse(app: App, everything: bool) -> None:
    """Analyse stored articles again: those analysed by an older newsdigest or other [summary] settings.

    Articles are also brought up to date one by one when a command first needs them; this does all at once.
    """
    store = app.store
    ids = store.ids()
    redone = current = 0
    show_bar = len(ids) >= 20 and sys.stderr.isatty()
    with click.progressbar(length=len(ids), label="Re-analysing", file=sys.stderr, hidden=not show_bar) as bar:
        for start in range(0, len(ids), BATCH):
            for stored in store.articles(ids=ids[start : start + BATCH], refresh=False):
                if everything or not store.is_current(stored):
                    store.reanalyse(stored)
                    redone += 1
                else:
                    current += 1
                bar.update(1)
    click.echo(f"{redone} re-analysed, {current} already up to date")
