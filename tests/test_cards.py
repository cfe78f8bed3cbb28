"""Quote cards: the never-misquote rule, fitting or refusing, determinism, sizes, fallback, glyph coverage."""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from digests.cards import CardError, CardSettings, render_card
from digests.cards.choice import candidates, is_fragment
from digests.cards.fonts import FRANK_RUHL, NOTO_ARABIC, SOURCE_SERIF, Role, coverage
from digests.cards.layout import fit, units
from digests.cards.render import QUOTE_STYLE
from digests.cards.verbatim import TRIM, appears_verbatim, check_verbatim, comparable, curly, verbatim_parts
from digests.loaders import load_file, load_seeds
from digests.models import Article, Quote, StoredArticle
from digests.pipeline import analyse

NOW = datetime(2025, 6, 3, tzinfo=UTC)


def stored_with(
    body: str, quotes: tuple[Quote, ...] = (), title: str = "Talks resume", article_id: int = 1
) -> StoredArticle:
    article = Article(title=title, body=body, source="test.txt")
    analysis = analyse(article)
    return StoredArticle(article_id, article, replace(analysis, quotes=quotes), NOW)


def seed() -> StoredArticle:
    article = next(item for item in load_seeds() if isinstance(item, Article))
    return StoredArticle(1, article, analyse(article), NOW)


def png_chunks(data: bytes) -> list[bytes]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    chunks, position = [], 8
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunks.append(data[position + 4 : position + 8])
        position += 12 + length
    return chunks


# --- the verbatim rule -------------------------------------------------------------------------------------


def test_verbatim_ignores_only_curly_marks_and_whitespace() -> None:
    article = "He said: “We will not   obey them,” and left.\nThe officers’ letter was read."
    assert appears_verbatim('"We will not obey them,"', article)
    assert appears_verbatim("officers' letter", article)
    assert not appears_verbatim("We will never obey them", article)
    assert not appears_verbatim("we will not obey them", article)  # case is part of the words
    with pytest.raises(CardError, match="verbatim"):
        check_verbatim("We shall not obey them", article)


def test_trimmed_parts_must_appear_in_order() -> None:
    article = "First sentence here. Second sentence there. Third one."
    assert verbatim_parts(f"First sentence here.{TRIM}") == ["First sentence here."]
    assert appears_verbatim(f"First sentence here.{TRIM}", article)
    assert not appears_verbatim(f"Third one.{TRIM} First sentence here.", article)


def test_curly_marks_do_not_change_words() -> None:
    text = """"It's the '90s," she said of the 'always on' era."""
    made = curly(text)
    assert made == "“It’s the ’90s,” she said of the ‘always on’ era."
    assert comparable(made) == comparable(text)


def test_seed_card_words_are_the_articles_words() -> None:
    stored = seed()
    card = render_card(stored, CardSettings(outlet="Newsroom"))
    assert appears_verbatim(card.quote, stored.article.body)
    assert card.speaker and card.speaker in stored.article.body


def test_bbc_cards_never_misquote(bbc_corpus: Path) -> None:
    made = 0
    for number, path in enumerate(sorted((bbc_corpus / "article").rglob("*.txt"))[:40], start=1):
        article = load_file(path)
        stored = StoredArticle(number, article, analyse(article), NOW)
        try:
            card = render_card(stored, CardSettings())
        except CardError as error:
            assert "\n" not in str(error)
            continue
        made += 1
        assert appears_verbatim(card.quote, article.body), path
        assert comparable(card.speaker) in comparable(article.body), path
        assert comparable(card.speaker[1:]) in comparable(card.alt_text)
    assert made >= 20


# --- quote choice and fallback -----------------------------------------------------------------------------

BODY = (
    "The council voted on Tuesday to close the old library after a decade of falling visits. "
    "“Closing the library takes away the one quiet place our children have to read after school,” said "
    "Maria Lopez, who chairs the parents' association. "
    "“It is a shame,” one resident said. "
    "The council said the library building would be sold to pay for repairs to the town's two schools."
)
GOOD = Quote(
    "Closing the library takes away the one quiet place our children have to read after school,",
    "",
    "Maria Lopez",
    "said",
)


def test_prefers_a_full_quotation_with_a_named_speaker() -> None:
    fragment = Quote("It is a shame,", "", "one resident", "said")
    unnamed = Quote("Closing the library takes away the one quiet place", "", "they", "said")
    stored = stored_with(BODY, (fragment, unnamed, GOOD))
    card = render_card(stored, CardSettings(outlet="Town Crier"))
    assert card.is_quotation
    assert card.speaker == "Maria Lopez"
    assert card.quote == "Closing the library takes away the one quiet place our children have to read after school"
    assert card.alt_text.startswith("Quote card: “Closing the library")
    assert "Maria Lopez" in card.alt_text and "Town Crier" in card.alt_text


