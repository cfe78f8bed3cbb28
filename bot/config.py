"""The newsdigest configuration file: validated at start, one clear line per mistake."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from digests.summaries import ALGORITHMS, UnknownAlgorithm, resolve_algorithm

CONFIG_ENV = "NEWSDIGEST_CONFIG"
ENV_PREFIX = "NEWSDIGEST_"
OPS_LISTEN_ENV = "NEWSDIGEST_OPS_LISTEN"
LOCAL_CONFIG = Path("config/newsdigest.toml")
CHANNEL_PATTERN = re.compile(r"^(console|slack:(#[a-z0-9][a-z0-9._-]{0,79}|[CGD][A-Z0-9]{6,})|discord:\d{15,21})$")


class ConfigError(ValueError):
    """A configuration problem, worded for the person editing the file."""


class Section(BaseModel):
    """Every section rejects keys it does not know, so typos are caught."""

    model_config = ConfigDict(extra="forbid", frozen=True)


INTERVAL_PATTERN = re.compile(r"^\s*(\d{1,5})\s*([smhd])\s*$")
INTERVAL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_INTERVAL_SECONDS = 60


def interval_seconds(value: str) -> int:
    """``"15m"``, ``"1h"``, ``"90s"`` or ``"1d"`` as seconds (at least one minute)."""
    match = INTERVAL_PATTERN.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not an interval; write it like '15m', '2h', '1d'")
    seconds = int(match.group(1)) * INTERVAL_UNITS[match.group(2)]
    if not MIN_INTERVAL_SECONDS <= seconds <= 7 * 86400:
        raise ValueError(f"{value!r}: polling intervals run from 1m to 7d")
    return seconds


class SourceConfig(Section):
    """Where articles come from: a file or folder (``path``), a ``feed``, a page (``url``) or an ``opml`` list."""

    path: str | None = Field(default=None, min_length=1)
    feed: str | None = Field(default=None, min_length=1)
    url: str | None = Field(default=None, min_length=1)
    opml: str | None = Field(default=None, min_length=1)
    every: str = "15m"
    outlet: str | None = Field(default=None, min_length=1, max_length=100)

    @field_validator("feed", "url")
    @classmethod
    def web_address(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value, re.I):
            raise ValueError(f"{value!r} is not an http:// or https:// URL")
        return value

    @field_validator("every")
    @classmethod
    def valid_interval(cls, value: str) -> str:
        interval_seconds(value)
        return value

    @model_validator(mode="after")
    def one_kind(self) -> SourceConfig:
        given = [key for key in ("path", "feed", "url", "opml") if getattr(self, key) is not None]
        if len(given) != 1:
            raise ValueError(
                "each [[sources]] entry needs exactly one of path, feed, url or opml"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    @property
    def every_seconds(self) -> int:
        return interval_seconds(self.every)


class FetchConfig(Section):
    """How newsdigest fetches feeds and pages: who it says it is, where it may connect, its limits."""

    contact: str = Field(default="", max_length=200)
    allow_hosts: list[str] = Field(default_factory=list)
    connect_timeout: Annotated[float, Field(gt=0, le=120)] = 10
    read_timeout: Annotated[float, Field(gt=0, le=300)] = 20
    total_timeout: Annotated[float, Field(gt=0, le=600)] = 30
    max_bytes: Annotated[int, Field(ge=1024, le=100_000_000)] = 5_000_000
    max_redirects: Annotated[int, Field(ge=0, le=20)] = 5
    concurrency: Annotated[int, Field(ge=1, le=500)] = 20
    per_host: Annotated[int, Field(ge=1, le=100)] = 4
    failures_before_alert: Annotated[int, Field(ge=1, le=100)] = 3


class AlertsConfig(Section):
    """Where operational alerts (a source failing, then recovering) are posted."""

    channel: str | None = None

    @field_validator("channel")
    @classmethod
    def valid_channel(cls, value: str | None) -> str | None:
        return check_channel(value) if value else None


class IngestConfig(Section):
    """Limits on what one article file may cost to load."""

    max_article_mb: Annotated[float, Field(gt=0, le=100)] = 2.0


class SummaryConfig(Section):
    """Which summariser and how many sentences."""

    algorithm: str = "default"
    sentences: Annotated[int, Field(ge=1, le=10)] = 3

    @field_validator("algorithm")
    @classmethod
    def known_algorithm(cls, value: str) -> str:
        try:
            resolve_algorithm(value)
        except UnknownAlgorithm:
            raise ValueError(f"unknown summariser {value!r}; choose one of {', '.join(ALGORITHMS)}") from None
        return value


class DigestConfig(Section):
    """How digests look."""

    title: str = "News digest"
    max_items: Annotated[int, Field(ge=1, le=100)] = 10


class CardConfig(Section):
    """How quote cards look and where the digest writes them."""

    outlet: str = Field(default="", max_length=60)
    size: str = "1200x675"
    background: str = "#14213D"
    text: str = "#FFFFFF"
    accent: str = "#FCA311"
    logo: str | None = None
    directory: str = Field(default="cards", min_length=1)
    headline: bool = True

    @field_validator("size")
    @classmethod
    def known_size(cls, value: str) -> str:
        from digests.cards.settings import CARD_SIZES

        if value not in CARD_SIZES:
            raise ValueError(f"{value!r} is not a card size; use one of {', '.join(CARD_SIZES)}")
        return value

    @field_validator("background", "text", "accent")
    @classmethod
    def hex_colour(cls, value: str) -> str:
        from digests.cards.colours import parse_hex

        parse_hex(value)
        return value

    @field_validator("logo")
    @classmethod
    def readable_logo(cls, value: str | None) -> str | None:
        if value and not Path(value).expanduser().is_file():
            raise ValueError(f"logo file {value!r} not found")
        return value or None

    @model_validator(mode="after")
    def readable_text(self) -> CardConfig:
        from digests.cards.colours import MIN_CONTRAST, MIN_LARGE_CONTRAST, contrast_ratio

        for key, needed in (("text", MIN_CONTRAST), ("accent", MIN_LARGE_CONTRAST)):
            colour = getattr(self, key)
            ratio = contrast_ratio(colour, self.background)
            if ratio < needed:
                raise ValueError(
                    f"{key} {colour} on background {self.background} has contrast {ratio:.1f}:1;"
                    f" cards need at least {needed:.1f}:1 to be readable"
                )
        return self


def check_channel(value: str) -> str:
    """``console``, ``slack:#name`` / ``slack:CHANNELID`` or ``discord:CHANNELID``."""
    if not CHANNEL_PATTERN.match(value):
        raise ValueError(
            f"{value!r} is not a channel; use 'console', 'slack:#name', 'slack:C0123ABCD' or 'discord:<channel id>'"
        )
    return value


