"""The answer a journalist can check: the short answer first, then the evidence sentences, each cited."""

from __future__ import annotations

from collections.abc import Sequence

from digests.answers.text import shorten
from digests.models import Answer, Citation, StoredArticle

ANSWER_LIMIT = 600
SHORT_LIMIT = 160
LIST_LIMIT = 1499


def citation(stored: StoredArticle, sentence: str) -> Citation:
    """Article id, headline (left out when it is a cut-off headline derived from the lede, which would only repeat
    the lede) and where it came from: the URL, else the file name (never a server path)."""
    article = stored.article
    title = "" if article.title.endswith("…") else article.title
    source = article.public_source
    return Citation(article_id=stored.id, title=title, source=source, sentence=sentence)


def label(stored: StoredArticle) -> str:
    """How a list header names the article: its headline in quotation marks, or its id when the headline is a
    cut-off one derived from the lede (the citations show the lede itself)."""
    title = stored.article.title
    return f"article #{stored.id}" if title.endswith("…") else f"“{title}”"


def answered(
    question: str, kind: str, short: str, stored: StoredArticle, evidence: Sequence[str], limit: int = ANSWER_LIMIT
) -> Answer:
    """``short`` then the evidence units in the order given (the first is where the short answer came from), as
    many as fit in ``limit`` characters; each evidence unit is cited."""
    short = shorten(short.strip(), SHORT_LIMIT) if short else ""
    lines = [short] if short else []
    used: list[str] = []
    length = len(short)
    for unit in dict.fromkeys(evidence):
        room = limit - length - 1
        if room <= 0:
            break
        if len(unit) > room:
            if used and room < 120:
                break
            unit_text = shorten(unit, room)
        else:
            unit_text = unit
        lines.append(unit_text)
        used.append(unit)
        length += len(unit_text) + 1
    text = "\n".join(lines) if short else " ".join(lines)
    return Answer(question, kind, text, tuple(citation(stored, u) for u in used), True, short)


def not_stated(question: str, kind: str, what: str, closest: Sequence[tuple[StoredArticle, str]] = ()) -> Answer:
    """Not stated, with the closest sentences offered as such (not as an answer)."""
    text = f"Not stated: the stored articles do not give the {what}."
    cited: list[Citation] = []
    if closest:
        shown = []
        budget = ANSWER_LIMIT - len(text) - 40
        for stored, sentence in closest[:2]:
            piece = shorten(sentence, max(100, budget // min(2, len(closest))))
            shown.append(piece)
            cited.append(citation(stored, sentence))
        text = f"{text} Closest sentences: " + " ".join(shown)
    return Answer(question, kind, shorten(text, ANSWER_LIMIT), tuple(cited), False, "")


def listing(question: str, kind: str, header: str, lines: Sequence[tuple[str, str]], stored: StoredArticle) -> Answer:
    """A bulleted list (figures, quotations) under ``header``, each line citing its sentence, within the list
    limit."""
    shown: list[str] = []
    cited: list[str] = []
    length = len(header)
    for line, sentence in lines:
        bullet = f"• {line}"
        if bullet in shown:
            continue
        if length + len(bullet) + 1 > LIST_LIMIT:
            break
        shown.append(bullet)
        length += len(bullet) + 1
        if sentence not in cited:
            cited.append(sentence)
    short = lines[0][0] if lines else ""
    text = "\n".join([header, *shown])
    return Answer(question, kind, text, tuple(citation(stored, s) for s in cited), True, shorten(short, SHORT_LIMIT))
