"""Digests and ``/news`` replies as Discord message payloads: escaped, and split to stay within Discord's limits.

Pure: nothing here touches the network or the disk. Limits are counted in UTF-16 code units, which is how
Discord counts, so emoji and other astral characters cannot push a message over.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import discord

from bot.commands import Reply
from bot.discord.literal import literal
from digests.figures import figure_parts
from digests.models import Answer, Citation, Digest, DigestItem, Figure

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_PER_EMBED = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
CONTENT_LIMIT = 2000
ATTACHMENT_DESCRIPTION_LIMIT = 1024
SUMMARY_SENTENCES = 4
ORIGIN_LIMIT = 300
MARKER_LIMIT = 120
ELLIPSIS = "…"

COLOUR = discord.Colour(0x2B6CB0)
UNANSWERED_COLOUR = discord.Colour(0x718096)
MARKER_PATTERN = re.compile(r"(?:^|· )ref (?P<marker>\S+) · (?P<part>\d+)/(?P<total>\d+)$")
WEB_URL = re.compile(r"^https?://[^\s<>]+$")


def units(text: str) -> int:
    """Length as Discord counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Article (or user) text made inert: markdown, links and headings shown as typed, no mentions, no tags."""
    return literal(text)


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary with an ellipsis when it is longer than ``limit``."""
    if units(text) <= limit:
        return text
    cut = text
    while units(cut) > limit - 1:
        cut = cut[: len(cut) - (units(cut) - (limit - 1))]
    space = cut.rfind(" ")
    if space > len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip(" \\") + ELLIPSIS


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit``, broken at line, sentence or word boundaries; nothing dropped."""
    pieces: list[str] = []
    rest = text.strip()
    while units(rest) > limit:
        window = rest
        while units(window) > limit:
            window = window[: len(window) - (units(window) - limit)]
        for separator in ("\n", ". ", " "):
            cut = window.rfind(separator)
            if cut > limit // 4:
                window = window[: cut + len(separator)]
                break
        pieces.append(window.rstrip())
        rest = rest[len(window) :].lstrip()
    if rest:
        pieces.append(rest)
    return pieces or [""]


def web_url(url: str | None) -> str | None:
    """``url`` if Discord will accept it as a link target."""
    return url if url and len(url) <= 2048 and WEB_URL.match(url) else None


@dataclass(frozen=True)
class CardAttachment:
    """A quote card to attach: PNG bytes and the alt text a screen reader announces."""

    filename: str
    data: bytes
    description: str

    def to_file(self) -> discord.File:
        """A fresh :class:`discord.File` (files are consumed by each send)."""
        description = shorten(self.description, ATTACHMENT_DESCRIPTION_LIMIT)
        return discord.File(io.BytesIO(self.data), filename=self.filename, description=description)


@dataclass
class MessagePayload:
    """One Discord message: optional text content, embeds and attached cards."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    cards: list[CardAttachment] = field(default_factory=list)

    def files(self) -> list[discord.File]:
        return [card.to_file() for card in self.cards]

    @property
    def size(self) -> int:
        return sum(embed_size(embed) for embed in self.embeds)


def embed_size(embed: discord.Embed) -> int:
    """Characters counted against the 6,000 limit: title, description, field names and values, footer, author."""
    parts = [embed.title or "", embed.description or "", embed.footer.text or "", embed.author.name or ""]
    parts += [f"{f.name or ''}{f.value or ''}" for f in embed.fields]
    return sum(units(part) for part in parts)


class EmbedChain:
    """The embeds of one item: a continuation embed is opened whenever the next part would cross a limit."""

    def __init__(self, first: discord.Embed, footer: str | None, budget: int) -> None:
        self.footer = footer
        self.budget = budget
        self.embeds = [first]
        self._dress(first)

    def _dress(self, embed: discord.Embed) -> None:
        if self.footer:
            embed.set_footer(text=self.footer)

    def _continue(self) -> discord.Embed:
        first = self.embeds[0]
        embed = discord.Embed(colour=first.colour, timestamp=first.timestamp)
        self._dress(embed)
        self.embeds.append(embed)
        return embed

    def add_description(self, text: str) -> None:
        for number, piece in enumerate(split_text(text, DESCRIPTION_LIMIT)):
            embed = self.embeds[-1]
            if number or embed.description or embed_size(embed) + units(piece) > self.budget:
                embed = self._continue()
            embed.description = piece

    def add_field(self, name: str, value: str, inline: bool = False) -> None:
        name = shorten(name, FIELD_NAME_LIMIT) or "\u200b"
        for number, piece in enumerate(split_text(value, FIELD_VALUE_LIMIT)):
            label = name if number == 0 else shorten(f"{name} (continued)", FIELD_NAME_LIMIT)
            embed = self.embeds[-1]
            if len(embed.fields) >= FIELDS_PER_EMBED or embed_size(embed) + units(label + piece) > self.budget:
                embed = self._continue()
            embed.add_field(name=label, value=piece or "\u200b", inline=inline)


