"""The Slack app manifest matches what the bot uses."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.commands import SUBCOMMANDS
from bot.slack.commands import COMMAND

MANIFEST = Path(__file__).resolve().parents[2] / "config" / "slack-app-manifest.yml"


def test_manifest_declares_the_command_scopes_and_socket_mode() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert all(name in command["usage_hint"] for name in SUBCOMMANDS)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "files:write", "channels:read", "channels:history"} <= scopes
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["features"]["bot_user"]["display_name"] == "newsdigest"
