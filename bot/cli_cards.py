"""``newsdigest card``: write an article's quote card as a PNG; also the digest's card files."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click

from bot.app import App
from digests.cards import CARD_SIZES, CardError, CardSettings, render_card
from digests.digest import CardFile, CardMaker
from digests.loaders import ArticleError, load_file
from digests.models import QuoteCard, StoredArticle
from digests.pipeline import analyse

logger = logging.getLogger(__name__)

UNSTORED_ID = 0


def card_filename(stored: StoredArticle, settings: CardSettings) -> str:
    """``article-12-3f9a0c1d2e4b-1200x675.png``: same article and size, same file, so reruns overwrite."""
    return f"article-{stored.id}-{stored.article.content_hash[:12]}-{settings.size}.png"


def write_cards(app: App, articles: Sequence[StoredArticle], directory: Path | None = None) -> dict[int, CardFile]:
    """Render and save a card per article; a card that cannot be made is logged in one line and skipped."""
    folder = directory or Path(app.config.cards.directory).expanduser()
    settings = app.card_settings
    cards: dict[int, CardFile] = {}
    for stored in articles:
        try:
            made = render_card(stored, settings)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / card_filename(stored, settings)
            path.write_bytes(made.png)
        except CardError as error:
            logger.warning("no quote card for article %s (%s): %s", stored.id, stored.article.title, error)
            continue
        except OSError as error:
            logger.warning("quote card for article %s not saved: %s", stored.id, error.strerror or error)
            continue
        except Exception as error:  # an unexpected fault in one card never stops the digest
            logger.warning("no quote card for article %s: %s: %s", stored.id, type(error).__name__, error)
            continue
        cards[stored.id] = CardFile(str(path), made.alt_text)
    return cards


def card_maker(app: App) -> CardMaker:
    """What every digest (scheduled or ``run --once``) uses to make its articles' cards in the [cards] directory."""
    return lambda articles: write_cards(app, articles)


def from_file(app: App, path: Path) -> StoredArticle:
    """An article file: its stored version when the same text is stored, else analysed here without storing."""
    try:
        article = load_file(path)
    except ArticleError as error:
        raise click.ClickException(str(error)) from None
    stored_id = app.store.id_of(article)
    stored = app.store.get(stored_id) if stored_id is not None else None
    if stored is not None:
        return stored
    return StoredArticle(UNSTORED_ID, article, analyse(article, app.summary_settings), datetime.now(UTC))


def resolve_article(app: App, reference: str | None) -> StoredArticle:
    """The article named by id, path, URL or headline words; the newest stored one by default."""
    store = app.store
    if store.count() == 0:
        report = app.ingest_sources()
        logger.info("the store was empty; ingested the configured sources: %s", report.summary_line())
    if reference is None:
        newest = store.newest()
        if newest is None:
            raise click.ClickException("no articles are stored and the configured sources gave none")
        return newest
    found = store.find(reference)
    if found is not None:
        return found
    path = Path(reference).expanduser()
    if path.is_file():
        return from_file(app, path)
    raise click.ClickException(f"no stored article matches {reference!r} and there is no such file")


def card_json(card: QuoteCard, path: Path) -> str:
    return json.dumps(
        {
            "path": str(path),
            "quote": card.quote,
            "speaker": card.speaker,
            "alt_text": card.alt_text,
            "article_id": card.article_id or None,
            "is_quotation": card.is_quotation,
        },
        ensure_ascii=False,
    )


@click.command()
@click.argument("article", required=False)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE.png",
    help="Where to write the PNG (default: the [cards] directory, named after the article).",
)
@click.option("--size", type=click.Choice(list(CARD_SIZES)), help="Card size (default: [cards] size).")
@click.option("--json", "as_json", is_flag=True, help="Print path, quote, speaker, alt text and article id as JSON.")
@click.pass_obj
def card(app: App, article: str | None, out: Path | None, size: str | None, as_json: bool) -> None:
    """Make a quote card for ARTICLE (an id, path, URL or headline words; default: the newest stored article)."""
    stored = resolve_article(app, article)
    settings = replace(app.card_settings, size=size) if size else app.card_settings
    try:
        made = render_card(stored, settings)
    except CardError as error:
        raise click.ClickException(f"no quote card for “{stored.article.title}”: {error}") from None
    path = out or Path(app.config.cards.directory).expanduser() / card_filename(stored, settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(made.png)
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror or error}") from None
    if as_json:
        click.echo(card_json(made, path))
        return
    kind = "quote" if made.is_quotation else "attributed sentence (no usable quotation)"
    click.echo(f"Wrote {path} ({made.width}x{made.height}, {kind})")
    click.echo(f"Alt text: {made.alt_text}")
