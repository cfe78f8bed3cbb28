"""Load articles from .txt, .md, .html and .json files, and from folders of them."""

from __future__ import annotations

import codecs
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
from digests.limits import LimitExceeded, LoadLimits, check_json_depth, describe_size, safe_yaml
from digests.models import Article, without_nul

logger = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json")
SEEDS = "seeds"
# Single-byte encodings tried, by detection, for a file that is not UTF-8: Windows-1252 and Latin-1/9.
WESTERN_ENCODINGS = ("cp1252", "latin_1", "iso8859_15")


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


@dataclass(frozen=True)
class Text:
    """A file's text and the encoding it was read with."""

    text: str
    encoding: str = "utf-8"


def read_text(path: Path, limits: LoadLimits | None = None) -> Text:
    """File contents as text, rejecting what is missing, too large, binary, undecodable or empty.

    UTF-8 (with or without a byte-order mark) is read as such; other text is read as the Western single-byte
    encoding (Windows-1252, Latin-1, Latin-9) that charset-normalizer finds fits it, and says which.
    """
    limits = limits or LoadLimits()
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise ArticleError(f"{path}: too large ({describe_size(size)}; {limits.describe()})")
        with path.open("rb") as file:
            data = file.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise ArticleError(f"{path}: file not found") from None
    except OSError as error:
        raise ArticleError(f"{path}: cannot be read ({error.strerror or error})") from None
    if len(data) > limits.max_bytes:
        raise ArticleError(f"{path}: too large (over {describe_size(limits.max_bytes)}; {limits.describe()})")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        decoded = decode_utf16(path, data)
    elif b"\x00" in data[:8192]:
        raise ArticleError(f"{path}: binary file, not an article")
    else:
        decoded = decode(path, data)
    text = without_nul(decoded.text)
    if not text.strip():
        raise ArticleError(f"{path}: empty file")
    return Text(text.replace("\r\n", "\n").replace("\r", "\n"), decoded.encoding)


def decode_utf16(path: Path, data: bytes) -> Text:
    """Text that starts with a UTF-16 byte-order mark; raises :class:`ArticleError` when the rest is not UTF-16."""
    try:
        return Text(data.decode("utf-16"), "utf-16")
    except UnicodeDecodeError as error:
        reason = f"not valid UTF-8 text (byte 0); it starts like UTF-16 but is not (byte {error.start})"
        raise ArticleError(f"{path}: {reason}") from None


def decode(path: Path, data: bytes) -> Text:
    """UTF-8 text, else the detected Western single-byte encoding; raises :class:`ArticleError` otherwise."""
    try:
        return Text(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        position = error.start
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(WESTERN_ENCODINGS)).best()
    if best is None or best.encoding is None:
        raise ArticleError(f"{path}: not valid UTF-8 text (byte {position}) and no Western encoding fits it")
    return Text(str(best), best.encoding)


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


def from_txt(path: Path, text: str, limits: LoadLimits) -> Article:
    """First line is the headline when a blank line follows it; otherwise one is derived from the lede."""
    lines = text.strip().split("\n")
    if len(lines) > 2 and lines[0].strip() and not lines[1].strip() and len(lines[0]) <= 200:
        title, body = lines[0].strip(), "\n".join(lines[2:]).strip()
    else:
        title, body = "", text.strip()
    return article_from(path, title=title, body=body)


def from_markdown(path: Path, text: str, limits: LoadLimits) -> Article:
    """Markdown with optional front matter (title, url, source, published), parsed without YAML aliases."""
    import frontmatter

    try:
        post = frontmatter.loads(text, handler=bounded_yaml_handler(limits))
    except ArticleError as error:
        raise ArticleError(f"{path}: {error}") from None
    except Exception as error:  # the YAML parser raises many kinds
        raise ArticleError(f"{path}: front matter is not valid YAML ({type(error).__name__})") from None
    body = strip_markdown(post.content)
    title = text_field(path, "front matter", post.metadata, "title") or ""
    if not title:
        heading = re.match(r"\s*#\s+(.+)\n", post.content)
        if heading:
            title = heading.group(1).strip()
            body = strip_markdown(post.content[heading.end() :])
    return article_from(path, title=title, body=body, meta=checked_meta(path, "front matter", post.metadata))


def bounded_yaml_handler(limits: LoadLimits) -> Any:
    """python-frontmatter's YAML handler with limits: bounded size and nesting, no aliases."""
    from frontmatter.default_handlers import YAMLHandler

    class BoundedYAMLHandler(YAMLHandler):
        def load(self, fm: str, **kwargs: object) -> Any:
            if len(fm) > limits.max_front_matter_chars:
                raise ArticleError(
                    f"front matter is too long ({len(fm):,} characters; at most {limits.max_front_matter_chars:,})"
                )
            try:
                return safe_yaml(fm, limits.max_depth)
            except LimitExceeded as error:
                raise ArticleError(f"front matter {error}") from None

    return BoundedYAMLHandler()


