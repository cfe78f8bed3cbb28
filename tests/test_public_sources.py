"""An article's source is shown as its URL or its file's name, never as a path on the server."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bot.app import App
from bot.channels.console import render_digest as console_digest
from bot.commands import CommandHandler, Reply
from bot.config import Config
from bot.discord.render import reply_payloads
from bot.slack.render import render_reply
from digests.digest import build_digest
from digests.loaders import load_paths
from digests.models import Article, public_source
from digests.pipeline import analyse
from digests.storage import Store
from digests.storage.ledger import digest_from_dict, digest_to_dict

PRIVATE = "srv/newsroom-private"
BODY = (
    "The council approved a budget of 4 million pounds on Monday. "
    '"We will build the new library," said Mayor Jane Smith. The vote was 7 to 2.'
)


def shown(reply: Reply) -> str:
    """Everything Slack and Discord would show for a reply, as text."""
    slack = [(message.text, message.blocks) for message in render_reply(reply)]
    discord = [(p.content, [embed.to_dict() for embed in p.embeds]) for p in reply_payloads(reply)]
    return json.dumps([slack, discord, reply.text, [fact.text for fact in reply.facts]], default=str)


def test_public_source_keeps_urls_and_file_names_only() -> None:
    assert public_source("/srv/newsroom-private/2025/council.txt") == "council.txt"
    assert public_source("C:\\Users\\editor\\council.md") == "council.md"
    assert public_source("https://example.org/news/1") == "https://example.org/news/1"
    with_url = Article(title="t", body="b", source="/srv/a.txt", url="https://example.org/a")
    assert with_url.public_source == "https://example.org/a"


def test_no_reply_or_digest_shows_the_server_path(tmp_path: Path, sqlite_url: str) -> None:
    folder = tmp_path / PRIVATE
    folder.mkdir(parents=True)
    (folder / "council.txt").write_text(f"Council approves budget\n\n{BODY}\n")
    app = App(Config(), sqlite_url)
    try:
        (article,) = load_paths([folder])
        assert isinstance(article, Article) and PRIVATE in article.source  # the store keeps the path
        app.store.add(article, analyse(article))
        handler = CommandHandler(app)
        replies = [asyncio.run(handler.handle(text)) for text in ("digest", "sources", "quotes", "figures 1")]
        replies.append(asyncio.run(handler.handle("ask who will build the new library?")))
        for reply in replies:
            assert reply.kind != "error", reply.text
            assert "council.txt" in shown(reply) or reply.kind == "answer"
            assert PRIVATE not in shown(reply), reply.kind
        digest = replies[0].digest
        assert digest is not None
        assert PRIVATE not in console_digest(digest)
        assert replies[-1].answer is not None
        assert all(c.source == "council.txt" for c in replies[-1].answer.citations)
    finally:
        app.close()


def test_digests_stored_before_the_fix_show_file_names(store: Store) -> None:
    article = Article(title="Council approves budget", body=BODY, source=f"/{PRIVATE}/council.txt")
    article_id, _ = store.add(article, analyse(article))
    stored = store.get(article_id)
    assert stored is not None
    digest = build_digest([stored], now=datetime(2025, 6, 1, tzinfo=UTC))
    old = digest_to_dict(replace(digest, items=tuple(replace(i, source=article.source) for i in digest.items)))
    assert old["items"][0]["source"] == article.source
    rebuilt = digest_from_dict(old)
    assert [item.source for item in rebuilt.items] == ["council.txt"]
