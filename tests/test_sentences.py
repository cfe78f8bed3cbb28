"""Offline sentence splitting: news-text edge cases, verbatim sentences, sumy compatibility without NLTK data."""

from __future__ import annotations

import pytest
from sumy.parsers.plaintext import PlaintextParser

from digests.loaders import load_seeds
from digests.models import Article
from digests.sentences import OfflineTokenizer, split_sentences, split_words, sumy_words


def test_empty_and_blank_text_have_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences("  \n\n \n") == []


def test_one_sentence_without_a_full_stop_is_kept_whole() -> None:
    assert split_sentences("Markets steady ahead of the budget") == ["Markets steady ahead of the budget"]


def test_one_sentence_per_line_with_paragraphs_is_kept_line_for_line() -> None:
    text = (
        "Quarterly profits at TimeWarner jumped 76% to $1.13bn.\n"
        "The firm is one of the biggest investors in Google.\n\n"
        "Time Warner said on Friday that it now owns 8% of Google.\n"
        "But its own internet business, AOL, had mixed fortunes.\n"
    )
    assert split_sentences(text) == [line for line in text.splitlines() if line]


def test_abbreviations_initials_and_decimals_do_not_end_sentences() -> None:
    text = "Mr. Smith went to Washington D.C. on Friday with Dr. Jones. The deal is worth $3.5bn, i.e. a lot."
    assert split_sentences(text) == [
        "Mr. Smith went to Washington D.C. on Friday with Dr. Jones.",
        "The deal is worth $3.5bn, i.e. a lot.",
    ]


def test_a_quotation_over_two_sentences_stays_with_its_attribution() -> None:
    text = '"There is no doubt this is the best yet. If anything, the choice is wider," said Madeley. He left.'
    assert split_sentences(text) == [
        '"There is no doubt this is the best yet. If anything, the choice is wider," said Madeley.',
        "He left.",
    ]


def test_back_to_back_quotations_are_two_sentences() -> None:
    text = '"We are not getting the boost we expected." "The economy is producing moderate growth," said Ken Mayland.'
    assert split_sentences(text) == [
        '"We are not getting the boost we expected."',
        '"The economy is producing moderate growth," said Ken Mayland.',
    ]


def test_a_question_mark_inside_a_title_does_not_end_the_sentence() -> None:
    text = "The Goat or Who is Sylvia? by Edward Albee is on the shortlist. It opens in May."
    assert split_sentences(text) == [
        "The Goat or Who is Sylvia? by Edward Albee is on the shortlist.",
        "It opens in May.",
    ]


def test_hard_wrapped_lines_are_rejoined() -> None:
    text = "The council said the new bridge\nwould open next spring.\nTraffic will be diverted."
    assert split_sentences(text) == [
        "The council said the new bridge would open next spring.",
        "Traffic will be diverted.",
    ]


def test_scraped_byline_and_stray_stops_in_one_long_paragraph() -> None:
    text = (
        "By . Associated Press . PUBLISHED: . 14:11 EST, 25 October 2013 . | . UPDATED: . 15:36 EST, 25 October 2013 . "
        "The bishop has exposed hundreds of church members in the centre of . the state to a virus in October. "
        "Scroll down for video . Health officials said the risk was low."
    )
    sentences = split_sentences(text)
    assert (
        "The bishop has exposed hundreds of church members in the centre of . the state to a virus in October."
        in sentences
    )
    assert sentences[-1] == "Health officials said the risk was low."
    assert all("bishop" not in sentence for sentence in sentences if "PUBLISHED" in sentence)


def test_every_sentence_is_a_verbatim_slice_of_its_paragraph() -> None:
    seed = next(item for item in load_seeds() if isinstance(item, Article))
    for paragraph in seed.paragraphs:
        flat = " ".join(paragraph.split())
        sentences = split_sentences(paragraph)
        assert sentences
        for sentence in sentences:
            assert " ".join(sentence.split()) in flat


def test_split_words_keeps_inner_apostrophes_and_drops_punctuation() -> None:
    assert split_words("Netanyahu’s government didn't say — “no”, 41 times.") == [
        "Netanyahu’s",
        "government",
        "didn't",
        "say",
        "no",
        "41",
        "times",
    ]
    assert split_words("") == []


