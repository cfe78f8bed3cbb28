"""Grouping as a user meets it: ``newsdigest digest`` lists a story once with the other outlets; the benchmark."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from grouping_support import OTHER_STORY, edited_copy, wire_body

from bot.bench.grouping import grouping
from bot.cli import cli


def write_article(folder: Path, name: str, title: str, body: str, outlet: str) -> None:
    data = {"title": title, "body": body, "source": outlet, "url": f"https://{name}.example/story"}
    (folder / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")


def test_digest_lists_a_story_run_by_two_outlets_once(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(folder, "courier", "Officers refuse to serve in Gaza", wire_body(), "Daily Courier")
    write_article(folder, "metro", "Intelligence officers say no", edited_copy(wire_body()), "Metro Wire")
    write_article(folder, "post", "Cabinet weighs ceasefire proposal", OTHER_STORY, "Northern Post")
    database = f"sqlite:///{tmp_path / 'news.db'}"
    runner = CliRunner()
    ingested = runner.invoke(cli, ["--db", database, "ingest", str(folder)])
    assert ingested.exit_code == 0, ingested.output
    assert "3 new" in ingested.output
    shown = runner.invoke(cli, ["--db", database, "digest", "--json"])
    assert shown.exit_code == 0, shown.output
    items = json.loads(shown.output)["items"]
    assert [(item["title"], item["also_in"]) for item in items] == [
        ("Officers refuse to serve in Gaza", ["Metro Wire"]),
        ("Cabinet weighs ceasefire proposal", []),
    ]
    text = runner.invoke(cli, ["--db", database, "digest"]).output
    assert text.count("Also in: Metro Wire") == 1


def test_bench_grouping_measures_a_corpus(bbc_corpus: Path) -> None:
    result = CliRunner().invoke(grouping, ["--corpus", str(bbc_corpus), "--limit", "40", "--json"])
    assert result.exit_code == 0, result.output
    (figures,) = json.loads(result.output)["corpora"]
    assert figures["articles"] == 40 and figures["negative_pairs"] == 2 * 190  # two topics of 20
    light = ("rewrapped", "paragraph cut", "headline changed", "boilerplate added", "sentence reworded")
    assert all(figures["recall"][edit] >= 0.95 for edit in light)
    assert figures["precision"] >= 0.99


def test_bench_grouping_refuses_a_folder_without_articles_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(grouping, ["--corpus", str(tmp_path)])
    assert result.exit_code != 0
    assert "has no article/<topic>/*.txt files" in result.output
    assert "Traceback" not in result.output
