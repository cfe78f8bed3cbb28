"""Quotes: curly and straight marks, several sentences, speaker and cue, pronouns resolved when supported."""

from __future__ import annotations

from digests.actors import extract_actors
from digests.facts import extract_facts
from digests.figures import extract_figures
from digests.loaders import load_seeds
from digests.models import Article, Quote
from digests.quotes import extract_quotes
from digests.sentences import split_sentences


def quotes_of(text: str) -> tuple[Quote, ...]:
    sentences = split_sentences(text)
    return extract_quotes(sentences, extract_actors(sentences, extract_figures(sentences)))


def seed_quotes() -> tuple[Quote, ...]:
    article = next(item for item in load_seeds() if isinstance(item, Article))
    return quotes_of(article.body)


def test_seed_letter_and_officers_quotes_have_speakers_and_cues() -> None:
    quotes = {q.text: q for q in seed_quotes()}
    letter = next(q for t, q in quotes.items() if t.startswith("When a government acts"))
    assert (letter.speaker, letter.cue) == ("the letter", "reads")
    death = quotes["The government gave a death sentence to the hostages,"]
    assert (death.speaker, death.cue) == ("the officers", "wrote")
    assert death.speaker_ref == "41 Israeli military intelligence officers and reservists"
    follow_on = quotes["many hostages have already been killed by IDF bombings"]
    assert follow_on.speaker == "the officers"


def test_seed_they_said_resolves_to_the_nearest_described_speaker() -> None:
    quotes = seed_quotes()
    several = next(q for q in quotes if q.text.startswith("All the death is unnecessary."))
    assert "Soldiers are sent for nothing." in several.text
    assert several.speaker == "One of the letter’s signatories"
    immoral = next(q for q in quotes if q.text.startswith("I felt it was immoral"))
    assert immoral.speaker == "Another intelligence officer"
    continued = next(q for q in quotes if q.text.startswith("They were willing"))
    assert continued.speaker == "Another intelligence officer"


def test_straight_quotes_speaker_before_and_after() -> None:
    text = (
        'Tory co-chairman Liam Fox spoke on Monday.\n\nDr Fox told BBC Radio: "We will win this seat."\n\n'
        '"It is a fair deal for everyone," said Jane Smith, the union leader.\n\n'
        '"We repay loans when they are due," he said.'
    )
    quotes = {q.text: q for q in quotes_of(text)}
    assert quotes["We will win this seat."].speaker == "Dr Fox"
    assert quotes["We will win this seat."].cue == "told BBC Radio"
    assert quotes["We will win this seat."].speaker_ref == "Liam Fox"
    assert quotes["It is a fair deal for everyone,"].speaker == "Jane Smith"
    assert quotes["We repay loans when they are due,"].speaker == "Jane Smith"


def test_name_with_appositive_before_the_cue() -> None:
    quotes = quotes_of('Rod Eddington, BA\'s chief executive, said the results were "respectable" overall.')
    assert quotes[0].speaker == "Rod Eddington"


def test_no_quotes_means_none_and_facts_are_complete() -> None:
    facts = extract_facts(split_sentences("Shares rose 4% on Monday. Nobody commented."))
    assert facts["quotes"] == ()
    assert [f.text for f in facts["figures"]] == ["4%"]


def test_single_quotation_marks_and_a_quote_running_on_from_the_last_speaker() -> None:
    text = (
        "Coach Tony Pulis spoke after training.\n\n"
        "‘Things are not what they used to be,’ added Pulis. ‘The mentors for these young lads are not there.\n\n"
        "The players’ union said nothing. Ms Reid wrote: 'Oh no, they own her [sic]'.\n\n"
        "'People seem to love the idea,' she said. It was the rock 'n' roll era of the '90s."
    )
    quotes = {q.text: q for q in quotes_of(text)}
    assert quotes["Things are not what they used to be,"].speaker == "Pulis"
    assert quotes["The mentors for these young lads are not there."].speaker == "Pulis"
    assert quotes["Oh no, they own her [sic]"].speaker == "Ms Reid"
    assert quotes["People seem to love the idea,"].speaker == "Ms Reid"
    assert not any("union" in q or "roll" in q or "90s" in q for q in quotes)