def check_cron(value: str) -> str:
    """A five-field crontab expression (or six, with a leading seconds field)."""
    from bot.scheduler import cron_trigger

    try:
        cron_trigger(value, "UTC")
    except ValueError as error:
        raise ValueError(f"{value!r} is not a valid cron expression ({error})") from None
    return value


def check_timezone(value: str) -> str:
    """An IANA time zone name."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone such as 'Europe/London'") from None
    return value


class ScheduleConfig(Section):
    """When a digest is posted and where."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_-]+$")
    cron: str
    timezone: str = "UTC"
    channels: list[str] = Field(min_length=1)
    sources: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    topic: str | None = None
    max_items: Annotated[int, Field(ge=1, le=100)] | None = None
    post_empty: bool = False

    @field_validator("cron")
    @classmethod
    def valid_cron(cls, value: str) -> str:
        return check_cron(value)

    @field_validator("timezone")
    @classmethod
    def valid_timezone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("channels")
    @classmethod
    def valid_channels(cls, values: list[str]) -> list[str]:
        return [check_channel(value) for value in values]


class SchedulerConfig(Section):
    """How the long-running bot catches up missed slots and retries failed deliveries."""

    misfire_grace_seconds: Annotated[int, Field(ge=1, le=7 * 86400)] = 3600
    retry_initial_seconds: Annotated[float, Field(gt=0, le=86400)] = 30
    retry_max_seconds: Annotated[float, Field(gt=0, le=86400)] = 3600
    max_attempts: Annotated[int, Field(ge=1, le=100)] = 8
    lock_poll_seconds: Annotated[float, Field(gt=0, le=3600)] = 5


