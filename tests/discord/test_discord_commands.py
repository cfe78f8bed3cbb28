"""``/news`` through the gateway: INTERACTION_CREATE in, interaction callback and follow-ups out, all on the fake."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from discord_support import connected, run_clean

from bot.answer_queue import AnswerQueue
from bot.app import App
from bot.discord.platform import DiscordPlatform
from bot.fakes.discord_server import EPHEMERAL, FakeDiscord, InteractionRecord, embed_errors
from digests.ingest import ingest_articles
from digests.models import Article

GUILD_ID = 900000000000000001
Scenario = Callable[[FakeDiscord, DiscordPlatform], Awaitable[None]]


def serve(app: App, scenario: Scenario, **overrides: Any) -> None:
    """Run ``scenario`` with the bot connected to the fake's gateway and serving /news."""

    async def main() -> None:
        async with FakeDiscord() as fake:
            fake.add_channel("newsroom")
            async with connected(app, fake, serve_commands=True, **overrides) as platform:
                await scenario(fake, platform)

    run_clean(main)


async def command(fake: FakeDiscord, name: str, **options: str) -> InteractionRecord:
    record = await fake.push_command(name, **options)
    return await record.wait()


def the_answer(record: InteractionRecord) -> dict[str, Any]:
    [callback] = record.callbacks
    assert callback["type"] == 4, callback
    message: dict[str, Any] = callback["data"]
    assert message["allowed_mentions"] == {"parse": []}
    assert embed_errors(message["embeds"]) == []
    return message


def test_commands_are_synced_to_the_configured_guild(discord_app: App) -> None:
    async def scenario(fake: FakeDiscord, platform: DiscordPlatform) -> None:
        [news] = fake.commands(GUILD_ID)
        assert news["name"] == "news"
        subcommands = {option["name"]: option for option in news["options"]}
        assert set(subcommands) == {"digest", "ask", "figures", "quotes", "card", "sources", "help"}
        [question] = subcommands["ask"]["options"]
        assert (question["name"], question["type"], question["required"]) == ("question", 3, True)
        for name in ("figures", "quotes", "card"):
            [article] = subcommands[name]["options"]
            assert article["name"] == "article" and not article.get("required")
        assert fake.commands(None) == []  # global sync is off by default
        [identify] = fake.identifies
        assert identify["intents"] & (1 << 1 | 1 << 8 | 1 << 15) == 0  # no privileged intents
        assert platform.client is not None and platform.client.is_ready()

    serve(discord_app, scenario)


def test_help_is_ephemeral(discord_app: App) -> None:
    async def scenario(fake: FakeDiscord, platform: DiscordPlatform) -> None:
        message = the_answer(await command(fake, "help"))
        assert message["flags"] & EPHEMERAL
        assert "/news ask" in message["content"]

    serve(discord_app, scenario)


def test_digest_command(discord_app: App) -> None:
    async def scenario(fake: FakeDiscord, platform: DiscordPlatform) -> None:
        message = the_answer(await command(fake, "digest"))
        assert not message["flags"] & EPHEMERAL
        assert message["content"].startswith("**News digest**")
        title = discord_app.store.newest().article.title  # type: ignore[union-attr]
        assert message["embeds"][0]["title"].startswith("1. " + title[:40])
        nothing = the_answer(await command(fake, "digest", filter="no-such-topic-anywhere"))
        assert nothing["flags"] & EPHEMERAL and nothing["content"] == "No articles match."

    serve(discord_app, scenario)


def test_sources_figures_and_quotes_commands(discord_app: App) -> None:
    stored = discord_app.store.newest()
    assert stored is not None

    async def scenario(fake: FakeDiscord, platform: DiscordPlatform) -> None:
        sources = the_answer(await command(fake, "sources"))
        assert sources["embeds"][0]["title"] == "Stored articles"
        assert f"#{stored.id} " in sources["embeds"][0]["description"]

        figures = the_answer(await command(fake, "figures", article=str(stored.id)))
        assert figures["embeds"][0]["title"].startswith("Figures in")
        listed = figures["embeds"][0]["description"]
        for figure in stored.analysis.figures:
            assert figure.text in listed
        if not stored.analysis.figures:
            assert listed == "No figures found in this article."

        quotes = the_answer(await command(fake, "quotes"))
        assert quotes["embeds"][0]["title"].startswith("Quotes in")
        assert quotes["embeds"][0]["description"].count("• ") == len(stored.analysis.quotes) or not (
            stored.analysis.quotes
        )

    serve(discord_app, scenario)