def check_marker(marker: str) -> str:
    """Markers are short and contain no whitespace, so a footer can carry and give them back."""
    if not marker or len(marker) > MARKER_LIMIT or re.search(r"\s", marker):
        raise ValueError(f"a delivery marker must be 1-{MARKER_LIMIT} characters without spaces, got {marker!r}")
    return marker


def marker_suffix(marker: str, part: int, total: int) -> str:
    return f"ref {marker} · {part}/{total}"


def read_marker(footer: str | None) -> tuple[str, int, int] | None:
    """``(marker, part, total)`` from a footer this module wrote, else None."""
    match = MARKER_PATTERN.search(footer or "")
    if match is None:
        return None
    return match.group("marker"), int(match.group("part")), int(match.group("total"))


def figure_field(figure: Figure) -> tuple[str, str]:
    """A key figure as an embed field: the number (with qualifiers) over what it counts and who says so."""
    name, value = figure_parts(figure)
    return escape(name), escape(value or figure.kind)


def origin_line(item: DigestItem) -> str:
    """``Outlet · source`` for a footer (footers show plain text, so nothing is escaped)."""
    origin = f"{item.outlet} · {item.source}" if item.outlet and item.outlet not in item.source else item.source
    return shorten(" ".join(origin.split()), ORIGIN_LIMIT)


def article_chain(item: DigestItem, number: int, when: datetime, budget: int) -> EmbedChain:
    """One article: linked headline, 2-4 summary sentences, key figures as fields, source and time."""
    headline = f"{number}. {escape(item.title)}"
    title = shorten(headline, TITLE_LIMIT)
    first = discord.Embed(title=title, url=web_url(item.url), colour=COLOUR, timestamp=item.published or when)
    chain = EmbedChain(first, origin_line(item), budget)
    sentences = [escape(s) for s in item.summary[:SUMMARY_SENTENCES]]
    description = " ".join(sentences) or "No summary available."
    if title != headline:
        description = f"**{headline}**\n\n{description}"
    chain.add_description(description)
    for figure in item.key_figures:
        chain.add_field(*figure_field(figure), inline=True)
    if item.also_in:
        chain.add_field("Also in", escape(", ".join(" ".join(outlet.split()) for outlet in item.also_in)))
    return chain


def pack(groups: Sequence[Sequence[discord.Embed]], budget: int) -> list[list[discord.Embed]]:
    """Embeds into messages (10 and ``budget`` characters at most), keeping each group together when it fits."""
    messages: list[list[discord.Embed]] = [[]]
    for group in groups:
        current = messages[-1]
        size = sum(embed_size(e) for e in current)
        group_size = sum(embed_size(e) for e in group)
        if current and (len(current) + len(group) > EMBEDS_PER_MESSAGE or size + group_size > budget):
            messages.append([])
        for embed in group:
            current = messages[-1]
            if current and (
                len(current) >= EMBEDS_PER_MESSAGE or sum(embed_size(e) for e in current) + embed_size(embed) > budget
            ):
                messages.append([])
            messages[-1].append(embed)
    return [message for message in messages if message]


