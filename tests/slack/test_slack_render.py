"""Block Kit rendering: Slack's limits, escaping of article text, links, command replies."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_support import make_digest

from bot.commands import Fact, Reply, usage
from bot.fakes.slack_web_api import block_errors
from bot.slack.render import MAX_BLOCKS, SlackMessage, escape, render_digest, render_reply, web_url
from digests.models import Answer, Citation, Figure

HOSTILE = "<!channel> <!here> <!everyone> & <@U123> <#C999|general> <http://x|y> <https://evil.example>"
MARKDOWN = "**bold** *b* _i_ ~s~ `code` ```block``` > quote [click](https://evil.example) ||spoiler||"


def elements(message: SlackMessage, kind: str) -> list[dict[str, Any]]:
    """Every object of type ``kind`` anywhere in the message's blocks."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == kind:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(message.blocks)
    return found


def literal_text(message: SlackMessage) -> str:
    """What the message shows as typed: rich-text text and link labels, and plain_text objects."""
    parts = [e["text"] for kind in ("text", "link", "plain_text") for e in elements(message, kind)]
    return "\n".join(parts)


def assert_inert(message: SlackMessage) -> None:
    """Nothing in the blocks is parsed by Slack (no mrkdwn at all), and the mrkdwn fallback has no control syntax."""
    assert elements(message, "mrkdwn") == []
    assert "<" not in message.text and ">" not in message.text, message.text
    for link in elements(message, "link"):
        assert link["url"].startswith(("https://", "http://")) and "<" not in link["url"]


def section_texts(message: SlackMessage) -> list[str]:
    """The text of each rich_text block, elements joined."""
    return [
        "".join(e["text"] for section in block["elements"] for e in section["elements"])
        for block in message.blocks
        if block["type"] == "rich_text"
    ]


def test_thirty_articles_split_within_limits() -> None:
    messages = render_digest(make_digest(30))
    assert len(messages) == 2
    for message in messages:
        assert len(message.blocks) <= MAX_BLOCKS
        assert block_errors(list(message.blocks)) == []
        assert message.text
    assert messages[0].blocks[0]["type"] == "header"
    assert "continued in the thread (2 parts)" in messages[0].blocks[1]["elements"][0]["text"]
    headlines = [re.match(r"(\d+)\. ", text).group(1) for m in messages for text in section_texts(m)]  # type: ignore[union-attr]
    assert headlines == [str(n) for n in range(1, 31)]


def test_small_digest_is_one_message_with_links_and_figures() -> None:
    (message,) = render_digest(make_digest(3))
    first = next(b for b in message.blocks if b["type"] == "rich_text")["elements"][0]["elements"]
    assert first[0] == {"type": "text", "text": "1. ", "style": {"bold": True}}
    assert first[1]["type"] == "link" and first[1]["url"] == "https://news.example/1"
    assert first[1]["text"].startswith("Council approves budget number 1") and first[1]["style"] == {"bold": True}
    assert {"type": "text", "text": "\nFigures: ", "style": {"italic": True}} in first
    assert "1 votes" in section_texts(message)[0]
    contexts = [b["elements"][0]["text"] for b in message.blocks if b["type"] == "context"]
    assert "Example News · articles/001.txt · 01 Jun 2025 08:01 UTC" in contexts


def test_article_text_is_shown_literally_everywhere() -> None:
    digest = make_digest(
        2,
        headline=f"Headline {HOSTILE} {MARKDOWN}",
        summary=(f"Summary {HOSTILE}.", f"Fish & chips > burgers < pizza. {MARKDOWN}"),
        outlet=f"Outlet {HOSTILE}",
        source=f"feeds/{HOSTILE}",
        key_figures=(Figure(text="5", kind="count", sentence="", counts="<!channel> **x**", attribution="<@U123>"),),
    )
    for message in render_digest(digest):
        assert_inert(message)
        assert block_errors(list(message.blocks)) == []
        shown = literal_text(message)
        assert f"Headline {HOSTILE} {MARKDOWN}" in shown  # the headline link's label, as typed
        assert f"Fish & chips > burgers < pizza. {MARKDOWN}" in shown
        assert f"Outlet {HOSTILE}" in shown and "<!channel> **x**" in shown
    # the bot's own bold stays a style on its own elements: an article's ** cannot close or open it
    (message,) = render_digest(digest)[:1]
    headline = next(b for b in message.blocks if b["type"] == "rich_text")["elements"][0]["elements"][1]
    assert headline["style"] == {"bold": True} and "**bold**" in headline["text"]


