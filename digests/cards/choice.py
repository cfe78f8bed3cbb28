"""Which words go on the card: the strongest quotation with a known speaker, else an attributed sentence.

Candidates are ranked by how central they are to the story (stemmed content words shared with the
headline, summary and body) times how well their length reads on a card. Fragments (a few quoted words
inside the reporter's sentence) and quotes without a named speaker are never used. A long quotation may
also be offered cut at one of its own sentence ends, marked with an ellipsis.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from digests.cards.verbatim import TRIM, comparable
from digests.models import Quote, StoredArticle
from digests.sentences import split_sentences, split_words
from digests.summaries import stop_words

logger = logging.getLogger(__name__)

PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "this", "that", "who", "one"})
MIN_WORDS = 6
MAX_SPEAKER_WORDS = 7
PREPOSITIONS = frozenset({"among", "in", "on", "at", "after", "before", "for", "with", "by", "from", "of", "as", "to"})
TRIMMED_PENALTY = 0.85
EARLY_WEIGHT = 0.25
SUMMARY_BONUS = 1.1
SPEECH_VERBS = (
    r"said|says|told|tells|wrote|writes|stated|states|added|warned|warns|argued|argues|claimed|claims|"
    r"reported|announced|estimated|estimates|estimate|believes|believe|insisted|explained|noted|confirmed|"
    r"predicted|predicts|admitted|acknowledged"
)
ACCORDING_TO = re.compile(r"\baccording to (?P<who>[^,.;:“”\"]{3,80}?)[,.;:]", re.IGNORECASE)
SUBJECT_VERB = re.compile(
    rf"^(?P<who>(?:[\w’'-]+\s+){{0,5}}[\w’'-]+)\s+(?:has\s+|have\s+|had\s+)?(?:{SPEECH_VERBS})\b", re.IGNORECASE
)
VERB_SUBJECT = re.compile(r"[,”\"]\s+(?:said|says|added|wrote|writes)\s+(?P<who>[A-Z][^,.;:“”\"]{2,60})[.,]")
LEADING_STOP = re.compile(r"^(?:but|and|so|yet|now|then|also)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """Card words (without surrounding quotation marks, trims marked) and who said them."""

    text: str
    speaker: str
    is_quotation: bool
    score: float
    cue: str | None = None


@lru_cache(maxsize=1)
def stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Stemmed content words."""
    words = [w.lower() for w in split_words(text)]
    kept = [w for w in words if w not in stop_words() and not w.isdigit() and len(w) > 1]
    stems: list[str] = stemmer().stemWords(kept)
    return stems


def profile(stored: StoredArticle) -> Counter[str]:
    """What the story is about: headline and summary weigh extra on top of the whole body."""
    counts = Counter(terms(stored.article.body))
    for _ in range(2):
        counts.update(terms(stored.article.title))
    counts.update(terms(" ".join(stored.analysis.summary)))
    return counts


def centrality(text: str, story: Counter[str]) -> float:
    """Cosine similarity between the text's words and the story's."""
    words = Counter(terms(text))
    if not words or not story:
        return 0.0
    dot = sum(count * story[word] for word, count in words.items())
    norm = math.sqrt(sum(c * c for c in words.values())) * math.sqrt(sum(c * c for c in story.values()))
    return dot / norm if norm else 0.0


def length_factor(word_count: int) -> float:
    """How well a text of this many words reads on a card."""
    if word_count < MIN_WORDS:
        return 0.0
    if word_count < 10:
        return 0.75
    if word_count <= 35:
        return 1.0
    if word_count <= 50:
        return 0.7
    if word_count <= 70:
        return 0.35
    return 0.15


def known_speaker(speaker: str | None) -> str | None:
    """The speaker when it names someone (not a bare pronoun)."""
    if not speaker or not speaker.strip():
        return None
    cleaned = re.sub(r"\s+", " ", speaker).strip()
    return None if cleaned.lower() in PRONOUNS else cleaned


