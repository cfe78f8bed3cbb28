"""``newsdigest bench summaries`` on a tiny corpus made here: JSON shape, table, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.bench.summaries import summaries
from digests.summaries import SUMY_SUMMARISERS

ARTICLES = {
    "news/001": (
        "Council passes school budget",
        [
            "The city council approved a new budget for schools on Tuesday after a long debate.",
            "The budget raises spending on schools by four percent and hires two hundred teachers.",
            "Opponents said the council should have cut taxes instead of raising school spending.",
            "Weather in the city was mild, with light rain expected over the weekend.",
            "The council will vote on the transport budget next month.",
        ],
    ),
    "news/002": (
        "Storm closes harbour",
        [
            "A storm closed the harbour on Monday and kept the fishing fleet in port.",
            "Harbour officials said waves of six metres battered the sea wall overnight.",
            "The fishing fleet expects to return to sea when the storm passes on Thursday.",
            "A local choir held its annual concert in the town hall.",
        ],
    ),
}


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """Two articles whose reference summaries are their first two sentences."""
    for name, (title, sentences) in ARTICLES.items():
        article = tmp_path / "article" / f"{name}.txt"
        summary = tmp_path / "summary" / f"{name}.txt"
        article.parent.mkdir(parents=True, exist_ok=True)
        summary.parent.mkdir(parents=True, exist_ok=True)
        article.write_text(f"{title}\n\n" + "\n".join(sentences) + "\n", encoding="utf-8")
        summary.write_text("\n".join(sentences[:2]) + "\n", encoding="utf-8")
    return tmp_path


def test_json_names_every_system_and_the_default(tiny_corpus: Path) -> None:
    result = CliRunner().invoke(summaries, ["--corpus", str(tiny_corpus), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["articles"] == 2
    assert set(report["systems"]) == {"lead", *SUMY_SUMMARISERS, "newsrank"}
    assert report["default"] == "newsrank"
    for figures in [*report["systems"].values(), report["baseline"]]:
        for key in ("rouge1", "rouge2", "rougeL"):
            for length in ("oracle", "3"):
                assert 0.0 <= figures[f"{key}_{length}"] <= 1.0
        assert figures["ms_per_article"] > 0
        assert figures["articles_per_s"] > 0
        for kind in ("caption", "byline", "dangling", "speakerless", "long"):
            assert 0.0 <= figures[f"{kind}_rate"] <= 1.0
    assert report["analysis"]["articles_per_s"] > 0
    assert report["analysis"]["x_stock"] > 0
    lead = report["systems"]["lead"]
    assert lead["rouge2_oracle"] == pytest.approx(1.0)
    assert lead["rouge2_3"] < 1.0


def test_limit_takes_the_first_pairs(tiny_corpus: Path) -> None:
    result = CliRunner().invoke(summaries, ["--corpus", str(tiny_corpus), "--json", "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["articles"] == 1


def test_table_marks_the_default(tiny_corpus: Path) -> None:
    result = CliRunner().invoke(summaries, ["--corpus", str(tiny_corpus)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    rows = {line.split()[0]: line for line in lines[2 : 2 + len(SUMY_SUMMARISERS) + 2]}
    assert "<- default" in rows["newsrank"]
    readability = lines.index("readability at 3 sentences, % of summary sentences flagged:")
    assert lines[readability + 1].split() == ["system", "caption", "byline", "dangling", "speakerless", "long"]
    newsrank = next(line for line in lines[readability + 2 :] if line.startswith("newsrank"))
    assert all(0.0 <= float(value) <= 100.0 for value in newsrank.split()[1:])
    assert any(line.startswith("whole analysis (parse, split, summary, figures, quotes, actors):") for line in lines)
    assert {"lead", *SUMY_SUMMARISERS} <= set(rows)
    assert "plain sumy+pysbd" in result.output
    stock = result.output.splitlines()[-1].split()
    assert stock[0] == "stock"
    assert len(stock) == 9
    assert 0.0 < float(stock[2]) <= 1.0


def test_the_stock_reference_is_scored_like_the_systems(tiny_corpus: Path) -> None:
    """The stock sumy + pysbd pipeline gets ROUGE too, so the issue's figures can be checked in the same run."""
    result = CliRunner().invoke(summaries, ["--corpus", str(tiny_corpus), "--json", "--rounds", "1"])
    report = json.loads(result.output)
    baseline = report["baseline"]
    assert baseline["name"] == "plain sumy+pysbd (reduction)"
    assert baseline["rouge2_oracle"] == pytest.approx(report["systems"]["reduction"]["rouge2_oracle"], abs=0.2)


def test_a_missing_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(summaries, ["--corpus", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "no such corpus folder" in result.output


def test_a_folder_without_pairs_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "article" / "news").mkdir(parents=True)
    (tmp_path / "article" / "news" / "001.txt").write_text("Headline\n\nA body.\n", encoding="utf-8")
    result = CliRunner().invoke(summaries, ["--corpus", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "no article/summary pairs" in result.output


def test_an_unreadable_article_is_one_line_and_exit_2(tiny_corpus: Path) -> None:
    (tiny_corpus / "article" / "news" / "002.txt").write_bytes(b"\xff\xfe not text")
    result = CliRunner().invoke(summaries, ["--corpus", str(tiny_corpus), "--rounds", "1"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "002.txt: not valid UTF-8 text" in result.output


def test_the_newsdigest_command_runs_it_and_errors_go_to_stderr(tiny_corpus: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-c", "from bot.cli import main; main()", "bench", "summaries"]
    ok = subprocess.run(
        [*command, "--corpus", str(tiny_corpus), "--json", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["default"] == "newsrank"
    missing = subprocess.run(
        [*command, "--corpus", str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=120
    )
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert missing.stderr.strip().splitlines() == [
        f"newsdigest bench summaries: {tmp_path / 'nowhere'}: no such corpus folder"
    ]