def test_fragments_are_not_quotations() -> None:
    assert is_fragment("clearly illegal")
    assert is_fragment("many hostages have already been killed by IDF bombings")
    assert not is_fragment("The government gave a death sentence to the hostages,")


def test_falls_back_to_an_attributed_sentence_and_says_so() -> None:
    body = (
        "The council voted on Tuesday to close the old library after a decade of falling visits. "
        "According to the council's finance officer, closing the library will save the town about two million "
        "pounds over five years. Parents plan a protest outside the town hall next week."
    )
    stored = stored_with(body, quotes=())
    card = render_card(stored, CardSettings())
    assert not card.is_quotation
    assert card.speaker == "the council's finance officer"
    assert card.quote.startswith("According to the council’s finance officer")
    assert appears_verbatim(card.quote, body)
    assert "Source: The council’s finance officer" in card.alt_text


def test_no_quotation_and_no_attribution_is_refused() -> None:
    stored = stored_with("The sun rose over the quiet harbour. Boats went out early. Gulls followed them home.")
    with pytest.raises(CardError, match="no quotation with a named speaker"):
        render_card(stored, CardSettings())


# --- fitting, trimming and refusing ------------------------------------------------------------------------

LONG_SENTENCES = [
    "We have spent eleven years building this service from a single room above the bakery on Mill Street.",
    "Every family in the valley has used it at least once, and many of them use it every single week of the year.",
    "The decision announced today ignores the evidence that we submitted to the committee in writing last spring.",
    "It ignores the petition that more than four thousand residents signed in a fortnight during the harvest.",
    "It ignores the letters from teachers, doctors and the police, who all told the council what closure would cost.",
]


def test_long_quotation_is_cut_at_a_sentence_end_with_an_ellipsis() -> None:
    text = " ".join(LONG_SENTENCES) + ","
    body = f"The service will close. “{text}” said Ann Shaw, the director. The council did not respond."
    stored = stored_with(body, (Quote(text, "", "Ann Shaw", "said"),))
    card = render_card(stored, CardSettings())
    assert card.quote.endswith(f".{TRIM}")
    kept = card.quote.removesuffix(TRIM)
    assert kept in " ".join(LONG_SENTENCES) and " ".join(LONG_SENTENCES).startswith(kept)
    assert kept.count(".") < len(LONG_SENTENCES)
    assert appears_verbatim(card.quote, body)


def test_text_that_cannot_fit_is_refused_not_overflowed() -> None:
    one_sentence = ", and ".join(s.rstrip(".") for s in LONG_SENTENCES * 2) + ","
    body = f"The service will close. “{one_sentence}” said Ann Shaw. The council did not respond."
    stored = stored_with(body, (Quote(one_sentence, "", "Ann Shaw", "said"),))
    with pytest.raises(CardError, match="too long to fit"):
        render_card(stored, CardSettings())


def test_words_are_never_cut_between_lines() -> None:

    text = "Supercalifragilistic expialidocious words wrap only between words, never inside them at all."
    words = units(text, Role.QUOTE)
    block = fit(words, QUOTE_STYLE, (420, 2000), [40], 1.2)
    assert block is not None and len(block.lines) > 1
    assert " ".join(unit.text for line in block.lines for unit in line) == text
    assert all(width <= 420 for width in block.widths)
    assert (
        fit(units("Pneumonoultramicroscopicsilicovolcanoconiosis", Role.QUOTE), QUOTE_STYLE, (200, 900), [40], 1.2)
        is None
    )


# --- output ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "expected"), [("1200x675", (1200, 675)), ("1080x1080", (1080, 1080))])
def test_image_size(size: str, expected: tuple[int, int]) -> None:
    card = render_card(stored_with(BODY, (GOOD,)), CardSettings(size=size))
    image = Image.open(io.BytesIO(card.png))
    assert image.format == "PNG" and image.size == expected == (card.width, card.height)


def test_same_article_and_settings_give_identical_bytes() -> None:
    settings = CardSettings(outlet="Town Crier", accent="#E63946")
    first = render_card(stored_with(BODY, (GOOD,)), settings).png
    second = render_card(stored_with(BODY, (GOOD,)), settings).png
    assert first == second
    assert not {b"tIME", b"tEXt", b"iTXt", b"zTXt"} & set(png_chunks(first))
    other = render_card(stored_with(BODY, (GOOD,)), replace(settings, accent="#2A9D8F")).png
    assert other != first


