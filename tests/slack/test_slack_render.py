"""Block Kit rendering: Slack's limits, escaping of article text, links, command replies."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_support import make_digest

from bot.commands import Fact, Reply, usage
from bot.fakes.slack_web_api import block_errors
from bot.slack.render import MAX_BLOCKS, SlackMessage, escape, link, render_digest, render_reply
from digests.models import Answer, Citation, Figure

HOSTILE = "<!channel> <!here> <!everyone> & <@U123> <#C999|general> <http://x|y> <https://evil.example>"


def texts(message: SlackMessage) -> list[str]:
    """Every mrkdwn string in a message (fallback, sections, contexts); plain_text is never parsed by Slack."""
    found = [message.text]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str) and node.get("type") != "plain_text":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(message.blocks)
    return found


def assert_inert(message: SlackMessage) -> None:
    """No control sequence can form: no raw '<' or '>' except our own <http...|...> links."""
    for text in texts(message):
        without_links = re.sub(r"<https?://[^<>|\s]+\|[^<>]*>", "", text)
        assert "<" not in without_links and ">" not in without_links, text
        assert "<!" not in text and "<@" not in text and "<#" not in text


def test_thirty_articles_split_within_limits() -> None:
    messages = render_digest(make_digest(30))
    assert len(messages) == 2
    for message in messages:
        assert len(message.blocks) <= MAX_BLOCKS
        assert block_errors(list(message.blocks)) == []
        assert message.text
    assert messages[0].blocks[0]["type"] == "header"
    assert "continued in the thread (2 parts)" in messages[0].blocks[1]["elements"][0]["text"]
    headlines = [
        re.search(r"\*(\d+)\. ", block["text"]["text"]).group(1)  # type: ignore[union-attr]
        for message in messages
        for block in message.blocks
        if block["type"] == "section"
    ]
    assert headlines == [str(n) for n in range(1, 31)]


def test_small_digest_is_one_message_with_links_and_figures() -> None:
    (message,) = render_digest(make_digest(3))
    sections = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    assert sections[0].startswith("*1. <https://news.example/1|Council approves budget number 1")
    assert "_Figures:_ 1 votes" in sections[0]
    assert all(b["text"]["verbatim"] is True for b in message.blocks if b["type"] == "section")
    contexts = [b["elements"][0]["text"] for b in message.blocks if b["type"] == "context"]
    assert "Example News · articles/001.txt · 01 Jun 2025 08:01 UTC" in contexts


def test_article_text_is_escaped_everywhere() -> None:
    digest = make_digest(
        2,
        headline=f"Headline {HOSTILE}",
        summary=(f"Summary {HOSTILE}.", "Fish & chips > burgers < pizza."),
        outlet=f"Outlet {HOSTILE}",
        source=f"feeds/{HOSTILE}",
        key_figures=(Figure(text="5", kind="count", sentence="", counts="<!channel>", attribution="<@U123>"),),
    )
    for message in render_digest(digest):
        assert_inert(message)
    body = json.dumps([m.blocks for m in render_digest(digest)], ensure_ascii=False)
    assert "&lt;!channel&gt;" in body and "&lt;@U123&gt;" in body and "Fish &amp; chips &gt; burgers" in body
    assert "&lt;http://x|y&gt;" in body


def test_headline_link_escapes_url_and_label() -> None:
    made = link("https://news.example/a?b=1&c=<x>|y", "A <b> & c")
    assert made == "<https://news.example/a?b=1&amp;c=%3Cx%3E%7Cy|A &lt;b&gt; &amp; c>"
    assert link("javascript:alert(1)", "<!here>") == "&lt;!here&gt;"
    assert link(None, "plain") == "plain"


def test_overlong_texts_are_clipped_at_word_boundaries() -> None:
    long_sentence = "word " * 1500 + "<!channel> " * 200
    digest = make_digest(1, headline="T" * 400, summary=(long_sentence,))
    digest = type(digest)(title="Digest " + "x" * 300, created_at=digest.created_at, items=digest.items)
    (message,) = render_digest(digest)
    assert block_errors(list(message.blocks)) == []
    assert len(message.blocks[0]["text"]["text"]) <= 150
    section = next(b for b in message.blocks if b["type"] == "section")["text"]["text"]
    assert len(section) <= 3000 and "word…\n_Figures:_" in section
    assert_inert(message)


def test_empty_digest_says_so() -> None:
    (message,) = render_digest(make_digest(0))
    assert "no new articles" in message.text
    assert block_errors(list(message.blocks)) == []


def test_usage_reply_escapes_the_users_text() -> None:
    (message,) = render_reply(usage(f"Unknown sub-command {HOSTILE!r}."))
    assert_inert(message)
    assert "Usage: /news digest" in message.text


def test_answer_reply_cites_its_sentences() -> None:
    answer = Answer(
        question="who signed <!here>?",
        kind="who",
        text="41 officers & reservists signed.",
        citations=(
            Citation(1, "Officers refuse", "https://news.example/1", "The letter was signed by 41 officers."),
            Citation(2, "Second", "seeds/two.txt", "Another <@U1> sentence."),
        ),
    )
    (message,) = render_reply(Reply(kind="answer", text=answer.text, answer=answer))
    assert_inert(message)
    rendered = json.dumps(message.blocks, ensure_ascii=False)
    assert "41 officers &amp; reservists signed." in rendered
    assert "[1] <https://news.example/1|Officers refuse>: “The letter was signed by 41 officers.”" in rendered
    assert "[2] Second (seeds/two.txt)" in rendered


def test_long_fact_lists_fit_in_one_message() -> None:
    facts = tuple(Fact(f"figure {n} " + "x" * 200) for n in range(1000))
    (message,) = render_reply(Reply(kind="figures", title="Figures in “A”", text="…", facts=facts))
    assert len(message.blocks) <= MAX_BLOCKS
    assert block_errors(list(message.blocks)) == []
    assert "…and" in json.dumps(message.blocks, ensure_ascii=False)


def test_escape_is_complete() -> None:
    assert escape("a & <b> c") == "a &amp; &lt;b&gt; c"