def test_headline_links_only_to_web_addresses() -> None:
    assert web_url("https://news.example/a?b=1&c=<x>|y") == "https://news.example/a?b=1&c=%3Cx%3E%7Cy"
    assert web_url("javascript:alert(1)") is None
    assert web_url(None) is None
    (message,) = render_digest(make_digest(1, url="javascript:alert(1)", headline="<!here> *x*"))
    assert elements(message, "link") == []
    assert "<!here> *x*" in literal_text(message)
    assert_inert(message)


def test_overlong_texts_are_clipped_at_word_boundaries() -> None:
    long_sentence = "word " * 1500 + "<!channel> " * 200
    digest = make_digest(1, headline="T" * 400, summary=(long_sentence,))
    digest = type(digest)(title="Digest " + "x" * 300, created_at=digest.created_at, items=digest.items)
    (message,) = render_digest(digest)
    assert block_errors(list(message.blocks)) == []
    assert len(message.blocks[0]["text"]["text"]) <= 150
    (section,) = section_texts(message)
    assert len(section) <= 3000 and "word…\nFigures: " in section
    assert_inert(message)


def test_empty_digest_says_so() -> None:
    (message,) = render_digest(make_digest(0))
    assert "no new articles" in message.text
    assert block_errors(list(message.blocks)) == []


def test_usage_reply_shows_the_users_text_literally() -> None:
    (message,) = render_reply(usage(f"Unknown sub-command {HOSTILE!r}."))
    assert_inert(message)
    assert "Usage: /news digest" in message.text
    assert HOSTILE in literal_text(message)


def test_answer_reply_cites_its_sentences() -> None:
    answer = Answer(
        question="who signed <!here>?",
        kind="who",
        text="41 officers & reservists *signed*.",
        citations=(
            Citation(1, "Officers refuse", "https://news.example/1", "The letter was signed by 41 officers."),
            Citation(2, "Second", "seeds/two.txt", "Another <@U1> sentence."),
        ),
    )
    (message,) = render_reply(Reply(kind="answer", text=answer.text, answer=answer))
    assert_inert(message)
    assert block_errors(list(message.blocks)) == []
    texts = section_texts(message)
    assert "41 officers & reservists *signed*." in texts
    assert "[1] Officers refuse: “The letter was signed by 41 officers.”" in texts
    assert {"type": "link", "url": "https://news.example/1", "text": "Officers refuse"} in elements(message, "link")
    assert "[2] Second (seeds/two.txt): “Another <@U1> sentence.”" in texts


def test_quotes_reply_keeps_markdown_literal() -> None:
    facts = (Fact(f"“{MARKDOWN}” — Mayor", Citation(1, "A *b*", "https://news.example/1", "s")),)
    (message,) = render_reply(Reply(kind="quotes", title="Quotes in “A *b*”", text="…", facts=facts))
    assert_inert(message)
    assert block_errors(list(message.blocks)) == []
    assert f"• “{MARKDOWN}” — Mayor" in section_texts(message)
    assert section_texts(message)[0] == "Quotes in “A *b*”"


def test_long_fact_lists_fit_in_one_message() -> None:
    facts = tuple(Fact(f"figure {n} " + "x" * 200) for n in range(1000))
    (message,) = render_reply(Reply(kind="figures", title="Figures in “A”", text="…", facts=facts))
    assert len(message.blocks) <= MAX_BLOCKS
    assert block_errors(list(message.blocks)) == []
    assert "…and" in json.dumps(message.blocks, ensure_ascii=False)


def test_escape_is_complete() -> None:
    assert escape("a & <b> c") == "a &amp; &lt;b&gt; c"


def test_empty_texts_still_make_valid_blocks() -> None:
    (message,) = render_reply(Reply(kind="error", text="", ephemeral=True))
    assert block_errors(list(message.blocks)) == []
