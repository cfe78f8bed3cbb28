"""What a newsroom chooses about its cards: size, outlet, colours, logo, headline line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digests.cards.errors import CardError

CARD_SIZES: dict[str, tuple[int, int]] = {"1200x675": (1200, 675), "1080x1080": (1080, 1080)}
DEFAULT_SIZE = "1200x675"


def parse_size(value: str) -> tuple[int, int]:
    """``1200x675`` or ``1080x1080`` as (width, height)."""
    try:
        return CARD_SIZES[value.strip().lower()]
    except KeyError:
        raise CardError(f"{value!r} is not a card size; use one of {', '.join(CARD_SIZES)}") from None


@dataclass(frozen=True)
class CardSettings:
    """Everything about a card that is not the article."""

    outlet: str = ""
    size: str = DEFAULT_SIZE
    background: str = "#14213D"
    foreground: str = "#FFFFFF"
    accent: str = "#FCA311"
    logo: Path | None = None
    headline: bool = True

    @property
    def dimensions(self) -> tuple[int, int]:
        return parse_size(self.size)
