"""The bot as a real process: ``newsdigest serve`` (HTTP mode) and ``newsdigest run`` (Socket Mode)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from slack_support import SIGNING_SECRET

from bot.fakes.slack_web_api import FakeSlack, form_body, signed_headers

LISTENING = re.compile(r"answering /news over HTTP on 127\.0\.0\.1:(\d+)/slack/events")


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def start_newsdigest(
    args: list[str], env: dict[str, str], cwd: Path
) -> tuple[subprocess.Popen[str], list[str], threading.Thread]:
    """Start ``newsdigest ARGS`` and collect its stderr lines in a background thread."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        env=env,
        cwd=cwd,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stderr.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    return process, lines, reader


def test_serve_process(tmp_path: Path) -> None:
    with FakeSlack().running_in_thread() as slack:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.base_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        }
        env.pop("SLACK_APP_TOKEN", None)
        process, lines, reader = start_newsdigest(["serve", "--port", "0"], env, tmp_path)
        try:
            deadline = time.monotonic() + 60
            port = None
            while port is None and time.monotonic() < deadline and process.poll() is None:
                port = next((m.group(1) for m in map(LISTENING.search, list(lines)) if m), None)
                time.sleep(0.05)
            assert port is not None, "".join(lines)
            url = f"http://127.0.0.1:{port}/slack/events"
            body = form_body(slack.slash_command("/news", "help"))
            assert post(url, body, signed_headers(SIGNING_SECRET, body)) == 200
            assert post(url, body, signed_headers("forged", body)) == 401
            while not slack.responses and time.monotonic() < deadline:
                time.sleep(0.05)
            (reply,) = slack.responses
            assert reply["response_type"] == "ephemeral" and "/news sources" in reply["text"]
        finally:
            process.send_signal(signal.SIGTERM)
            returncode = process.wait(30)
            reader.join(5)
        assert returncode == 0, "".join(lines)
        assert not any(slack.bot_token in line or SIGNING_SECRET in line for line in lines)


def test_run_answers_over_socket_mode(tmp_path: Path) -> None:
    with FakeSlack().running_in_thread() as slack:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_APP_TOKEN": slack.app_token,
            "SLACK_API_URL": slack.base_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        }
        process, lines, reader = start_newsdigest(["run"], env, tmp_path)
        try:
            deadline = time.monotonic() + 60
            while not any("over Socket Mode" in line for line in list(lines)):
                assert time.monotonic() < deadline and process.poll() is None, "".join(lines)
                time.sleep(0.05)
            ack = slack.run_coroutine(slack.push_slash_command("/news", "quotes 12345"))
            assert ack.get("envelope_id")
            while not slack.responses and time.monotonic() < deadline:
                time.sleep(0.05)
            (reply,) = slack.responses
            assert reply["response_type"] == "ephemeral" and "No stored article matches '12345'" in reply["text"]
        finally:
            process.send_signal(signal.SIGTERM)
            returncode = process.wait(30)
            reader.join(5)
        assert returncode == 0, "".join(lines)
        assert not any(slack.bot_token in line or slack.app_token in line for line in lines)
