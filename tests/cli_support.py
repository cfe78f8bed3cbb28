"""Run the ``newsdigest`` command as a user would: a fresh process, no tokens or settings inherited."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PRIVATE_PREFIXES = ("SLACK_", "DISCORD_", "NEWSDIGEST_")


def newsdigest(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``newsdigest ARGS`` in ``cwd`` with only ``env`` added to a clean environment."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(PRIVATE_PREFIXES)}
    environment.pop("DATABASE_URL", None)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
