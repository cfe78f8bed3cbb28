"""HTML fragments (feed content, titles) as plain paragraphs."""

from __future__ import annotations

import html as html_module
import re

BLOCK_END = re.compile(r"(?i)<\s*(?:/\s*(?:p|div|li|h[1-6]|blockquote|section|article|tr)|br\s*/?)\s*>")
TAG = re.compile(r"<[^>]*>")
COMMENT = re.compile(r"(?s)<!--.*?-->|<(script|style)\b.*?</\1\s*>", re.I)


def html_to_text(fragment: str) -> str:
    """Paragraph text of an HTML fragment: block ends become blank lines, tags go, entities are decoded."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    text = COMMENT.sub(" ", fragment)
    text = BLOCK_END.sub("\n\n", text)
    text = html_module.unescape(TAG.sub("", text))
    paragraphs = (re.sub(r"[ \t\r\f\v\xa0]+", " ", part).strip() for part in re.split(r"\n\s*\n", text))
    return "\n\n".join(" ".join(p.split("\n")).strip() for p in paragraphs if p.strip())


def one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
