"""Drawing the card with Pillow: headline line, hanging-quote pull-quote, attribution, outlet and logo.

Output is a plain PNG with no timestamp or text chunks, so the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, UnidentifiedImageError

from digests.cards.colours import RGB, blend, parse_hex
from digests.cards.errors import CardError
from digests.cards.fonts import Role
from digests.cards.layout import Block, Style, fit, single_line, units, with_mark

logger = logging.getLogger(__name__)

QUOTE_STYLE = Style(Role.QUOTE, 500)
ATTRIBUTION_STYLE = Style(Role.LABEL, 600)
HEADLINE_STYLE = Style(Role.LABEL, 500)
OUTLET_STYLE = Style(Role.LABEL, 700)
QUOTE_LEADING = 1.24
LABEL_LEADING = 1.25
ANTIALIAS_STEPS = 32


@dataclass(frozen=True)
class Geometry:
    """Margins and type sizes for one card size."""

    width: int
    height: int
    margin_x: int
    margin_top: int
    margin_bottom: int
    bar: int
    quote_sizes: tuple[int, ...]
    attribution_sizes: tuple[int, ...]
    label_size: int
    logo_height: int


GEOMETRIES = {
    (1200, 675): Geometry(1200, 675, 100, 58, 52, 14, tuple(range(64, 29, -2)), tuple(range(32, 21, -2)), 24, 44),
    (1080, 1080): Geometry(1080, 1080, 100, 96, 88, 16, tuple(range(84, 33, -2)), tuple(range(36, 23, -2)), 28, 56),
}


@dataclass(frozen=True)
class Palette:
    background: RGB
    text: RGB
    muted: RGB
    accent: RGB


@dataclass(frozen=True)
class CardText:
    """Everything the renderer writes on a card."""

    quote: str
    attribution: str
    is_quotation: bool
    headline: str | None
    dateline: str | None
    outlet: str
    logo: Path | None


def palette(background: str, text: str, accent: str) -> Palette:
    back, front = parse_hex(background), parse_hex(text)
    return Palette(back, front, blend(front, back, 0.74), parse_hex(accent))


@lru_cache(maxsize=8)
def logo_image(path: str, modified: int, height: int, max_width: int) -> Image.Image:
    """The logo scaled to ``height`` (``modified`` keys the cache to the file's version)."""
    try:
        with Image.open(path) as opened:
            image = opened.convert("RGBA")
    except (OSError, UnidentifiedImageError) as error:
        raise CardError(f"the logo file {path} is not an image that can be read ({error.__class__.__name__})") from None
    scale = min(height / image.height, max_width / image.width)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def load_logo(path: Path, height: int, max_width: int) -> Image.Image:
    try:
        modified = path.stat().st_mtime_ns
    except OSError:
        raise CardError(f"the logo file {path} cannot be read") from None
    return logo_image(str(path), modified, height, max_width)


def baseline(block: Block, line: int, top: float) -> float:
    """Baseline of ``line`` when the block's top edge is at ``top`` (text centred in the line box)."""
    ascent, descent = block.style.font(block.style.role.faces[0], block.size).getmetrics()
    return top + line * block.line_height + (block.line_height - (ascent + descent)) / 2 + ascent


def draw_block(draw: ImageDraw.ImageDraw, block: Block, x: float, top: float, colours: tuple[RGB, RGB]) -> None:
    """Draw each line of ``block`` left-aligned at ``x``; accent pieces take the second colour."""
    plain, accent = colours
    style = block.style
    space = style.space(block.size)
    for index, line in enumerate(block.lines):
        y = baseline(block, index, top)
        cursor = x
        for unit in line:
            for piece in unit.pieces:
                font = style.font(piece.face, block.size)
                fill = accent if piece.accent else plain
                if piece.rtl:
                    draw.text((cursor, y), piece.text, font=font, fill=fill, anchor="ls", direction="rtl")
                else:
                    draw.text((cursor, y), piece.text, font=font, fill=fill, anchor="ls")
                cursor += style.width(piece, block.size)
            cursor += space


def quote_block(text: CardText, box: tuple[float, float], geometry: Geometry) -> Block:
    """The quote set as large as fits; closing mark attached so it never starts a line."""
    words = units(text.quote, Role.QUOTE)
    if text.is_quotation:
        words = with_mark(words, "”", Role.QUOTE)
    block = fit(words, QUOTE_STYLE, box, geometry.quote_sizes, QUOTE_LEADING)
    if block is None:
        raise CardError(
            f"the quote is too long to fit on a {geometry.width}x{geometry.height} card "
            f"at a readable size (smallest {geometry.quote_sizes[-1]}px)"
        )
    return block


def render_png(text: CardText, size: tuple[int, int], colours: Palette) -> bytes:
    """Lay out and draw the card; raises :class:`CardError` when the text cannot fit."""
    geometry = GEOMETRIES[size]
    width, height = size
    left = geometry.margin_x
    inner = width - left - geometry.margin_x
    image = Image.new("RGB", size, colours.background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, geometry.bar - 1, height), fill=colours.accent)

    top = float(geometry.margin_top)
    if text.headline:
        dateline = f" · {text.dateline}" if text.dateline else ""
        header = single_line(text.headline, HEADLINE_STYLE, geometry.label_size, inner, dateline)
        if header is not None:
            header = Block(header.style, header.size, round(header.size * LABEL_LEADING), header.lines, header.widths)
            draw_block(draw, header, left, top, (colours.muted, colours.muted))
            top += header.height + geometry.label_size * 0.4
            draw.line((left, top, left + 64, top), fill=colours.accent, width=3)
            top += geometry.label_size * 1.2

    bottom = float(height - geometry.margin_bottom)
    logo = load_logo(text.logo, geometry.logo_height, inner // 3) if text.logo else None
    footer = None
    if text.outlet:
        footer = single_line(
            text.outlet.upper(), OUTLET_STYLE, geometry.label_size, inner - (logo.width if logo else 0)
        )
    footer_height = max(logo.height if logo else 0, round(geometry.label_size * LABEL_LEADING) if footer else 0)
    if footer_height:
        bottom -= footer_height + geometry.label_size

    credit = units(text.attribution, Role.LABEL)
    attribution = None
    for lines in (1, 2):
        attribution = attribution or fit(
            credit, ATTRIBUTION_STYLE, (inner, bottom - top), geometry.attribution_sizes, LABEL_LEADING, max_lines=lines
        )
    if attribution is None:
        raise CardError("the speaker's name is too long to fit on the card")
    gap = attribution.size * 1.1
    quote = quote_block(text, (inner, bottom - top - attribution.height - gap), geometry)

    total = quote.height + gap + attribution.height
    start = top + max(0.0, (bottom - top - total) * 0.45)
    if text.is_quotation:
        opening = QUOTE_STYLE.font(Role.QUOTE.faces[0], quote.size)
        hang = opening.getlength("“") + quote.size * 0.06
        draw.text((left - hang, baseline(quote, 0, start)), "“", font=opening, fill=colours.accent, anchor="ls")
    draw_block(draw, quote, left, start, (colours.text, colours.accent))
    draw_block(draw, attribution, left, start + quote.height + gap, (colours.accent, colours.accent))

    floor = height - geometry.margin_bottom
    if footer is not None:
        footer_top = floor - footer_height + (footer_height - footer.line_height) / 2
        footer = Block(footer.style, footer.size, round(footer.size * LABEL_LEADING), footer.lines, footer.widths)
        draw_block(draw, footer, left, footer_top, (colours.muted, colours.muted))
    if logo is not None:
        image.paste(logo, (width - geometry.margin_x - logo.width, floor - logo.height), logo)
    return encode(image, None if logo is not None else colours)


def card_palette(colours: Palette) -> Image.Image:
    """Every colour a card without a logo can hold: the background and 32 coverage steps of each ink."""
    entries: list[int] = [*colours.background]
    for ink in (colours.text, colours.muted, colours.accent):
        for step in range(1, ANTIALIAS_STEPS + 1):
            entries += blend(ink, colours.background, step / ANTIALIAS_STEPS)
    holder = Image.new("P", (1, 1))
    holder.putpalette(entries)
    return holder


def encode(image: Image.Image, colours: Palette | None = None) -> bytes:
    """PNG bytes with no metadata chunks (no time, no text), so output is reproducible.

    Given the card's palette the image is stored as indexed colour: a third of the size and twice as fast to
    write, with antialiasing kept to 1/32 steps (a logo's own colours need full RGB, so pass none then).
    """
    if colours is not None:
        image = image.quantize(palette=card_palette(colours), dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()
