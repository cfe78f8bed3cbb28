"""Readability checks behind summary choice, the summaries that follow them, and long articles in linear cost."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bench.cost import article_text
from digests.evaluation import corpus_pairs, evaluate, library_system
from digests.figures import extract_figures
from digests.headlines import headline_from_lede
from digests.quotes import extract_quotes
from digests.readability import KINDS, flags, opens_leaning, speakerless_quote, too_long
from digests.sentences import split_sentences
from digests.summaries import summarise


@pytest.mark.parametrize(
    ("sentence", "leaning"),
    [
        ("He said the plan would work.", True),
        ("However, the council disagreed.", True),
        ("'They will not win,' she said.", True),
        ("This is the moment a storm hit the town.", True),
        ("Theresa May said the plan would work.", False),
        ("The council disagreed.", False),
        ("Hermione Granger won the prize.", False),
    ],
)
def test_leaning_openers(sentence: str, leaning: bool) -> None:
    assert opens_leaning(sentence) is leaning


def test_speakerless_quotes_and_long_sentences() -> None:
    assert speakerless_quote('"We will rebuild the town," she said.')
    assert speakerless_quote("He told reporters: 'We are ready.'")
    assert not speakerless_quote('"We will rebuild the town," said Mayor Jane Hill.')
    assert not speakerless_quote("She said the town would be rebuilt.")
    assert too_long(" ".join(["word"] * 61))
    assert not too_long(" ".join(["word"] * 60))


def test_flags_count_what_leans_on_a_sentence_left_out() -> None:
    sentences = [
        "Mayor Jane Hill opened the new bridge on Monday.",
        "She said it would halve journey times.",
        '"We are proud of the bridge," she said.',
        "By Tom Smith .",
        "Proud moment: The mayor cuts the ribbon at the bridge on Monday .",
    ]
    assert flags([0, 1, 2], sentences) == dict.fromkeys(KINDS, 0)
    counts = flags([0, 2, 3, 4], sentences)
    assert counts["speakerless"] == 1
    assert counts["dangling"] == 0  # an opening quotation mark is not a leaning word
    assert counts["byline"] == 1
    assert counts["caption"] == 1
    assert flags([1], sentences)["dangling"] == 1
    assert flags([0], ["They are the strangest arrows in America."])["dangling"] == 0  # the lede leans on nothing


def test_a_sentence_leaning_on_one_left_out_is_passed_over() -> None:
    paragraphs = [
        [
            "The city council approved a new budget for schools on Tuesday after a long debate.",
            "Opponents said the council should have cut taxes instead of raising school spending.",
            "However, the budget for schools raises spending on schools and teachers by four percent.",
            "Teachers welcomed the budget, saying schools had waited years for more staff.",
            "The council will vote on the transport budget next month.",
        ]
    ]
    summary = summarise(paragraphs, 2)
    assert summary[0] == paragraphs[0][0]
    assert not any(sentence.startswith("However") for sentence in summary)


def test_a_caption_running_into_the_body_is_cut_off_it() -> None:
    text = (
        "Guilty: Glenn Mason, 56, has said he will pay back the whole sum out of his pension pot A respected bank "
        "manager who stole from his customers will have to pay back every penny. He was jailed in March."
    )
    assert split_sentences(text) == [
        "Guilty: Glenn Mason, 56, has said he will pay back the whole sum out of his pension pot",
        "A respected bank manager who stole from his customers will have to pay back every penny.",
        "He was jailed in March.",
    ]


def test_default_summaries_read_on_their_own_on_cnn_stories(cnndm_test_corpus: Path) -> None:
    """At most 2% of the default's three-sentence summary sentences flagged by each check."""
    (default,) = evaluate([library_system("default")], corpus_pairs(cnndm_test_corpus)[::2])
    assert set(default.readability) == set(KINDS)
    for kind, rate in default.readability.items():
        assert rate <= 0.02, kind


def test_a_50000_sentence_article_is_summarised() -> None:
    text = article_text(50_000)
    paragraphs = [split_sentences(paragraph) for paragraph in text.split("\n\n")]
    assert sum(map(len, paragraphs)) >= 50_000
    summary = summarise(paragraphs, 3)
    assert len(summary) == 3
    assert all(sentence in text for sentence in summary)


def test_long_inputs_for_figures_and_headlines() -> None:
    """16,000-word sentences full of figures or quotations (quadratic before) and a long article's headline."""
    words: list[str] = []
    for index in range(2_000):
        words += ["twenty", "people", "paid", f"${index}m", "on", "3", "May", "and"]
    figures = extract_figures([" ".join(words) + "."])
    assert sum(figure.kind == "money" for figure in figures) == 2_000
    assert headline_from_lede(article_text(20_000)).split()[0] in {"The", "Police", "Mr", "Officials", "Dr"}
    speech = 'Mr Smith{}, chairman of Acme, said "we will grow" and Jane Doe met'
    speeches = " ".join(speech.format(index % 50) for index in range(1_600))
    quotes = extract_quotes([speeches + "."])
    assert len(quotes) == 1_600
    assert all(quote.speaker for quote in quotes)


def test_a_wire_dateline_is_cut_from_the_lede_and_flagged_where_left() -> None:
    paragraphs = [
        [
            "BERLIN, Germany (CNN) -- A German cruise liner said Tuesday it will fly its passengers over the gulf.",
            "The cruise liner fears pirate attacks on its passengers in the gulf this winter.",
        ]
    ]
    summary = summarise(paragraphs, 2)
    assert summary[0] == "A German cruise liner said Tuesday it will fly its passengers over the gulf."
    assert flags([0], paragraphs[0])["byline"] == 1
    assert summarise([["Apple (AAPL) Shares rose on Monday after the results came out."]], 1)[0].startswith("Apple")
