"""Question analysis: the kind, the expected answer type, the focus names and the relation asked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from digests.patterns import rx
from digests.retrieval import terms

AUXILIARY = r"(?:will|would|could|can|should|may|might|has|have|had|is|was|are|were|did|does|do)"
PLACE_NOUNS = r"(?:country|countries|city|cities|town|state|place|region|province|county|nation|island|venue)"
KINDS = (
    ("who_said", rx(r"^\s*who\s+(?:said|says|told|wrote|warned|described|called|claimed|insisted)\b", re.I)),
    ("said_by", rx(
        r"^\s*what\s+(?:did|does|do|has|have)\s+(?P<who>.+?)\s+(?:say|said|tell|write|warn|claim|argue)\b", re.I
    )),
    ("figures", rx(r"\b(?:what|which|list|key|main)\b.*\b(?:figures|numbers|statistics|stats|data)\b", re.I)),
    ("how_many", rx(r"^\s*(?:how\s+many|what\s+(?:is\s+the\s+)?number\s+of)\b", re.I)),
    ("how_much", rx(r"^\s*(?:how\s+(?:much|big|large|long|far|fast|high|old|often)|what\s+(?:percentage|"
                    r"proportion|amount|share|age|price))\b", re.I)),
    ("when", rx(r"^\s*(?:when|(?:in|on|since|by|until)?\s*what\s+(?:date|day|year|time|month|week|decade))\b",
                re.I)),
    ("where", rx(rf"^\s*(?:where|(?:in|to|from|at)?\s*(?:what|which)\s+{PLACE_NOUNS})\b", re.I)),
    ("why", rx(r"^\s*(?:why|for\s+what\s+reason|what\s+(?:was|is)\s+the\s+reason)\b", re.I)),
    ("who", rx(r"^\s*(?:who|whom|whose|(?:what|which)\s+(?:company|firm|group|organi[sz]ation|person|team|club|"
               r"man|woman|party|band|network|agency|official|player|country)\b)", re.I)),
)  # fmt: skip
EXPECTS = {
    "figures": "figures", "how_many": "number", "how_much": "number", "when": "time", "where": "place",
    "who": "agent", "who_said": "speaker", "said_by": "quotation", "why": "reason", "general": "sentence",
}  # fmt: skip
WHAT = {
    "figures": "figures", "number": "number", "time": "time", "place": "place", "agent": "person or organisation",
    "speaker": "speaker", "quotation": "quotation", "reason": "reason", "sentence": "answer",
}  # fmt: skip
QUESTION_NOISE = frozenset(
    str.split("what which who whom whose when where why how many much did does do figures numbers statistics "
              "reported report happen happened name named")
)  # fmt: skip
OBJECT_WHO = rx(
    rf"^\s*who(?:m)?\s+(?P<aux>{AUXILIARY})\s+(?P<subject>.+?)\s+(?P<verb>(?-i:[a-z]+))\b(?P<rest>[^?]*)", re.I
)
ROLE_WHO = rx(r"^\s*who\s+(?:is|was|are|were)\s+(?:(?:the|a|an)\s+|(?=[\w-]+['’]s\s))(?P<role>[^?]*?)\s*\??\s*$", re.I)
WHO_IS = rx(r"^\s*[Ww]ho\s+(?:is|was|are|were)\s+(?P<name>[A-Z][^?]*?)\s*\??\s*$")
ASKED_VERB = rx(
    rf"^\s*(?:which\s+(?:[\w-]+\s+){{1,3}}?{AUXILIARY}\s+|(?:who|which\s+[\w-]+)\s+(?:{AUXILIARY}\s+)?)"
    r"(?:[a-z]+ly\s+)?(?P<verb>(?-i:[a-z][a-z-]+))\b",
    re.I,
)
COPULA = rx(r"(?:is|was|are|were)$", re.I)
TRAILING_PREPOSITION = rx(r"\b(?P<verb>[a-z]+)\s+(?P<prep>to|for|with|against|from|by|at|on)\s*[?.!]?\s*$", re.I)
NAME = rx(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w’'.-]*(?:\s+(?:of\s+|de\s+|al-)?[A-Z][\w’'.-]*)*")


@dataclass(frozen=True)
class Question:
    """What a question asks: its kind, the answer type it expects, the names it is about, the relation asked
    (a verb, a role or a preposition after a verb) and its stemmed content terms."""

    text: str
    kind: str
    expects: str
    terms: tuple[str, ...]
    names: tuple[str, ...] = ()
    spans: tuple[tuple[str, ...], ...] = ()  # each name the question gives, as its stemmed words
    mentioned: tuple[str, ...] = ()
    focus: tuple[str, ...] = ()
    relation: tuple[str, ...] = ()
    role: tuple[str, ...] = ()
    preposition: str | None = None
    position: str = "any"  # where the answer stands relative to the relation: "before" (agent), "after" (object)
    identity: str | None = None  # "who is X": the name asked about


def classify(text: str) -> Question:
    """Analyse ``text`` into a :class:`Question`."""
    text = text.strip()
    kind = "general"
    focus: tuple[str, ...] = ()
    for name, pattern in KINDS:
        match = pattern.search(text)
        if match:
            kind = name
            if name == "said_by":
                focus = tuple(terms(match.group("who")))
            break
    words = [w for w in rx(r"[\w’'-]+").findall(text.lower()) if w not in QUESTION_NOISE]
    content = tuple(t for t in terms(" ".join(words)) if t)
    spans = [m.group(0).rstrip(".") for m in NAME.finditer(text)]
    names = tuple(dict.fromkeys(t for span in spans for t in terms(span)))
    mentioned = tuple(m.lower() for m in rx(r"[£$€]?\d[\d,.]*\w*|[A-Z][\w’'-]+").findall(text))
    relation: tuple[str, ...] = ()
    role: tuple[str, ...] = ()
    preposition = None
    position = "any"
    identity = None
    if kind == "who":
        who_is = WHO_IS.match(text)
        role_match = ROLE_WHO.match(text) if who_is is None else None
        objective = OBJECT_WHO.match(text)
        trailing = TRAILING_PREPOSITION.search(text)
        if trailing and objective:  # "who was the letter addressed to": whom the verb names after its preposition
            relation = tuple(terms(trailing.group("verb")))[:1]
            preposition = trailing.group("prep").lower()
            position = "after"
        elif role_match:
            role = tuple(t for t in terms(role_match.group("role")) if t not in names)
        elif objective and not COPULA.match(objective.group("aux")):
            relation = tuple(terms(objective.group("verb")))[:1]
            position = "after"
        elif who_is:
            identity = who_is.group("name")
        else:
            asked = ASKED_VERB.match(text)
            if asked:
                relation = tuple(terms(asked.group("verb")))[:1]
                position = "before"
        focus = content[:1]
    expects = EXPECTS[kind]
    return Question(
        text=text, kind=kind, expects=expects, terms=content, names=names, mentioned=mentioned, focus=focus,
        spans=tuple(tuple(terms(span)) for span in spans if terms(span)),
        relation=relation, role=role, preposition=preposition, position=position, identity=identity,
    )  # fmt: skip
