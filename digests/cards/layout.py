"""Text into lines that fit a box: words never cut, the size chosen to fit, refusal when nothing fits.

A *unit* is what a line may not break inside: a word, or a run of right-to-left words (a Hebrew or
Arabic name), which raqm lays out and joins as one piece. A unit is made of *pieces*, each set in
the first font of the role's stack that has glyphs for all of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import ImageFont

from digests.cards.errors import CardError
from digests.cards.fonts import (
    IGNORABLE,
    Face,
    Role,
    can_shape_rtl,
    check_drawable,
    coverage,
    face_for,
    is_rtl,
    load,
)

EVEN_ENOUGH = 0.6
EVEN_TRIES = 3
NEUTRAL_EDGE = re.compile(r"^([^\w]*)(.*?)([^\w]*)$", re.DOTALL)


@dataclass(frozen=True)
class Piece:
    """Text set in one face and one direction; ``accent`` pieces take the accent colour."""

    text: str
    face: Face
    rtl: bool = False
    accent: bool = False


@dataclass(frozen=True)
class Unit:
    """An unbreakable stretch of text."""

    pieces: tuple[Piece, ...]

    @property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)


@dataclass(frozen=True)
class Style:
    """A role at a weight."""

    role: Role
    weight: int

    def font(self, face: Face, size: int) -> ImageFont.FreeTypeFont:
        return load(face, size, self.weight)

    def width(self, piece: Piece, size: int) -> float:
        font = self.font(piece.face, size)
        if piece.rtl:
            return float(font.getlength(piece.text, direction="rtl"))
        return float(font.getlength(piece.text))

    def unit_width(self, unit: Unit, size: int) -> float:
        return sum(self.width(piece, size) for piece in unit.pieces)

    def space(self, size: int) -> float:
        return float(self.font(self.role.faces[0], size).getlength(" "))


@dataclass(frozen=True)
class Block:
    """Text laid out at one size: lines of units with their widths."""

    style: Style
    size: int
    line_height: int
    lines: tuple[tuple[Unit, ...], ...]
    widths: tuple[float, ...]

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)

    @property
    def width(self) -> float:
        return max(self.widths, default=0.0)


def ltr_pieces(text: str, role: Role, accent: bool = False) -> list[Piece]:
    """Left-to-right text split where the covering face changes."""
    pieces: list[Piece] = []
    current: Face | None = None
    buffer = ""
    for char in text:
        if char in IGNORABLE:
            continue
        face = face_for(char, role) if not char.isspace() else current
        face = face or role.faces[0]
        if current is not None and face != current and buffer:
            pieces.append(Piece(buffer, current, accent=accent))
            buffer = ""
        current = face
        buffer += char
    if buffer and current is not None:
        pieces.append(Piece(buffer, current, accent=accent))
    return pieces


def rtl_piece(text: str, role: Role) -> Piece:
    """A right-to-left run in the one fallback face that covers all of it."""
    if not can_shape_rtl():
        raise CardError("this installation cannot lay out right-to-left text (Pillow needs raqm and FriBiDi)")
    needed = {ord(c) for c in text if not c.isspace() and c not in IGNORABLE}
    for face in role.faces:
        if face.rtl_script and needed <= coverage(face):
            return Piece(text, face, rtl=True)
    raise CardError("the text mixes right-to-left scripts that the card fonts cannot set together")


def has_rtl(text: str) -> bool:
    return any(is_rtl(char) for char in text)


def first_strong_is_rtl(text: str) -> bool:
    """True when the paragraph direction (first strong character) is right-to-left."""
    for char in text:
        if is_rtl(char):
            return True
        if char.isalpha():
            return False
    return False


def units(text: str, role: Role) -> list[Unit]:
    """Words of ``text`` as units; neighbouring right-to-left words join into one unit."""
    check_drawable(text, role)
    if first_strong_is_rtl(text):
        raise CardError("right-to-left quotations are not supported on cards yet")
    words = text.split()
    grouped: list[str] = []
    for word in words:
        if grouped and has_rtl(word) and has_rtl(grouped[-1]):
            grouped[-1] = f"{grouped[-1]} {word}"
        else:
            grouped.append(word)
    result: list[Unit] = []
    for word in grouped:
        pieces: list[Piece] = []
        if has_rtl(word):
            match = NEUTRAL_EDGE.match(word)
            lead, core, trail = match.groups() if match else ("", word, "")
            pieces += ltr_pieces(lead, role)
            pieces.append(rtl_piece(core, role))
            pieces += ltr_pieces(trail, role)
        else:
            pieces += ltr_pieces(word, role)
        result.append(Unit(tuple(pieces)))
    return result


def with_mark(text_units: Sequence[Unit], mark: str, role: Role) -> list[Unit]:
    """The units with an accent-coloured ``mark`` attached to the last one (no break before it)."""
    if not text_units:
        return []
    face = face_for(mark, role) or role.faces[0]
    last = text_units[-1]
    return [*text_units[:-1], Unit((*last.pieces, Piece(mark, face, accent=True)))]


def wrap(widths: Sequence[float], space: float, max_width: float) -> list[list[int]] | None:
    """Greedy line breaking by index; None when one unit alone is wider than the line."""
    lines: list[list[int]] = []
    current: list[int] = []
    used = 0.0
    for index, width in enumerate(widths):
        if width > max_width:
            return None
        needed = width if not current else used + space + width
        if current and needed > max_width:
            lines.append(current)
            current, used = [index], width
        else:
            current.append(index)
            used = needed
    if current:
        lines.append(current)
    return lines


def balanced(widths: Sequence[float], space: float, max_width: float) -> list[list[int]] | None:
    """Breaks giving the greedy number of lines, each as close as possible to the average width.

    A small dynamic programme (units are few) that minimises the squared distance of every line from the
    average, so a pull-quote reads as an even block rather than long lines and a short last one.
    """
    greedy = wrap(widths, space, max_width)
    if greedy is None or len(greedy) < 2:
        return greedy
    count, total = len(widths), len(greedy)
    prefix = [0.0]
    for width in widths:
        prefix.append(prefix[-1] + width)
    target = (prefix[-1] + space * (count - total)) / total
    infinity = float("inf")
    cost = [[infinity] * (count + 1) for _ in range(total + 1)]
    start = [[0] * (count + 1) for _ in range(total + 1)]
    cost[0][0] = 0.0
    for lines in range(1, total + 1):
        for end in range(lines, count + 1):
            for begin in range(end - 1, lines - 2, -1):
                width = prefix[end] - prefix[begin] + space * (end - begin - 1)
                if width > max_width:
                    break
                if cost[lines - 1][begin] == infinity:
                    continue
                candidate = cost[lines - 1][begin] + (target - width) ** 2
                if candidate < cost[lines][end]:
                    cost[lines][end], start[lines][end] = candidate, begin
    if cost[total][count] == infinity:
        return greedy
    breaks: list[list[int]] = []
    end = count
    for lines in range(total, 0, -1):
        begin = start[lines][end]
        breaks.append(list(range(begin, end)))
        end = begin
    return breaks[::-1]


def line_width(indices: Sequence[int], widths: Sequence[float], space: float) -> float:
    return sum(widths[i] for i in indices) + space * max(len(indices) - 1, 0)


def fit(
    text_units: Sequence[Unit],
    style: Style,
    box: tuple[float, float],
    sizes: Sequence[int],
    leading: float,
    max_lines: int | None = None,
    even: bool = True,
) -> Block | None:
    """The largest size in ``sizes`` (tried in order) at which the units fit the box; None if none does.

    With ``even``, lines are balanced, and when the largest size leaves a stub line (under
    :data:`EVEN_ENOUGH` of the width, last line aside) a slightly smaller size that sets evenly is preferred.
    """
    first: Block | None = None
    tried = 0
    for size in sizes:
        block = set_at(text_units, style, box, size, leading, max_lines, even)
        if block is None:
            continue
        if not even or evenness(block, box[0]) >= EVEN_ENOUGH:
            return block
        first = first or block
        tried += 1
        if tried > EVEN_TRIES:
            break
    return first


def evenness(block: Block, box_width: float) -> float:
    """The shortest line but the last, as a share of the box width (1.0 for one line)."""
    return min(block.widths[:-1], default=box_width) / box_width


def set_at(
    text_units: Sequence[Unit],
    style: Style,
    box: tuple[float, float],
    size: int,
    leading: float,
    max_lines: int | None,
    even: bool,
) -> Block | None:
    """The units set at one size, or None when they do not fit the box."""
    box_width, box_height = box
    line_height = round(size * leading)
    widths = [style.unit_width(unit, size) for unit in text_units]
    space = style.space(size)
    lines = wrap(widths, space, box_width)
    if lines is None or (max_lines is not None and len(lines) > max_lines) or line_height * len(lines) > box_height:
        return None
    if even:
        lines = balanced(widths, space, box_width) or lines
    return Block(
        style=style,
        size=size,
        line_height=line_height,
        lines=tuple(tuple(text_units[i] for i in line) for line in lines),
        widths=tuple(line_width(line, widths, space) for line in lines),
    )


def single_line(text: str, style: Style, size: int, max_width: float, suffix: str = "") -> Block | None:
    """``text`` then ``suffix`` on one line; ``text`` shortened at a word boundary with an ellipsis if too wide."""
    words = units(text, style.role)
    tail = units(suffix, style.role) if suffix.strip() else []
    while words:
        block = fit([*words, *tail], style, (max_width, float("inf")), [size], 1.0, max_lines=1, even=False)
        if block is not None:
            return block
        words = words[:-1]
        if not words:
            break
        stripped = words[-1].text.rstrip(",;:.…—–- ")
        words = [*words[:-1], *units(f"{stripped}…", style.role)] if stripped else words[:-1]
    return None
