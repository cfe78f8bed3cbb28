"""Whether a summary sentence reads on its own in a digest: the checks behind summary choice and its benchmark.

A summary sentence is flagged when it is

* ``caption``: a picture caption, a photo reference, or a caption run (Daily-Mail-style captions that run into
  the body text without a full stop: ``... the magazine Short and sweet: Julia revealed ...``);
* ``byline``: a byline, a wire dateline (``BERLIN (CNN) --``), timestamp, photo credit or page prompt;
* ``dangling``: it opens with a pronoun or connective (``He``, ``They``, ``However``, ``But``, ``This``) and the
  sentence before it in the article is not in the summary (the article's first sentence leans on nothing);
* ``speakerless``: a quotation attributed only to a pronoun (``..., she said``) and the sentence before it in the
  article (where the speaker is named) is not in the summary;
* ``long``: more than ``MAX_WORDS`` words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from digests.boilerplate import DATELINE, is_boilerplate, is_caption
from digests.sentences import split_words

MAX_WORDS = 60
KINDS = ("caption", "byline", "dangling", "speakerless", "long")
# Openers that lean on the sentence before: pronouns and connectives.
LEANING = frozenset(
    (
        "he", "she", "they", "it", "his", "her", "their", "its", "them", "him", "this", "that", "these", "those",
        "such", "however", "but", "and", "or", "also", "yet", "still", "so", "meanwhile", "instead", "moreover",
        "furthermore", "nevertheless", "nonetheless", "therefore", "thus", "then", "later", "there's", "besides",
        "otherwise", "likewise", "similarly", "indeed",
    )
)
FIRST_WORD = re.compile(r"""^\W*([A-Za-z]+(?:['’][a-z]+)?)""")
SPEECH_VERBS = r"(?:said|says|added|adds|told|tells|explained|continued|insisted|wrote|writes|posted|tweeted|replied)"
PRONOUN_SPEAKER = re.compile(
    rf"""["'”’,]\s*(?:he|she|they|it)\s+{SPEECH_VERBS}\b|\b(?:He|She|They)\s+{SPEECH_VERBS}[^"'“‘]{{0,20}}["'“‘]""",
)
QUOTATION = re.compile(r"""["“”‘]|(?:^|\s)'\w|\w[.,!?]'""")


def opens_leaning(sentence: str) -> bool:
    """True when the sentence opens with a pronoun or connective that leans on the sentence before it."""
    first = FIRST_WORD.match(sentence)
    return first is not None and first.group(1).lower().replace("’", "'") in LEANING


def speakerless_quote(sentence: str) -> bool:
    """True when the sentence quotes someone named only by a pronoun."""
    return QUOTATION.search(sentence) is not None and PRONOUN_SPEAKER.search(sentence) is not None


def too_long(sentence: str) -> bool:
    return len(split_words(sentence)) > MAX_WORDS


def stands_alone(sentence: str) -> bool:
    """True when the sentence needs nothing before it (no leaning opener, no pronoun-only speaker)."""
    return not opens_leaning(sentence) and not speakerless_quote(sentence)


def flags(summary: Sequence[int], sentences: Sequence[str]) -> dict[str, int]:
    """How many sentences of a summary (indices into the article's ``sentences``) each check flags."""
    chosen = set(summary)
    counts = dict.fromkeys(KINDS, 0)
    for index in summary:
        sentence = sentences[index]
        leans_on_chosen = index == 0 or index - 1 in chosen
        caption = is_caption(sentence)
        counts["caption"] += caption
        counts["byline"] += not caption and (is_boilerplate(sentence) or DATELINE.match(sentence) is not None)
        counts["dangling"] += opens_leaning(sentence) and not leans_on_chosen
        counts["speakerless"] += speakerless_quote(sentence) and not leans_on_chosen
        counts["long"] += too_long(sentence)
    return counts
