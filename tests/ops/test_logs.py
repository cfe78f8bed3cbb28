"""Log lines: ISO-8601 timestamps, JSON with the event's fields, and no secret ever written."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

from bot.logs import REDACTED, configure_logging

ISO_LINE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (INFO|WARNING|ERROR|DEBUG) [\w.]+: ")
SECRETS = {
    "SLACK_BOT_TOKEN": "canary-slack-bot-5d1c8e",
    "SLACK_SIGNING_SECRET": "canary-signing-93ab7",
    "DISCORD_TOKEN": "canary-discord-MTIzNDU2",
    "DATABASE_URL": "postgresql://news:canary-db-pass@db.internal/news",
}


@pytest.fixture
def capture() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield stream
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
    root.setLevel(level)


def emit_everything(logger: logging.Logger) -> None:
    fields = {"schedule": "morning", "channel": "slack:#news", "delivery_id": 7}
    logger.info("posted to %s", "slack:#news", extra=fields)
    logger.warning("token was %s and secret %s", SECRETS["SLACK_BOT_TOKEN"], SECRETS["SLACK_SIGNING_SECRET"])
    logger.error("connect failed for %s", SECRETS["DATABASE_URL"], extra={"feed": SECRETS["DISCORD_TOKEN"]})
    logger.info("a real-shaped token xoxb-12345-67890-AbCdEf leaked, and xapp-1-A0-99")
    try:
        raise RuntimeError(f"auth failed with {SECRETS['DISCORD_TOKEN']}")
    except RuntimeError:
        logger.exception("request failed")


def test_text_lines_start_with_an_iso_timestamp_and_hide_secrets(capture: io.StringIO) -> None:
    configure_logging("text", stream=capture, environ=SECRETS, force=True)
    emit_everything(logging.getLogger("bot.test"))
    output = capture.getvalue()
    lines = [line for line in output.splitlines() if not line.startswith((" ", "Traceback", "RuntimeError"))]
    assert len(lines) == 5 and all(ISO_LINE.match(line) for line in lines), output
    for secret in [*SECRETS.values(), "canary-db-pass", "xoxb-12345-67890-AbCdEf", "xapp-1-A0-99"]:
        assert secret not in output
    assert output.count(REDACTED) >= 6
    assert "RuntimeError: auth failed with [redacted]" in output


def test_json_lines_carry_the_event_fields_and_hide_secrets(capture: io.StringIO) -> None:
    configure_logging("json", stream=capture, environ=SECRETS, force=True)
    emit_everything(logging.getLogger("bot.test"))
    output = capture.getvalue()
    entries = [json.loads(line) for line in output.splitlines()]
    assert len(entries) == 5
    first = entries[0]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", first["timestamp"])
    assert (first["level"], first["logger"], first["message"]) == ("INFO", "bot.test", "posted to slack:#news")
    assert (first["schedule"], first["channel"], first["delivery_id"]) == ("morning", "slack:#news", 7)
    assert entries[2]["feed"] == REDACTED
    assert "Traceback" in entries[4]["exception"] and "[redacted]" in entries[4]["exception"]
    for secret in [*SECRETS.values(), "canary-db-pass", "xoxb-12345-67890-AbCdEf"]:
        assert secret not in output


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="log format 'xml' is not one of text, json"):
        configure_logging("xml", stream=io.StringIO())
