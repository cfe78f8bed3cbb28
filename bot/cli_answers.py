"""``newsdigest ask``, ``figures`` and ``quotes``: grounded answers and extracted facts on the command line."""

from __future__ import annotations

import json
import logging

import click

from bot.app import App
from digests.answers import AnswerEngine
from digests.figures import figure_line
from digests.models import Answer, StoredArticle
from digests.quotes import quote_line

logger = logging.getLogger(__name__)


def answer_json(answer: Answer) -> str:
    """One JSON line: question, answer, kind and citations (article id, title, source, sentence)."""
    return json.dumps(
        {
            "question": answer.question,
            "answer": answer.text,
            "kind": answer.kind,
            "answered": answer.answered,
            "short": answer.short,
            "citations": [
                {"article_id": c.article_id, "title": c.title, "source": c.source, "sentence": c.sentence}
                for c in answer.citations
            ],
        },
        ensure_ascii=False,
    )


def answer_text(answer: Answer) -> str:
    lines = [answer.text]
    for c in answer.citations:
        title = f"{c.title} — " if c.title else ""
        lines.append(f"  [#{c.article_id} {title}{c.source}] {c.sentence}")
    return "\n".join(lines)


def ensure_articles(app: App) -> None:
    """A fresh install has an empty store: ingest the configured sources (the seeded article by default)."""
    if app.store.count() == 0:
        report = app.ingest_sources()
        for rejected in report.rejected:
            click.echo(f"rejected {rejected}", err=True)


def chosen_article(app: App, reference: str | None) -> StoredArticle:
    ensure_articles(app)
    stored = app.store.find(reference) if reference else app.store.newest()
    if stored is None:
        problem = f"no stored article matches {reference!r}" if reference else "no articles are stored yet"
        raise click.ClickException(problem)
    return stored


@click.command()
@click.argument("questions", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question per line.")
@click.pass_obj
def ask(app: App, questions: tuple[str, ...], as_json: bool) -> None:
    """Answer QUESTION(s) from the stored articles, citing the sentences used."""
    ensure_articles(app)
    engine = AnswerEngine(app.store)
    for question in questions:
        if not question.strip():
            raise click.UsageError("a question is empty")
        answer = engine.ask(question)
        click.echo(answer_json(answer) if as_json else answer_text(answer))


def print_facts(stored: StoredArticle, heading: str, lines: list[str], empty: str) -> None:
    """A heading naming the article, then one bullet per fact (or ``empty``)."""
    click.echo(f"{heading} in “{stored.article.title}” (#{stored.id}, {stored.article.public_source})")
    for line in lines or [empty]:
        click.echo(f"• {line}" if lines else line)


@click.command()
@click.argument("article", required=False)
@click.pass_obj
def figures(app: App, article: str | None) -> None:
    """List the figures ARTICLE reports (id, path/URL or title words; default the newest)."""
    stored = chosen_article(app, article)
    lines = [f"[{figure.kind}] {figure_line(figure)}" for figure in stored.analysis.figures]
    print_facts(stored, "Figures", lines, "No figures found in this article.")


@click.command()
@click.argument("article", required=False)
@click.pass_obj
def quotes(app: App, article: str | None) -> None:
    """List the direct quotations in ARTICLE with their speakers (default the newest)."""
    stored = chosen_article(app, article)
    lines = [quote_line(quote) for quote in stored.analysis.quotes]
    print_facts(stored, "Quotes", lines, "No direct quotations in this article.")
