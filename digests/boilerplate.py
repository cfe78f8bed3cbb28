"""Sentences that are page furniture rather than story: bylines, timestamps, photo captions, video prompts.

A sentence that points at a picture (``pictured``, ``(left)``, ``Above:``) describes something a digest reader
cannot see, so it counts as a caption too.
"""

from __future__ import annotations

import re

from digests.sentences import split_words

MIN_WORDS = 4
BYLINE_WORDS = 8
BYLINE = re.compile(r"^\W*By\b")
FURNITURE = re.compile(
    r"^\W*(?:(?:published|updated|video|watch|read more|related(?: articles| stories)?|advertisement)\s*[:|]"
    r"|last (?:updated|modified)\b)"
    r"|\((?:photo|picture|image)s?(?: credit)?:[^)]*\)|^\W*(?:photo|picture|image)s?(?: credit)?:",
    re.IGNORECASE,
)
# Prompts anywhere in a sentence, looked for in its lower-case text.
PROMPTS = ("scroll down", "click here", "follow @", "sign up for", "all rights reserved", "copyright ©")
# Words without which PHOTO cannot match (a quick test before the expression).
PHOTO_WORDS = ("pictur", "left", "right", "centre", "center", "above", "below", "top", "bottom")
SHOUTED = re.compile(r"^\W*(?:VIDEO|WATCH|PUBLISHED|UPDATED)\b")
# A photo caption: a short label, a colon, then the description (``Royal duties: The Queen greets ...``) ...
CAPTION = re.compile(r"^(?P<label>[A-Z][\w'’-]*(?:,? [\w'’-]+){0,3}): (?P<rest>\S)")
# ... unless the label is someone speaking (``Score says: "We have ..."``) or a quotation follows it.
SPEECH = re.compile(
    r"\b(said|says|told|tells|added|adds|wrote|writes|asked|explained|according|insisted|replied|stated|announced"
    r"|declared|commented|continued|posted|tweeted|warned|reads?|titled|entitled|called|headlined)\b",
    re.IGNORECASE,
)
SPEECH_REACH = 40
JOINING = frozenset(("the", "a", "an", "of", "by", "to", "for", "from", "in", "on", "at", "with", "and", "or", "as"))
QUOTE_MARKS = "\"“‘'"
# A caption run: a caption label in the middle of a sentence, straight after a word with no full stop between
# (``... of the magazine Short and sweet: Julia revealed ...``).
CAPTION_RUN = re.compile(r"(?P<before>\w+)[,)]? (?P<label>[A-Z][\w'’-]*(?: [\w'’-]+){0,3}): (?=[A-Z\"“‘'])")
# A wire dateline before the lede: ``BERLIN, Germany (CNN) -- ``, ``(AP) — ``, ``(CNN)``.
DATELINE = re.compile(
    r"^(?:[A-Z][\w.'’-]*,? ){0,4}\((?:[A-Z][\w.-]*)(?: [A-Z][\w.-]*)?\)(?:\s*(?:--|—|–|-)\s*|(?=[\"“‘'A-Z]))"
)
PHOTO = re.compile(
    r"(?:^|[,(]\s*|\b(?:is|are) )(?:not )?pictured\b|\bpictured(?: above| below)?\)"
    r"|[,(]\s*(?:pictured\s+)?(?:left|right|centre|center|above|below|top|bottom)\s*[,)]"
    r"|^(?:left|right|above|below|top|bottom)\b\s*[,:]",
    re.IGNORECASE,
)


def is_caption(sentence: str) -> bool:
    """True for a picture caption, a photo reference or a caption run."""
    lowered = sentence.lower()
    if any(word in lowered for word in PHOTO_WORDS) and PHOTO.search(sentence):
        return True
    if ": " not in sentence:
        return False
    caption = CAPTION.match(sentence)
    if caption is not None and not SPEECH.search(caption["label"]) and caption["rest"] not in QUOTE_MARKS:
        return True
    return any(caption_run(sentence, run) for run in CAPTION_RUN.finditer(sentence))


def is_title(label: str) -> bool:
    """True for a label in title case (``Fall of an Empire``, ``Robin Hood``): a title or name, not a caption."""
    return any(word[:1].isupper() for word in label.split()[1:])


def caption_run(sentence: str, run: re.Match[str]) -> bool:
    """True unless the label is someone speaking, a title, or a name after ``the``/``of``/... (``told the Sun:``)."""
    if run["before"].lower() in JOINING or run["before"].isupper() or is_title(run["label"]):
        return False
    return not SPEECH.search(sentence, max(0, run.start() - SPEECH_REACH), run.end())


def is_boilerplate(sentence: str) -> bool:
    """True for a byline, timestamp, caption, photo reference or prompt: never a summary sentence."""
    words = [word for word in split_words(sentence) if not word.isdigit()]
    lowered = sentence.lower()
    if len(words) < MIN_WORDS or any(prompt in lowered for prompt in PROMPTS) or SHOUTED.match(sentence):
        return True
    if FURNITURE.search(sentence):
        return True
    if BYLINE.match(sentence) and len(words) < BYLINE_WORDS:
        return True
    return is_caption(sentence)


def without_dateline(sentence: str) -> str:
    """The sentence without a leading wire dateline (the article's own words, the place and agency cut)."""
    match = DATELINE.match(sentence)
    return sentence[match.end() :] if match and match.end() < len(sentence) else sentence
