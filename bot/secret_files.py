"""Secrets from files (Docker and systemd credentials): ``SLACK_BOT_TOKEN_FILE=/run/secrets/slack_bot_token``.

Each secret variable may instead be given as ``NAME_FILE``, the path of a file holding the value (one trailing
newline is dropped). Setting both (to different values) is a mistake, reported in one line, as is a file that
cannot be read.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from bot.config import ConfigError
from bot.logs import SECRET_VARIABLES

MAX_SECRET_BYTES = 64 * 1024


def load_secret_files(environ: MutableMapping[str, str]) -> list[str]:
    """Set each secret variable from its ``_FILE`` variable when given; returns the names set."""
    loaded = []
    for name in SECRET_VARIABLES:
        path = environ.get(f"{name}_FILE", "").strip()
        if not path:
            continue
        try:
            with open(path, "rb") as file:
                data = file.read(MAX_SECRET_BYTES + 1)
        except OSError as error:
            raise ConfigError(f"{name}_FILE: cannot read {path} ({error.strerror or error})") from None
        if len(data) > MAX_SECRET_BYTES:
            raise ConfigError(f"{name}_FILE: {path} is larger than {MAX_SECRET_BYTES // 1024} KiB; is it the secret?")
        try:
            value = data.decode("utf-8").removesuffix("\n").removesuffix("\r").strip()
        except UnicodeDecodeError:
            raise ConfigError(f"{name}_FILE: {path} is not UTF-8 text") from None
        if not value:
            raise ConfigError(f"{name}_FILE: {path} is empty")
        if environ.get(name, "").strip() not in ("", value):
            raise ConfigError(f"set {name} or {name}_FILE, not both")
        environ[name] = value
        loaded.append(name)
    return loaded
