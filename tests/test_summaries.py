"""Summaries: every configured algorithm, edge cases, article order, NewsRank, and quality on the corpora."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sumy.nlp.stemmers import Stemmer
from sumy.parsers.plaintext import PlaintextParser

from digests.boilerplate import is_boilerplate
from digests.evaluation import System, corpus_pairs, evaluate, lead, library_system
from digests.loaders import load_seeds
from digests.models import Article
from digests.newsrank import NewsRankSummarizer
from digests.sentences import OfflineTokenizer, split_sentences, split_words
from digests.summaries import (
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    UnknownAlgorithm,
    resolve_algorithm,
    summarise,
)

NAMES = [name for name in ALGORITHMS if name != "default"]
STORY = [
    [
        "The city council approved a new budget for schools on Tuesday after a long debate.",
        "The budget raises spending on schools by four percent and hires two hundred teachers.",
    ],
    [
        "Opponents said the council should have cut taxes instead of raising school spending.",
        "The mayor said the school budget protects classrooms from cuts.",
        "Weather in the city was mild, with light rain expected over the weekend.",
    ],
    [
        "Teachers welcomed the budget, saying schools had waited years for more staff.",
        "The council will vote on the transport budget next month.",
    ],
]


def seed_article() -> Article:
    return next(item for item in load_seeds() if isinstance(item, Article))


def in_order(summary: tuple[str, ...], paragraphs: list[list[str]]) -> bool:
    sentences = [sentence for paragraph in paragraphs for sentence in paragraph]
    positions = [sentences.index(sentence) for sentence in summary]
    return positions == sorted(positions) and len(set(positions)) == len(positions)


def test_the_default_is_newsrank_and_is_configurable() -> None:
    assert DEFAULT_ALGORITHM == "newsrank"
    assert resolve_algorithm("default") == "newsrank"
    assert set(NAMES) == {"lexrank", "textrank", "lsa", "luhn", "edmundson", "kl", "sumbasic", "reduction", "newsrank"}


@pytest.mark.parametrize("spelling", ["TextRank", "text-rank", " TEXT_RANK "])
def test_names_are_forgiving_about_case_dashes_and_spaces(spelling: str) -> None:
    assert resolve_algorithm(spelling) == "textrank"


def test_an_unknown_name_says_what_to_choose() -> None:
    with pytest.raises(UnknownAlgorithm, match="unknown summariser 'bert'; choose one of default, lexrank"):
        resolve_algorithm("bert")
    with pytest.raises(UnknownAlgorithm):
        summarise(STORY, 2, "bert")


@pytest.mark.parametrize("name", ALGORITHMS)
def test_every_algorithm_gives_verbatim_sentences_in_article_order(name: str) -> None:
    summary = summarise(STORY, 3, name)
    assert len(summary) == 3
    assert in_order(summary, STORY)


@pytest.mark.parametrize("name", ALGORITHMS)
def test_edge_cases_empty_one_sentence_and_fewer_than_asked(name: str) -> None:
    assert summarise([], 3, name) == ()
    assert summarise([[]], 3, name) == ()
    assert summarise(STORY, 0, name) == ()
    one = [["The council approved the budget."]]
    assert summarise(one, 3, name) == ("The council approved the budget.",)
    short = [["The council approved the budget.", "Teachers welcomed it."]]
    assert summarise(short, 5, name) == ("The council approved the budget.", "Teachers welcomed it.")


def test_newsrank_is_a_sumy_summariser_for_any_sumy_document() -> None:
    text = "\n\n".join(" ".join(paragraph) for paragraph in STORY)
    document = PlaintextParser.from_string(text, OfflineTokenizer()).document
    summariser = NewsRankSummarizer(Stemmer("english"))
    chosen = summariser(document, 2)
    assert len(chosen) == 2
    assert all(sentence in document.sentences for sentence in chosen)
    assert summariser(document, 0) == ()


def test_newsrank_prefers_the_central_story_to_the_aside() -> None:
    summary = summarise(STORY, 3)
    assert not any("Weather" in sentence for sentence in summary)


def test_newsrank_passes_over_a_caption_repeating_a_chosen_sentence() -> None:
    paragraphs = [
        [
            "The city council approved a new budget for schools on Tuesday after a long debate.",
            "The budget raises spending on schools by four percent and hires two hundred teachers.",
            "The city council approved a new budget for schools on Tuesday after a long and bitter debate .",
            "Teachers welcomed the budget, saying schools had waited years for more staff.",
            "Opponents said the council should have cut taxes instead of raising school spending.",
        ]
    ]
    summary = summarise(paragraphs, 3)
    assert len(summary) == 3
    assert sum("approved a new budget" in sentence for sentence in summary) == 1
    assert len(summarise(paragraphs, 5)) == 5


def test_newsrank_never_picks_bylines_timestamps_captions_or_prompts() -> None:
    noisy = [
        split_sentences(
            "By . Daily Mail Reporter . PUBLISHED: . 08:06 EST, 5 November 2012 . | . UPDATED: . 09:38 EST, "
            "5 November 2012 . The city council approved a new budget for schools on Tuesday after a long debate. "
            "Scroll down for video . Budget night: The city council approved the school budget for teachers and "
            "schools on Tuesday . The budget raises spending on schools by four percent and hires teachers. "
            "Teachers welcomed the budget, saying schools had waited years for more staff."
        )
    ]
    summary = summarise(noisy, 3)
    assert len(summary) == 3
    assert not any(is_boilerplate(sentence) for sentence in summary)
    assert summary[0] == "The city council approved a new budget for schools on Tuesday after a long debate."


@pytest.mark.parametrize(
    ("sentence", "furniture"),
    [
        ("By .", True),
        ("By Jill Reilly and Tom Smith .", True),
        ("14:11 EST, 25 October 2013 .", True),
        ("Scroll down for video .", True),
        ("Last updated at 1:25 AM on 3rd August 2011 .", True),
        ("Royal duties: The Queen greets the President of Indonesia at Buckingham Palace on Friday .", True),
        ("New York, New York: Map shows new Amish communities in the state .", True),
        ("Damage: Davis said her teeth were cracked after one of the officers slammed her head .", True),
        ("Bishop John Folda (pictured) of the Fargo diocese has exposed hundreds to hepatitis A .", True),
        ("Left, the jellyfish spotted by Mr Trewhella and, right, another one on the beach .", True),
        ("The striker, right, celebrates with his team-mates after scoring the opener .", True),
        ("Video game sales rose by a fifth in the year to December, the trade body said.", False),
        ("Published figures show the economy grew by 0.5% in the last quarter.", False),
        ("Read more: Inspectors heading to Syria to look into chemical weapons reports .", True),
        ("VIDEO Van Gaal happy with his squad after the tour .", True),
        ("He said the right decision was taken at the top of the company.", False),
        ('Score says: "We have seen similar skeletons before from Leicester."', False),
        ("The chairman told reporters: the company will grow again next year.", False),
        ("In a statement, the ministry said: the talks will resume in May.", False),
        ("By far the most useful gadget of the year was the phone.", False),
        ("The council approved a new budget for schools on Tuesday.", False),
    ],
)
def test_boilerplate(sentence: str, furniture: bool) -> None:
    assert is_boilerplate(sentence) is furniture


def test_default_summary_of_the_seed_is_on_topic_and_faithful() -> None:
    seed = seed_article()
    paragraphs = [split_sentences(paragraph) for paragraph in seed.paragraphs]
    summary = summarise(paragraphs, 3)
    assert len(summary) == 3
    assert in_order(summary, paragraphs)
    body = " ".join(seed.body.split())
    headline = {word.lower() for word in split_words(seed.title) if len(word) > 3}
    for sentence in summary:
        assert sentence in body
        assert headline & {word.lower() for word in split_words(sentence)}, sentence
        assert len(split_words(sentence)) >= 8


def test_default_beats_lead_n_on_a_bbc_slice(bbc_corpus: Path) -> None:
    pairs = corpus_pairs(bbc_corpus)[::10]
    default, baseline = (result.rouge for result in evaluate([library_system("default"), System("lead", lead)], pairs))
    assert default["rouge2_oracle"] > baseline["rouge2_oracle"]
    assert default["rouge2_3"] > baseline["rouge2_3"]


def test_default_meets_the_bbc_targets_on_a_slice(bbc_corpus: Path) -> None:
    """BBC's machine-made references: R2 >= 0.65 at reference length and >= 0.43 at three sentences."""
    pairs = corpus_pairs(bbc_corpus)[::2]
    (default,) = evaluate([library_system("default")], pairs)
    assert default.rouge["rouge2_oracle"] >= 0.65
    assert default.rouge["rouge2_3"] >= 0.43


