"""Limits on what one article file may cost to read: its size, its nesting, no YAML alias expansion."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

DEFAULT_MAX_ARTICLE_MB = 2.0
DEFAULT_MAX_DEPTH = 32
DEFAULT_MAX_FRONT_MATTER_CHARS = 64_000

JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
JSON_BRACKET = re.compile(r"[\[\]{}]")


class LimitExceeded(ValueError):
    """Input beyond a limit; the message completes a sentence naming the part, e.g. ``JSON <message>``."""


def describe_size(size: int) -> str:
    """``5.0 MB`` or ``800.0 KB``: a byte count as an editor reads it."""
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.1f} KB"


@dataclass(frozen=True)
class LoadLimits:
    """How large an article file may be and how deeply its front matter or JSON may nest."""

    max_bytes: int = int(DEFAULT_MAX_ARTICLE_MB * 1_000_000)
    max_depth: int = DEFAULT_MAX_DEPTH
    max_front_matter_chars: int = DEFAULT_MAX_FRONT_MATTER_CHARS

    @classmethod
    def from_megabytes(cls, megabytes: float) -> LoadLimits:
        return cls(max_bytes=int(megabytes * 1_000_000))

    def describe(self) -> str:
        return f"the limit is {describe_size(self.max_bytes)}, set by [ingest] max_article_mb"


def check_json_depth(text: str, max_depth: int) -> None:
    """Raise :class:`LimitExceeded` when JSON ``text`` nests deeper than ``max_depth`` (linear, no recursion)."""
    depth = 0
    for bracket in JSON_BRACKET.finditer(JSON_STRING.sub('""', text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > max_depth:
                raise LimitExceeded(f"nests deeper than {max_depth} levels")
        else:
            depth -= 1


def safe_yaml(text: str, max_depth: int) -> Any:
    """YAML parsed by PyYAML's safe loader with aliases refused and nesting bounded (no expansion bombs)."""
    import yaml

    class BoundedLoader(yaml.SafeLoader):  # type: ignore[misc]
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise LimitExceeded("uses YAML aliases (*name), which newsdigest does not expand")
            self.depth += 1
            if self.depth > max_depth:
                raise LimitExceeded(f"nests deeper than {max_depth} levels")
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    loader = BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
