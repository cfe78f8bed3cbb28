"""Read the commands and environment the Dockerfile, compose.yaml and systemd units run, as those tools would."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def dockerfile() -> dict[str, Any]:
    """The final ``ENV`` values, ``CMD`` and ``HEALTHCHECK`` command (exec form) of the Dockerfile."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    env: dict[str, str] = {}
    found: dict[str, Any] = {"env": env}
    for line in text.splitlines():
        instruction, _, rest = line.strip().partition(" ")
        if instruction == "ENV":
            env.update(dict(pair.split("=", 1) for pair in shlex.split(rest)))
        elif instruction == "CMD":
            found["cmd"] = json.loads(rest)
        elif instruction == "HEALTHCHECK":
            found["healthcheck"] = json.loads(rest.partition(" CMD ")[2])
    return found


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8")))


def systemd_unit(name: str) -> dict[str, Any]:
    """``ExecStart`` (split as systemd does) and the ``Environment=`` settings of a unit in deploy/."""
    env: dict[str, str] = {}
    unit: dict[str, Any] = {"env": env}
    for line in (ROOT / "deploy" / name).read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key == "Environment":
            name_, _, setting = value.partition("=")
            env[name_] = setting
        elif key == "ExecStart":
            unit["exec"] = shlex.split(value)
    return unit
