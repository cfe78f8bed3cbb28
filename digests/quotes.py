"""Direct quotations with their speaker and cue; pronoun speakers resolved to the nearest named or described one."""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from digests.actors import PEOPLE_HEADS, head_noun, resolve, singular
from digests.models import Actor, Quote
from digests.patterns import rx

logger = logging.getLogger(__name__)

CUES = (
    r"said|says|say|told|tells|added|adds|wrote|writes|warned|warns|explained|insisted|insists|argued|argues|"
    r"claimed|claims|stated|states|declared|declares|asked|asks|continued|reads|read|noted|notes|admitted|"
    r"conceded|suggested|replied|recalled|acknowledged|tweeted|posted|commented|remarked|announced|stressed|"
    r"urged|believes|thinks|describes|described|called|calls|branded|dismissed|saying|adding|warning|alleging|"
    r"accusing|calling|describing|arguing|insisting|telling|writing|according to"
)
CUE_WORDS = frozenset(cue.split()[0] for cue in CUES.split("|"))
LOWER_WORD = re.compile(r"[a-z]+")
PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you"})
QUOTE_SPAN = re.compile(r"“([^“”]{2,}?)(?:”|$)|\"([^\"]{2,}?)(?:\"|$)", re.MULTILINE)
AFTER_SPEAKER = re.compile(
    rf"^\s*,?\s*(?P<speaker>(?:he|she|they|it|we|I)|[^,.;:“”\"]{{1,70}}?)\s(?P<cue>(?:{CUES}))\b(?P<rest>[^.;“”\"]*)",
    re.IGNORECASE,
)
AFTER_INVERTED = re.compile(
    r"^\s*,?\s*(?P<cue>said|says|added|wrote|writes|told|asked|insisted|warned)\s(?P<speaker>[^,.;:“”\"]{2,70})",
)
BEFORE_CUE = re.compile(rf"\b(?P<cue>{CUES})\b(?P<object>[^“”\"]{{0,60}}?)\s*[:,]?\s*$", re.IGNORECASE)
LEADING_ADVERBIAL = re.compile(
    r"^(?:(?:In|On|At|After|Before|During|Amid|As|With|Following|Despite|Meanwhile|However|But|And|Speaking|Asked|"
    r"Writing|Organised|Organized)\b[^,]{0,120},\s+|(?:Meanwhile|However|But|And|Now|Later)\s+)"
)
SUBJECT_END = re.compile(
    rf",|\s?[“\"]|\s(?:{CUES}|is|are|was|were|has|have|had|will|would|could|can|may|might|must|should|did|does|do|"
    rf"cited|refused|rejected|accused|urged|condemned|criticised|criticized|attacked|denied|insisted|"
    rf"[a-z]+ed)\b",
)
PERSON_DESCRIPTIONS = re.compile(
    r"\b(?:officer|official|spokesman|spokeswoman|spokesperson|minister|secretary|chairman|leader|source|"
    r"signator(?:y|ies)|soldier|analyst|economist|executive|boss|director|manager|coach|player|expert|"
    r"witness|resident|member|president|chief|man|woman|doctor|lawyer|campaigner|critic|adviser|father|"
    r"mother|friend|colleague|person|people|governor|mayor|judge|captain|star|founder|head|[a-z]+ists?|"
    r"[a-z]+ians?)\b",
    re.IGNORECASE,
)


SINGLE_OPEN = re.compile(r"(?:^|(?<=[\s(\[:—–]))[‘'](?=[A-Za-z0-9])")


QUOTE_MARKS = re.compile(r"[“”\"‘’']")


def single_close(line: str, marks: Sequence[int], after: int) -> int | None:
    """Where the single quotation opened before ``after`` closes: a ’ or ' after end punctuation, or one before a
    space, punctuation or the line end (an apostrophe after s, as in ``players’ union``, does not close)."""
    for position in marks:
        if position <= after or line[position] not in "’'":
            continue
        before = line[position - 1]
        if before in ",.!?…])":
            return position
        if before.isalnum() and before != "s" and rx(r"(?:[,.;:!?]?(?:\s|$))").match(line, position + 1):
            return position
    return None


