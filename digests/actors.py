"""People, organisations and groups an article names, with the role text around them.

Rules over capitalisation, titles, appositives and counted groups: no model weights, fast and offline.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from digests.models import Actor, Figure
from digests.patterns import rx

logger = logging.getLogger(__name__)

TITLES = frozenset(
    str.split("""mr mrs ms miss dr sir lord lady dame prof professor president vice prime minister chancellor secretary
    chief senator sen governor gov general gen colonel col captain capt commander king queen prince princess
    pope judge justice mayor deputy foreign home defence defense finance health interior state justice
    shadow attorney rev reverend sheikh ayatollah archbishop bishop coach manager chairman ceo""")
)
HONORIFICS = frozenset(str.split("mr mrs ms miss dr sir lord lady dame prof rev"))
ORG_WORDS = frozenset(
    str.split("""unit ministry department bank corp corporation inc ltd plc llc group commission council party
    association
    union agency forces force office authority university college court fc united federation committee institute
    service board organisation organization network news times guardian post telegraph herald journal bros
    company co airlines airways motors industries holdings trust foundation fund league club army navy police
    parliament congress senate government assembly cabinet directorate initiative campaign brigade regiment
    hospital school society institution tribunal exchange securities media records studios pictures games
    labs systems technologies software microsystems electronics communications telecom mobile railways""")
)
PLACE_WORDS = frozenset(
    str.split(
        "street road avenue square river lake mountains mount island islands county province north south east west"
    )
)
PLACE_PREFIXES = frozenset(
    str.split(
        "new north south east west northern southern eastern western saint st san los las hong sri saudi upper lower"
    )
)
ORG_CUES = frozenset(
    str.split("""initiative group firm company organisation organization charity party campaign union club side
    team giant
    broadcaster newspaper network agency watchdog regulator maker bank retailer airline carrier chain operator
    studio label publisher developer unit body movement coalition association""")
)
ROLE_NOUNS = frozenset(
    str.split("""leader chairman chairwoman chair co-chairman president minister secretary spokesman spokeswoman
    spokesperson
    executive chief boss director manager coach analyst economist editor founder head officer official adviser
    advisor governor mayor captain striker midfielder defender goalkeeper player star actor actress singer
    director producer writer author presenter host judge lawyer campaigner commissioner treasurer correspondent
    professor expert researcher analyst chancellor ambassador envoy general commander founder owner
    initiative group firm company organisation charity party campaign union club team giant broadcaster
    newspaper network agency watchdog regulator maker bank retailer airline unit body movement""")
)
COMMON_INITIALS = frozenset(
    str.split("""the a an in on at but however it he she they we i this that these those when after before as if while
    although though since because meanwhile now then there here its his her their our my one another some many
    most all both each every no not yet so also still last next despite amid following during under over
    according organised organized speaking asked writing""")
)
NON_NAMES = frozenset(
    str.split("""january february march april may june july august september october november december monday tuesday
    wednesday thursday friday saturday sunday christmas easter""")
)
PEOPLE_HEADS = re.compile(
    r"(?:people|persons|men|women|children|staff|workers|employees|members|officers|officials|soldiers|troops|"
    r"reservists|hostages|signatories|students|fans|voters|residents|civilians|protesters|players|customers|"
    r"subscribers|users|journalists|doctors|nurses|teachers|police|refugees|migrants|prisoners|militants|"
    r"alumni|veterans|volunteers|delegates|ministers|mps|lawmakers|executives|investors|shareholders|"
    r"leaders|supporters|passengers|viewers|listeners|readers|shoppers|buyers|owners|farmers|miners|drivers|"
    r"pilots|lawyers|managers|employers|traders|bankers|developers|gamers|writers|singers|actors|"
    r"[a-z]+(?:ists|ians|ees))$",
    re.IGNORECASE,
)
NAME_WORD = r"(?:[A-Z][\w’'.-]*[\w’']|[A-Z]|\d+)"
SPAN = re.compile(
    rf"(?<![\w’'])(?:[A-Z][\w’'.-]*[\w’']|[A-Z]\.?)(?:\s(?:(?:of|for|the|and|de|du|von|van|al|bin|&)\s)*{NAME_WORD})*"
)
LOWER_WORD = re.compile(r"\b[a-z][a-z’'-]+\b")
NAME_TOKEN = re.compile(r"[A-Z][a-z’'-]+$")
SPEECH_AFTER = re.compile(r"\s(?:said|says|told|added|wrote|argued|warned|insisted|explained)\b")
LOWER_NEXT = re.compile(r"\s[a-z]")
NATIONALITY_ENDINGS = ("i", "ian", "ese", "ish", "an")
APPOSITIVE = re.compile(
    r"^,\s((?:the|a|an|its|his|her|their)\s[^,;.“”\"]{3,90}?|[A-Z][\w.&-]*[’']s\s[a-z][^,;.“”\"]{2,60}?)(?:,|\.$|$)"
)
BARE_APPOSITIVE = re.compile(
    r"^,\s((?:[a-z][\w-]*\s){0,3}([a-z][\w-]*)(?:\s(?:of|at|for)\s[^,;.“”\"]{2,60}?)?)(?:,|\.$|$)"
)
LEADING_APPOSITIVE = re.compile(r"^((?:The|A|An|[A-Z][\w.&-]*[’']s)\s(?:[\w-]+\s){0,4}([a-z][\w-]*)),\s$")
ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,6}s?$")


@dataclass(frozen=True)
class Mention:
    """A named span in a sentence, before merging."""

    name: str
    kind: str
    role: str | None
    sentence: str


def lowercase_vocabulary(sentences: Sequence[str]) -> frozenset[str]:
    """Words the article also writes in lower case: a capitalised one at a sentence start is then not a name."""
    return frozenset(LOWER_WORD.findall("\n".join(sentences)))


POSSESSIVE = re.compile(r"[’']s?$")


def strip_possessive(name: str) -> str:
    return POSSESSIVE.sub("", name) if "'" in name or "’" in name else name


def split_title(words: list[str]) -> tuple[list[str], list[str]]:
    """``Prime Minister Benjamin Netanyahu`` -> (``Prime Minister``, ``Benjamin Netanyahu``)."""
    index = 0
    while index < len(words) - 1 and words[index].lower().rstrip(".") in TITLES:
        index += 1
    return words[:index], words[index:]


def role_before(before: str) -> str | None:
    """Descriptive words right before a name: ``the anti-war initiative``, ``Tory co-chairman``."""
    words = before.rstrip().split(" ")
    if not words or not words[-1]:
        return None
    last = words[-1].lower().strip('“”"')
    if last not in ROLE_NOUNS and not last.endswith(("-based",)):
        return None
    taken: list[str] = []
    window = words[-6:]
    for position in range(len(window) - 1, -1, -1):
        word = window[position]
        bare = word.strip('“”"')
        if not bare or word[-1] in ',;:.()”"' or bare.lower() in ("by", "to", "said", "from", "with", "of"):
            break
        joins = position > 0 and window[position - 1].strip('“”"').lower() in ROLE_NOUNS
        if bare.lower() in ("and", "or") and joins:
            taken.append(bare)  # "chairman and chief executive"
            continue
        if bare.lower() in COMMON_INITIALS - {"the", "a", "an"} or bare.lower() in ("and", "or"):
            break
        taken.append(bare)
        if bare.lower() in ("the", "a", "an"):
            break
    return " ".join(reversed(taken)) or None


def classify(name_words: list[str], title: list[str], before: str, after: str, people: set[str]) -> str | None:
    """person / organisation, or None for places and other capitalised words."""
    lowered = {w.lower().strip("’'") for w in name_words}
    if lowered & ORG_WORDS or any(ACRONYM.match(w) for w in name_words):
        return "organisation"
    tail = before[-30:].rstrip()
    previous = tail.rsplit(" ", 1)[-1].lower() if tail else ""
    if previous in ORG_CUES:
        return "organisation"
    if lowered & PLACE_WORDS or lowered & NON_NAMES or name_words[0].lower() in PLACE_PREFIXES:
        return None
    if previous in ("in", "at", "near", "from", "across", "outside", "inside"):
        return None
    if title or (len(name_words) == 1 and name_words[0] in people):
        return "person"
    if 2 <= len(name_words) <= 3 and all(NAME_TOKEN.match(w) for w in name_words):
        return "person"
    if SPEECH_AFTER.match(after):
        return "organisation" if len(name_words) == 1 and name_words[0] not in people else "person"
    return None


def could_name_alone(word: str, sentence: str, start: int, end: int, people: set[str]) -> bool:
    """A lone capitalised word is a name only as an acronym, an organisation word, a known surname, after an
    organisation cue (``search-engine firm Google``) or before a speech verb (``Google said``)."""
    bare = strip_possessive(word)
    if ACRONYM.match(bare) or bare.lower() in ORG_WORDS or bare in people:
        return True
    if SPEECH_AFTER.match(sentence, end):
        return True
    before = sentence[max(0, start - 30) : start].split()
    return bool(before) and before[-1].lower() in ORG_CUES


def mentions(sentence: str, first_word_common: frozenset[str], people: set[str]) -> list[Mention]:
    """Named spans of one sentence, classified, with titles and appositives as roles."""
    found: list[Mention] = []
    for match in SPAN.finditer(sentence):
        text = match.group(0)
        start = match.start()
        lowered = text.lower()
        if lowered in COMMON_INITIALS or (" " not in text and lowered in first_word_common and start == 0):
            continue
        if " " not in text and not could_name_alone(text, sentence, start, match.end(), people):
            continue
        words = text.split()
        for index, word in enumerate(words[:-1]):
            if word.endswith(("’s", "'s")):
                words = words[: index + 1]
                break
        while words and words[-1].lower() in ("of", "for", "the", "and", "de", "&"):
            words.pop()
        if start == 0 or sentence[max(0, start - 4) : start].rstrip()[-1:] in (".", "!", "?", "“", '"'):
            while words and (words[0].lower() in COMMON_INITIALS or words[0].lower() in first_word_common):
                start += len(words[0]) + 1
                words = words[1:]
        if not words or words[0].isdigit():
            continue
        words[-1] = strip_possessive(words[-1])
        if " of the " in " ".join(words):
            head, _, tail = " ".join(words).partition(" of the ")
            if all(w.lower() in TITLES or w.lower() in ("of", "staff") for w in head.split()):
                words = tail.split()
        title, name_words = split_title(words)
        if not name_words or (len(name_words) == 1 and len(name_words[0]) < 2):
            continue
        end = match.end()
        before, after = sentence[max(0, start - 80) : start], sentence[end : end + 100]
        if len(name_words) == 1 and LOWER_NEXT.match(after) and name_words[0].endswith(NATIONALITY_ENDINGS):
            continue  # a nationality adjective: "Israeli officials"
        kind = classify(name_words, title, before, after, people)
        if kind is None:
            continue
        name = " ".join(name_words)
        role_words = [w for w in title if w.lower().rstrip(".") not in HONORIFICS]
        role = " ".join(role_words) or role_before(before)
        appositive = APPOSITIVE.match(after)
        if appositive and not role:
            role = appositive.group(1)
        bare_appositive = BARE_APPOSITIVE.match(after) if not role else None
        if bare_appositive and bare_appositive.group(2) in ROLE_NOUNS:
            role = bare_appositive.group(1)  # "Richard Parsons, chairman of TimeWarner, said"
        leading = LEADING_APPOSITIVE.match(sentence[:start]) if after.startswith(",") else None
        if leading and not role and leading.group(2) in ROLE_NOUNS:
            role = leading.group(1)  # "The finance minister, Olof Lind, stays."
            role = role[0].lower() + role[1:] if role.startswith(("The ", "A ", "An ")) else role
        if kind == "person":
            people.add(name_words[-1])
        found.append(Mention(name, kind, role, sentence))
    return found


def groups(figures: Iterable[Figure]) -> list[Mention]:
    """Counted groups of people: ``41 Israeli military intelligence officers and reservists``."""
    found: list[Mention] = []
    for figure in figures:
        if figure.kind != "count" or not figure.counts:
            continue
        noun = rx(r"\s(?:are|is|were|was|have|has|had|may|might|could|remain|killed|wounded)\b").split(figure.counts)[0]
        head = rx(r"\s(?:and|from|of|in|for)\s").split(noun)[0].split()
        if head and PEOPLE_HEADS.search(head[-1]):
            found.append(Mention(f"{figure.text} {noun}", "group", None, figure.sentence))
    return found


def extract_actors(sentences: Sequence[str], figures: Iterable[Figure] = ()) -> tuple[Actor, ...]:
    """Every person, organisation and group named, once each, in order of first mention; an actor's sentence is
    the one that gives its role, else its first mention."""
    vocabulary = lowercase_vocabulary(sentences)
    first_word_common = vocabulary
    people: set[str] = set()
    found: list[Mention] = []
    for sentence in sentences:
        found.extend(mentions(sentence, first_word_common, people))
    found.extend(groups(figures))
    order = {sentence: index for index, sentence in reversed(list(enumerate(sentences)))}
    found.sort(key=lambda m: order.get(m.sentence, 0))
    actors: dict[str, Actor] = {}
    full_names = {m.name.split()[-1]: m.name for m in found if m.kind == "person" and len(m.name.split()) > 1}
    for mention in found:
        name = mention.name
        if mention.kind == "person" and len(name.split()) == 1 and name in full_names:
            name = full_names[name]
        key = name.lower()
        if key in actors:
            if actors[key].role is None and mention.role:
                actors[key] = Actor(name=name, kind=actors[key].kind, sentence=mention.sentence, role=mention.role)
            continue
        actors[key] = Actor(name=name, kind=mention.kind, sentence=mention.sentence, role=mention.role)
    return tuple(actors.values())


def head_noun(description: str) -> str:
    """``the Tory co-chairman`` -> ``co-chairman``; ``One of the letter’s signatories`` -> ``signatories``."""
    words = rx(r"[\w’'-]+").findall(description.lower())
    words = [w for w in words if w not in ("who", "which", "that")]
    return words[-1] if words else ""


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def resolve(description: str, actors: Sequence[Actor]) -> Actor | None:
    """The named actor a description refers to: ``the officers`` -> the officers' group, ``Mr Blair`` -> Tony Blair."""
    text = strip_possessive(description.strip())
    lowered = text.lower()
    bare = rx(r"^(?:the|a|an|mr|mrs|ms|dr|sir|lord|lady|prof)\.?\s").sub("", lowered)
    for actor in actors:
        name = actor.name.lower()
        if bare == name or (actor.kind == "person" and bare == name.split()[-1]):
            return actor
    head = singular(head_noun(text))
    if not head or len(head) < 3 or rx(r"(?:another|one|a|an|some|other)\b").match(lowered):
        return None
    for actor in actors:
        if actor.kind == "group" and head in group_nouns(actor.name):
            return actor
    for actor in actors:
        if actor.role and head == role_head(actor.role):
            return actor
    return None


@lru_cache(maxsize=4096)
def group_nouns(name: str) -> frozenset[str]:
    """The people nouns of a group's name: ``officers and reservists`` -> {officer, reservist}."""
    return frozenset(singular(w) for w in rx(r"[\w’'-]+").findall(name.lower()) if PEOPLE_HEADS.search(w))


@lru_cache(maxsize=4096)
def role_head(role: str) -> str:
    return singular(head_noun(role))
