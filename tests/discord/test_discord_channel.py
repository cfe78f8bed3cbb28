"""Posting digests with the real discord.py client against the local fake Discord (REST only)."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from discord_support import HOSTILE, connected, demanding_digest, run_clean

from bot.app import App
from bot.channels.base import DeliveryError
from bot.channels.console import ConsoleChannel
from bot.discord.cards import headline_alt_text, load_cards
from bot.discord.platform import from_env
from bot.discord.render import read_marker
from bot.fakes.discord_server import FakeDiscord, embed_errors, running_in_thread
from bot.runner import run_once
from digests.cards import CardError, render_card
from digests.digest import CardFile, build_digest
from digests.models import Digest, DigestItem


def seed_digest(app: App, tmp_path: Path) -> Digest:
    """The seed article's digest with its real quote card on disk."""
    stored = app.store.articles()
    cards = {}
    for article in stored:
        try:
            card = render_card(article, app.card_settings)
        except CardError:
            continue
        path = tmp_path / f"card-{article.id}.png"
        path.write_bytes(card.png)
        cards[article.id] = CardFile(str(path), card.alt_text)
    assert cards, "the seed article should make a quote card"
    return build_digest(stored, title="Morning digest", cards=cards)


def test_digest_posts_embeds_and_the_card_with_alt_text(discord_app: App, tmp_path: Path) -> None:
    digest = seed_digest(discord_app, tmp_path)

    async def scenario() -> None:
        async with FakeDiscord() as fake:
            channel_id = fake.add_channel("newsroom")
            async with connected(discord_app, fake, serve_commands=False) as platform:
                message_id = await platform.channel(f"discord:{channel_id}").post_digest(
                    digest, "morning@20260601T0700Z"
                )
            [message] = fake.messages(channel_id)
            assert message["id"] == message_id
            assert message["allowed_mentions"] == {"parse": []}
            assert embed_errors(message["embeds"]) == []
            embed = message["embeds"][0]
            item = digest.items[0]
            assert embed["title"].startswith("1. ")
            assert embed["description"].count(". ") + 1 >= 1
            assert read_marker(embed["footer"]["text"]) == ("morning@20260601T0700Z", 1, 1)
            [upload] = message["files"]
            [attachment] = message["attachments"]
            assert upload["data"].startswith(b"\x89PNG")
            assert upload["data"] == Path(item.card_path or "").read_bytes()
            card = render_card(discord_app.store.get(item.article_id), discord_app.card_settings)  # type: ignore[arg-type]
            assert attachment["description"] == card.alt_text
            assert card.quote.split()[0] in attachment["description"]
            assert not fake.identifies, "posting alone must not open the gateway"

    run_clean(scenario)


def test_thirty_articles_split_within_limits_and_found_again(discord_app: App) -> None:
    digest = demanding_digest(30)

    async def scenario() -> None:
        async with FakeDiscord() as fake:
            channel_id = fake.add_channel("newsroom")
            # paced like Discord (5 messages per period) on a short period, so the test stays fast
            async with connected(discord_app, fake, serve_commands=False, channel_period=0.05) as platform:
                channel = platform.channel(f"discord:{channel_id}")
                first_id = await channel.post_digest(digest, "big@1")
                posted = fake.messages(channel_id)
                assert len(posted) > 3  # the fake answers 400 to anything over Discord's limits
                assert all(m["allowed_mentions"] == {"parse": []} for m in posted)
                assert await channel.find_marker("big@1") == first_id
                assert await channel.find_marker("other@1") is None

                # an attempt cut short after two parts: find_marker says "not delivered", a retry posts the rest only
                fake.channels[channel_id].messages = posted[:2]
                assert await channel.find_marker("big@1") is None
                assert await channel.post_digest(digest, "big@1") == first_id
                again = fake.messages(channel_id)
                assert [m["embeds"] for m in again] == [m["embeds"] for m in posted]
                assert [m["id"] for m in again[:2]] == [m["id"] for m in posted[:2]]

    run_clean(scenario)


def test_hostile_article_text_reaches_discord_inert(discord_app: App) -> None:
    item = DigestItem(
        article_id=1, title=HOSTILE, source="x.txt", summary=("@here please ping <@&123456789012345678> now.",)
    )
    digest = Digest(title="@everyone", created_at=demanding_digest(1).created_at, items=(item,))

    async def scenario() -> None:
        async with FakeDiscord() as fake:
            channel_id = fake.add_channel()
            async with connected(discord_app, fake, serve_commands=False) as platform:
                await platform.channel(f"discord:{channel_id}").post_digest(digest, "m@1")
            [message] = fake.messages(channel_id)
            sent = str(message["content"]) + str(message["embeds"])
            for raw in ("@everyone", "@here", "<@&123456789012345678>", "<@123456789012345678>", "**bold**"):
                assert raw not in sent
            assert "[click](" not in sent and "https://evil.example" not in sent  # no masked or bare link
            assert message["allowed_mentions"] == {"parse": []}

    run_clean(scenario)


