"""Text that Discord shows exactly as typed: no markdown, masked links, auto-links, mentions, headings or lists.

``discord.utils.escape_markdown`` escapes only some of Discord's syntax (a masked link ``[a](b)`` keeps working
after the first ``[`` of a line, ``-#`` subtext and ordered lists stay live). Discord's parser takes a backslash
before any ASCII punctuation as a literal character, so every character that can start or end markdown is
escaped wherever it stands, and line-start syntax (headings, quotes, lists) is escaped at every line start.
"""

from __future__ import annotations

import re

# Characters that open or close inline markdown anywhere in a line: emphasis, strike, spoilers, code, masked
# links, tags (mentions, channels, timestamps, custom emoji), block quotes and headings, and the escape itself.
INLINE = re.compile(r"([\\*_~`|\[\]()<>#])")
# ``https://`` and friends: the ``:`` escaped so Discord does not turn a bare address into a link.
SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)")
# Syntax that only counts at the start of a line: lists (``-``, ``+``, ``*``, ``1.``/``1)``) and subtext ``-#``.
LINE_START = re.compile(r"(?m)^([ \t]*)(?:([-+])|(\d{1,9})([.)]))")
# ``@everyone``, ``@here`` and raw ids after ``@`` (``<`` is escaped already): a zero-width space breaks them.
BROADCAST = re.compile(r"@(?=everyone|here|[!&]?\d)", re.IGNORECASE)


def literal(text: str) -> str:
    """``text`` escaped so Discord renders it literally and it can neither ping nor link."""
    escaped = INLINE.sub(r"\\\1", text)
    escaped = SCHEME.sub(r"\1\\:", escaped)
    escaped = LINE_START.sub(_line_start, escaped)
    return BROADCAST.sub("@\u200b", escaped)


def _line_start(match: re.Match[str]) -> str:
    indent, bullet, number, closer = match.groups()
    if bullet:
        return f"{indent}\\{bullet}"
    return f"{indent}{number}\\{closer}"
