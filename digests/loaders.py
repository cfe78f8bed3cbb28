"""Load articles from .txt, .md, .html and .json files, and from folders of them."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from digests.headlines import headline_from_lede
from digests.models import Article

logger = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json")
SEEDS = "seeds"


class ArticleError(ValueError):
    """An article file that cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class Rejected:
    """A file that could not be loaded, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def seed_paths() -> list[Path]:
    """The articles that ship inside the package."""
    folder = resources.files("digests") / SEEDS
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(SUFFIXES))


def load_seeds() -> Iterator[Article | Rejected]:
    """The packaged seed articles, their source shown as ``seeds/<file>``."""
    for item in load_paths(seed_paths()):
        if isinstance(item, Article):
            yield replace(item, source=f"{SEEDS}/{Path(item.source).name}")
        else:
            yield item


def expand(path: Path) -> Iterator[Path]:
    """A file, or every article file under a folder (recursively, sorted)."""
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    else:
        yield path


def read_text(path: Path) -> str:
    """File contents as UTF-8 text, rejecting what is missing, binary, undecodable or empty."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArticleError(f"{path}: file not found") from None
    except OSError as error:
        raise ArticleError(f"{path}: cannot be read ({error.strerror or error})") from None
    if b"\x00" in data[:8192]:
        raise ArticleError(f"{path}: binary file, not an article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ArticleError(f"{path}: not valid UTF-8 text (byte {error.start})") from None
    if not text.strip():
        raise ArticleError(f"{path}: empty file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_published(value: Any) -> datetime | None:
    """A publication date from front matter or JSON, as an aware UTC datetime."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def from_txt(path: Path, text: str) -> Article:
    """First line is the headline when a blank line follows it; otherwise one is derived from the lede."""
    lines = text.strip().split("\n")
    if len(lines) > 2 and lines[0].strip() and not lines[1].strip() and len(lines[0]) <= 200:
        title, body = lines[0].strip(), "\n".join(lines[2:]).strip()
    else:
        title, body = "", text.strip()
    return article_from(path, title=title, body=body)


def from_markdown(path: Path, text: str) -> Article:
    """Markdown with optional front matter (title, url, source, published)."""
    import frontmatter

    try:
        post = frontmatter.loads(text)
    except Exception as error:  # the YAML parser raises many kinds
        raise ArticleError(f"{path}: front matter is not valid YAML ({type(error).__name__})") from None
    body = strip_markdown(post.content)
    title = str(post.get("title") or "")
    if not title:
        heading = re.match(r"\s*#\s+(.+)\n", post.content)
        if heading:
            title = heading.group(1).strip()
            body = strip_markdown(post.content[heading.end() :])
    return article_from(path, title=title, body=body, meta=dict(post.metadata))


def strip_markdown(text: str) -> str:
    """Plain text from simple Markdown: headings, emphasis, links and images."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^\s{0,3}#{1,6}\s+", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"^\s*[-*+]\s+", "", text, flags=re.M)
    return text.strip()


def from_html(path: Path, text: str) -> Article:
    """Main text and metadata of a web page, extracted by trafilatura."""
    return article_from_html(text, source=str(path), path=path)


def article_from_html(html: str, source: str, path: Path | None = None, url: str | None = None) -> Article:
    """An article from an HTML page's main text (trafilatura), keeping its title, date and site name."""
    import trafilatura

    document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    body = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if not body:
        raise ArticleError(f"{source}: no article text found in the page")
    meta = {
        "title": getattr(document, "title", None),
        "url": url or getattr(document, "url", None),
        "source": getattr(document, "sitename", None),
        "published": getattr(document, "date", None),
    }
    return article_from(path or Path(source), title=str(meta["title"] or ""), body=body, meta=meta, source=source)


def from_json(path: Path, text: str) -> Article:
    """A JSON object with title, body, url, source and published."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ArticleError(f"{path}: not valid JSON (line {error.lineno}: {error.msg})") from None
    if not isinstance(data, dict):
        raise ArticleError(f"{path}: JSON must be an object with a 'body'")
    body = data.get("body") or data.get("text") or data.get("content")
    if not isinstance(body, str) or not body.strip():
        raise ArticleError(f"{path}: JSON has no 'body' text")
    return article_from(path, title=str(data.get("title") or ""), body=body, meta=data)


def article_from(
    path: Path, title: str, body: str, meta: dict[str, Any] | None = None, source: str | None = None
) -> Article:
    """Assemble an article, deriving a headline when none is given."""
    meta = meta or {}
    body = body.strip()
    if not body:
        raise ArticleError(f"{source or path}: no article text")
    return Article(
        title=title.strip() or headline_from_lede(body),
        body=body,
        source=source or str(path),
        url=str(meta["url"]) if meta.get("url") else None,
        outlet=str(meta["source"]) if meta.get("source") else None,
        published=parse_published(meta.get("published")),
    )


PARSERS = {
    ".txt": from_txt,
    ".md": from_markdown,
    ".markdown": from_markdown,
    ".html": from_html,
    ".htm": from_html,
    ".json": from_json,
}


def load_file(path: Path) -> Article:
    """One article file; raises :class:`ArticleError` with a one-line reason."""
    parser = PARSERS.get(path.suffix.lower())
    if parser is None:
        raise ArticleError(f"{path}: unsupported file type {path.suffix or '(none)'!r}; use {', '.join(SUFFIXES)}")
    return parser(path, read_text(path))


def load_paths(paths: list[Path]) -> Iterator[Article | Rejected]:
    """Every article under ``paths``; a bad file yields a :class:`Rejected` and loading goes on."""
    for given in paths:
        if not given.exists():
            yield Rejected(str(given), "no such file or folder")
            continue
        for path in expand(given):
            try:
                yield load_file(path)
            except ArticleError as error:
                yield Rejected(str(path), str(error).removeprefix(f"{path}: "))
