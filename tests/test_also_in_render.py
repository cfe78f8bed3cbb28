"""Every renderer shows the other outlets that ran a story, as written and unable to format, link or ping."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import discord

from bot.channels.console import render_digest as console_digest
from bot.discord.render import digest_payloads
from bot.fakes.discord_server import embed_errors
from bot.fakes.slack_web_api import block_errors
from bot.slack.render import render_digest as slack_digest
from digests.models import Digest, DigestItem

OUTLETS = ("Metro Wire", "*Coastal* <!here> _Times_ @everyone <@123456789012345678>", "A & B News")
MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<!here>")


def digest(items: int = 2) -> Digest:
    made = tuple(
        DigestItem(
            article_id=n,
            title=f"Officers refuse to serve, number {n}",
            source=f"https://courier.example/{n}",
            summary=("Forty-one officers signed the letter.", "The army has not responded."),
            url=f"https://courier.example/{n}",
            outlet="Daily Courier",
            also_in=OUTLETS if n % 2 else (),
        )
        for n in range(1, items + 1)
    )
    return Digest("Morning digest", datetime(2026, 11, 29, 7, tzinfo=UTC), made)


def test_console_lists_the_other_outlets_once_per_grouped_item() -> None:
    text = console_digest(digest())
    assert text.count("Also in: ") == 1
    assert "Also in: " + ", ".join(OUTLETS) in " ".join(text.split())


def test_slack_shows_the_outlets_as_plain_text_within_the_limits() -> None:
    (message,) = slack_digest(digest())
    assert block_errors(list(message.blocks)) == []
    contexts = [b for b in message.blocks if b["type"] == "context" and len(b["elements"]) == 2]
    assert len(contexts) == 1
    element = contexts[0]["elements"][1]
    assert element == {"type": "plain_text", "text": "Also in: " + ", ".join(OUTLETS), "emoji": False}
    mrkdwn = [e["text"] for b in message.blocks for e in b.get("elements", []) if e.get("type") == "mrkdwn"]
    assert not any("Coastal" in text for text in mrkdwn)


def test_slack_digest_of_many_grouped_items_still_fits() -> None:
    for message in slack_digest(digest(30)):
        assert block_errors(list(message.blocks)) == []
        assert len(message.blocks) <= 50


def test_discord_shows_the_outlets_in_a_field_with_markdown_and_mentions_inert() -> None:
    payloads = digest_payloads(digest(), marker="morning@20261129T070000Z")
    fields = [f for p in payloads for e in p.embeds for f in e.fields if f.name == "Also in"]
    assert len(fields) == 1
    value = fields[0].value or ""
    assert not MENTION.search(value)
    assert "\\*Coastal\\*" in value and "\\_Times\\_" in value
    for payload in payloads:
        assert embed_errors([embed.to_dict() for embed in payload.embeds]) == []
    unescaped = discord.utils.remove_markdown(value)
    assert "Metro Wire" in unescaped and "A & B News" in unescaped