def test_default_holds_against_lead_3_on_human_highlights(cnndm_test_corpus: Path) -> None:
    """Test-split stories with the publishers' highlights: at least Lead-3 (0.005 tolerance) at three sentences."""
    pairs = corpus_pairs(cnndm_test_corpus)
    default, baseline = evaluate([library_system("default"), System("lead", lead)], pairs)
    assert default.rouge["rouge2_3"] >= baseline.rouge["rouge2_3"] - 0.005


def test_pagerank_ranks_the_sentences_that_share_with_the_central_ones() -> None:
    """A hub sentence linked to everything gets the most rank; a sentence linked to nothing gets the least."""
    summariser = NewsRankSummarizer(Stemmer("english"))
    edges = np.array([[0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    rank = summariser.pagerank(edges)
    assert rank.sum() == pytest.approx(1.0)
    assert rank[0] == rank.max()
    assert rank[3] == rank.min()
    assert rank[1] == pytest.approx(rank[2])


def test_default_keeps_page_furniture_out_of_cnn_summaries(cnn_corpus: Path) -> None:
    for pair in corpus_pairs(cnn_corpus, limit=15):
        text = pair.article.read_text(encoding="utf-8")
        summary = summarise([split_sentences(text)], 3)
        assert len(summary) == 3
        assert not any(is_boilerplate(sentence) for sentence in summary)
        assert not any("PUBLISHED:" in sentence or "Scroll down" in sentence for sentence in summary)
