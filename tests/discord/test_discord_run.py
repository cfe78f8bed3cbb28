"""``newsdigest run``: Discord on the same event loop as the scheduler, posting on schedule and serving /news."""

from __future__ import annotations

import asyncio
import io

from discord_support import run_clean

from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.config import parse_config
from bot.discord.render import read_marker
from bot.fakes.discord_server import FakeDiscord
from bot.runner import run_bot

GUILD_ID = 900000000000000001
CHANNEL_ID = 111111111111111111


def test_long_running_bot_posts_on_schedule_and_answers_commands(sqlite_url: str) -> None:
    config = parse_config(
        f"""
[discord]
guilds = [{GUILD_ID}]

[scheduler]
lock_poll_seconds = 0.2

[[schedules]]
name = "often"
cron = "*/2 * * * * *"
channels = ["discord:{CHANNEL_ID}"]
""",
        "test config",
    )
    app = App(config, sqlite_url)

    async def scenario() -> None:
        async with FakeDiscord() as fake:
            fake.add_channel("newsroom", channel_id=CHANNEL_ID)
            stop = asyncio.Event()
            bot = asyncio.create_task(
                run_bot(app, environ=fake.environ(), console=ConsoleChannel(io.StringIO()), stop=stop)
            )
            try:
                await fake.wait_identified(timeout=30)
                assert [c["name"] for c in fake.commands(GUILD_ID)] == ["news"]
                for _ in range(150):
                    if fake.messages(CHANNEL_ID):
                        break
                    await asyncio.sleep(0.1)
                [posted, *_] = fake.messages(CHANNEL_ID)
                marker = read_marker(posted["embeds"][-1]["footer"]["text"])
                assert marker is not None and marker[0].startswith("often@")
                record = await (await fake.push_command("help")).wait()
                assert "/news ask" in record.answers[0]["content"]
            finally:
                stop.set()
                status = await asyncio.wait_for(bot, 30)
            assert status == 0
            markers = [read_marker(m["embeds"][-1]["footer"]["text"]) for m in fake.messages(CHANNEL_ID)]
            assert len({m[0] for m in markers if m}) == len([m for m in markers if m and m[1] == 1])  # each slot once

    try:
        run_clean(scenario)
    finally:
        app.close()