SAMPLES = [
    "Netanyahu's government didn't say \"no\", 41 times.",
    "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m) for the three months.",
    "The firm benefited from sales of high-speed internet connections and the U.S. market, it's said.",
    "Opponents can't agree; they'd rather wait until 2005's end-of-year figures, said Mr O'Neill.",
]


def test_sumy_words_are_the_words_sumy_counts_without_nltk_data() -> None:
    words = ["Netanyahu", "government", "did", "n't", "say", "no", "times"]
    assert sumy_words(SAMPLES[0]) == words
    assert sumy_words("Netanyahu’s government didn’t say — “no”, 41 times.") == words
    assert "high-speed" in sumy_words(SAMPLES[2])
    assert not any(any(c.isdigit() for c in word) for word in sumy_words(SAMPLES[1]))
    assert sumy_words("") == []


@pytest.mark.parametrize("sentence", SAMPLES)
def test_sumy_words_match_nltk_treebank_words_that_sumy_keeps(sentence: str) -> None:
    """Straight apostrophes as NLTK splits them (it cuts a curly one off on its own; sumy_words treats both alike)."""
    from nltk.tokenize import NLTKWordTokenizer
    from sumy.nlp.tokenizers import Tokenizer

    expected = [word for word in NLTKWordTokenizer().tokenize(sentence) if Tokenizer._is_word(word)]
    assert sumy_words(sentence) == expected


def test_sumy_parses_with_the_offline_tokenizer_and_no_nltk_data() -> None:
    parser = PlaintextParser.from_string(
        "First point here. Second point there.\n\nA new paragraph.", OfflineTokenizer()
    )
    assert [str(sentence) for sentence in parser.document.sentences] == [
        "First point here.",
        "Second point there.",
        "A new paragraph.",
    ]
    assert parser.document.sentences[0].words == ("First", "point", "here")


def test_a_long_paragraph_splits_at_every_sentence_and_keeps_a_quotation_whole() -> None:
    plain = "The committee met again on Monday to discuss the proposals in detail. " * 8
    quoted = '"We will not accept this. The plan fails families across the region," said Gen. Adams. '
    text = (plain + "It was chaired by Col. Smith from the regional office of the ministry. " + quoted + plain).strip()
    sentences = split_sentences(text)
    assert quoted.strip() in sentences
    assert "It was chaired by Col. Smith from the regional office of the ministry." in sentences
    assert len(sentences) == 16 + 2
    assert " ".join(sentences) == text


def test_an_unclosed_quotation_does_not_swallow_the_paragraph() -> None:
    text = '"We have waited for years. ' + "The council agreed on the plan for the town. " * 40
    assert len(split_sentences(text)) == 41


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He was in the U.S. The next day he left.", ["He was in the U.S.", "The next day he left."]),
        ("U.S. President Barack Obama spoke. He left.", ["U.S. President Barack Obama spoke.", "He left."]),
        ("John F. Kennedy died. Gen. Smith agreed.", ["John F. Kennedy died.", "Gen. Smith agreed."]),
        ("He scored at No. 10 in the list. It was fine!", ["He scored at No. 10 in the list.", "It was fine!"]),
        ("He is ill. Doctors say he will recover.", ["He is ill.", "Doctors say he will recover."]),
        ('He said "no." Then he left.', ['He said "no."', "Then he left."]),
        ("The price... was high. Wow!! Really? Yes.", ["The price... was high.", "Wow!!", "Really?", "Yes."]),
    ],
)
def test_abbreviations_initials_and_marks(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_runs_of_abbreviations_split_in_linear_time() -> None:
    """A paragraph of a thousand abbreviations (pysbd took a minute on 42 KB of these) splits at once."""
    text = "Mr " * 20_000 + "Smith arrived. " + "Mr. Mr. Mr. " * 5_000
    sentences = split_sentences(text)
    assert sentences[0].startswith("Mr Mr")
    assert "".join(sentences).replace(" ", "") == text.replace(" ", "")
