"""The card typefaces: TrueType files installed as Python packages, with per-character fallback.

Source Serif 4 sets the quote and Source Sans 3 the labels (Latin, Greek, Cyrillic, Vietnamese).
Hebrew falls back to Frank Ruhl Libre (serif) or Heebo (sans); Arabic to Noto Sans Arabic.
Coverage comes from each font's cmap (fontTools), so no character is ever drawn as a box.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageFont, features

from digests.cards.errors import CardError

logger = logging.getLogger(__name__)

IGNORABLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad")


@dataclass(frozen=True)
class Face:
    """One font file from a font package."""

    package: str
    filename: str
    rtl_script: str | None = None

    @property
    def path(self) -> Path:
        with resources.as_file(resources.files(self.package) / "files" / self.filename) as path:
            return Path(path)


SOURCE_SERIF = Face("fontpkg_source_serif_4", "SourceSerif4[opsz,wght].ttf")
SOURCE_SANS = Face("fontpkg_source_sans_3", "SourceSans3[wght].ttf")
FRANK_RUHL = Face("fontpkg_frank_ruhl_libre", "FrankRuhlLibre[wght].ttf", rtl_script="Hebrew")
HEEBO = Face("fontpkg_heebo", "Heebo[wght].ttf", rtl_script="Hebrew")
NOTO_ARABIC = Face("fontpkg_noto_sans_arabic", "NotoSansArabic[wdth,wght].ttf", rtl_script="Arabic")


class Role(Enum):
    """What a piece of card text is; each role has a font stack, first match wins per character."""

    QUOTE = (SOURCE_SERIF, FRANK_RUHL, NOTO_ARABIC)
    LABEL = (SOURCE_SANS, HEEBO, NOTO_ARABIC)

    @property
    def faces(self) -> tuple[Face, ...]:
        stack: tuple[Face, ...] = self.value
        return stack


@cache
def coverage(face: Face) -> frozenset[int]:
    """Code points the font has glyphs for."""
    font = TTFont(str(face.path), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


@cache
def axis_tags(face: Face) -> tuple[tuple[str, float, float], ...]:
    """The variable font's axes in file order: (tag, minimum, maximum)."""
    font = TTFont(str(face.path), lazy=True)
    try:
        return tuple((axis.axisTag, axis.minValue, axis.maxValue) for axis in font["fvar"].axes)
    finally:
        font.close()


def can_shape_rtl() -> bool:
    """Right-to-left text needs Pillow's raqm layout (with FriBiDi) for order and letter joining."""
    return bool(features.check("raqm")) and bool(features.check("fribidi"))


def layout_engine() -> ImageFont.Layout:
    return ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC


@lru_cache(maxsize=512)
def load(face: Face, size: int, weight: int) -> ImageFont.FreeTypeFont:
    """The face at a pixel size and weight; optical size follows the pixel size where the font has it."""
    font = ImageFont.truetype(str(face.path), size, layout_engine=layout_engine())
    wanted = {"wght": float(weight), "opsz": float(size), "wdth": 100.0}
    axes = [min(max(wanted.get(tag, low), low), high) for tag, low, high in axis_tags(face)]
    font.set_variation_by_axes(axes)
    return font


def is_rtl(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("R", "AL")


def face_for(char: str, role: Role) -> Face | None:
    """The first face in the role's stack that has a glyph for ``char``."""
    code = ord(char)
    for face in role.faces:
        if code in coverage(face):
            return face
    return None


def missing_characters(text: str, role: Role) -> list[str]:
    """Characters of ``text`` that no face of the role can draw."""
    missing: dict[str, None] = {}
    for char in text:
        if char in IGNORABLE or char.isspace():
            continue
        if face_for(char, role) is None:
            missing[char] = None
    return list(missing)


def describe_characters(chars: list[str]) -> str:
    """``“你” (CJK UNIFIED IDEOGRAPH-4F60)`` for an error line."""
    shown = [f"“{c}” ({unicodedata.name(c, f'U+{ord(c):04X}')})" for c in chars[:3]]
    more = f" and {len(chars) - 3} more" if len(chars) > 3 else ""
    return ", ".join(shown) + more


def check_drawable(text: str, role: Role) -> None:
    """Raise :class:`CardError` when some character has no glyph in any card font."""
    missing = missing_characters(text, role)
    if missing:
        raise CardError(f"the card fonts have no glyphs for {describe_characters(missing)}")
