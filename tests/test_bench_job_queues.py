"""``newsdigest bench job-queues``: the Procrastinate half on a small workload, and the missing-extra message."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from bot.bench.job_queues import PGQUEUER_MISSING, job_queues


def test_procrastinate_half_serialises_each_key(postgres_url: str) -> None:
    arguments = ["--db", postgres_url, "--library", "procrastinate", "--jobs", "50", "--lock-jobs", "40"]
    result = CliRunner().invoke(job_queues, [*arguments, "--lock-keys", "10", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["library"] == "Procrastinate" and not figures["errors"]
    assert figures["enqueue_each"]["jobs"] == figures["enqueue_batch"]["jobs"] == 50
    assert [run["jobs"] for run in figures["process"]] == [50, 50]
    assert all(run["per_second"] > 0 and run["cpu_seconds"] > 0 for run in figures["process"])
    locked = [run for run in figures["lock"] if "lock=<key>" in run["option"]]
    assert len(locked) == 2 and len(figures["lock"]) == 3
    for run in figures["lock"]:
        assert (run["keys"], run["queued"], run["ran"]) == (10, 40, 40)
    for run in locked:
        assert run["most_same_key_at_once"] == 1
        assert run["out_of_order"] == 0


def test_missing_pgqueuer_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pgqueuer", None)  # as if the bench extra were not installed
    result = CliRunner().invoke(job_queues, ["--db", "postgresql://postgres@127.0.0.1:5432/test"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [PGQUEUER_MISSING.format("pgqueuer")]


def test_lock_keys_must_be_numbers() -> None:
    arguments = ["--db", "postgresql://postgres@127.0.0.1:5432/test", "--library", "procrastinate"]
    result = CliRunner().invoke(job_queues, [*arguments, "--lock-keys", "ten"])
    assert result.exit_code == 2
    assert "--lock-keys" in result.output and "'ten' is not a list of numbers" in result.output
