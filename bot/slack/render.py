"""Block Kit for digests and ``/news`` replies: pure functions, within Slack's limits, article text escaped.

Everything taken from articles or typed by users goes through :func:`escape` (``&``, ``<``, ``>``), and every
mrkdwn text object is sent with ``verbatim: true`` so Slack does not auto-link names or parse mentions either:
article text can never form a link, a user mention or ``<!channel>``/``<!here>``/``<!everyone>``.
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


def link(url: str | None, label: str) -> str:
    """``<url|label>`` for an http(s) URL, else the escaped label alone."""
    safe_label = clip_escaped(label, MAX_TITLE)
    if not url:
        return safe_label
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return safe_label
    safe_url = escape(quote(url.strip(), safe=":/?#[]@!$&'()*+,;=%~"))
    if len(safe_url) > MAX_URL:
        return safe_label
    return f"<{safe_url}|{safe_label}>"


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def plain(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": False}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, MAX_HEADER)}


def section(text: str) -> Block:
    """A section; ``text`` must already be escaped mrkdwn."""
    return {"type": "section", "text": mrkdwn(clip(text, MAX_SECTION))}


def context(text: str) -> Block:
    """A small grey line; ``text`` must already be escaped mrkdwn."""
    return {"type": "context", "elements": [mrkdwn(clip(text, MAX_CONTEXT))]}


DIVIDER: Block = {"type": "divider"}


def when(moment: datetime | None) -> str:
    return moment.strftime("%d %b %Y %H:%M %Z").strip() if moment else ""


def item_text(item: DigestItem, number: int) -> str:
    """Headline (linked), summary sentences and key figures, escaped, within a section's limit."""
    headline = f"*{number}. {link(item.url, item.title)}*"
    figures = ""
    if item.key_figures:
        listed = "; ".join(figure_line(f) for f in item.key_figures)
        figures = "\n_Figures:_ " + clip_escaped(listed, MAX_FIGURES)
    budget = MAX_SECTION - len(headline) - len(figures) - 1
    summary = clip_escaped(" ".join(item.summary), budget) if item.summary else ""
    return "\n".join(part for part in (headline, summary) if part) + figures


def item_origin(item: DigestItem) -> str:
    source = link(item.source, item.source) if item.source.startswith("http") else escape(item.source)
    parts = [escape(item.outlet) if item.outlet else "", source, escape(when(item.published))]
    return " · ".join(part for part in parts if part)


def item_blocks(item: DigestItem, number: int) -> list[Block]:
    """A divider, the article's section and its source line."""
    return [DIVIDER, section(item_text(item, number)), context(item_origin(item))]


def fallback(lead: str, titles: Iterable[str]) -> str:
    """Plain notification text: the lead and the headlines, escaped and clipped."""
    return clip_escaped(f"{lead}: " + "; ".join(titles), MAX_FALLBACK)


def render_digest(digest: Digest) -> list[SlackMessage]:
    """The digest as one or more messages of at most 50 blocks; later ones are meant for the first's thread."""
    intro = f"{len(digest.items)} article{'s' if len(digest.items) != 1 else ''} · {when(digest.created_at)}"
    if digest.is_empty:
        empty = (header(digest.title), section("No new articles."))
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
            lead: list[Block] = [header(digest.title), context(escape(intro))]
            if len(parts) > 1:
                lead[1] = context(escape(f"{intro} · continued in the thread ({len(parts)} parts)"))
            label = f"{digest.title} ({intro})"
        else:
            lead = [context(escape(f"{digest.title}, part {index} of {len(parts)}"))]
            label = f"{digest.title}, part {index} of {len(parts)}"
        blocks = lead + [block for number, item in part for block in item_blocks(item, number)]
        messages.append(SlackMessage(fallback(label, (item.title for _, item in part)), tuple(blocks)))
    return messages


def citation_line(number: int, title: str, source: str, sentence: str) -> str:
    if source.startswith("http"):
        where = link(source, title or source)
    else:
        where = f"{clip_escaped(title, MAX_TITLE)} ({escape(source)})" if title else escape(source)
    return f"[{number}] {where}: “{clip_escaped(sentence, MAX_CONTEXT // 2)}”"


def answer_blocks(answer: Answer) -> list[Block]:
    """The answer, then one context line per cited sentence."""
    blocks = [context(f"Q: {clip_escaped(answer.question, 300)}"), section(clip_escaped(answer.text, MAX_SECTION))]
    for number, cited in enumerate(answer.citations[:MAX_CITATIONS], start=1):
        blocks.append(context(citation_line(number, cited.title, cited.source, cited.sentence)))
    return blocks


def chunked_sections(lines: Sequence[str], room: int) -> list[Block]:
    """Escaped lines packed into sections of at most 3,000 characters; past ``room`` sections, "…and N more"."""
    packed: list[tuple[str, int]] = []  # (text, number of lines in it)
    for line in lines:
        escaped = clip_escaped(line, MAX_SECTION)
        if packed and len(packed[-1][0]) + 1 + len(escaped) <= MAX_SECTION:
            text, count = packed[-1]
            packed[-1] = (f"{text}\n{escaped}", count + 1)
        else:
            packed.append((escaped, 1))
    if len(packed) > room:
        shown = packed[: room - 1]
        hidden = len(lines) - sum(count for _, count in shown)
        packed = [*shown, (escape(f"…and {hidden} more"), hidden)]
    return [section(text) for text, _ in packed]


def render_reply(reply: Reply) -> list[SlackMessage]:
    """Blocks for a ``/news`` reply; a digest reply may be several messages."""
    if reply.kind == "digest" and reply.digest is not None and not reply.digest.is_empty:
        return render_digest(reply.digest)
    text = clip_escaped(reply.text, MAX_FALLBACK)
    blocks: list[Block] = []
    if reply.title:
        blocks.append(section(f"*{clip_escaped(reply.title, MAX_TITLE)}*"))
    if reply.kind == "answer" and reply.answer is not None:
        blocks += answer_blocks(reply.answer)
    elif reply.facts:
        blocks += chunked_sections([f"• {fact.text}" for fact in reply.facts], MAX_BLOCKS - len(blocks) - 1)
        cited = {(f.citation.title, f.citation.source) for f in reply.facts if f.citation}
        if len(cited) == 1:
            title, source = cited.pop()
            blocks.append(context("From " + (link(source, title) if source.startswith("http") else escape(source))))
    elif reply.kind == "card" and reply.card is not None:
        blocks.append(context("Alt text: " + clip_escaped(reply.card.alt_text, MAX_CONTEXT - 10)))
    else:
        blocks.append(section(clip_escaped(reply.text, MAX_SECTION)))
    return [SlackMessage(text, tuple(blocks))]
