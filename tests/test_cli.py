"""The newsdigest command line, run as a user would run it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import newsdigest


def test_run_once_prints_the_seeded_digest(tmp_path: Path) -> None:
    result = newsdigest("run", "--once", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "41 Israeli military intelligence officers" in result.stdout
    assert "Source: intelligence-officers-refuse-gaza.txt" in result.stdout
    assert "at least 55,000 people have been killed (according to Gaza health authorities)" in " ".join(
        result.stdout.split()
    )
    assert (tmp_path / "newsdigest.db").is_file()
    again = newsdigest("run", "--once", "--channel", "console", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.count("1. ") == 1


def test_ingest_counts_new_duplicate_rejected(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "one.txt").write_text("First headline\n\nThe mayor opened the bridge on Monday. Crowds cheered.\n")
    (articles / "two.txt").write_text("Second headline\n\nRain closed the road. Drivers waited for hours.\n")
    (articles / "bad.txt").write_bytes(b"\x00\x01")
    first = newsdigest("ingest", str(articles), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "2 new, 0 duplicate, 1 rejected"
    assert "bad.txt: binary file, not an article" in first.stderr
    second = newsdigest("ingest", str(articles), cwd=tmp_path)
    assert second.stdout.strip() == "0 new, 2 duplicate, 1 rejected"
    digest = newsdigest("digest", "--json", cwd=tmp_path)
    titles = [item["title"] for item in json.loads(digest.stdout)["items"]]
    assert titles == ["First headline", "Second headline"]


def test_bad_config_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[summary]\nalgoritm = 'lexrank'\n")
    result = newsdigest("--config", str(config), "run", "--once", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"newsdigest: configuration error: {config}: summary.algoritm: unknown key (check its spelling)"
    ]


@pytest.mark.parametrize("command", ["ingest", "digest", "run"])
def test_help_documents_commands(command: str, tmp_path: Path) -> None:
    result = newsdigest(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "Usage: newsdigest" in result.stdout
