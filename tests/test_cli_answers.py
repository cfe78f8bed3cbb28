"""``newsdigest ask``, ``figures`` and ``quotes`` as a user runs them on a fresh install."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import newsdigest


def test_ask_json_on_a_fresh_install_ingests_the_seed(tmp_path: Path) -> None:
    result = newsdigest("ask", "--json", "who signed the letter?", "What figures were reported?", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == ["who signed the letter?", "What figures were reported?"]
    first = lines[0]
    assert set(first) == {"question", "answer", "kind", "citations", "answered", "short"}
    assert first["kind"] == "who" and first["answered"] is True
    assert first["short"] == "41 Israeli military intelligence officers and reservists"
    assert first["answer"].startswith(first["short"])
    citation = first["citations"][0]
    assert set(citation) == {"article_id", "title", "source", "sentence"}
    assert citation["source"] == "intelligence-officers-refuse-gaza.txt"
    assert citation["article_id"] == 1
    assert "at least 55,000" in lines[1]["answer"]


def test_ask_plain_text_and_not_stated(tmp_path: Path) -> None:
    result = newsdigest("ask", "What is the capital of France?", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Not stated")


def test_figures_and_quotes_list_the_newest_article_or_the_one_named(tmp_path: Path) -> None:
    figures = newsdigest("figures", cwd=tmp_path)
    assert figures.returncode == 0, figures.stderr
    assert "• [count] at least 55,000 people have been killed (according to Gaza health authorities)" in figures.stdout
    quotes = newsdigest("quotes", "1", cwd=tmp_path)
    assert quotes.returncode == 0, quotes.stderr
    assert "— the officers (41 Israeli military intelligence officers and reservists) (wrote)" in quotes.stdout
    by_title = newsdigest("quotes", "intelligence officers", cwd=tmp_path)
    assert by_title.returncode == 0 and by_title.stdout == quotes.stdout


def test_unknown_article_is_one_clear_line(tmp_path: Path) -> None:
    result = newsdigest("figures", "no such headline", cwd=tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip() == "Error: no stored article matches 'no such headline'"


def test_news_figures_command_renders_figures_as_the_cli_does(tmp_path: Path, sqlite_url: str) -> None:
    import asyncio

    from bot.app import App
    from bot.commands import CommandHandler
    from bot.config import Config

    app = App(Config(), sqlite_url)
    try:
        app.ingest_sources()
        reply = asyncio.run(CommandHandler(app).handle("figures"))
    finally:
        app.close()
    cli = newsdigest("figures", cwd=tmp_path)
    listed = [line.split("] ", 1)[1] for line in cli.stdout.splitlines() if line.startswith("• [")]
    assert [fact.text for fact in reply.facts] == listed
    assert "at least 55,000 people have been killed (according to Gaza health authorities)" in reply.text
    assert "around 20 hostages may still be alive (Israeli officials estimate)" in reply.text
