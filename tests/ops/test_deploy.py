"""compose.yaml and the systemd units run exactly the README's commands: run those commands here, on PostgreSQL,
with their environment (secrets as files) against the local fakes. (The Dockerfile's are run by
test_ops_endpoint.py.)"""

from __future__ import annotations

import time
from pathlib import Path

from deploy_files import ROOT, compose, dockerfile, systemd_unit
from process_support import running

from bot.bench.crash import slack_markers
from bot.fakes.slack_web_api import FakeSlack

CANARY = "canary-token-from-a-file-51c0"
UNREACHABLE_DISCORD = "http://127.0.0.1:9/api/v10"
TICKER = '[{name = "ticker", cron = "*/2 * * * * *", channels = ["slack:#news"], post_empty = true}]'


def test_compose_and_systemd_run_a_scheduler_and_a_worker(postgres_url: str, tmp_path: Path) -> None:
    services = compose()["services"]
    scheduler_unit, worker_unit = systemd_unit("newsdigest.service"), systemd_unit("newsdigest-worker@.service")
    assert services["run"]["command"] == dockerfile()["cmd"] == ["newsdigest", "run"]
    assert scheduler_unit["exec"] == ["/opt/newsdigest/venv/bin/newsdigest", "run"]
    assert services["worker"]["command"] == ["newsdigest", "worker"]
    assert worker_unit["exec"] == ["/opt/newsdigest/venv/bin/newsdigest", "worker"]

    with FakeSlack(bot_token=CANARY).running_in_thread() as slack:
        slack.add_channel("news")
        secrets = {
            "slack_bot_token": slack.bot_token,
            "slack_app_token": slack.app_token,
            "discord_token": CANARY + "-discord",
            "database_url": postgres_url,
        }
        folder = tmp_path / "secrets"
        folder.mkdir()
        for name, value in secrets.items():
            (folder / name).write_text(value + "\n", encoding="utf-8")
        fakes = {"SLACK_API_URL": slack.base_url, "DISCORD_API_URL": UNREACHABLE_DISCORD}
        common = {"NEWSDIGEST_SCHEDULES": TICKER, "NEWSDIGEST_OPS_LISTEN": "127.0.0.1:0", **fakes}
        # The scheduler as systemd starts it: credentials in %d, the config in /etc/newsdigest.
        unit_env = {key: value.replace("%d", str(folder)) for key, value in scheduler_unit["env"].items()}
        unit_env["NEWSDIGEST_CONFIG"] = str(ROOT / "config" / "newsdigest.toml")
        # A worker as compose starts it: secrets in /run/secrets, the mounted config.
        compose_env = {
            key: str(value).replace("/run/secrets", str(folder)).replace("/opt/newsdigest", str(ROOT))
            for key, value in services["worker"]["environment"].items()
        }
        compose_env["NEWSDIGEST_CONFIG"] = str(ROOT / "config" / "newsdigest.toml")
        with (
            running(["newsdigest", "run"], {**unit_env, **common}, tmp_path) as scheduler,
            running(services["worker"]["command"], {**compose_env, **common}, tmp_path) as worker,
        ):
            status, ready = worker.get_json("/readyz")
            assert status == 200 and ready["role"] == "worker", ready
            deadline = time.monotonic() + 90
            while not slack_markers(slack.messages("#news")) and time.monotonic() < deadline:
                time.sleep(0.1)
            status, ready = scheduler.get_json("/readyz")
            assert status == 200 and ready["role"] == "leader" and ready["platforms"]["slack"] == "connected"
            assert slack_markers(slack.messages("#news"))[0].startswith("ticker@")
        assert scheduler.process.returncode == 0, "".join(scheduler.lines)
        assert worker.process.returncode == 0, "".join(worker.lines)
    assert any('"message": "posted the ticker@' in line for line in worker.lines)
    assert not any('"message": "posted the ticker@' in line for line in scheduler.lines)
    for lines in (scheduler.lines, worker.lines):
        assert CANARY not in "".join(lines) and all(line.startswith("{") for line in lines)
