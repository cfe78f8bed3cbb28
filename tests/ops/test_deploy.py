"""The compose and systemd files run exactly the README's commands: run those commands here (the Dockerfile's are
run by test_ops_endpoint.py)."""

from __future__ import annotations

from pathlib import Path

from deploy_files import ROOT, systemd_unit
from process_support import running

from bot.fakes.slack_web_api import FakeSlack

CANARY = "canary-token-from-a-file-51c0"


def test_the_systemd_unit_reads_its_credentials_from_files(tmp_path: Path) -> None:
    unit = systemd_unit("newsdigest.service")
    assert unit["exec"] == ["/opt/newsdigest/venv/bin/newsdigest", "run"]
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    with FakeSlack(bot_token=CANARY).running_in_thread() as slack:
        secrets = {
            "slack_bot_token": slack.bot_token,
            "slack_app_token": slack.app_token,
            "discord_token": CANARY + "-discord",
            "database_url": f"sqlite:///{tmp_path / 'unit.db'}",
        }
        for name, value in secrets.items():
            (credentials / name).write_text(value + "\n", encoding="utf-8")
        env = {key: value.replace("%d", str(credentials)) for key, value in unit["env"].items()}
        env["NEWSDIGEST_CONFIG"] = str(ROOT / "config" / "newsdigest.toml")
        env["NEWSDIGEST_OPS_LISTEN"] = "127.0.0.1:0"
        env |= {"SLACK_API_URL": slack.base_url, "DISCORD_API_URL": "http://127.0.0.1:9/api/v10"}  # the local fakes
        with running(["newsdigest", *unit["exec"][1:]], env, tmp_path) as bot:
            bot.wait_for("over Socket Mode")
            status, ready = bot.get_json("/readyz")
            assert status == 200 and ready["platforms"]["slack"] == "connected", ready
        assert bot.process.returncode == 0, "".join(bot.lines)
    assert (tmp_path / "unit.db").is_file()
    assert CANARY not in "".join(bot.lines) and all(line.startswith("{") for line in bot.lines)