class DiscordConfig(Section):
    """Where the ``/news`` application commands are registered (the token comes from ``DISCORD_TOKEN``), and the
    bot's request budget for posting (Discord allows 50 requests a second per bot)."""

    guilds: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list)
    global_sync: bool = False
    bot_requests: Annotated[int, Field(ge=1, le=10_000)] = 45
    bot_period: Annotated[float, Field(gt=0, le=60)] = 1.0


class OpsConfig(Section):
    """The health, readiness and metrics endpoint (off unless ``listen`` is set)."""

    listen: str | None = None

    @field_validator("listen")
    @classmethod
    def host_and_port(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        host, _, port = value.strip().rpartition(":")
        if not host or not port.isdigit() or int(port) > 65535:
            raise ValueError(f"{value!r} is not HOST:PORT, e.g. '127.0.0.1:9102' (or '0.0.0.0:9102' in a container)")
        return value.strip()


class QueueConfig(Section):
    """Scale-out on PostgreSQL: the scheduler only enqueues, ``newsdigest worker`` processes do the work."""

    enabled: bool = False
    concurrency: Annotated[int, Field(ge=1, le=64)] = 4
    channel_interval_seconds: Annotated[float, Field(ge=0, le=3600)] = 1.0
    sweep_seconds: Annotated[float, Field(gt=0, le=3600)] = 5.0
    poll_seconds: Annotated[float, Field(gt=0, le=60)] = 0.5
    heartbeat_seconds: Annotated[float, Field(gt=0, le=600)] = 5.0
    stalled_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0

    @model_validator(mode="after")
    def stalled_after_heartbeats(self) -> QueueConfig:
        if self.stalled_seconds <= 2 * self.heartbeat_seconds:
            raise ValueError("stalled_seconds must be more than twice heartbeat_seconds")
        return self


class Config(Section):
    """The whole configuration file."""

    sources: list[SourceConfig] = Field(default_factory=lambda: [SourceConfig(path="seeds")])
    ingest: IngestConfig = IngestConfig()
    summary: SummaryConfig = SummaryConfig()
    digest: DigestConfig = DigestConfig()
    discord: DiscordConfig = DiscordConfig()
    cards: CardConfig = CardConfig()
    schedules: list[ScheduleConfig] = Field(default_factory=list)
    scheduler: SchedulerConfig = SchedulerConfig()
    fetch: FetchConfig = FetchConfig()
    alerts: AlertsConfig = AlertsConfig()
    ops: OpsConfig = OpsConfig()
    queue: QueueConfig = QueueConfig()

    @field_validator("schedules")
    @classmethod
    def unique_names(cls, schedules: list[ScheduleConfig]) -> list[ScheduleConfig]:
        names = [schedule.name for schedule in schedules]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"schedule names must be unique; repeated: {', '.join(duplicates)}")
        return schedules

    def channels(self) -> list[str]:
        """Every channel any schedule posts to, in first-mentioned order."""
        seen: dict[str, None] = {}
        for schedule in self.schedules:
            seen.update(dict.fromkeys(schedule.channels))
        return list(seen) or ["console"]


