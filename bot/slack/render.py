"""Block Kit for digests and ``/news`` replies: pure functions, within Slack's limits, article text literal.

Article and user text never goes into mrkdwn: it travels in ``rich_text`` text elements and ``plain_text`` objects,
which Slack shows exactly as typed, so ``*``, ``_``, ``~``, backticks, ``<!channel>`` or ``<http://x|y>`` in an
article can neither format, link nor mention. The bot's own formatting (bold numbered headline linking to the
article, italic "Figures:") is expressed as rich-text styles, so an article's ``**`` cannot break it either.
Only the notification fallback ``text`` is mrkdwn; it is escaped with :func:`escape`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from bot.commands import Reply
from digests.figures import figure_line
from digests.models import Answer, Digest, DigestItem

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_FALLBACK = 3000
MAX_CONTEXT = 1000
MAX_TITLE = 250
MAX_URL = 1500
MAX_FIGURES = 600
MAX_CITATIONS = 10
ELLIPSIS = "…"
Block = dict[str, Any]


@dataclass(frozen=True)
class SlackMessage:
    """One ``chat.postMessage`` worth: blocks plus the plain fallback text notifications show."""

    text: str
    blocks: tuple[Block, ...]


def escape(text: str) -> str:
    """Slack's three control characters as entities: no link, mention or broadcast can form."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + ELLIPSIS


def clip_escaped(text: str, limit: int) -> str:
    """``escape(text)`` within ``limit`` characters, cut before escaping so no entity is split."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    budget, used = 0, 0
    for char in text:
        size = len(escape(char))
        if used + size > limit - 1:
            break
        used += size
        budget += 1
    return escape(clip(text, budget + 1))


def web_url(url: str | None) -> str | None:
    """``url`` percent-quoted when it is an http(s) address Slack will link, else None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    safe_url = quote(url.strip(), safe=":/?#[]@!$&'()*+,;=%~")
    return safe_url if len(safe_url) <= MAX_URL else None


def plain(text: str, limit: int) -> Block:
    """A ``plain_text`` object: shown as typed, never parsed for formatting, links or mentions."""
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": False}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, MAX_HEADER)}


def text_element(text: str, *, bold: bool = False, italic: bool = False) -> Block:
    """A rich-text ``text`` element: literal text, optionally in the bot's own bold or italic."""
    element: Block = {"type": "text", "text": text or " "}  # Slack refuses an empty text element
    style = {name: True for name, on in (("bold", bold), ("italic", italic)) if on}
    if style:
        element["style"] = style
    return element


def link_element(url: str | None, label: str, *, bold: bool = False) -> Block:
    """A rich-text link to an http(s) ``url`` labelled literally; the bare label when the URL is unusable."""
    target = web_url(url)
    label = clip(label, MAX_TITLE) or " "
    if target is None:
        return text_element(label, bold=bold)
    element: Block = {"type": "link", "url": target, "text": label}
    if bold:
        element["style"] = {"bold": True}
    return element


def rich(elements: Sequence[Block]) -> Block:
    """One ``rich_text`` block holding one section of ``elements`` (at most :data:`MAX_SECTION` characters)."""
    kept: list[Block] = []
    room = MAX_SECTION
    for element in elements:
        text = str(element.get("text") or "")
        if room <= 1:
            break
        if len(text) > room:
            element = {**element, "text": clip(text, room)}
        kept.append(element)
        room -= len(element["text"])
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": kept or [text_element(" ")]}]}


def literal_section(text: str) -> Block:
    """Text shown exactly as typed, in the body font."""
    return rich([text_element(clip(text, MAX_SECTION))])


def context(text: str) -> Block:
    """A small grey line of literal text."""
    return {"type": "context", "elements": [plain(text, MAX_CONTEXT)]}


DIVIDER: Block = {"type": "divider"}


def when(moment: datetime | None) -> str:
    return moment.strftime("%d %b %Y %H:%M %Z").strip() if moment else ""


def item_section(item: DigestItem, number: int) -> Block:
    """Bold numbered headline linking to the article, summary sentences and key figures, all article text literal."""
    head = [text_element(f"{number}. ", bold=True), link_element(item.url, item.title, bold=True)]
    tail: list[Block] = []
    if item.key_figures:
        listed = clip("; ".join(figure_line(f) for f in item.key_figures), MAX_FIGURES)
        tail = [text_element("\nFigures: ", italic=True), text_element(listed)]
    room = MAX_SECTION - sum(len(element["text"]) for element in head + tail) - 1
    body = [text_element(clip("\n" + " ".join(item.summary), room))] if item.summary else []
    return rich(head + body + tail)


def item_origin(item: DigestItem) -> str:
    parts = [item.outlet or "", item.source, when(item.published)]
    return " · ".join(part for part in parts if part)


def item_source(item: DigestItem) -> Block:
    """The source line; the other outlets with the story follow as plain text (names shown as written)."""
    block = context(item_origin(item))
    if item.also_in:
        outlets = clip("Also in: " + ", ".join(" ".join(o.split()) for o in item.also_in), MAX_CONTEXT)
        block["elements"].append({"type": "plain_text", "text": outlets, "emoji": False})
    return block


