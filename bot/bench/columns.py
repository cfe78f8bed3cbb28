"""A benchmark's figures as the table docs/BENCHMARKS.md holds: one row per measure, one column per worker count."""

from __future__ import annotations

import os
from dataclasses import asdict
from typing import Any

MACHINE_ROWS = [
    (f"cores busy on the machine, all processes (of {os.cpu_count()})", "machine_busy_cores"),
    ("PostgreSQL server CPU seconds", "postgres_cpu_seconds"),
]


def per_worker_table(runs: list[Any], rows: list[tuple[str, str]], command: str) -> str:
    """``runs`` are dataclasses with a ``workers`` field and every key named in ``rows`` (title, field)."""
    header = "| measure | " + " | ".join(f"{r.workers} worker{'s' if r.workers > 1 else ''}" for r in runs) + " |"
    lines = [header, "|---|" + "---|" * len(runs)]
    figures = [asdict(run) for run in runs]
    for title, key in rows:
        lines.append(f"| {title} | " + " | ".join(str(f[key]) for f in figures) + " |")
    return f"`{command}`\n\n" + "\n".join(lines) + "\n"
