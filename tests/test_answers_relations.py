"""Who-answers must say the asked relation; role holders are found by their role; a rise asks for the change."""

from __future__ import annotations

from digests.actors import extract_actors
from digests.answers import AnswerEngine
from digests.ingest import ingest_articles
from digests.models import Article
from digests.storage import Store

THEATRE = Article(
    title="Actor backs theatre appeal",
    body=(
        "Hollywood star Tom Reid has backed an appeal to save the Grand Theatre in Leeds.\n\n"
        "The Oscar-nominated actor, whose films include The Silent Harbour and Northern Lights, said the building "
        "must not be allowed to crumble."
    ),
    source="local/theatre.txt",
)
AWARDS = Article(
    title="Lakeside film awards",
    body=(
        "The drama Quiet Fields took the top prize at the Lakeside film awards on Sunday.\n\n"
        "Director Maria Olsen won the award for best director for the film."
    ),
    source="local/awards.txt",
)
RESULTS = Article(
    title="Ad sales lift Northwind profit",
    body=(
        "Quarterly profits at media group Northwind jumped 76% to $1.2bn, from $680m a year earlier.\n\n"
        "For the full year, Northwind posted a profit of $3.4bn, while revenues grew 5% to $40bn.\n\n"
        '"Our performance was strong, meeting all of our objectives," chairman and chief executive Alan Pryce said.'
    ),
    source="local/northwind.txt",
)
RAIL = Article(
    title="Southgate Rail fares",
    body="Fares on Southgate Rail will rise in March.\n\nGrace Lee, chairman of Southgate Rail, said it was fair.",
    source="local/rail.txt",
)


def test_a_title_in_a_sentence_that_does_not_say_who_won_is_not_a_winner(store: Store) -> None:
    ingest_articles(store, [THEATRE, AWARDS])
    engine = AnswerEngine(store)
    won = engine.ask("Who won the award for best director?")
    assert won.answered and won.short == "Maria Olsen", won.text
    assert won.citations[0].source == "awards.txt"  # shown by file name


def test_the_holder_of_a_role_in_an_organisation_is_found(store: Store) -> None:
    ingest_articles(store, [RESULTS, RAIL])
    engine = AnswerEngine(store)
    chairman = engine.ask("Who is the chairman of Northwind?")
    assert chairman.answered and chairman.short == "Alan Pryce", chairman.text
    chief = engine.ask("Who is the chief executive of Northwind?")
    assert chief.answered and chief.short == "Alan Pryce", chief.text
    rail = engine.ask("Who is the chairman of Southgate Rail?")
    assert rail.answered and rail.short == "Grace Lee", rail.text
    assert not engine.ask("Who is the finance director of Northwind?").answered


def test_a_role_holder_of_another_organisation_is_not_the_answer(store: Store) -> None:
    article = Article(
        title="Northwind results",
        body=(
            "Rival Eastline chairman Ian Hart said the market was tough.\n\n"
            "Northwind's profits rose 5%, chairman Alan Pryce said."
        ),
        source="local/northwind-rival.txt",
    )
    ingest_articles(store, [article])
    answer = AnswerEngine(store).ask("Who is the chairman of Northwind?")
    assert answer.answered and answer.text.startswith("Alan Pryce"), answer.text


def test_a_rise_question_gets_the_change_not_a_level(store: Store) -> None:
    ingest_articles(store, [RESULTS])
    answer = AnswerEngine(store).ask("How much did Northwind's profits rise?")
    assert answer.answered and answer.short.startswith("76%"), answer.text
    assert answer.citations[0].sentence.startswith("Quarterly profits at media group Northwind jumped 76%")


def test_joined_roles_and_bare_appositions_are_roles() -> None:
    actors = {a.name: a.role for a in extract_actors([*RESULTS.body.split("\n\n"), *RAIL.body.split("\n\n")])}
    assert actors["Alan Pryce"] == "chairman and chief executive"
    assert actors["Grace Lee"] == "chairman of Southgate Rail"
