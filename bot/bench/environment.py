"""The environment a benchmark gives the ``newsdigest`` processes it starts."""

from __future__ import annotations

import os
from collections.abc import Mapping

PRIVATE_PREFIXES = ("SLACK_", "DISCORD_", "NEWSDIGEST_")


def child_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without platform tokens or newsdigest settings, plus ``extra``."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith(PRIVATE_PREFIXES)}, **extra}