def test_unknown_article_is_a_one_line_ephemeral_error(discord_app: App) -> None:
    async def scenario(fake: FakeDiscord, platform: DiscordPlatform) -> None:
        message = the_answer(await command(fake, "figures", article="@everyone zzz-no-such-article"))
        assert message["flags"] & EPHEMERAL
        assert message["content"].startswith("No stored article matches")
        assert "\n" not in message["content"]
        assert "@everyone" not in message["content"]

    serve(discord_app, scenario)


def test_card_command_attaches_the_png_with_alt_text(discord_app: App) -> None:
    async def scenario(fake: FakeDiscord, platform: DiscordPlatform) -> None:
        message = the_answer(await command(fake, "card"))
        [upload] = message["files"]
        [attachment] = message["attachments"]
        assert upload["data"].startswith(b"\x89PNG")
        assert attachment["filename"].startswith("quote-card-")
        assert attachment["description"]
        assert attachment["description"].split()[0] in message["content"] or len(attachment["description"]) > 20

    serve(discord_app, scenario)


def test_ask_command_answers_with_citations(discord_app: App) -> None:
    async def scenario(fake: FakeDiscord, platform: DiscordPlatform) -> None:
        message = the_answer(await command(fake, "ask", question="Who signed the letter?"))
        [embed] = message["embeds"]
        assert embed["title"] == "Who signed the letter?"
        assert embed["description"]
        assert embed.get("fields"), "an answer cites the sentences it stands on"

    serve(discord_app, scenario)


def test_slow_answers_are_deferred_then_followed_up(discord_app: App) -> None:
    async def scenario(fake: FakeDiscord, platform: DiscordPlatform) -> None:
        record = await fake.push_command("sources")
        await record.wait(callbacks=1, messages=1)
        assert [c["type"] for c in record.callbacks] == [5]
        [followup] = record.followups
        assert followup["embeds"][0]["title"] == "Stored articles"
        assert followup["allowed_mentions"] == {"parse": []}

        failed = await fake.push_command("quotes", article="zzz-no-such-article")
        await failed.wait(callbacks=1, messages=1)
        assert failed.deleted_original  # the public "thinking…" goes, the error is shown to the caller alone
        [error] = failed.followups
        assert error["flags"] & EPHEMERAL and error["content"].startswith("No stored article matches")

    serve(discord_app, scenario, defer_after=0.0)


def long_article(number: int) -> Article:
    """An article whose summary sentences are long, so ten of them cannot share one Discord message."""
    sentences = [
        f"In district {number} the council said that item {k} "
        + " ".join(f"clause{number}x{k}w{w}" for w in range(60))  # each article its own words: no two one story
        + "."
        for k in range(6)
    ]
    return Article(title=f"Council budget story {number}", body=" ".join(sentences), source=f"council-{number}.txt")


def test_long_replies_continue_in_follow_ups(discord_app: App) -> None:
    ingest_articles(discord_app.store, [long_article(n) for n in range(12)], discord_app.summary_settings)

    async def scenario(fake: FakeDiscord, platform: DiscordPlatform) -> None:
        record = await fake.push_command("digest", filter="council")
        await record.wait(callbacks=1, messages=2)
        await asyncio.sleep(0.2)  # let any further follow-ups land
        assert record.callbacks[0]["type"] == 4
        assert len(record.answers) >= 2
        titles = [e["title"] for m in record.answers for e in m["embeds"] if e.get("title")]
        assert len(titles) == discord_app.config.digest.max_items
        for message in record.answers:
            assert embed_errors(message["embeds"]) == []
            assert not message["flags"] & EPHEMERAL
            assert message["allowed_mentions"] == {"parse": []}

    serve(discord_app, scenario)