def describe(error: ValidationError, origin: str, overrides: Mapping[str, str] | None = None) -> str:
    """The first validation problem as one line: where (the file, or the environment variable), which key, what."""
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    for path, variable in (overrides or {}).items():
        if key == path or key.startswith(path + "."):
            origin = f"environment {variable}"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key (check its spelling)"
    more = len(error.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{origin}: {key}: {message}{suffix}"


def env_value(raw: str) -> Any:
    """An override's value: a TOML array or inline table when it looks like one, else the string (pydantic
    turns ``"5"`` into 5 and ``"true"`` into True where the key wants that)."""
    if raw.lstrip().startswith(("[", "{")):
        try:
            return tomllib.loads(f"value = {raw}")["value"]
        except tomllib.TOMLDecodeError:
            return raw
    return raw


def apply_environment(data: dict[str, Any], environ: Mapping[str, str]) -> dict[str, str]:
    """Apply ``NEWSDIGEST_SECTION__KEY=value`` overrides to parsed TOML ``data`` in place.

    ``__`` separates levels, names are case-insensitive, a number picks a list item
    (``NEWSDIGEST_SCHEDULES__0__CRON``) and a whole list can be given as TOML
    (``NEWSDIGEST_SOURCES='[{path = "/data/articles"}]'``). ``NEWSDIGEST_OPS_LISTEN`` is ``ops.listen``.
    Returns dotted key -> the variable that set it, so errors can name the variable.
    """
    applied: dict[str, str] = {}
    for variable in sorted(environ):
        if not variable.startswith(ENV_PREFIX):
            continue
        parts = variable[len(ENV_PREFIX) :].lower().split("__")
        if variable == OPS_LISTEN_ENV:
            parts = ["ops", "listen"]
        elif parts[0] not in Config.model_fields:
            if len(parts) > 1:
                raise ConfigError(f"environment {variable}: {parts[0]!r} is not a configuration section")
            continue  # NEWSDIGEST_CONFIG, NEWSDIGEST_LOG_FORMAT and other settings that are not config keys
        target: Any = data
        for depth, part in enumerate(parts[:-1]):
            if isinstance(target, list):
                if not part.isdigit() or int(part) >= len(target):
                    raise ConfigError(f"environment {variable}: there is no item {part} in {'.'.join(parts[:depth])}")
                target = target[int(part)]
            else:
                target = target.setdefault(part, {})
            if not isinstance(target, dict | list):
                raise ConfigError(f"environment {variable}: {'.'.join(parts[: depth + 1])} is not a section")
        last = parts[-1]
        if isinstance(target, list):
            if not last.isdigit() or int(last) >= len(target):
                raise ConfigError(f"environment {variable}: there is no item {last} in {'.'.join(parts[:-1])}")
            target[int(last)] = env_value(environ[variable])
        else:
            target[last] = env_value(environ[variable])
        applied[".".join(parts)] = variable
    return applied


def parse_config(text: str, origin: str, environ: Mapping[str, str] | None = None) -> Config:
    """Validate TOML text with the environment's overrides applied; raises :class:`ConfigError` with one line."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{origin}: not valid TOML ({error})") from None
    overrides = apply_environment(data, {} if environ is None else environ)
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(describe(error, origin, overrides)) from None


def embedded_defaults() -> str:
    """The configuration newsdigest runs on when none is given."""
    return (resources.files("bot") / "default_config.toml").read_text(encoding="utf-8")


def config_path(explicit: str | None) -> Path | None:
    """``--config``, else ``$NEWSDIGEST_CONFIG``, else ``config/newsdigest.toml`` when present."""
    chosen = explicit or os.environ.get(CONFIG_ENV)
    if chosen:
        return Path(chosen)
    return LOCAL_CONFIG if LOCAL_CONFIG.is_file() else None


def load_config(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """The active configuration: the file chosen by :func:`config_path`, or the embedded defaults, with the
    environment's ``NEWSDIGEST_SECTION__KEY`` overrides."""
    environ = os.environ if environ is None else environ
    path = config_path(explicit)
    if path is None:
        return parse_config(embedded_defaults(), "embedded defaults", environ)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error})") from None
    return parse_config(text, str(path), environ)
