"""Figures: every number in digits or words, with kind, value, what it counts, qualifiers and attribution."""

from __future__ import annotations

import pytest

from digests.figures import extract_figures, figure_line, parse_numbers, time_expressions
from digests.loaders import load_seeds
from digests.models import Article
from digests.sentences import split_sentences


def seed_figures() -> dict[str, list[str]]:
    article = next(item for item in load_seeds() if isinstance(item, Article))
    figures = extract_figures(split_sentences(article.body))
    lines: dict[str, list[str]] = {}
    for figure in figures:
        lines.setdefault(figure.text, []).append(figure_line(figure))
    return lines


def one(sentence: str, text: str) -> tuple[str, float | None, str | None, str | None]:
    figure = next(f for f in extract_figures([sentence]) if f.text == text)
    return figure.kind, figure.value, figure.unit, figure.normalised


def test_seed_figures_keep_what_they_count_and_who_says_so() -> None:
    lines = seed_figures()
    assert lines["41"] == ["41 Israeli military intelligence officers and reservists"]
    assert lines["20 month"] == ["20 month Gaza offensive"]
    assert lines["250"] == ["250 reservists and alumni from Unit 8200 in April"]
    assert lines["55,000"] == ["at least 55,000 people have been killed (according to Gaza health authorities)"]
    assert lines["125,000"][0].startswith("another 125,000 people wounded")
    assert lines["125,000"][0].endswith("(according to Gaza health authorities)")
    assert lines["Fifty-six"] == ["Fifty-six hostages are still held in Gaza"]
    assert lines["1,200"] == ["1,200 people killed in the October 7, 2023, attacks by Hamas"]
    assert lines["20"] == ["around 20 hostages may still be alive (Israeli officials estimate)"]


def test_seed_dates_and_names_are_not_counts() -> None:
    article = next(item for item in load_seeds() if isinstance(item, Article))
    figures = {f.text: f for f in extract_figures(split_sentences(article.body))}
    assert figures["October 7, 2023"].kind == "date"
    assert figures["October 7, 2023"].normalised == "2023-10-07"
    assert figures["October 7, 2023"].counts is None
    assert figures["8200"].kind == "label"
    assert figures["Fifty-six"].value == 56


@pytest.mark.parametrize(
    ("sentence", "text", "expected"),
    [
        ("Profits jumped to $1.13bn last year.", "$1.13bn", ("money", 1.13e9, "USD", None)),
        ("It fell to £600m.", "£600m", ("money", 6e8, "GBP", None)),
        ("A pint now costs 80p.", "80p", ("money", 0.8, "GBP", None)),
        ("Sales rose 19% in March.", "19%", ("percent", 19.0, "%", None)),
        ("Sales rose 19 per cent in March.", "19 per cent", ("percent", 19.0, "%", None)),
        ("She ran 7.96 seconds to win.", "7.96 seconds", ("duration", 7.96, "s", None)),
        ("The old mark of 14:39.29 fell.", "14:39.29", ("duration", 879.29, "s", "14:39.29")),
        ("The polls close at 22:00 tonight.", "22:00", ("time", None, None, "22:00")),
        ("Results for 2003-05 were restated.", "2003-05", ("year", 2003.0, None, "2003–2005")),
        ("It was founded in 1998 by two friends.", "1998", ("year", 1998.0, None, "1998")),
        ("The show drew six million viewers.", "six million", ("count", 6e6, None, None)),
        ("The clinic saw 1,200 patients.", "1,200", ("count", 1200.0, None, None)),
        ("The vote is on 5 May 2005.", "5 May 2005", ("date", None, None, "2005-05-05")),
        ("He cleared 4.89 metres in Lievin.", "4.89 metres", ("measure", 4.89, "m", None)),
        ("She won in 14 minutes 32.93 seconds.", "14 minutes 32.93 seconds", ("duration", 872.93, "s", None)),
    ],
)
def test_numbers_are_parsed_with_kind_and_normalised_value(
    sentence: str, text: str, expected: tuple[str, float | None, str | None, str | None]
) -> None:
    assert one(sentence, text) == expected


def test_pronoun_one_is_not_a_number() -> None:
    texts = [p.kind for p in parse_numbers("One of the officers said no one had seen a one-off like it.")]
    assert texts == []


def test_percent_and_money_count_the_changing_subject() -> None:
    figures = extract_figures(["TimeWarner said fourth quarter sales rose 2% to $11.1bn from $10.9bn."])
    by_text = {f.text: f for f in figures}
    assert by_text["2%"].counts == "fourth quarter sales"
    assert by_text["$11.1bn"].counts == "fourth quarter sales"
    assert by_text["2%"].attribution == "TimeWarner said"


def test_qualifiers_and_hedges() -> None:
    figure = extract_figures(["Officials estimate that more than 300 homes may have been destroyed."])[0]
    assert figure.qualifiers[0] == "more than"
    assert "estimate" in figure.qualifiers and "may" in figure.qualifiers


def test_time_expressions_for_when_questions() -> None:
    found = time_expressions("The concert is on 2 April, and rehearsals start next week.")
    assert any("April" in f for f in found)
    assert "next week" in found


def test_counted_nouns_stop_at_verbs_and_time_words() -> None:
    lines = [
        figure_line(f)
        for f in extract_figures(
            [
                "Officials warned anyone who attended five churches and took communion.",
                "It sold 300 cars and trucks last year.",
            ]
        )
    ]
    assert lines == ["five churches", "300 cars and trucks"]
