"""``newsdigest card`` as a user runs it, the [cards] configuration, and the digest's card files."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_support import newsdigest
from PIL import Image

from bot.app import App
from bot.cli_cards import card_filename, write_cards
from bot.config import ConfigError, parse_config
from digests.cards import render_card
from digests.cards.verbatim import appears_verbatim, comparable
from digests.models import Analysis, Article, StoredArticle
from digests.storage import Store


def test_card_json_on_a_fresh_install_ingests_the_seed_first(tmp_path: Path) -> None:
    result = newsdigest("card", "--out", "out/seed.png", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert set(printed) >= {"path", "quote", "speaker", "alt_text", "article_id"}
    assert printed["article_id"] == 1
    image = Image.open(tmp_path / printed["path"])
    assert image.size == (1200, 675)
    seed = (tmp_path / "newsdigest.db").is_file()
    assert seed
    body = Store(f"sqlite:///{tmp_path / 'newsdigest.db'}").get(1)
    assert body is not None and appears_verbatim(printed["quote"], body.article.body)
    assert comparable(printed["speaker"])[1:] in comparable(printed["alt_text"])


def test_card_for_a_file_not_in_the_store_and_square_size(tmp_path: Path) -> None:
    article = tmp_path / "library.txt"
    article.write_text(
        "Library to close\n\nThe council voted to close the old library on Tuesday. "
        "According to the council's finance officer, closing the library will save the town about two million "
        "pounds over five years.\n",
        encoding="utf-8",
    )
    result = newsdigest("card", str(article), "--out", "square.png", "--size", "1080x1080", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["article_id"] is None
    assert printed["is_quotation"] is False
    assert Image.open(tmp_path / "square.png").size == (1080, 1080)


def test_unknown_article_is_one_clear_line(tmp_path: Path) -> None:
    result = newsdigest("card", "no-such-article-anywhere", "--out", "x.png", cwd=tmp_path)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].endswith("no stored article matches 'no-such-article-anywhere' and there is no such file")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ('[cards]\nsize = "800x600"', "cards.size: '800x600' is not a card size"),
        ('[cards]\naccent = "orange"', "cards.accent: 'orange' is not a colour"),
        ('[cards]\ntext = "#15223E"', "cards: text #15223E on background #14213D has contrast 1.0:1"),
        ('[cards]\nlogo = "missing-logo.png"', "cards.logo: logo file 'missing-logo.png' not found"),
        ('[cards]\naccent = "#1A2A4A"', "cards: accent #1A2A4A on background #14213D has contrast 1.1:1"),
        ('[cards]\ncolour = "#000000"', "cards.colour: unknown key"),
    ],
)
def test_bad_card_config_names_the_key(toml: str, problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(toml, "newsdigest.toml")
    assert problem in str(raised.value)
    assert "\n" not in str(raised.value)


def test_card_settings_come_from_config(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (10, 10)).save(logo)
    toml = "\n".join(
        [
            "[cards]",
            'outlet = "Town Crier"',
            'size = "1080x1080"',
            'background = "#FFFFFF"',
            'text = "#000000"',
            'accent = "#9A3412"',
            f'logo = "{logo}"',
        ]
    )
    settings = App(parse_config(toml, "t.toml")).card_settings
    assert (settings.outlet, settings.dimensions, settings.foreground, settings.logo) == (
        "Town Crier",
        (1080, 1080),
        "#000000",
        logo,
    )


def test_digest_cards_are_written_and_failures_logged_in_one_line(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    app = App(parse_config("", "t.toml"), store.url)
    app._store = store
    app.ingest_sources()
    seeded = store.articles()
    bare = Article("Harbour morning", "The sun rose over the harbour. Boats went out early.", "bare.txt")
    no_quote = StoredArticle(99, bare, Analysis(sentences=(), summary=()), datetime.now(UTC))
    with caplog.at_level(logging.WARNING):
        paths = write_cards(app, [*seeded, no_quote], tmp_path / "cards")
    assert set(paths) == {s.id for s in seeded}
    path = Path(paths[seeded[0].id].path)
    assert path.name == card_filename(seeded[0], app.card_settings)
    assert paths[seeded[0].id].alt_text == render_card(seeded[0], app.card_settings).alt_text
    first = path.read_bytes()
    again = write_cards(app, seeded, tmp_path / "cards")
    assert again == paths and Path(again[seeded[0].id].path).read_bytes() == first
    assert Image.open(io.BytesIO(first)).size == (1200, 675)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "article 99" in warnings[0] and "\n" not in warnings[0]


def test_run_once_console_digest_names_each_card(tmp_path: Path) -> None:
    result = newsdigest("run", "--once", "--channel", "console", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines() if "Quote card:" in line]
    assert len(lines) == 1
    path = tmp_path / lines[0].removeprefix("Quote card: ")
    assert path.parent == tmp_path / "cards" and path.is_file()
    first = path.read_bytes()
    again = newsdigest("run", "--once", "--channel", "console", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in (tmp_path / "cards").iterdir()) == [path.name]
    assert path.read_bytes() == first
