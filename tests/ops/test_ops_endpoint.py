"""The ops endpoint scraped from a running ``newsdigest run`` started as the container image starts it (its CMD,
ENV and HEALTHCHECK from the Dockerfile; loopback only, the fake Slack)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from deploy_files import ROOT, dockerfile
from process_support import clean_environment, metric_value, running

from bot.fakes.slack_web_api import FakeSlack

CANARY_BOT_TOKEN = "canary-bot-7f3a91c2d5e8"
CANARY_DISCORD_TOKEN = "canary-discord-0b6e44d1a9"
METRICS = (
    "newsdigest_deliveries_total",
    "newsdigest_delivery_seconds",
    "newsdigest_feed_polls_total",
    "newsdigest_articles_ingested_total",
    "newsdigest_commands_total",
    "newsdigest_command_seconds",
    "newsdigest_queue_depth",
    "newsdigest_scheduler_leader",
)
# The schedule comes from the environment, over the image's configuration file.
TICKER = '[{name = "ticker", cron = "*/2 * * * * *", channels = ["slack:#news", "console"], post_empty = true}]'


def test_run_serves_health_readiness_and_metrics_with_json_logs(tmp_path: Path) -> None:
    image = dockerfile()
    assert image["cmd"] == ["newsdigest", "run"]
    env = {key: value.replace("/opt/newsdigest", str(ROOT)) for key, value in image["env"].items()}
    assert env["NEWSDIGEST_OPS_LISTEN"] == "0.0.0.0:9102" and env["NEWSDIGEST_LOG_FORMAT"] == "json"
    with FakeSlack(bot_token=CANARY_BOT_TOKEN).running_in_thread() as slack:
        slack.add_channel("news")
        env |= {
            "NEWSDIGEST_OPS_LISTEN": "127.0.0.1:0",
            "NEWSDIGEST_SCHEDULES": TICKER,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_APP_TOKEN": slack.app_token,
            "SLACK_API_URL": slack.base_url,
            "DISCORD_TOKEN": CANARY_DISCORD_TOKEN,
            "DISCORD_API_URL": "http://127.0.0.1:9/api/v10",
        }
        with running(image["cmd"], env, tmp_path) as bot:
            assert bot.get_json("/healthz") == (200, {"status": "ok"})
            check_env = clean_environment({**env, "NEWSDIGEST_OPS_LISTEN": f"0.0.0.0:{bot.ops_port()}"})
            healthcheck = [sys.executable if image["healthcheck"][0] == "python" else image["healthcheck"][0]]
            healthcheck += image["healthcheck"][1:]
            assert subprocess.run(healthcheck, env=check_env, timeout=30).returncode == 0
            bot.wait_for("over Socket Mode")
            ack = slack.run_coroutine(slack.push_slash_command("/news", "help"))
            assert ack.get("envelope_id")
            bot.wait_for(r'"message": "posted the ticker@\S+ digest to slack:#news"')

            status, ready = bot.get_json("/readyz")
            assert status == 200, ready
            assert ready["role"] == "leader" and ready["database"] == "ok" and ready["migrations"] == "current"
            assert ready["platforms"]["slack"] == "connected"
            assert ready["platforms"]["discord"] in ("reconnecting", "failed")
            assert isinstance(ready["queue_depth"], int) and ready["queue_depth"] >= 0

            deadline = time.monotonic() + 30
            while not slack.responses and time.monotonic() < deadline:
                time.sleep(0.05)
            status, text = bot.get("/metrics")
            assert status == 200
            for name in METRICS:
                assert f"# TYPE {name.removesuffix('_total')}" in text, name
            assert (metric_value(text, "newsdigest_deliveries_total", platform="slack", state="sent") or 0) >= 1
            assert (metric_value(text, "newsdigest_deliveries_total", platform="console", state="sent") or 0) >= 1
            assert (metric_value(text, "newsdigest_delivery_seconds_count") or 0) >= 2
            assert metric_value(text, "newsdigest_scheduler_leader") == 1
            assert metric_value(text, "newsdigest_articles_ingested_total") == 1  # the seeded article, once
            counted = metric_value(text, "newsdigest_commands_total", platform="slack", command="help", outcome="ok")
            assert counted == 1
            assert metric_value(text, "newsdigest_command_seconds_count") == 1
        assert bot.process.returncode == 0, "".join(bot.lines)
        assert subprocess.run(healthcheck, env=check_env, capture_output=True, timeout=30).returncode == 1

    logged = "".join(bot.lines)
    assert CANARY_BOT_TOKEN not in logged and slack.app_token not in logged and CANARY_DISCORD_TOKEN not in logged
    entries = [json.loads(line) for line in bot.lines if line.strip()]
    assert entries and all({"timestamp", "level", "logger", "message"} <= entry.keys() for entry in entries)
    posted = next(e for e in entries if e["message"].startswith("posted the ticker@") and "slack" in e["message"])
    assert posted["schedule"] == "ticker" and posted["channel"] == "slack:#news"
    assert isinstance(posted["delivery_id"], int) and posted["slot"].startswith("20")
    stored = next(e for e in entries if e["message"].startswith("schedule ticker: stored"))
    assert stored["schedule"] == "ticker" and "slot" in stored
