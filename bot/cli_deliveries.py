"""``newsdigest deliveries``: the delivery ledger, and retrying a failed delivery."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

import click

from bot.app import App
from bot.channels.registry import ChannelDirectory
from bot.delivery import LedgerDelivery
from bot.jobs.shared_gates import gates_for
from bot.runner import ONE_OFF_HOLD, ONE_OFF_RETRY
from digests.storage.ledger import FAILED, SENT, Delivery, Ledger, LedgerError

COLUMNS = ("ID", "SCHEDULE", "SLOT (UTC)", "CHANNEL", "STATE", "ATTEMPTS", "LAST ERROR")


def table(deliveries: list[Delivery]) -> str:
    """Deliveries as aligned columns, one line each."""
    rows = [COLUMNS] + [
        (
            str(d.id),
            d.schedule,
            f"{d.slot:%Y-%m-%d %H:%M:%S}",
            d.channel,
            d.state,
            str(d.attempts),
            d.last_error or "",
        )
        for d in deliveries
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    lines = ("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1] for row in rows)
    return "\n".join(line.rstrip() for line in lines)


@click.group(invoke_without_command=True)
@click.option("--failed", "failed_only", is_flag=True, help="Only deliveries that failed.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1), help="Newest N deliveries.")
@click.pass_context
def deliveries(ctx: click.Context, failed_only: bool, limit: int) -> None:
    """List digest deliveries (id, schedule, slot, channel, state, attempts, last error), newest first.

    `newsdigest deliveries retry ID` posts a failed delivery again.
    """
    if ctx.invoked_subcommand is not None:
        return
    app: App = ctx.obj
    found = Ledger(app.store).deliveries(failed_only=failed_only, limit=limit)
    if not found:
        click.echo("no failed deliveries" if failed_only else "no deliveries yet")
        return
    click.echo(table(found))


@deliveries.command()
@click.argument("delivery_id", metavar="ID", type=int)
@click.pass_obj
def retry(app: App, delivery_id: int) -> None:
    """Post failed delivery ID again now (first checking the channel for an earlier post of it)."""
    ledger = Ledger(app.store)
    try:
        # Held for this process for a while, so a running bot does not pick it up at the same moment.
        queued = ledger.retry(delivery_id, due_at=datetime.now(UTC) + ONE_OFF_HOLD)
    except LedgerError as error:
        click.echo(f"newsdigest: {error}", err=True)
        sys.exit(1)
    result = asyncio.run(deliver_one(app, ledger, queued))
    if result.state == SENT:
        click.echo(f"delivery {result.id}: posted to {result.channel} (message {result.message_id})")
        return
    if result.state == FAILED:
        click.echo(f"delivery {result.id}: failed again: {result.last_error}", err=True)
        sys.exit(1)
    click.echo(f"delivery {result.id}: {result.last_error}; the running bot will retry it", err=True)
    sys.exit(1)


async def deliver_one(app: App, ledger: Ledger, delivery: Delivery) -> Delivery:
    async with ChannelDirectory(app, gates=gates_for(app)) as directory:
        await directory.connect([delivery.channel])
        return await LedgerDelivery(ledger, directory.channel, ONE_OFF_RETRY).deliver(delivery)
