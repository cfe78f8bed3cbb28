"""`newsdigest --help` imports none of the heavy libraries, and lists every command as it would after importing it."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import click
from click.testing import CliRunner

from bot.cli import COMMAND_HELP, COMMANDS, cli

HEAVY = ("sqlalchemy", "alembic", "sumy", "nltk", "PIL", "numpy", "pydantic", "trafilatura", "slack_bolt", "discord")

PROBE = """
import json, sys
from bot.cli import cli
try:
    cli(["--help"], prog_name="newsdigest")
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def test_help_imports_no_heavy_library() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert "Commands:" in result.stdout
    imported = set(json.loads(result.stderr.strip().splitlines()[-1]))
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def test_listed_help_is_each_commands_own() -> None:
    assert set(COMMAND_HELP) == set(COMMANDS)
    for name, target in COMMANDS.items():
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        assert command.get_short_help_str(200) == click.Command(name, help=COMMAND_HELP[name]).get_short_help_str(200)
    assert "deliveries  List digest deliveries" in CliRunner().invoke(cli, ["--help"]).output