def test_missing_and_forbidden_channels_fail_alone(discord_app: App, caplog: pytest.LogCaptureFixture) -> None:
    """``newsdigest run --once`` to three channels: the good one gets the digest, each bad one is one log line."""
    console = ConsoleChannel(io.StringIO())

    async def scenario() -> None:
        async with FakeDiscord() as fake:
            good, forbidden = fake.add_channel("good"), fake.add_channel("secret")
            fake.forbid(forbidden)
            missing = 123456789012345678
            channels = [f"discord:{missing}", f"discord:{good}", f"discord:{forbidden}", "console"]
            with caplog.at_level(logging.INFO):
                status = await run_once(discord_app, channels, environ=fake.environ(), console=console)
            assert status == 1
            assert len(fake.messages(good)) == 1
            assert not fake.identifies
            errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
            missing_lines = [line for line in errors if f"discord:{missing}" in line]
            forbidden_lines = [line for line in errors if f"discord:{forbidden}" in line]
            assert len(missing_lines) == 1 and "channel not found" in missing_lines[0]
            assert len(forbidden_lines) == 1 and "Send Messages" in forbidden_lines[0]
            assert all("\n" not in line for line in errors)
        assert "News digest" in console.stream.getvalue()  # type: ignore[attr-defined]

    run_clean(scenario)


def test_rejected_token_is_one_clear_error(discord_app: App) -> None:
    async def scenario() -> None:
        async with FakeDiscord() as fake:
            platform = from_env(discord_app, {**fake.environ(), "DISCORD_TOKEN": "wrong"})
            assert platform is not None
            with pytest.raises(DeliveryError, match="rejected the bot token") as caught:
                await platform.start(serve_commands=False)
            assert caught.value.permanent
            assert "wrong" not in str(caught.value)

    run_clean(scenario)


def test_from_env_needs_a_token(discord_app: App) -> None:
    assert from_env(discord_app, {}) is None
    platform = from_env(discord_app, {"DISCORD_TOKEN": " t "})
    assert platform is not None
    assert platform.settings.token == "t"
    assert platform.settings.api_url == "https://discord.com/api/v10"
    assert platform.settings.guilds == (900000000000000001,)


def test_server_errors_are_retried_then_posted(discord_app: App) -> None:
    async def scenario() -> None:
        async with FakeDiscord() as fake:
            channel_id = fake.add_channel()
            fake.fail("POST", f"/channels/{channel_id}/messages", status=429, times=1)
            async with connected(discord_app, fake, serve_commands=False) as platform:
                await platform.channel(f"discord:{channel_id}").post_digest(demanding_digest(1), "m@1")
            assert len(fake.messages(channel_id)) == 1

    run_clean(scenario)


def test_run_once_command_posts_and_exits(discord_app: App, tmp_path: Path) -> None:
    """The real ``newsdigest run --once --channel discord:ID`` process against the fake."""

    async def scenario() -> None:
        async with FakeDiscord() as fake:
            channel_id = fake.add_channel()
            env = {**os.environ, **fake.environ(), "PYTHONWARNINGS": "always::ResourceWarning"}
            process = await asyncio.create_subprocess_exec(
                str(Path(sys.executable).with_name("newsdigest")),
                "--db",
                f"sqlite:///{tmp_path / 'cli.db'}",
                "run",
                "--once",
                "--channel",
                f"discord:{channel_id}",
                env=env,
                cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(process.communicate(), 120)
            assert process.returncode == 0, err.decode()
            assert len(fake.messages(channel_id)) == 1
            assert fake.token not in err.decode() + out.decode()
            assert "Unclosed" not in err.decode() and "Task was destroyed" not in err.decode()

    run_clean(scenario)


def test_card_alt_text_comes_with_the_digest_item(discord_app: App, tmp_path: Path) -> None:
    digest = seed_digest(discord_app, tmp_path)
    [item] = digest.items
    [attachment] = load_cards(digest).values()
    assert item.card_alt_text and attachment.description == item.card_alt_text
    older = replace(item, card_alt_text=None)  # a digest stored before items carried alt text
    assert headline_alt_text(older) == f"Quote card for the article “{item.title}”"


def test_unreadable_card_is_left_out_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    item = DigestItem(article_id=3, title="T", source="t.txt", summary=("S.",), card_path=str(tmp_path / "gone.png"))
    digest = Digest(title="D", created_at=demanding_digest(1).created_at, items=(item,))
    assert load_cards(digest) == {}
    [record] = caplog.records
    assert "gone.png" in record.getMessage() and record.levelno == logging.WARNING


def test_fake_in_a_thread_serves_a_newsdigest_process(tmp_path: Path) -> None:
    with running_in_thread() as fake:
        channel_id = fake.add_channel("newsroom")
        env = {**os.environ, **fake.environ()}
        command = [str(Path(sys.executable).with_name("newsdigest")), "--db", f"sqlite:///{tmp_path / 'db.sqlite'}"]
        done = subprocess.run(
            [*command, "run", "--once", "--channel", f"discord:{channel_id}", "--channel", "discord:42424242424242424"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1  # one channel is missing
        assert len(fake.messages(channel_id)) == 1
        [line] = [line for line in done.stderr.splitlines() if "42424242424242424" in line]
        assert "channel not found" in line
