"""Actors: people, organisations and counted groups with the role text around them."""

from __future__ import annotations

from digests.actors import extract_actors, resolve
from digests.figures import extract_figures
from digests.loaders import load_seeds
from digests.models import Actor, Article
from digests.sentences import split_sentences


def actors_of(text: str) -> dict[str, Actor]:
    sentences = split_sentences(text)
    return {a.name: a for a in extract_actors(sentences, extract_figures(sentences))}


def seed_actors() -> dict[str, Actor]:
    article = next(item for item in load_seeds() if isinstance(item, Article))
    return actors_of(article.body)


def test_seed_people_organisations_and_groups_with_roles() -> None:
    actors = seed_actors()
    group = actors["41 Israeli military intelligence officers and reservists"]
    assert group.kind == "group"
    assert actors["Benjamin Netanyahu"].kind == "person"
    assert actors["Benjamin Netanyahu"].role == "Prime Minister"
    assert actors["Israel Katz"].role == "Defence Minister"
    assert actors["Unit 8200"].kind == "organisation"
    assert actors["Unit 8200"].role == "the IDF’s top surveillance and cyber intelligence unit"
    assert actors["Soldiers for the Hostages"].role == "the anti-war initiative"
    assert "Gaza" not in actors and "April" not in actors


def test_descriptions_resolve_to_named_actors() -> None:
    actors = list(seed_actors().values())
    officers = resolve("the officers", actors)
    assert officers is not None and officers.name.startswith("41 ")
    assert resolve("Another intelligence officer", actors) is None
    assert resolve("Netanyahu’s", actors) == seed_actors()["Benjamin Netanyahu"]


def test_titles_surnames_and_places() -> None:
    actors = actors_of(
        "Lib Dem leader Charles Kennedy visited Manchester on Monday.\n\n"
        "Mr Kennedy met staff from Acme Holdings in New York.\n\n"
        "Rod Eddington, BA's chief executive, said the results were respectable."
    )
    assert actors["Charles Kennedy"].role == "Lib Dem leader"
    assert "Kennedy" not in actors
    assert actors["Acme Holdings"].kind == "organisation"
    assert "New York" not in actors and "Manchester" not in actors
    assert actors["Rod Eddington"].kind == "person"
