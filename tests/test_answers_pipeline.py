"""The staged answer engine: faithful speakers, relations, reasons, datelines, the answer shape and its index."""

from __future__ import annotations

import pytest

from digests.answers import AnswerEngine, classify
from digests.answers.candidates import agents, places
from digests.answers.text import strip_dateline, units
from digests.ingest import ingest_articles
from digests.loaders import load_seeds
from digests.models import Article
from digests.retrieval import ArticleIndex
from digests.storage import Store


@pytest.fixture
def seeded(store: Store) -> Store:
    ingest_articles(store, load_seeds())
    return store


def test_what_did_the_military_say_gives_no_one_elses_words(seeded: Store) -> None:
    answer = AnswerEngine(seeded).ask("What did the Israeli military say?")
    assert answer.answered and answer.kind == "said_by"
    assert "not quoted" in answer.short and "not responded" in answer.short
    assert "has not yet issued an official response" in answer.text
    assert "“" not in answer.text  # none of the officers' quotations
    silent = "The Israeli military has not yet issued an official response to the letter."
    assert [c.sentence for c in answer.citations] == [silent]


def test_recipients_are_everyone_the_letter_is_addressed_to(seeded: Store) -> None:
    answer = AnswerEngine(seeded).ask("Who was the letter addressed to?")
    assert answer.answered
    assert answer.short == (
        "Prime Minister Benjamin Netanyahu, Defence Minister Israel Katz, and the Chief of Staff of the Israel Defense "
        "Forces (IDF)"
    )


def test_why_answers_with_a_reason_the_article_gives(seeded: Store) -> None:
    answer = AnswerEngine(seeded).ask("Why are the officers refusing to serve?")
    assert answer.answered and answer.kind == "why"
    assert answer.short.startswith(("accusing", "cited", "condemned", "because"))
    assert answer.short in answer.citations[0].sentence


def test_answer_shape_short_then_cited_evidence_within_600_characters(seeded: Store) -> None:
    answer = AnswerEngine(seeded).ask("How many people were killed?")
    short, _, evidence = answer.text.partition("\n")
    assert short == answer.short and len(answer.text) <= 600
    assert 1 <= len(answer.citations) <= 3
    assert all(c.sentence in evidence for c in answer.citations[:1])
    assert all(c.title == "" and c.source == "intelligence-officers-refuse-gaza.txt" for c in answer.citations)


def test_a_dateline_is_never_an_answer(store: Store) -> None:
    article = Article(
        title="Studio opens new lot",
        body="LOS ANGELES, California (CNN) -- The studio opened its new lot on Monday, its chief Ana Ruiz said.",
        source="local/studio.txt",
    )
    ingest_articles(store, [article])
    assert strip_dateline(article.body)[0].startswith("The studio")
    assert all("LOS ANGELES" not in c.text for c in agents(article.body) + places(article.body))
    answer = AnswerEngine(store).ask("Who opened the new lot?")
    assert "LOS ANGELES" not in answer.short and "California" not in answer.short


def test_a_run_on_paragraph_is_cut_into_sentences_but_not_at_initials() -> None:
    text = "Buffalo Mayor Byron W. Brown ordered flags lowered. " * 8
    pieces = units(text.strip())
    assert len(pieces) == 8 and pieces[0] == "Buffalo Mayor Byron W. Brown ordered flags lowered."


def test_the_engine_uses_the_index_it_is_given(seeded: Store) -> None:
    index = ArticleIndex()
    engine = AnswerEngine(seeded, index=index)
    assert not engine.ask("Who signed the letter?").answered  # an empty index finds nothing; the store is not read
    stored = seeded.newest()
    assert stored is not None
    index.add(stored.id, f"{stored.article.title}\n{stored.article.body}")
    assert engine.ask("Who signed the letter?").answered


def test_question_analysis_names_the_relation() -> None:
    recipient = classify("Who was the letter addressed to?")
    assert (recipient.relation, recipient.preposition, recipient.position) == (("address",), "to", "after")
    role = classify("Who is the mayor of Buffalo?")
    assert role.role == ("mayor",) and role.names == ("buffalo",)
    married = classify("Who did Polanski marry?")
    assert married.position == "after" and married.names == ("polanski",)
    assert classify("Who won the Oscar?").position == "before"
    assert classify("In what year did it open?").expects == "time"
    assert classify("Which country hosted it?").expects == "place"


def test_of_two_sentences_matching_the_question_the_earlier_one_is_evidence_first(store: Store) -> None:
    filler = " ".join(f"Traffic on route {n} was light on the day, officials reported." for n in range(12))
    article = Article(
        title="Town gets a new crossing",
        body=(
            "Mayor Ana Ruiz opened the new river bridge in the town on Monday morning before a crowd of people. "
            f"{filler} Bob Lee opened the bridge."
        ),
        source="local/bridge.txt",
    )
    ingest_articles(store, [article])
    engine = AnswerEngine(store)
    engine.ask("Who opened the bridge?")
    assert engine.last.units and engine.last.units[0].startswith("Mayor Ana Ruiz opened")
