"""Figures an article reports: every number in digits or words, what it counts, its qualifiers and who says so.

A hand-written parser: quantity libraries such as quantulum3 misread news money ("$1.13bn"), clock and race
times ("14:39.29"), dates and year ranges, and cost milliseconds per sentence.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from digests.models import Figure
from digests.patterns import rx

logger = logging.getLogger(__name__)

MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
SHORT_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12, "trn": 1e12}
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20, "hundredth": 100,
}  # fmt: skip
CURRENCY_SYMBOLS = {"$": "USD", "us$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "a$": "AUD", "c$": "CAD"}
CURRENCY_WORDS = {
    "dollars": "USD", "dollar": "USD", "pounds": "GBP", "pound": "GBP", "euros": "EUR", "euro": "EUR",
    "yen": "JPY", "rupees": "INR", "francs": "CHF", "yuan": "CNY", "pence": "GBP", "p": "GBP", "cents": "USD",
}  # fmt: skip
DURATION_UNITS = {
    "second": "s", "minute": "min", "hour": "h", "day": "day", "week": "week", "fortnight": "fortnight",
    "month": "month", "year": "year", "decade": "decade", "century": "century", "centuries": "century",
}  # fmt: skip
MEASURE_UNITS = {
    "km": "km", "kilometre": "km", "kilometer": "km", "mile": "mile", "metre": "m", "meter": "m", "cm": "cm",
    "mm": "mm", "kg": "kg", "kilogram": "kg", "gram": "g", "tonne": "t", "ton": "t", "mph": "mph", "kph": "km/h",
    "foot": "ft", "feet": "ft", "ft": "ft", "inch": "in", "inches": "in", "litre": "l", "liter": "l",
    "gallon": "gal", "barrel": "bbl", "degree": "deg", "acre": "acre", "hectare": "ha", "gb": "GB", "mb": "MB",
    "tb": "TB", "gigabyte": "GB", "megabyte": "MB", "terabyte": "TB", "mbps": "Mbps", "megabit": "Mbit",
    "kbps": "kbps", "ghz": "GHz", "mhz": "MHz", "point": "pt", "pixel": "px", "watt": "W", "megawatt": "MW",
}  # fmt: skip
PREFIX_QUALIFIERS = (
    "at least", "at most", "more than", "less than", "fewer than", "as many as", "as much as", "up to",
    "upwards of", "close to", "an estimated", "estimated", "just over", "just under", "almost", "nearly",
    "about", "around", "approximately", "roughly", "some", "over", "under", "only", "a record", "another",
)  # fmt: skip
HEDGES = {
    "estimate": "estimate", "estimates": "estimate", "estimated": "estimate", "may": "may", "might": "might",
    "could": "could", "reportedly": "reportedly", "believed": "believed", "expected": "expected",
    "forecast": "forecast", "projected": "projected", "possibly": "possibly", "likely": "likely",
}  # fmt: skip
COUNTABLE_KINDS = frozenset({"count", "money", "percent", "measure"})

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
WORDNUM = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    r"|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million"
    r"|billion|trillion|dozen)"
)
SCALE_WORD = r"(?:\s?(?:bn|mn|tn|trn|m|k|b)\b|\s(?:thousand|million|billion|trillion)\b)"
PATTERN = re.compile(
    rf"""
    (?=[\d$£€¥ACDFJMNOSTWU])
    (?:(?P<date>\b(?:{WEEKDAY},?\s)?(?:{MONTH}\s\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s(?:1[89]|20)\d\d)?
        |\d{{1,2}}(?:st|nd|rd|th)?\s(?:of\s)?{MONTH}(?:,?\s(?:1[89]|20)\d\d)?
        |{MONTH}\s(?:1[89]|20)\d\d)\b)
    |(?P<clock>\b\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:\.\d+)?(?:\s?(?:am|pm|GMT|BST|UTC)\b)?
        |\b\d{{1,2}}(?:\.\d{{2}})?\s?(?:am|pm)\b)
    |(?P<money>(?:US\$|A\$|C\$|[$£€¥])\s?(?:{NUMBER})(?:{SCALE_WORD})?)
    |(?P<yearrange>\b(?:1[89]|20)\d\d\s?(?:-|–|/|\sto\s)\s?(?:(?:1[89]|20)\d\d|\d\d)\b)
    |(?P<decade>\b(?:1[89]|20)\d0s\b)
    |(?P<ordinal>\b\d+(?:st|nd|rd|th)\b)
    |(?P<number>(?<![\w.,])(?:{NUMBER})(?:{SCALE_WORD})?(?![\w,]*\d)))
    """,
    re.VERBOSE,
)
WORD_NUMBER = re.compile(rf"(?P<words>\b(?:{WORDNUM})(?:(?:\s|-|\sand\s|\sa\s)(?:{WORDNUM}))*\b)", re.IGNORECASE)
ORDINAL_PHRASE_WORDS = frozenset(
    str.split("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth twentieth")
)
WORD_ORDINAL = re.compile(
    rf"(?P<wordordinal>\b(?:the|its|his|her|their|a)\s(?:{'|'.join(sorted(ORDINAL_PHRASE_WORDS))})\b)", re.IGNORECASE
)
WORD = re.compile(r"[\w’'][\w’'./&-]*|[^\w\s]")
STOP_NP = frozenset(
    str.split("""is are was were be been being has have had will would could can may might should must do does did
    said says say told tells according which who that whose where when while as than but or because since
    after before following during until despite amid to by with at on into over under about against
    per it its this these those he she they we i you his her their our my your there here
    not no also still already just even then so if whether up down out last next each every
    between among across through via than within without toward towards onto upon off near behind beyond
    """)
)
NP_CONTINUE = frozenset({"of", "from", "in", "for"})
PREDICATE_START = frozenset({"are", "is", "were", "was", "remain", "remained", "remains", "may", "might", "could"})
PREDICATE_STOP = frozenset(
    str.split("following after since because according which who while as and but or with when where amid despite")
)
LEAD_DETERMINERS = frozenset({"the", "a", "an", "another", "some", "its", "his", "her", "their", "our"})
PEOPLE_WORDS = frozenset({"people", "persons", "men", "women", "children", "staff", "workers", "employees"})
ATTRIBUTION_VERBS = (
    r"estimates?|estimated|said|says|reported|reports|claims?|claimed|believes?|believed|predicts?|predicted|"
    r"forecasts?|expects?|expected|calculated|calculates|found|showed|shows|told|announced|revealed|confirmed"
)
ACCORDING = re.compile(r"\b[Aa]ccording to ((?:[^,.;:“”\"]|\.\d)+)")
LEADING_SOURCE = re.compile(
    rf"^(?:(?:But|However|And|Meanwhile|Now),?\s)?((?:[Tt]he\s)?[A-Z][\w’'.&-]*(?:\s(?:[A-Za-z][\w’'.&-]*)){{0,5}}?)\s"
    rf"(?:(?:also|now|have|has|had)\s)?({ATTRIBUTION_VERBS})\b"
)
TRAILING_SOURCE = re.compile(
    rf"(?:,|”|\")\s*((?:the\s)?[A-Z][\w’'.&-]*(?:\s[\w’'.&-]+){{0,5}}?|(?:he|she|they|it))\s({ATTRIBUTION_VERBS})\b[^.]*\.?$"
    rf"|(?:,|”|\")\s*({ATTRIBUTION_VERBS})\s((?:the\s)?[A-Z][\w’'.&-]*(?:\s[\w’'.&-]+){{0,5}})\.?$"
)
DATA_SOURCE = re.compile(
    r"\b(?:figures|data|statistics|estimates|research|a survey|a report|a study) (?:from|by) ([^,.;]+)"
)
PLURAL_NOUNS = frozenset(
    str.split("alumni people staff children men women police cattle sheep fish personnel clergy media data")
)
WHICH_VERB = re.compile(r",\s*which\s(?:has\s|have\s|had\s)?(\w+ed)\s*$", re.IGNORECASE)
TIME_WORDS = re.compile(
    rf"\b(?:(?:in|on|at|by|since|until|from|during|last|next|this|early|late|mid)[\s-])?"
    rf"(?:{WEEKDAY}|{MONTH}(?:\s\d{{1,2}})?(?:,?\s\d{{4}})?|(?:1[89]|20)\d\d|(?:last|next|this)\s(?:week|month|year|"
    rf"weekend|summer|winter|spring|autumn)|yesterday|today|tomorrow|(?:the\s)?(?:first|second|third|fourth|final|last)\s"
    rf"quarter)\b"
)


@dataclass(frozen=True)
class Parsed:
    """A number as matched: its span, kind, value and unit."""

    start: int
    end: int
    kind: str
    value: float | None
    unit: str | None = None
    normalised: str | None = None


def words_to_number(text: str) -> float | None:
    """``"Fifty-six"`` -> 56, ``"six million"`` -> 6e6, ``"two hundred and five"`` -> 205."""
    total = current = 0.0
    seen = False
    for word in rx(r"[\s-]+").split(text.lower()):
        if word in ("and", "a", ""):
            continue
        if word in UNITS:
            current += UNITS[word]
        elif word == "dozen":
            current = (current or 1) * 12
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in SCALES:
            total += (current or 1) * SCALES[word]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def digits_to_number(text: str) -> float | None:
    """``"55,000"`` -> 55000, ``"1.13bn"`` -> 1.13e9, ``"6 million"`` -> 6e6."""
    match = DIGITS_SCALE.match(text.strip())
    if not match:
        return None
    value = float(match.group(1).replace(",", ""))
    scale = (match.group(2) or "").lower()
    return value * SHORT_SCALES.get(scale, SCALES.get(scale, 1))


def clean_value(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def unit_after(rest: str) -> tuple[str, str, int] | None:
    """The unit word right after a number (``-month``, `` seconds``, ``%``): (kind, unit, characters used)."""
    match = rx(
        r"(\s?%|\s?per\s?cent\b|\spercentage\spoints?\b|p\b|\s(?:pence|cents|dollars?|pounds?|euros?|yen|rupees|francs|yuan)\b"
        r"|(?:-|\s)(?:[a-z]+)(?:-old)?)",
        re.IGNORECASE,
    ).match(rest)
    if not match:
        return None
    token = match.group(0)
    word = token.strip(" -").lower()
    if word in ("%", "per cent", "percent", "per  cent") or "percent" in word.replace(" ", "") or "point" in word:
        if "point" in word and "percentage" not in word:
            return "measure", "pt", len(token)
        return "percent", "%", len(token)
    if word in CURRENCY_WORDS:
        return "money", CURRENCY_WORDS[word], len(token)
    if word.endswith("-old") or (word.endswith("-year-old")):
        return "age", "year", len(token)
    singular = word[:-1] if word.endswith("s") and word[:-1] in {**DURATION_UNITS, **MEASURE_UNITS} else word
    if singular.endswith("ie") and singular[:-2] + "y" in DURATION_UNITS:
        singular = singular[:-2] + "y"
    if singular in DURATION_UNITS:
        old = rx(r"(?:-|\s)old\b").match(rest[len(token) :])
        if old:
            return "age", DURATION_UNITS[singular], len(token) + len(old.group(0))
        return "duration", DURATION_UNITS[singular], len(token)
    if singular in MEASURE_UNITS:
        return "measure", MEASURE_UNITS[singular], len(token)
    return None


NUMBER_WORDS = frozenset([*UNITS, *SCALES, "dozen", *ORDINAL_WORDS])
CARDINAL_WORDS = frozenset([*UNITS, *SCALES, "dozen"])
HAS_DIGIT = re.compile(r"\d")
DIGITS_SCALE = re.compile(rf"({NUMBER})\s?([a-z]+)?", re.IGNORECASE)
MONTH_TAIL = re.compile(rf"\b{MONTH}\s$")
NP_TOKENS = re.compile(r"[\w’'&-]+|[^\w\s]")
PHRASE_TOKENS = re.compile(r"[\w’'-]+|[^\w\s]")
LOWER_WORDS = re.compile(r"[a-z]+")
QUALIFIER_TAIL = re.compile(rf"\b({'|'.join(re.escape(q) for q in PREFIX_QUALIFIERS)})$")


def candidates(sentence: str) -> list[re.Match[str]]:
    """Matches of the digit pattern, then of the number-word pattern where they do not overlap."""
    found = list(PATTERN.finditer(sentence)) if HAS_DIGIT.search(sentence) else []
    lowered = sentence.lower()
    words = LOWER_WORDS.findall(lowered)
    if NUMBER_WORDS.isdisjoint(words):
        return found
    extra: list[re.Match[str]] = []
    present = CARDINAL_WORDS.intersection(words)
    if present:
        starts = sorted(m.start() for word in present for m in rx(rf"\b{word}\b").finditer(lowered))
        reach = 0
        for start in starts:
            if start >= reach and (match := WORD_NUMBER.match(sentence, start)):
                extra.append(match)
                reach = match.end()
    for word in ORDINAL_PHRASE_WORDS.intersection(words):
        for found_word in rx(rf"\b{word}\b").finditer(lowered):
            window = max(0, found_word.start() - 7)
            match = WORD_ORDINAL.search(sentence, window, found_word.end())
            if match and match.end() == found_word.end():
                extra.append(match)
    extra.sort(key=lambda m: m.start())
    found += without_overlaps(extra, [(m.start(), m.end()) for m in found])
    found.sort(key=lambda m: m.start())
    return found


def without_overlaps(matches: list[re.Match[str]], taken: list[tuple[int, int]]) -> list[re.Match[str]]:
    """``matches`` (sorted by start) that overlap none of the ``taken`` spans (sorted, disjoint): one sweep."""
    kept: list[re.Match[str]] = []
    index = 0
    for match in matches:
        while index < len(taken) and taken[index][1] <= match.start():
            index += 1
        if index == len(taken) or taken[index][0] >= match.end():
            kept.append(match)
    return kept


SECONDS = {"s": 1.0, "min": 60.0, "h": 3600.0}


def merge_durations(sentence: str, found: list[Parsed]) -> list[Parsed]:
    """``14 minutes 32.93 seconds`` is one duration, in seconds."""
    merged: list[Parsed] = []
    for parsed in found:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.kind == parsed.kind == "duration"
            and last.unit in SECONDS
            and parsed.unit in SECONDS
            and sentence[last.end : parsed.start] in (" ", " and ", ", ")
        ):
            total = (last.value or 0) * SECONDS[last.unit or "s"] + (parsed.value or 0) * SECONDS[parsed.unit or "s"]
            merged[-1] = Parsed(last.start, parsed.end, "duration", round(total, 3), "s")
        else:
            merged.append(parsed)
    return merged


def parse_numbers(sentence: str) -> list[Parsed]:
    """Every number in ``sentence`` with its kind and normalised value, in order."""
    return merge_durations(sentence, parse_all(sentence))


def parse_all(sentence: str) -> list[Parsed]:
    """Every number as matched, before compound durations are joined."""
    found: list[Parsed] = []
    for match in candidates(sentence):
        group = match.lastgroup or ""
        text = match.group(0)
        start, end = match.start(), match.end()
        if group == "date":
            found.append(Parsed(start, end, "date", None, None, normalise_date(text)))
        elif group == "clock":
            found.append(clock(text, start, end))
        elif group == "money":
            symbol = rx(r"US\$|A\$|C\$|[$£€¥]", re.IGNORECASE).match(text)
            currency = CURRENCY_SYMBOLS.get(symbol.group(0).lower() if symbol else "$", "USD")
            value = digits_to_number(rx(r"^(?:US\$|A\$|C\$|[$£€¥])\s?", re.IGNORECASE).sub("", text))
            found.append(Parsed(start, end, "money", clean_value(value), currency))
        elif group == "yearrange":
            years = rx(r"\d+").findall(text)
            first, last = years[0], years[-1]
            if len(last) == 2:
                last = first[:2] + last
            found.append(Parsed(start, end, "year", float(first), None, f"{first}–{last}"))
        elif group == "decade":
            found.append(Parsed(start, end, "year", float(text[:4]), None, text))
        elif group == "ordinal":
            found.append(Parsed(start, end, "ordinal", float(rx(r"\D").sub("", text))))
        elif group == "wordordinal":
            word = text.split()[-1].lower()
            offset = len(text) - len(word)
            found.append(Parsed(start + offset, end, "ordinal", float(ORDINAL_WORDS[word])))
        elif group == "number":
            found.extend(plain_number(sentence, text, start, end))
        elif group == "words":
            parsed = word_number(sentence, text, start, end)
            if parsed is not None:
                found.append(parsed)
    return found


def normalise_date(text: str) -> str | None:
    """``"October 7, 2023"`` / ``"7 October 2023"`` -> ``"2023-10-07"``; without a year ``"--10-07"``."""
    month = next((MONTHS[w] for w in rx(r"[A-Za-z]+").findall(text.lower()) if w in MONTHS), None)
    if month is None:
        return None
    year = rx(r"\b(?:1[89]|20)\d\d\b").search(text)
    day = rx(r"\b(\d{1,2})(?:st|nd|rd|th)?\b(?!\d)").search(rx(r"\b(?:1[89]|20)\d\d\b").sub("", text))
    if day is None:
        return f"{year.group(0)}-{month:02d}" if year else None
    return f"{year.group(0) if year else '-'}-{month:02d}-{int(day.group(1)):02d}"


def clock(text: str, start: int, end: int) -> Parsed:
    """Clock times (``9am``, ``14:30``) and race times (``14:39.29`` = minutes:seconds.hundredths)."""
    if rx(r"am|pm", re.IGNORECASE).search(text):
        return Parsed(start, end, "time", None, None, text.replace(" ", "").lower())
    parts = [float(p) for p in rx(r":").split(rx(r"\s?(?:GMT|BST|UTC)").sub("", text))]
    if "." in text or parts[0] >= 24:
        seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) == 3 else 0)
        return Parsed(start, end, "duration", round(seconds, 3), "s", text)
    return Parsed(start, end, "time", None, None, text)


def plain_number(sentence: str, text: str, start: int, end: int) -> list[Parsed]:
    """A number in digits, classified by what follows it (unit, %, pence) or by looking like a year."""
    value = digits_to_number(text)
    rest = sentence[end:]
    before = sentence[:start]
    if (
        rx(r"\d+").fullmatch(text)
        and rx(r"\S\s+[A-Z][\w-]*\s$").search(before[-40:])
        and not MONTH_TAIL.search(before[-12:])
        and unit_after(rest) is None
    ):
        return [Parsed(start, end, "label", value, None, text)]
    if rx(r"(?:1[89]|20)\d\d").fullmatch(text) and not unit_after(rest) and looks_like_year(before, rest):
        return [Parsed(start, end, "year", value, None, text)]
    if rx(r"\d(?:m|k)$", re.IGNORECASE).search(text) and not rx(r"\s\w+").match(rest):
        return [Parsed(start, end, "measure", digits_to_number(text[:-1]), "m" if text.endswith("m") else "k")]
    unit = unit_after(rest)
    if unit is not None:
        kind, unit_name, used = unit
        if unit_name == "GBP" and rest[:1].lower() == "p":
            return [Parsed(start, end + used, kind, clean_value((value or 0) / 100), unit_name)]
        if kind == "money" and rest.strip().lower().startswith("cents"):
            return [Parsed(start, end + used, kind, clean_value((value or 0) / 100), unit_name)]
        return [Parsed(start, end + used, kind, clean_value(value), unit_name)]
    return [Parsed(start, end, "count", clean_value(value))]


def looks_like_year(before: str, rest: str) -> bool:
    """A bare four-digit 1800-2099 is a year unless a counted noun follows it (``2000 people``)."""
    if rx(r"\b(?:in|since|by|until|from|of|between|and|the|during|before|after|early|late|mid|to|-)\s*$").search(
        before[-12:]
    ):
        return True
    following = rx(r"\s([a-z]+)").match(rest)
    return not (following and following.group(1).endswith("s") and following.group(1) not in STOP_NP)


def word_number(sentence: str, text: str, start: int, end: int) -> Parsed | None:
    """A number in words, skipping pronoun uses of "one" (``one of``, ``one-off``, ``no one``)."""
    lowered = text.lower()
    value = words_to_number(lowered)
    if value is None:
        return None
    rest = sentence[end:]
    if lowered == "one" and (
        rx(r"\s?(?:of\b|-off|-time|-day\b|another|\sanother|\sthing|\sway|\sside|\s\w+ed\b)", re.IGNORECASE).match(rest)
        or rx(r"\b(?:no|any|every|some|the|this|that|each|which|as|no-)\s*$", re.I).search(
            sentence[max(0, start - 12) : start]
        )
        or not rx(r"[\s-]\w").match(rest)
    ):
        return None
    if lowered in ("hundred", "thousand", "million", "billion", "trillion", "dozen"):
        if not rx(r"\b(?:a|one)\s$", re.IGNORECASE).search(sentence[max(0, start - 6) : start]):
            return None
        start = sentence.rfind(" ", 0, start - 1) + 1
        text = sentence[start:end]
    unit = unit_after(rest)
    if unit is not None:
        kind, unit_name, used = unit
        return Parsed(start, end + used, kind, clean_value(value), unit_name)
    return Parsed(start, end, "count", clean_value(value))


def tokens(text: str) -> list[str]:
    return WORD.findall(text)


def noun_phrase(rest: str) -> tuple[str, str]:
    """The noun phrase right after a number and what follows it: ``Israeli officers and reservists has…``."""
    words = NP_TOKENS.findall(rest[:200])
    taken: list[str] = []
    index = 0
    if words[:2] and words[0].lower() == "of" and len(words) > 1 and words[1].lower() in ("the", "its", "their"):
        index = 2
    while index < len(words) and len(taken) < 8:
        word = words[index]
        lower = word.lower()
        if not (word[0].isalnum() or word[0] in "_’'") or lower in STOP_NP or (lower in LEAD_DETERMINERS and taken):
            break
        if lower in ("and", "or") or lower in NP_CONTINUE:
            after = words[index + 1] if index + 1 < len(words) else ""
            if not after or not rx(r"\w").match(after) or after.lower() in STOP_NP or after.lower() in LEAD_DETERMINERS:
                break
            if lower in NP_CONTINUE and not (after[:1].isupper() or lower == "of"):
                break
            if lower in ("and", "or") and not (
                after[:1].isupper()
                or (after.lower().endswith("s") and not after.lower().endswith("ss"))
                or after.lower() in PLURAL_NOUNS
            ):
                break
        if lower.endswith(("ed", "ing")) and lower not in ("red", "bed", "shed", "hundred") and not word[:1].isupper():
            break
        if lower in ("hundred", "thousand"):
            break
        taken.append(word)
        index += 1
    while taken and (taken[-1].lower() in NP_CONTINUE or taken[-1].lower() in ("and", "or")):
        taken.pop()
        index -= 1
    phrase = " ".join(taken)
    consumed = 0
    for word in words[:index]:
        position = rest.find(word, consumed)
        consumed = position + len(word) if position >= 0 else consumed
    return phrase, rest[consumed:]


def predicate(rest: str) -> str:
    """A short state predicate after the counted noun: ``are still held in Gaza``, ``have been killed``."""
    words = PHRASE_TOKENS.findall(rest[:160])
    if not words:
        return ""
    first = words[0].lower()
    second = words[1].lower() if len(words) > 1 else ""
    if not (first in PREDICATE_START or (first in ("have", "has", "had") and second == "been")):
        return ""
    taken: list[str] = []
    for word in words:
        lower = word.lower()
        if not (word[0].isalnum() or word[0] == "_") or (taken and lower in PREDICATE_STOP) or len(taken) >= 6:
            break
        taken.append(word)
    return " ".join(taken)


def participle_phrase(rest: str) -> str:
    """``wounded in the Israeli offensive`` after a bare number (``another 125,000 wounded``)."""
    words = PHRASE_TOKENS.findall(rest[:160])
    if not words or not words[0].lower().endswith("ed"):
        return ""
    taken: list[str] = []
    for word in words:
        if not (word[0].isalnum() or word[0] == "_") or (taken and word.lower() in PREDICATE_STOP) or len(taken) >= 6:
            break
        taken.append(word)
    return " ".join(taken)


def antecedent(before: str) -> str:
    """``the October 7, 2023, attacks by Hamas`` in ``following the October 7, 2023, attacks by Hamas, which``."""
    head = rx(WHICH_VERB).sub("", before).rstrip(" ,")
    position = max(head.rfind(" the "), head.rfind(" a "), head.rfind(" an "))
    if position < 0:
        return ""
    phrase = head[position + 1 :]
    return phrase if len(phrase.split()) <= 9 else ""


def what_it_counts(sentence: str, parsed: Parsed, previous_noun: str | None) -> tuple[str | None, str | None]:
    """What a count, money or measure figure counts, and the noun it hangs on (for a following bare number).

    Only ``CONTEXT`` characters either side are read, so a sentence with many figures costs linear time.
    """
    rest = sentence[parsed.end : parsed.end + CONTEXT]
    before = sentence[max(0, parsed.start - CONTEXT) : parsed.start]
    if parsed.kind in ("date", "year", "time", "ordinal", "label"):
        return None, None
    noun, after = noun_phrase(rest)
    if parsed.kind == "percent" and not noun:
        owner = rx(r"\s(of\s(?:the\s)?[\w’'-]+(?:\s[A-Z][\w’'-]*)*)").match(rest)
        if owner:
            return owner.group(1), None
        subject = changing_subject(before)
        return (subject, None) if subject else (None, None)
    if parsed.kind == "money" and not noun and before.endswith("(") and previous_noun:
        return previous_noun, previous_noun
    if parsed.kind == "money" and not noun:
        subject = changing_subject(before)
        return (subject, None) if subject else (None, None)
    if not noun:
        participle = participle_phrase(rest)
        if participle and previous_noun:
            return f"{previous_noun} {participle}", previous_noun
        return (participle or None), None
    phrase = noun
    state = predicate(after)
    if state:
        phrase = f"{noun} {state}"
    which = WHICH_VERB.search(before[-60:])
    if which and not state:
        context = antecedent(before)
        verb = which.group(1)
        phrase = f"{noun} {verb} in {context}" if context else f"{noun} {verb}"
    return phrase, noun.split()[-1] if noun else None


SUBJECT_STOP = frozenset(str.split("said the a an its saw posted reported announced expects expected showed"))
TRAILING_CHANGE = re.compile(
    r"(?:\s|^)(?:(?:US\$|[$£€¥])?[\d.,]+(?:bn|m|k|%|p)?|per cent|percent|to|from|by|at|of|up|down|year-on-year|"
    r"rose|rise|rises|fell|falls|jumped|jumps|grew|grows|slumped|slump|dropped|increased|decreased|climbed|soared|"
    r"plunged|surged|gained|lost|was|were|is|are|reached|hit|worth|totalled)\s?$"
)
CHANGE_VERBS = re.compile(
    r"\b(?:rose|rise|rises|risen|fell|fall|falls|fallen|jumped|jumps|grew|grow|grows|slumped|slump|slumps|dropped|"
    r"drops|increased|increase|decreased|climbed|soared|plunged|surged|gained|lost|cut|raised|was|were|is|are|"
    r"totalled|reached|hit|stood at|worth|of|to|by|at)\s(?:by\s|to\s|at\s)?$"
)


def changing_subject(before: str) -> str | None:
    """``fourth quarter sales`` in ``TimeWarner said fourth quarter sales rose 2%``."""
    tail = before[-40:]
    match = CHANGE_VERBS.search(tail)
    if not match:
        return None
    head = before[: len(before) - len(tail) + match.start()].rstrip(" ,")
    while (trailing := TRAILING_CHANGE.search(head)) is not None and trailing.group(0).strip():
        head = head[: trailing.start()].rstrip(" ,")
    words = head.split()
    taken: list[str] = []
    for word in reversed(words[-8:]):
        bare = word.strip('(),;:“”"').lower()
        if (bare in STOP_NP and bare not in (*NP_CONTINUE, "at")) or bare in SUBJECT_STOP or not bare:
            break
        if rx(r"[,;:)]$").search(word):
            break
        taken.append(word.strip('(“"'))
    phrase = " ".join(reversed(taken))
    return phrase or None


def qualifiers_before(before: str) -> list[str]:
    match = QUALIFIER_TAIL.search(before[-24:].lower().rstrip())
    return [match.group(1)] if match else []


def hedges(sentence: str, start: int) -> list[str]:
    """Hedging words in the clause around a figure: ``estimate``, ``may``."""
    return Clauses(sentence).hedges(start)


class Clauses:
    """The clauses of one sentence (cut at ``;`` and ``. ``), found once, with the hedges of each found once."""

    def __init__(self, sentence: str) -> None:
        self.sentence = sentence
        self.breaks = [match.start() for match in CLAUSE_BREAK.finditer(sentence)]
        self.found: dict[tuple[int, int], list[str]] = {}

    def hedges(self, start: int) -> list[str]:
        """Hedging words in the clause around the figure starting at ``start``."""
        after = bisect_left(self.breaks, start)
        clause_start = self.breaks[after - 1] if after else -1
        clause_end = self.breaks[after] if after < len(self.breaks) else len(self.sentence)
        span = (clause_start, clause_end)
        if span not in self.found:
            self.found[span] = clause_hedges(self.sentence[clause_start + 1 : clause_end])
        return self.found[span]


@lru_cache(maxsize=256)
def clause_hedges(clause: str) -> list[str]:
    """Hedging words of a clause, once each, in order (cached: a sentence's figures share their clause)."""
    found: list[str] = []
    for word in rx(r"[a-z]+").findall(clause.lower()):
        hedge = HEDGES.get(word)
        if hedge and hedge not in found:
            found.append(hedge)
    return found


def attribution(sentence: str) -> str | None:
    """Who the sentence says the figures come from: ``according to Gaza health authorities``."""
    match = ACCORDING.search(sentence)
    if match:
        return f"according to {match.group(1).strip()}"
    match = LEADING_SOURCE.match(sentence)
    if match and not rx(r"(?:It|This|That|There|In|On|At|The\s(?:figures?|number|total))\b").match(match.group(1)):
        return f"{match.group(1)} {match.group(2)}"
    match = TRAILING_SOURCE.search(sentence)
    if match:
        if match.group(1):
            return f"{match.group(1)} {match.group(2)}"
        return f"{match.group(4)} {match.group(3)}"
    match = DATA_SOURCE.search(sentence)
    if match:
        return f"according to {match.group(1).strip()}"
    return None


TIME_LEAD = re.compile(
    rf"^(?:In|On|By|Since|During|Last|This|Earlier this|Later this)\s(?:{MONTH}|{WEEKDAY}|(?:1[89]|20)\d\d|"
    r"week|month|year)(?:\s(?:1[89]|20)\d\d)?\b"
)


def time_context(sentence: str, parsed: Parsed) -> str | None:
    """A leading time phrase of the sentence (``In April``) that dates a figure."""
    match = TIME_LEAD.match(sentence)
    if match and match.end() <= parsed.start:
        return match.group(0)[0].lower() + match.group(0)[1:]
    return None


CLAUSE_BREAK = re.compile(r";|\. ")
# Characters either side of a figure read to find what it counts (phrases are at most a few words long).
CONTEXT = 300
UNATTRIBUTED = frozenset({"date", "year", "time", "ordinal", "label"})


def extract_figures(sentences: Iterable[str]) -> tuple[Figure, ...]:
    """All figures in the sentences, in order, with counts, qualifiers, attribution and time context."""
    figures: list[Figure] = []
    for sentence in sentences:
        numbers = parse_numbers(sentence)
        clauses = Clauses(sentence)
        source = attribution(sentence) if any(p.kind not in UNATTRIBUTED for p in numbers) else None
        previous_noun: str | None = None
        for parsed in numbers:
            text = sentence[parsed.start : parsed.end]
            counts, noun = what_it_counts(sentence, parsed, previous_noun)
            previous_noun = noun or (counts if parsed.kind == "money" else None) or previous_noun
            quals = qualifiers_before(sentence[max(0, parsed.start - CONTEXT) : parsed.start])
            if parsed.kind in COUNTABLE_KINDS or (parsed.kind in ("duration", "age") and counts):
                quals += [h for h in clauses.hedges(parsed.start) if h not in quals]
            figures.append(
                Figure(
                    text=text,
                    kind=parsed.kind,
                    sentence=sentence,
                    value=parsed.value,
                    unit=parsed.unit,
                    counts=counts,
                    qualifiers=tuple(quals),
                    attribution=source if parsed.kind not in UNATTRIBUTED else None,
                    normalised=parsed.normalised,
                    when=time_context(sentence, parsed),
                )
            )
    return tuple(figures)


def figure_parts(figure: Figure) -> tuple[str, str]:
    """The number with its leading qualifiers, and the rest: what it counts, when, who says so."""
    number = " ".join([*(q for q in figure.qualifiers if q in PREFIX_QUALIFIERS), figure.text])
    words = [figure.counts or ""]
    if figure.when and figure.when.lower() not in (figure.counts or "").lower():
        words.append(figure.when)
    rest = " ".join(word for word in words if word)
    notes = [figure.attribution] if figure.attribution else []
    spoken = f"{number} {rest} {figure.attribution or ''}".lower()
    notes += [h for h in figure.qualifiers if h not in PREFIX_QUALIFIERS and not rx(rf"\b{h}").search(spoken)]
    if notes:
        rest = f"{rest} ({'; '.join(notes)})" if rest else f"({'; '.join(notes)})"
    return number, rest


def figure_line(figure: Figure) -> str:
    """``at least 55,000 people have been killed (according to Gaza health authorities)``."""
    return " ".join(part for part in figure_parts(figure) if part)


def time_expressions(sentence: str) -> list[str]:
    """Dates, years, weekdays and relative times in a sentence (for "when" questions)."""
    found = [m.group(0) for m in TIME_WORDS.finditer(sentence)]
    return [f for f in found if not rx(r"(?:in|on|at|by)?\s?May").fullmatch(f)]
