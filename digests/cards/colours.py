"""Hex colours and their contrast, so a card's text stays readable."""

from __future__ import annotations

import re

from digests.cards.errors import CardError

HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
MIN_CONTRAST = 4.5  # WCAG AA for normal text
MIN_LARGE_CONTRAST = 3.0  # WCAG AA for large text (the attribution, the quote marks)

RGB = tuple[int, int, int]


def parse_hex(value: str) -> RGB:
    """``#RRGGBB`` (the ``#`` optional) as an RGB triple."""
    match = HEX.match(value.strip())
    if not match:
        raise CardError(f"{value!r} is not a colour; write it as #RRGGBB, e.g. #14213D")
    digits = match.group(1)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def luminance(rgb: RGB) -> float:
    """WCAG relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str | RGB, second: str | RGB) -> float:
    """WCAG contrast ratio between two colours, 1.0 to 21.0."""
    a = luminance(parse_hex(first) if isinstance(first, str) else first)
    b = luminance(parse_hex(second) if isinstance(second, str) else second)
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)


def blend(front: RGB, back: RGB, amount: float) -> RGB:
    """``front`` laid over ``back`` at opacity ``amount``."""
    r, g, b = (round(f * amount + k * (1 - amount)) for f, k in zip(front, back, strict=True))
    return r, g, b