def test_stop_leaves_nothing_running(discord_app: App) -> None:
    """run_clean fails the test on pending tasks or unclosed sessions after the platform stops."""

    async def scenario(fake: FakeDiscord, platform: DiscordPlatform) -> None:
        await command(fake, "help")
        gateway = platform._gateway
        assert gateway is not None and not gateway.done()
        await platform.stop()
        assert gateway.done()
        assert platform.client is None
        await asyncio.sleep(0)

    serve(discord_app, scenario)


def test_a_guild_that_refuses_the_commands_is_one_line(discord_app: App, caplog: pytest.LogCaptureFixture) -> None:
    other_guild = 900000000000000002

    async def main() -> None:
        async with FakeDiscord(guild_ids=(GUILD_ID, other_guild)) as fake:
            fake.add_channel("newsroom")
            app_id = fake.application_id
            fake.fail("PUT", f"/applications/{app_id}/guilds/{other_guild}/commands", status=403)
            with caplog.at_level(logging.INFO):
                async with connected(discord_app, fake, guilds=(other_guild, GUILD_ID), global_sync=True) as platform:
                    assert platform.client is not None and platform.client.is_ready()
                    assert [c["name"] for c in fake.commands(GUILD_ID)] == ["news"]
                    assert [c["name"] for c in fake.commands(None)] == ["news"]
                    assert fake.commands(other_guild) == []
                    message = the_answer(await command(fake, "help"))
                    assert "/news" in message["content"]
        [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert str(other_guild) in line and "applications.commands" in line and "\n" not in line

    run_clean(main)


def test_gateway_is_discovered_from_the_api_when_not_given(discord_app: App) -> None:
    async def scenario(fake: FakeDiscord, platform: DiscordPlatform) -> None:
        assert ("GET", "/gateway/bot") in fake.requests
        assert len(fake.identifies) == 1
        message = the_answer(await command(fake, "help"))
        assert message["flags"] & EPHEMERAL

    serve(discord_app, scenario, gateway_url=None)


HOSTILE_QUOTE = "Read [click here](https://evil.example) ||spoiler|| `code` *bold* ~~strike~~ @everyone"


def test_quotes_of_a_hostile_article_are_shown_literally(discord_app: App) -> None:
    body = (
        f"The mayor said: “{HOSTILE_QUOTE} today.” The council met on Tuesday. "
        "# Heading\n- list item\n1. ordered https://evil.example/bare"
    )
    article = Article(title="Hostile [title](https://evil.example) **x**", body=body, source="hostile.txt")
    ingest_articles(discord_app.store, [article], discord_app.summary_settings)
    stored = discord_app.store.find("hostile")
    assert stored is not None and stored.analysis.quotes, "the quotation should be found"

    async def scenario(fake: FakeDiscord, platform: DiscordPlatform) -> None:
        quotes = the_answer(await command(fake, "quotes", article=str(stored.id)))
        shown = quotes["embeds"][0]["title"] + "\n" + quotes["embeds"][0]["description"]
        for live in ("[click here](", "||spoiler||", "`code`", "*bold*", "~~strike~~", "@everyone", "https://evil"):
            assert live not in shown, live
        assert "\\[click here\\]\\(https\\://evil.example\\)" in shown
        assert "\\|\\|spoiler\\|\\| \\`code\\` \\*bold\\* \\~\\~strike\\~\\~" in shown
        assert "Hostile \\[title\\]" in shown

    serve(discord_app, scenario)


def test_a_full_answer_queue_says_busy_at_once(discord_app: App) -> None:
    async def scenario(fake: FakeDiscord, platform: DiscordPlatform) -> None:
        platform.commands.queue = AnswerQueue(workers=1, capacity=1, max_wait=60)
        release = asyncio.Event()
        held = [platform.commands.queue.submit(release.wait)]
        await asyncio.sleep(0.05)  # a worker takes it
        held.append(platform.commands.queue.submit(release.wait))  # and one waits: the queue is full
        record = await command(fake, "sources")
        [callback] = record.callbacks
        assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
        assert "busy" in callback["data"]["content"]
        assert not any(f is None or f.done() for f in held)
        release.set()
        assert the_answer(await command(fake, "sources"))["embeds"][0]["title"] == "Stored articles"
        await platform.commands.queue.close()

    serve(discord_app, scenario)