def item_blocks(item: DigestItem, number: int) -> list[Block]:
    """A divider, the article's text and its source line (with the other outlets that ran the story)."""
    return [DIVIDER, item_section(item, number), item_source(item)]


def fallback(lead: str, titles: Iterable[str]) -> str:
    """Plain notification text: the lead and the headlines, escaped and clipped."""
    return clip_escaped(f"{lead}: " + "; ".join(titles), MAX_FALLBACK)


def render_digest(digest: Digest) -> list[SlackMessage]:
    """The digest as one or more messages of at most 50 blocks; later ones are meant for the first's thread."""
    intro = f"{len(digest.items)} article{'s' if len(digest.items) != 1 else ''} · {when(digest.created_at)}"
    if digest.is_empty:
        empty = (header(digest.title), literal_section(digest.notice or "No new articles."))
        return [SlackMessage(clip_escaped(f"{digest.title}: no new articles", MAX_FALLBACK), empty)]
    per_item = len(item_blocks(digest.items[0], 1))
    first_capacity = (MAX_BLOCKS - 2) // per_item
    later_capacity = (MAX_BLOCKS - 1) // per_item
    numbered = list(enumerate(digest.items, start=1))
    parts = [numbered[:first_capacity]]
    rest = numbered[first_capacity:]
    while rest:
        parts.append(rest[:later_capacity])
        rest = rest[later_capacity:]
    messages = []
    for index, part in enumerate(parts, start=1):
        if index == 1:
            lead: list[Block] = [header(digest.title), context(intro)]
            if len(parts) > 1:
                lead[1] = context(f"{intro} · continued in the thread ({len(parts)} parts)")
            label = f"{digest.title} ({intro})"
        else:
            lead = [context(f"{digest.title}, part {index} of {len(parts)}")]
            label = f"{digest.title}, part {index} of {len(parts)}"
        blocks = lead + [block for number, item in part for block in item_blocks(item, number)]
        messages.append(SlackMessage(fallback(label, (item.title for _, item in part)), tuple(blocks)))
    return messages


def citation_block(number: int, title: str, source: str, sentence: str) -> Block:
    """``[n] title: “sentence”``, the title linking to a web source, else followed by the source in brackets."""
    if web_url(source):
        where = [link_element(source, title or source)]
    elif title:
        where = [text_element(f"{clip(title, MAX_TITLE)} ({clip(source, MAX_TITLE)})")]
    else:
        where = [text_element(clip(source, MAX_TITLE))]
    return rich([text_element(f"[{number}] "), *where, text_element(f": “{clip(sentence, MAX_CONTEXT // 2)}”")])


def answer_blocks(answer: Answer) -> list[Block]:
    """The question, the answer, then one line per cited sentence."""
    blocks = [context(f"Q: {clip(answer.question, 300)}"), literal_section(answer.text)]
    for number, cited in enumerate(answer.citations[:MAX_CITATIONS], start=1):
        blocks.append(citation_block(number, cited.title, cited.source, cited.sentence))
    return blocks


def chunked_sections(lines: Sequence[str], room: int) -> list[Block]:
    """Lines packed into literal blocks of at most 3,000 characters; past ``room`` blocks, "…and N more"."""
    packed: list[tuple[str, int]] = []  # (text, number of lines in it)
    for line in lines:
        clipped = clip(line, MAX_SECTION)
        if packed and len(packed[-1][0]) + 1 + len(clipped) <= MAX_SECTION:
            text, count = packed[-1]
            packed[-1] = (f"{text}\n{clipped}", count + 1)
        else:
            packed.append((clipped, 1))
    if len(packed) > room:
        shown = packed[: room - 1]
        hidden = len(lines) - sum(count for _, count in shown)
        packed = [*shown, (f"…and {hidden} more", hidden)]
    return [literal_section(text) for text, _ in packed]


def render_reply(reply: Reply) -> list[SlackMessage]:
    """Blocks for a ``/news`` reply; a digest reply may be several messages."""
    if reply.kind == "digest" and reply.digest is not None and not reply.digest.is_empty:
        return render_digest(reply.digest)
    text = clip_escaped(reply.text, MAX_FALLBACK)
    blocks: list[Block] = []
    if reply.title:
        blocks.append(rich([text_element(clip(reply.title, MAX_TITLE), bold=True)]))
    if reply.kind == "answer" and reply.answer is not None:
        blocks += answer_blocks(reply.answer)
    elif reply.facts:
        blocks += chunked_sections([f"• {fact.text}" for fact in reply.facts], MAX_BLOCKS - len(blocks) - 1)
        cited = {(f.citation.title, f.citation.source) for f in reply.facts if f.citation}
        if len(cited) == 1:
            title, source = cited.pop()
            origin = [text_element("From "), link_element(source, title) if web_url(source) else text_element(source)]
            blocks.append(rich(origin))
    elif reply.kind == "card" and reply.card is not None:
        blocks.append(context("Alt text: " + clip(reply.card.alt_text, MAX_CONTEXT - 10)))
    else:
        blocks.append(literal_section(reply.text))
    return [SlackMessage(text, tuple(blocks))]