def strip_markdown(text: str) -> str:
    """Plain text from simple Markdown: headings, emphasis, links and images."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^\s{0,3}#{1,6}\s+", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"^\s*[-*+]\s+", "", text, flags=re.M)
    return text.strip()


def from_html(path: Path, text: str, limits: LoadLimits) -> Article:
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


def from_json(path: Path, text: str, limits: LoadLimits) -> Article:
    """A JSON object with title, body, url, source and published (text fields must be text)."""
    try:
        check_json_depth(text, limits.max_depth)
        data = json.loads(text)
    except LimitExceeded as error:
        raise ArticleError(f"{path}: JSON {error}") from None
    except json.JSONDecodeError as error:
        raise ArticleError(f"{path}: not valid JSON (line {error.lineno}: {error.msg})") from None
    except (RecursionError, ValueError) as error:
        raise ArticleError(f"{path}: not valid JSON ({type(error).__name__})") from None
    if not isinstance(data, dict):
        raise ArticleError(f"{path}: JSON must be an object with a 'body'")
    body = next((data[key] for key in ("body", "text", "content") if data.get(key)), None)
    if body is not None and not isinstance(body, str):
        raise ArticleError(f"{path}: JSON field 'body' must be text, not {type_name(body)}")
    if not isinstance(body, str) or not body.strip():
        raise ArticleError(f"{path}: JSON has no 'body' text")
    title = text_field(path, "JSON", data, "title") or ""
    return article_from(path, title=title, body=body, meta=checked_meta(path, "JSON", data))


META_FIELDS = ("title", "url", "source")


def type_name(value: Any) -> str:
    """``a list``, ``a number``: how a wrong value is named in a rejection."""
    names = {dict: "a mapping", list: "a list", bool: "true/false", int: "a number", float: "a number"}
    return names.get(type(value), f"a {type(value).__name__}")


def text_field(path: Path, origin: str, data: dict[str, Any], key: str) -> str | None:
    """``data[key]`` as text; a number is taken as text, a list or mapping rejects the file in one line."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ArticleError(f"{path}: {origin} field {key!r} must be text, not {type_name(value)}")
    return str(value)


def checked_meta(path: Path, origin: str, data: dict[str, Any]) -> dict[str, Any]:
    """The metadata fields newsdigest uses, each checked for its type."""
    meta: dict[str, Any] = {key: text_field(path, origin, data, key) for key in META_FIELDS}
    published = data.get("published")
    if published is not None and not isinstance(published, str | date | datetime):
        raise ArticleError(f"{path}: {origin} field 'published' must be a date, not {type_name(published)}")
    meta["published"] = published
    return meta


def article_from(
    path: Path, title: str, body: str, meta: dict[str, Any] | None = None, source: str | None = None
) -> Article:
    """Assemble an article, deriving a headline when none is given."""
    meta = meta or {}
    body = without_nul(body).strip()
    if not body:
        raise ArticleError(f"{source or path}: no article text")
    title = without_nul(title)
    return Article(
        title=title.strip() or headline_from_lede(body),
        body=body,
        source=source or str(path),
        url=without_nul(str(meta["url"])) if meta.get("url") else None,
        outlet=without_nul(str(meta["source"])) if meta.get("source") else None,
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


def load_file(path: Path, limits: LoadLimits | None = None) -> Article:
    """One article file; raises :class:`ArticleError` with a one-line reason."""
    limits = limits or LoadLimits()
    parser = PARSERS.get(path.suffix.lower())
    if parser is None:
        raise ArticleError(f"{path}: unsupported file type {path.suffix or '(none)'!r}; use {', '.join(SUFFIXES)}")
    read = read_text(path, limits)
    article = parser(path, read.text, limits)
    if len(article.body) > limits.max_bytes:
        raise ArticleError(f"{path}: article text too long ({describe_size(len(article.body))}; {limits.describe()})")
    return article if read.encoding == "utf-8" else replace(article, encoding=read.encoding)


def load_paths(paths: list[Path], limits: LoadLimits | None = None) -> Iterator[Article | Rejected]:
    """Every article under ``paths``; a bad file yields a :class:`Rejected` and loading goes on."""
    for given in paths:
        if not given.exists():
            yield Rejected(str(given), "no such file or folder")
            continue
        try:
            found = list(expand(given))
        except OSError as error:
            yield Rejected(str(given), f"cannot be listed ({error.strerror or error})")
            continue
        for path in found:
            yield load_one(path, limits)


def load_one(path: Path, limits: LoadLimits | None) -> Article | Rejected:
    """One file as an article, or why not; nothing a file holds escapes as an exception."""
    try:
        return load_file(path, limits)
    except ArticleError as error:
        return Rejected(str(path), str(error).removeprefix(f"{path}: "))
    except (RecursionError, MemoryError) as error:
        return Rejected(str(path), f"too complex to read ({type(error).__name__})")
    except Exception as error:  # a parser's own failure must not stop the other files
        logger.debug("loading %s failed", path, exc_info=True)
        return Rejected(str(path), f"could not be read ({type(error).__name__})")
