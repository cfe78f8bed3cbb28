"""One item per story: the first article of each story stands for the others."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar


class HasId(Protocol):
    @property
    def id(self) -> int: ...


Item = TypeVar("Item", bound=HasId)


def first_of_each_story(items: Sequence[Item], story_of: Mapping[int, int]) -> list[Item]:
    """``items`` in their order, keeping only the first of each story (an item without a story is its own)."""
    seen: set[int] = set()
    kept = []
    for item in items:
        story = story_of.get(item.id, item.id)
        if story not in seen:
            seen.add(story)
            kept.append(item)
    return kept
