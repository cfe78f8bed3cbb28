"""Run ``newsdigest`` as a long-lived process and read its ops endpoint."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

OPS_LISTENING = re.compile(r"ops endpoint listening on http://127\.0\.0\.1:(\d+)")
PRIVATE_PREFIXES = ("SLACK_", "DISCORD_", "NEWSDIGEST_")


class Running:
    """A started process, its stderr lines (collected in a thread) and its ops port."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.port: int | None = None

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in iter(self.process.stderr.readline, ""):
            self.lines.append(line)

    def wait_for(self, pattern: re.Pattern[str] | str, timeout: float = 60) -> re.Match[str]:
        compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                match = compiled.search(line)
                if match:
                    return match
            assert self.process.poll() is None, "exited early:\n" + "".join(self.lines)
            time.sleep(0.05)
        raise AssertionError(f"no {compiled.pattern!r} within {timeout} s:\n" + "".join(self.lines))

    def ops_port(self) -> int:
        if self.port is None:
            self.port = int(self.wait_for(OPS_LISTENING).group(1))
        return self.port

    def get(self, path: str) -> tuple[int, str]:
        url = f"http://127.0.0.1:{self.ops_port()}{path}"
        try:
            with urllib.request.urlopen(url, timeout=20) as response:
                return int(response.status), response.read().decode()
        except urllib.error.HTTPError as error:
            return int(error.code), error.read().decode()

    def get_json(self, path: str) -> tuple[int, dict[str, Any]]:
        status, body = self.get(path)
        return status, json.loads(body)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(10)
        self.reader.join(5)
        return code


def clean_environment(extra: dict[str, str]) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(PRIVATE_PREFIXES)}
    environment.pop("DATABASE_URL", None)
    environment.update(extra)
    return environment


@contextmanager
def running(argv: list[str], env: dict[str, str], cwd: Path) -> Iterator[Running]:
    """``argv`` (``newsdigest`` is this checkout's CLI) started in ``cwd``; stopped with SIGTERM afterwards."""
    if argv and argv[0] == "newsdigest":
        argv = [sys.executable, "-c", "from bot.cli import main; main()", *argv[1:]]
    process = subprocess.Popen(argv, env=clean_environment(env), cwd=cwd, stderr=subprocess.PIPE, text=True)
    started = Running(process)
    try:
        yield started
    finally:
        started.stop()


def metric_value(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text, or None when absent."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        sample, _, label_text = head.partition("{")
        found = dict(re.findall(r'(\w+)="([^"]*)"', label_text))
        if sample == name and found == labels:
            return float(value)
    return None
