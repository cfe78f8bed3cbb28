"""Where a benchmark's CPU went on this machine: all cores, the PostgreSQL server, the bench process itself.

Read from /proc (Linux); elsewhere every figure is None. PostgreSQL's share is the CPU of its live processes
plus what its exited backends left in the postmaster's children counters.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
# Positions in a stat file's numbers after the state letter (proc(5): utime is field 14 of the line).
UTIME, STIME, CUTIME, CSTIME = 10, 11, 12, 13


@dataclass(frozen=True)
class CpuSnapshot:
    """Cumulative CPU counters at one moment."""

    busy_ticks: int | None
    total_ticks: int | None
    postgres_seconds: float | None
    own_seconds: float


@dataclass(frozen=True)
class CpuUse:
    """CPU used between two snapshots."""

    busy_cores: float | None  # average cores busy (of os.cpu_count())
    postgres_seconds: float | None
    own_seconds: float


def snapshot() -> CpuSnapshot:
    busy, total = _machine_ticks()
    return CpuSnapshot(busy, total, _postgres_seconds(), time.process_time())


def used(start: CpuSnapshot, end: CpuSnapshot) -> CpuUse:
    busy_cores = None
    if None not in (start.busy_ticks, start.total_ticks, end.busy_ticks, end.total_ticks):
        busy = end.busy_ticks - start.busy_ticks  # type: ignore[operator]
        total = end.total_ticks - start.total_ticks  # type: ignore[operator]
        busy_cores = round(busy / total * (os.cpu_count() or 1), 2) if total > 0 else None
    postgres = None
    if start.postgres_seconds is not None and end.postgres_seconds is not None:
        postgres = round(end.postgres_seconds - start.postgres_seconds, 2)
    return CpuUse(busy_cores, postgres, round(end.own_seconds - start.own_seconds, 2))


def _machine_ticks() -> tuple[int | None, int | None]:
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None, None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return total - idle, total


def process_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (None when it cannot be read)."""
    read = _stat(Path(f"/proc/{pid}/stat"))
    return None if read is None else (read[1][UTIME] + read[1][STIME]) / CLOCK_TICKS


def _stat(path: Path) -> tuple[str, list[int]] | None:
    """A /proc ``stat`` file's command name and its numeric fields after the state letter (None once the process
    is gone)."""
    try:
        head, tail = path.read_text().rsplit(")", 1)
        return head.split("(", 1)[1], [int(v) for v in tail.split()[1:]]
    except (OSError, IndexError, ValueError):
        return None


def _postgres_seconds() -> float | None:
    ticks = 0
    found = False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        read = _stat(stat)
        if read is None or read[0] != "postgres":
            continue
        found = True
        fields = read[1]
        ticks += fields[UTIME] + fields[STIME] + fields[CUTIME] + fields[CSTIME]
    return ticks / CLOCK_TICKS if found else None
