"""``newsdigest bench cost`` and ``bench splitting`` on small inputs made here: output shape and errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.bench.cost import article_text, cost
from bot.bench.splitting import splitting
from digests.sentences import split_sentences


def test_made_up_articles_have_the_sentences_asked_for() -> None:
    text = article_text(120)
    assert len(split_sentences(text)) >= 120
    assert article_text(120) == text


def test_cost_reports_time_and_memory_per_size() -> None:
    result = CliRunner().invoke(cost, ["--sentences", "50", "--sentences", "200", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 3
    assert rows[0]["sentences"] >= 50 and rows[1]["sentences"] >= 200
    for row in rows[:-1]:
        for step in ("split", "summary", "analysis"):
            assert row[f"{step}_cpu_s"] >= 0 and row[f"{step}_peak_mb"] >= 0
        assert row["analysis_peak_mb"] > 0
    assert rows[-1]["split_cpu_s"] >= 0


def test_splitting_compares_with_pysbd(tmp_path: Path) -> None:
    article = tmp_path / "article" / "news" / "001.txt"
    article.parent.mkdir(parents=True)
    article.write_text("Headline\n\nMr. Smith went to Washington. He met Dr. Jones there.\n", encoding="utf-8")
    result = CliRunner().invoke(splitting, ["--corpus", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["newsdigest"]["sentences"] == report["pysbd"]["sentences"] == 2
    assert report["pysbd_sentences_reproduced"] == 1.0
    missing = CliRunner().invoke(splitting, ["--corpus", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2