def mark_single_quotes(text: str) -> str:
    """Single quotation marks (‘…’ and '…', as British outlets write quotes) turned into double ones, character for
    character; a quote opened at a sentence start or after a colon may run on unclosed, as a quote spanning
    paragraphs does. Marks inside a double-quoted span are left alone (a quote within a quote)."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if "‘" not in line and "'" not in line:
            continue
        marks = [m.start() for m in QUOTE_MARKS.finditer(line)]
        chars = list(line)
        inside_double = False
        skip_to = -1
        for position in marks:
            if position <= skip_to:
                continue
            char = line[position]
            if char in '“”"':
                inside_double = char == "“" or (char == '"' and not inside_double)
            elif char in "‘'" and not inside_double and SINGLE_OPEN.match(line, position):
                close = single_close(line, marks, position)
                if close is None and not (position == 0 or char == "‘" or line[:position].rstrip().endswith(":")):
                    continue
                chars[position] = "“"
                if close is not None:
                    chars[close] = "”"
                    skip_to = close
        lines[number] = "".join(chars)
    return "\n".join(lines)


@dataclass
class Found:
    """A quotation while speakers are still being worked out."""

    text: str
    sentence_index: int
    last_index: int
    speaker: str | None = None
    cue: str | None = None
    whole_sentence: bool = False
    opens_sentence: bool = False


def sentence_subject(sentence: str) -> str | None:
    """``One of the letter’s signatories`` in ``One of the letter’s signatories, speaking…, described…``."""
    body = LEADING_ADVERBIAL.sub("", sentence.strip())
    if body[:1] in '“"':
        return None
    match = SUBJECT_END.search(body)
    subject = body[: match.start()] if match else ""
    subject = subject.strip(" ,")
    if not subject or len(subject.split()) > 12:
        return None
    return subject


def is_person_like(description: str, actors: Sequence[Actor]) -> bool:
    """A named person or organisation, or a description whose head noun names people."""
    if description.lower() in PRONOUNS:
        return False
    actor = resolve(description, actors)
    if actor is not None:
        return True
    head = head_noun(description)
    return bool(PERSON_DESCRIPTIONS.search(head) or PEOPLE_HEADS.search(head))


def speaker_after(after: str) -> tuple[str, str] | None:
    """``, the letter reads`` / ``,” they said`` / ``said Mr Smith`` right after the closing mark."""
    match = AFTER_INVERTED.match(after)
    if match:
        return match.group("speaker").strip(), match.group("cue")
    match = AFTER_SPEAKER.match(after)
    if (
        match
        and len(match.group("speaker").split()) <= 8
        and match.group("speaker").split()[0].lower() not in SPEAKER_STOP
    ):
        cue = match.group("cue")
        rest = match.group("rest").strip()
        if cue.lower() in ("told", "tells") and rest:
            cue = f"{cue} {rest.split(',')[0].strip()}"
        return match.group("speaker").strip(), cue
    return None


APPOSED_NAME = re.compile(r"(?:^|[.;:]\s|\b(?:and|but)\s)((?:[A-Z][\w’'-]+\s){1,3}[A-Z][\w’'-]+),\s[^,]{3,60}$")
PREPOSITIONS = frozenset(str.split("to for with at from by of in on into about"))
SPEAKER_STOP = frozenset(str.split("and but or that which who this these those there"))
NP_BREAK = frozenset(
    str.split("""after before when as while that was is were are and but who which to has have had will would could
    for with without because since than if""")
)


def trailing_noun_phrase(clause: str) -> str:
    """``Mr Blair`` in ``Tory co-chairman Liam Fox was speaking after Mr Blair``."""
    words = clause.split()
    taken: list[str] = []
    for word in reversed(words):
        lower = word.lower()
        if lower in PREPOSITIONS:
            return ""
        if lower in NP_BREAK or (word.islower() and lower.endswith(("ing", "ed")) and lower not in ("ceo",)):
            break
        taken.append(word)
    return " ".join(reversed(taken))


def speaker_before(before: str) -> tuple[str, str] | None:
    """``Dr Fox told BBC Radio: “`` / ``…, Mr Blair said: “`` / ``the officers wrote, alleging that “``."""
    full = before
    before = rx(r"[”\"]").split(before)[-1]
    match = BEFORE_CUE.search(before)
    if not match:
        return None
    cue = match.group("cue")
    head = before[: match.start()].rstrip(" ,")
    named = APPOSED_NAME.search(head)
    if named:
        return named.group(1), cue
    clause = rx(r"[,;:]\s|\b(?:and|but)\s").split(head)[-1].strip()
    clause = LEADING_ADVERBIAL.sub("", clause).strip()
    clause = trailing_noun_phrase(clause)
    if (
        cue.lower().endswith("ing")
        or not clause
        or not rx(r"[A-Z]|(?:the|a|an|one|another|he|she|they|it|we)\b").match(clause)
    ):
        subject = sentence_subject(full)
        if (
            subject
            and subject.lower() not in SPEAKER_STOP
            and (
                PERSON_DESCRIPTIONS.search(subject)
                or subject.lower() in PRONOUNS
                or rx(r"(?:[A-Z][\w’'-]+\s?)+$").match(subject)
            )
        ):
            return subject, cue
        return None
    words = clause.split()
    if len(words) > 8 or clause.lower() in SPEAKER_STOP:
        return None
    obj = " ".join(match.group("object").split()[:2])
    if cue.lower() in ("told", "tells") and obj:
        cue = f"{cue} {obj}"
    return clause, cue


# Characters before and after a quotation searched for its speaker: linear cost for long sentences.
CONTEXT = 1_000


def find_quotes(sentences: Sequence[str]) -> list[Found]:
    """Quoted spans over the article's sentences, which may run across several sentences."""
    text = ""
    starts: list[int] = []
    for sentence in sentences:
        starts.append(len(text))
        text += sentence + "\n"
    found: list[Found] = []

    def index_at(offset: int) -> int:
        return max(0, bisect_right(starts, offset) - 1)

    text = mark_single_quotes(text)
    for match in QUOTE_SPAN.finditer(text):
        quoted = (match.group(1) or match.group(2) or "").strip()
        if len(quoted.split()) < 2 and not rx(r"\w{4,}").search(quoted):
            continue
        first, last = index_at(match.start()), index_at(max(match.end() - 1, match.start()))
        before = text[max(starts[first], match.start() - CONTEXT) : match.start()]
        after = text[match.end() : min(starts[last] + len(sentences[last]), match.end() + CONTEXT)]
        item = Found(quoted, first, last)
        item.opens_sentence = not before.strip()
        item.whole_sentence = item.opens_sentence and not rx(r"^[\s,.]*$").sub("", after)
        located = speaker_after(after) if rx(r"\s*,?\s*\w").match(after) else None
        located = located or speaker_before(before)
        if located is not None:
            item.speaker, item.cue = located
        found.append(item)
    return found


