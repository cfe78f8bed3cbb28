"""Logging for every ``newsdigest`` command: ISO-8601 timestamps, text or JSON lines, secrets redacted.

Text lines read ``2026-11-29T23:01:02.345Z INFO bot.delivery: posted ...``; with ``--log-format json`` (or
``$NEWSDIGEST_LOG_FORMAT=json``) each line is one JSON object with ``timestamp``, ``level``, ``logger``,
``message`` and the event's fields given as ``extra=`` (``schedule``, ``slot``, ``channel``, ``delivery_id``,
``feed``, ...). Every line passes :class:`SecretRedactor` first: the values of the secret environment variables
and anything shaped like a Slack token never reach a log.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

LOG_FORMAT_ENV = "NEWSDIGEST_LOG_FORMAT"
LOG_FORMATS = ("text", "json")
SECRET_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN", "DATABASE_URL")
REDACTED = "[redacted]"
# Slack tokens (xoxb-, xoxp-, xapp-, ...) and a password in a database URL, wherever they appear.
SECRET_PATTERNS = (
    re.compile(r"\bx(?:ox[abposr]|app)-[A-Za-z0-9-]+"),
    re.compile(r"(?<=://)([^:/@\s]+):[^@/\s]+(?=@)"),
)
# Attributes every LogRecord has; anything else on a record came in through ``extra=``.
STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words


def iso_timestamp(created: float) -> str:
    """``2026-11-29T23:01:02.345Z`` (UTC, milliseconds)."""
    moment = datetime.fromtimestamp(created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def event_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields passed with ``extra=``."""
    return {key: value for key, value in vars(record).items() if key not in STANDARD_ATTRIBUTES}


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return str(value)


class TextFormatter(logging.Formatter):
    """``TIMESTAMP LEVEL logger: message``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return iso_timestamp(record.created)


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": iso_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in event_fields(record).items():
            entry.setdefault(key, jsonable(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class SecretRedactor(logging.Filter):
    """Replaces secret values in a record's message, arguments, fields and traceback before it is formatted."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        for pattern in SECRET_PATTERNS:
            text = pattern.sub(REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        record.msg, record.args = self.redact(message), None
        for key, value in event_fields(record).items():
            if isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


def secret_values(environ: Mapping[str, str]) -> list[str]:
    """The current values of the secret environment variables (read from their ``_FILE`` already, if any)."""
    return [environ[name].strip() for name in SECRET_VARIABLES if environ.get(name, "").strip()]


def configure_logging(
    log_format: str = "text",
    verbose: bool = False,
    stream: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
    force: bool = False,
) -> logging.Handler | None:
    """Send every log line to ``stream`` (stderr) in ``log_format``; returns the installed handler.

    Like :func:`logging.basicConfig`, nothing is installed when the root logger already has another handler
    (a test harness capturing logs), unless ``force``.
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format {log_format!r} is not one of {', '.join(LOG_FORMATS)}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(SecretRedactor(secret_values(os.environ if environ is None else environ)))
    root = logging.getLogger()
    ours = [old for old in root.handlers if getattr(old, "newsdigest", False)]
    if not force and len(ours) < len(root.handlers):
        return None
    for old in ours:
        root.removeHandler(old)
    handler.newsdigest = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if not verbose:  # Procrastinate logs every deferred, started and finished job at INFO
        logging.getLogger("procrastinate").setLevel(logging.WARNING)
    return handler