def test_logo_and_colours_come_from_settings(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 80), (255, 0, 0)).save(logo)
    card = render_card(
        stored_with(BODY, (GOOD,)),
        CardSettings(background="#FFFFFF", foreground="#111111", accent="#9A3412", logo=logo),
    )
    image = Image.open(io.BytesIO(card.png)).convert("RGB")
    assert image.getpixel((600, 5)) == (255, 255, 255)
    reds = sum(1 for pixel in image.get_flattened_data() if pixel == (255, 0, 0))
    assert reds > 1000
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    with pytest.raises(CardError, match="logo"):
        render_card(stored_with(BODY, (GOOD,)), CardSettings(logo=broken))


def test_text_actually_drawn_in_text_colour() -> None:
    card = render_card(stored_with(BODY, (GOOD,)), CardSettings(background="#000000", foreground="#FFFFFF"))
    image = Image.open(io.BytesIO(card.png)).convert("L")
    bright = sum(1 for value in image.get_flattened_data() if value > 240)
    assert bright > 5000


# --- glyphs outside the main font --------------------------------------------------------------------------

RTL_QUOTE = "The negotiators met Yossi Cohen (יוסי כהן) and Ahmed Hassan (أحمد حسن) before dawn,"


def test_hebrew_and_arabic_names_use_fonts_that_have_them() -> None:
    pieces = [piece for unit in units(RTL_QUOTE, Role.QUOTE) for piece in unit.pieces]
    for piece in pieces:
        assert {ord(c) for c in piece.text if not c.isspace()} <= coverage(piece.face), piece
    faces = {piece.face for piece in pieces if piece.rtl}
    assert faces == {FRANK_RUHL, NOTO_ARABIC}
    assert not any(ord("א") in coverage(face) for face in (SOURCE_SERIF,))
    body = f"Talks resumed. “{RTL_QUOTE}” said Maria Lopez, the mediator. Talks go on."
    card = render_card(stored_with(body, (Quote(RTL_QUOTE, "", "Maria Lopez", "said"),)), CardSettings())
    assert "יוסי כהן" in card.quote and "أحمد حسن" in card.alt_text


def test_right_to_left_names_refused_where_they_cannot_be_shaped(monkeypatch: pytest.MonkeyPatch) -> None:
    import digests.cards.layout as layout

    monkeypatch.setattr(layout, "can_shape_rtl", lambda: False)
    with pytest.raises(CardError, match="right-to-left"):
        units(RTL_QUOTE, Role.QUOTE)


def test_right_to_left_quotations_are_refused_clearly() -> None:
    with pytest.raises(CardError, match="right-to-left quotations are not supported"):
        units("אנחנו לא נשתתף במלחמה הזאת", Role.QUOTE)


def test_characters_no_font_covers_are_refused_not_boxed() -> None:
    quote = "We signed the agreement with 北京 officials today and everyone was pleased,"
    body = f"It was signed. “{quote}” said Li Wei, the envoy. More talks follow."
    with pytest.raises(CardError, match=re.escape("no glyphs for “北”")):
        render_card(stored_with(body, (Quote(quote, "", "Li Wei", "said"),)), CardSettings())


def test_chosen_candidates_are_ranked_deterministically() -> None:
    stored = seed()
    assert [c.text for c in candidates(stored)] == [c.text for c in candidates(stored)]
    assert zlib.crc32(render_card(stored, CardSettings()).png) == zlib.crc32(render_card(stored, CardSettings()).png)


def test_attribution_line_is_the_extracted_speaker_and_outlet() -> None:
    from digests.cards.card import attribution_line
    from digests.cards.choice import Candidate

    quoted = Candidate("Words here and more words", "the letter's authors", True, 1.0)
    assert attribution_line(quoted, "Town Crier") == "— The letter’s authors, Town Crier"
    assert attribution_line(quoted, "") == "— The letter’s authors"
    reported = Candidate("Words here and more words", "Israeli officials", False, 1.0)
    assert attribution_line(reported, "Town Crier") == "Source: Israeli officials, Town Crier"


def test_fonts_are_truetype_files_shipped_by_python_packages() -> None:
    from PIL import ImageFont

    from digests.cards.fonts import load

    for role in Role:
        for face in role.faces:
            assert face.path.is_file() and face.path.suffix == ".ttf"
            assert "site-packages" in face.path.parts or face.package in str(face.path)
            font = load(face, 40, 500)
            assert isinstance(font, ImageFont.FreeTypeFont)
            assert font.getname()[0] not in ("", None)
    assert {ord(c) for c in "“”‘’—…Aé"} <= coverage(SOURCE_SERIF)


def test_unreadable_colours_are_refused() -> None:
    with pytest.raises(CardError, match="accent colour"):
        render_card(stored_with(BODY, (GOOD,)), CardSettings(background="#14213D", accent="#1A2A4A"))