def is_fragment(text: str) -> bool:
    """A few quoted words or a clause begun mid-sentence rather than a statement."""
    letters = [c for c in text if c.isalpha()]
    if not letters or not letters[0].isupper():
        return True
    return len(split_words(text)) < MIN_WORDS


def tidy_end(text: str) -> str:
    """Drop the comma or colon a quotation carries when the sentence goes on after it."""
    return text.strip().rstrip(",;:").rstrip()


def variants(text: str) -> list[tuple[str, bool]]:
    """The whole quotation, then the quotation cut after each of its inner sentence ends."""
    whole = tidy_end(text)
    found: list[tuple[str, bool]] = [(whole, False)]
    sentences = split_sentences(whole)
    for count in range(len(sentences) - 1, 0, -1):
        prefix = " ".join(sentences[:count]).strip()
        if prefix.endswith((".", "!", "?")) and comparable(prefix) in comparable(whole):
            found.append((prefix + TRIM, True))
    return found


def prominence(stored: StoredArticle, text: str, sentence: str) -> float:
    """News puts what matters first and the summary keeps it: earlier and summarised text weighs more."""
    body = comparable(stored.article.body)
    found = body.find(comparable(text.removesuffix(TRIM)))
    position = found / len(body) if found >= 0 and body else 1.0
    summary = comparable(" ".join(stored.analysis.summary))
    summarised = bool(sentence.strip()) and comparable(sentence) in summary
    return (1.0 - EARLY_WEIGHT * position) * (SUMMARY_BONUS if summarised else 1.0)


def quote_candidates(stored: StoredArticle, story: Counter[str]) -> list[Candidate]:
    """Every usable direct quotation, whole and cut at sentence ends, scored."""
    result: list[Candidate] = []
    seen: set[str] = set()
    quote: Quote
    for quote in stored.analysis.quotes:
        speaker = known_speaker(quote.speaker)
        if speaker is None or is_fragment(quote.text):
            continue
        for text, trimmed in variants(quote.text):
            if text in seen:
                continue
            seen.add(text)
            words = len(split_words(text))
            score = centrality(text, story) * length_factor(words) * (TRIMMED_PENALTY if trimmed else 1.0)
            score *= prominence(stored, text, quote.sentence)
            if score > 0:
                result.append(Candidate(text, speaker, True, score, quote.cue))
    return result


def attributed_speaker(sentence: str) -> str | None:
    """Who a reported sentence is attributed to (``according to X``, ``X said``, ``said X``), if anyone."""
    for pattern in (ACCORDING_TO, SUBJECT_VERB, VERB_SUBJECT):
        match = pattern.search(sentence)
        if match:
            who = LEADING_STOP.sub("", match.group("who").strip())
            words = who.split()
            if (
                known_speaker(who)
                and len(words) <= MAX_SPEAKER_WORDS
                and words[0].lower() not in PREPOSITIONS
                and any(word.lower() not in stop_words() for word in words)
            ):
                return who
    return None


def fallback_candidates(stored: StoredArticle, story: Counter[str]) -> list[Candidate]:
    """Whole article sentences that say whose claim they report, scored."""
    result: list[Candidate] = []
    for sentence in dict.fromkeys(stored.analysis.sentences):
        speaker = attributed_speaker(sentence)
        if speaker is None or is_fragment(sentence):
            continue
        score = centrality(sentence, story) * length_factor(len(split_words(sentence)))
        score *= prominence(stored, sentence, sentence)
        if score > 0:
            result.append(Candidate(sentence.strip(), speaker, False, score))
    return result


def candidates(stored: StoredArticle) -> list[Candidate]:
    """Card candidates, best first: quotations when there are usable ones, else attributed sentences."""
    story = profile(stored)
    found = quote_candidates(stored, story)
    if not found:
        found = fallback_candidates(stored, story)
        logger.debug("article %s has no usable quotation; %d attributed sentences", stored.id, len(found))
    return sorted(found, key=lambda c: (-c.score, c.text))