def digest_payloads(
    digest: Digest, marker: str | None = None, cards: Mapping[int, CardAttachment] | None = None
) -> list[MessagePayload]:
    """A digest as one or more messages, one embed per article; ``marker`` goes in each message's last footer."""
    cards = cards or {}
    reserve = units(marker_suffix(check_marker(marker), 99, 99)) + 3 if marker else 0
    budget = EMBED_TOTAL_LIMIT - reserve
    when = digest.created_at
    heading = shorten(escape(digest.title), 200)
    stamp = when.strftime("%d %b %Y %H:%M %Z").strip()
    if digest.is_empty:
        text = escape(digest.notice) if digest.notice else "No new articles."
        empty = discord.Embed(title=heading, description=text, colour=UNANSWERED_COLOUR, timestamp=when)
        groups: list[list[discord.Embed]] = [[empty]]
        owners: dict[int, int] = {}
    else:
        chains = [article_chain(item, n, when, budget) for n, item in enumerate(digest.items, start=1)]
        groups = [chain.embeds for chain in chains]
        owners = {id(chain.embeds[0]): item.article_id for chain, item in zip(chains, digest.items, strict=True)}
    messages = pack(groups, budget)
    total = len(messages)
    payloads: list[MessagePayload] = []
    for part, embeds in enumerate(messages, start=1):
        count = f"{len(digest.items)} article{'s' if len(digest.items) != 1 else ''}"
        content = f"**{heading}** · {stamp} · {count}" if part == 1 else f"**{heading}**"
        if total > 1:
            content += f" · part {part} of {total}"
        attached = [cards[owners[id(e)]] for e in embeds if id(e) in owners and owners[id(e)] in cards]
        if marker:
            last = embeds[-1]
            footer = " · ".join(p for p in (last.footer.text, marker_suffix(marker, part, total)) if p)
            last.set_footer(text=footer)
        payloads.append(MessagePayload(content=shorten(content, CONTENT_LIMIT), embeds=embeds, cards=attached))
    return payloads


def text_payloads(text: str) -> list[MessagePayload]:
    """Plain text (our wording, possibly echoing user input or a headline) as messages, rendered literally."""
    return [MessagePayload(content=piece) for piece in split_text(escape(text), CONTENT_LIMIT)]


def listing_payloads(title: str, lines: Iterable[str], empty: str) -> list[MessagePayload]:
    """A titled list (figures, quotes, sources) as embeds, continued across embeds and messages when long."""
    text = "\n".join(f"• {escape(line)}" for line in lines) or empty
    chain = EmbedChain(discord.Embed(title=shorten(escape(title), TITLE_LIMIT), colour=COLOUR), None, EMBED_TOTAL_LIMIT)
    chain.add_description(text)
    return [MessagePayload(embeds=embeds) for embeds in pack([chain.embeds], EMBED_TOTAL_LIMIT)]


def answer_payloads(answer: Answer) -> list[MessagePayload]:
    """An answer in the articles' words, each citation as a field with its sentence and source."""
    colour = COLOUR if answer.answered else UNANSWERED_COLOUR
    title = shorten(escape(answer.question), TITLE_LIMIT)
    chain = EmbedChain(discord.Embed(title=title, colour=colour), None, EMBED_TOTAL_LIMIT)
    chain.add_description(escape(answer.text) or "No answer.")
    by_article: dict[int, list[Citation]] = {}
    for citation in answer.citations:
        by_article.setdefault(citation.article_id, []).append(citation)
    for article_id, citations in by_article.items():
        first = citations[0]
        source = first.source if web_url(first.source) else escape(first.source)
        quoted = "\n".join(f"> {escape(c.sentence)}" for c in citations)
        chain.add_field(f"#{article_id} {escape(first.title)}", f"{quoted}\n{source}")
    return [MessagePayload(embeds=embeds) for embeds in pack([chain.embeds], EMBED_TOTAL_LIMIT)]


def reply_payloads(reply: Reply) -> list[MessagePayload]:
    """What a ``/news`` reply looks like on Discord."""
    if reply.kind == "digest" and reply.digest is not None and not reply.digest.is_empty:
        return digest_payloads(reply.digest)
    if reply.kind == "answer" and reply.answer is not None:
        return answer_payloads(reply.answer)
    if reply.kind in {"figures", "quotes", "sources"}:
        lines = [fact.text for fact in reply.facts]
        return listing_payloads(reply.title or reply.kind.title(), lines, escape(reply.text))
    if reply.kind == "card" and reply.card is not None:
        card = reply.card
        name = f"quote-card-{card.article_id}.png" if card.article_id is not None else "quote-card.png"
        content = f"Quote card for **{shorten(escape(reply.title), 1500)}**"
        if not card.is_quotation:
            content += "\nNo direct quotation with a known speaker: the card shows the article's central sentence."
        return [MessagePayload(content=content, cards=[CardAttachment(name, card.png, card.alt_text)])]
    return text_payloads(reply.text)
