"""Rendering digests and replies as Discord payloads: limits, splitting without loss, escaping, markers."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from discord_support import HOSTILE, demanding_digest

from bot.commands import Fact, Reply
from bot.discord.render import (
    ATTACHMENT_DESCRIPTION_LIMIT,
    CardAttachment,
    MessagePayload,
    digest_payloads,
    escape,
    read_marker,
    reply_payloads,
    split_text,
    units,
)
from bot.fakes.discord_server import embed_errors
from digests.models import Answer, Citation, Digest, DigestItem

MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")


def all_text(payloads: list[MessagePayload]) -> str:
    parts: list[str] = []
    for payload in payloads:
        parts.append(payload.content or "")
        for embed in payload.embeds:
            parts += [embed.title or "", embed.description or "", embed.footer.text or ""]
            parts += [f"{f.name} {f.value}" for f in embed.fields]
    return "\n".join(parts)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_thirty_article_digest_is_split_within_every_limit() -> None:
    digest = demanding_digest(30)
    payloads = digest_payloads(digest, marker="morning@20260601T070000Z")
    assert len(payloads) > 3
    for payload in payloads:
        embeds = [embed.to_dict() for embed in payload.embeds]
        assert embed_errors(embeds) == []
        assert 1 <= len(embeds) <= 10
        assert units(payload.content or "") <= 2000
    headlines = [e.title for p in payloads for e in p.embeds if e.title]
    assert [h.split(".", 1)[0] for h in headlines] == [str(n) for n in range(1, 31)]


def test_nothing_is_dropped_when_splitting() -> None:
    digest = demanding_digest(30)
    text = squash(all_text(digest_payloads(digest, marker="m1")))
    for item in digest.items:
        for sentence in item.summary[:4]:
            assert squash(escape(sentence)) in text
        assert squash(escape(item.summary[4])) not in text  # 2-4 sentences, not the fifth
        for figure in item.key_figures:
            assert squash(escape(figure.counts or "")) in text
        assert squash(f"{item.article_id}. {escape(item.title)}") in text  # long headlines restated in full


def test_article_text_cannot_mention_or_format() -> None:
    item = DigestItem(
        article_id=1,
        title=HOSTILE,
        source="https://news.example/1",
        url="https://news.example/1",
        summary=("@here the ||spoiler|| and # heading with `code` and <#123456789012345678>.",),
    )
    digest = Digest(title="@everyone digest", created_at=datetime(2026, 6, 1, tzinfo=UTC), items=(item,))
    text = all_text(digest_payloads(digest, marker="m1"))
    assert not MENTION.search(text), MENTION.search(text)
    assert "\\*\\*bold\\*\\*" in text
    assert "\\[click\\]\\(https\\://evil.example\\)" in text  # every bracket, and no bare link either
    assert "\\|\\|spoiler\\|\\|" in text
    assert "\\`code\\`" in text


def test_marker_is_in_the_last_footer_of_every_message() -> None:
    payloads = digest_payloads(demanding_digest(12), marker="morning@20260601T070000Z")
    total = len(payloads)
    for part, payload in enumerate(payloads, start=1):
        assert read_marker(payload.embeds[-1].footer.text) == ("morning@20260601T070000Z", part, total)
        assert all(read_marker(e.footer.text) is None for e in payload.embeds[:-1])


def test_headline_links_only_to_web_addresses() -> None:
    payloads = digest_payloads(demanding_digest(2))
    first, second = payloads[0].embeds[0], payloads[0].embeds[1]
    assert first.url == "https://news.example/1"
    assert second.url is None
    assert "articles/2.txt" in (second.footer.text or "")
    assert first.timestamp == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)


def test_empty_digest_still_carries_the_marker() -> None:
    digest = Digest(title="Evening", created_at=datetime(2026, 6, 1, tzinfo=UTC))
    [payload] = digest_payloads(digest, marker="evening@x")
    assert payload.embeds[0].description == "No new articles."
    assert read_marker(payload.embeds[0].footer.text) == ("evening@x", 1, 1)


def test_cards_travel_with_their_article() -> None:
    card = CardAttachment("quote-card-7.png", b"\x89PNG fake", "“We refuse” — the officers. " * 60)
    item = DigestItem(article_id=7, title="Seven", source="seven.txt", summary=("One.",))
    digest = Digest(title="D", created_at=datetime(2026, 6, 1, tzinfo=UTC), items=(item,))
    [payload] = digest_payloads(digest, cards={7: card})
    [file] = payload.files()
    assert file.filename == "quote-card-7.png"
    assert file.description is not None and units(file.description) <= ATTACHMENT_DESCRIPTION_LIMIT
    assert file.description.endswith("…")


def test_bad_markers_are_refused() -> None:
    with pytest.raises(ValueError, match="marker"):
        digest_payloads(demanding_digest(1), marker="has space")


def test_split_text_keeps_every_word() -> None:
    text = " ".join(f"w{i}" for i in range(3000))
    pieces = split_text(text, 1024)
    assert all(units(p) <= 1024 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_answer_reply_cites_sources() -> None:
    answer = Answer(
        question="Who signed the letter?",
        kind="who",
        text="41 officers and reservists signed it.",
        citations=(Citation(7, "Officers refuse", "https://news.example/7", "Forty-one signed @everyone."),),
    )
    [payload] = reply_payloads(Reply(kind="answer", text=answer.text, answer=answer))
    embed = payload.embeds[0]
    assert embed.title == "Who signed the letter?"
    assert embed.description == "41 officers and reservists signed it."
    assert embed.fields[0].name == "#7 Officers refuse"
    assert "@\u200beveryone" in (embed.fields[0].value or "")
    assert "https://news.example/7" in (embed.fields[0].value or "")


def test_long_listing_continues_across_embeds() -> None:
    facts = tuple(Fact(f"fact {i} " + "x" * 200) for i in range(60))
    payloads = reply_payloads(Reply(kind="figures", title="Figures in “A”", text="", facts=facts))
    embeds = [e for p in payloads for e in p.embeds]
    assert len(embeds) > 1
    assert all(embed_errors([e.to_dict() for e in p.embeds]) == [] for p in payloads)
    assert sum((e.description or "").count("• ") for e in embeds) == 60


def test_plain_replies_neutralise_mentions_from_user_input() -> None:
    [payload] = reply_payloads(Reply(kind="error", text="No stored article matches '@everyone'.", ephemeral=True))
    assert payload.content == "No stored article matches '@\u200beveryone'."


LITERAL_CASES = [
    "[click here](https://evil.example) and [again](<https://evil.example>) in one line",
    "||spoiler|| `code` ```block``` *bold* **strong** __under__ ~~strike~~ _it_ \\*already escaped\\*",
    "# Heading\n## Sub\n-# subtext\n> quote\n>>> block quote\n- item\n+ item\n* item\n1. first\n  2) second",
    "@everyone @here <@123456789012345678> <@&123456789012345678> <#123456789012345678> <t:1700000000:R>",
    "see https://evil.example/path and HTTP://EVIL.EXAMPLE and steam://run/1 and <:emoji:123456789012345678>",
]
SPECIAL = set("\\*_~`|[]()<>#")


def unescape(text: str) -> str:
    """What Discord shows for escaped text: a backslash makes the next character literal; zero-width spaces vanish."""
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL).replace("\u200b", "")


def live_characters(text: str) -> list[str]:
    """Characters Discord could still read as syntax: unescaped specials, line-start markers and URL schemes."""
    live: list[str] = []
    escaped = False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
            continue
        if char == "\\":
            escaped = True
        elif char in SPECIAL:
            live.append(char)
        elif char == ":" and text.startswith("//", index + 1):
            live.append("://")
    for line in text.split("\n"):
        if re.match(r"\s*([-+]|\d+[.)])", line):
            live.append(line)
    return live


@pytest.mark.parametrize("text", LITERAL_CASES)
def test_escape_leaves_no_syntax_and_shows_the_text_as_typed(text: str) -> None:
    shown = escape(text)
    assert live_characters(shown) == []
    assert unescape(shown) == text
    assert not MENTION.search(shown)


def test_discord_escape_markdown_left_masked_links_live() -> None:
    """Why we do not use discord.utils.escape_markdown: it leaves the second bracket pair of a line live."""
    import discord

    assert live_characters(discord.utils.escape_markdown(LITERAL_CASES[0]))
    assert live_characters(escape(LITERAL_CASES[0])) == []