def subject_of_speech(sentence: str) -> str | None:
    """The subject of a sentence that reports speech without a direct cue (``…described the war as “…”``)."""
    if CUE_WORDS.isdisjoint(LOWER_WORD.findall(sentence.lower())):
        return None
    return sentence_subject(sentence)


def nearest_speaker(
    item: Found,
    earlier: dict[int, list[Found]],
    sentences: Sequence[str],
    actors: Sequence[Actor],
    plural: bool,
) -> str | None:
    """Walk back from a pronoun to the nearest named or described speaker the text supports.

    ``earlier`` holds the quotations before ``item`` that have a speaker, by the sentence they end in.
    """
    index = item.sentence_index
    for back in range(index, max(-1, index - 4), -1):
        spoken = [i.speaker for i in earlier.get(back, ()) if i.speaker and i.speaker.lower() not in PRONOUNS]
        if spoken:
            return spoken[-1]
        if back == index:
            continue
        subject = sentence_subject(sentences[back])
        if subject and is_person_like(subject, actors):
            if not plural and resolve(subject, actors) is None and not PERSON_DESCRIPTIONS.search(subject):
                continue
            return subject
    return None


def extract_quotes(sentences: Sequence[str], actors: Sequence[Actor] = ()) -> tuple[Quote, ...]:
    """Direct quotations in article order with speaker, cue and, when resolvable, the named actor."""
    items = find_quotes(sentences)
    earlier: dict[int, list[Found]] = {}  # quotations already seen that have a speaker, by their last sentence
    for position, item in enumerate(items):
        same = earlier.get(item.sentence_index, [])
        if item.cue and item.cue.lower().endswith("ing") and same:
            item.speaker = None
        if item.speaker is None:
            previous = items[position - 1] if position else None
            if same:
                item.speaker, item.cue = same[-1].speaker, same[-1].cue
            elif (
                item.opens_sentence  # an unattributed quote opening the next sentence goes on with the last speaker
                and previous is not None
                and previous.speaker
                and item.sentence_index - previous.last_index <= 1
            ):
                item.speaker, item.cue = previous.speaker, previous.cue
            else:
                subject = subject_of_speech(sentences[item.sentence_index])
                if subject and (subject.lower() in PRONOUNS or is_person_like(subject, actors)):
                    item.speaker = subject
                    cue = rx(rf"\b(?:{CUES})\b", re.IGNORECASE).search(sentences[item.sentence_index])
                    item.cue = cue.group(0) if cue else None
        if item.speaker and item.speaker.lower() in PRONOUNS - {"i", "we", "you"}:
            resolved = nearest_speaker(item, earlier, sentences, actors, item.speaker.lower() == "they")
            if resolved:
                item.speaker = resolved
        if item.speaker:
            earlier.setdefault(item.last_index, []).append(item)
    quotes: list[Quote] = []
    for item in items:
        sentence = " ".join(sentences[item.sentence_index : item.last_index + 1])
        actor = resolve(item.speaker, actors) if item.speaker else None
        quotes.append(
            Quote(
                text=item.text,
                sentence=sentence,
                speaker=item.speaker,
                cue=item.cue,
                speaker_ref=actor.name if actor else None,
            )
        )
    return tuple(quotes)


__all__ = ["extract_quotes", "singular"]


def quote_line(quote: Quote) -> str:
    """``“text” — speaker (resolved name) (cue)``: how a quotation is listed everywhere."""
    speaker = quote.speaker or "unattributed"
    if quote.speaker_ref and quote.speaker_ref.lower() not in speaker.lower():
        speaker = f"{speaker} ({quote.speaker_ref})"
    cue = f" ({quote.cue})" if quote.cue else ""
    return f"“{quote.text}” — {speaker}{cue}"
