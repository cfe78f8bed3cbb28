"""``newsdigest worker``: process the job queue (PostgreSQL) next to one ``newsdigest run`` scheduler."""

from __future__ import annotations

import asyncio
import sys

import click

from bot.app import App


@click.command()
@click.pass_obj
def worker(app: App) -> None:
    """Poll feeds, analyse articles, build and post digests, as queued by `newsdigest run` (needs PostgreSQL
    and [queue] enabled).

    Start any number of workers, on any machines, against the same database; a killed worker's jobs are run
    again by another, and every digest still reaches every channel exactly once.
    """
    from bot.jobs.queue import WORKER_NEEDS_POSTGRES, is_postgres

    if not is_postgres(app.store.url):
        click.echo(f"newsdigest: {WORKER_NEEDS_POSTGRES}", err=True)
        sys.exit(2)
    if not app.config.queue.enabled:
        click.echo(
            "newsdigest: warning: [queue] enabled is false, so `newsdigest run` posts digests itself and queues"
            " nothing for workers (set NEWSDIGEST_QUEUE__ENABLED=true for both)",
            err=True,
        )
    from bot.jobs.worker import run_worker

    sys.exit(asyncio.run(run_worker(app)))
