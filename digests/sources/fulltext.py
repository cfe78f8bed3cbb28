"""Full text of article pages (trafilatura), fetched only where the site's robots.txt allows."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from digests.headlines import headline_from_lede
from digests.loaders import parse_published
from digests.models import Article
from digests.sources.fetcher import REFUSED, Fetcher, FetchError, Response
from digests.sources.identity import article_url

TEASER_WORDS = 150  # feed text shorter than this is a teaser: the article page is fetched for the full text
ROBOTS_AGENT = "newsdigest"
HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


class PageError(ValueError):
    """An article page that gave no article; the message says why in one line."""


def is_teaser(text: str) -> bool:
    """Whether a feed item's text is only a teaser of the article."""
    return len(text.split()) < TEASER_WORDS


def without_headline(body: str, title: str) -> str:
    """The body without a first paragraph that only repeats the headline (it is never glued to the text)."""
    paragraphs = re.split(r"\n\s*\n|\n", body.strip(), maxsplit=1)
    if len(paragraphs) == 2 and title and squash(paragraphs[0]) == squash(title):
        return paragraphs[1].strip()
    return body.strip()


def squash(text: str) -> str:
    """Lower-case words only, for comparing a headline with a paragraph."""
    return re.sub(r"\W+", " ", text).strip().lower()


def page_article(
    response: Response,
    outlet: str | None = None,
    title: str = "",
    published: datetime | None = None,
    author: str | None = None,
) -> Article:
    """An article from a fetched page's main text, with its title, date and author (the feed's when given)."""
    import trafilatura

    try:
        # Without a charset in the headers, trafilatura detects the encoding from the bytes (meta tags etc.).
        page = response.text() if "charset=" in response.content_type.lower() else response.body
        document = trafilatura.bare_extraction(page, url=response.url, with_metadata=True, include_comments=False)
    except Exception as error:  # trafilatura raises many kinds on broken markup
        raise PageError(f"page could not be read ({type(error).__name__})") from None
    body = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if not body:
        raise PageError("no article text found in the page")
    page_title = str(getattr(document, "title", None) or "").strip()
    headline = title or page_title
    body = without_headline(body, headline)
    if not body:
        raise PageError("the page holds only a headline")
    return Article(
        title=headline or headline_from_lede(body),
        body=body,
        source=response.url,
        url=article_url(response.url),
        outlet=outlet or str(getattr(document, "sitename", None) or "") or None,
        published=published or parse_published(getattr(document, "date", None)),
        author=author or str(getattr(document, "author", None) or "") or None,
    )


@dataclass
class RobotsRules:
    """robots.txt per site, fetched once per poll (RFC 9309: 4xx allows all; 5xx or unreachable allows none)."""

    fetcher: Fetcher
    _sites: dict[str, asyncio.Future[RobotFileParser | None]] = field(default_factory=dict)

    async def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._sites:
            self._sites[site] = asyncio.ensure_future(self._load(site))
        rules = await self._sites[site]
        return rules is None or rules.can_fetch(ROBOTS_AGENT, url)

    async def _load(self, site: str) -> RobotFileParser | None:
        rules = RobotFileParser()
        try:
            response = await self.fetcher.get(f"{site}/robots.txt", accept="text/plain")
        except FetchError as error:
            if error.reason.startswith(REFUSED):
                raise  # the site itself may not be fetched: say so, not "robots.txt disallows"
            if error.status is not None and 400 <= error.status < 500:
                return None
            rules.parse(["User-agent: *", "Disallow: /"])
            return rules
        rules.parse(response.text().splitlines())
        return rules


async def fetch_page(
    fetcher: Fetcher,
    robots: RobotsRules,
    url: str,
    outlet: str | None = None,
    title: str = "",
    published: datetime | None = None,
    author: str | None = None,
) -> Article:
    """Fetch an article page (robots.txt permitting) and extract it; raises FetchError or PageError."""
    if not await robots.allows(url):
        raise PageError("robots.txt disallows fetching this page")
    response = await fetcher.get(url, accept=HTML_ACCEPT)
    kind = response.content_type.split(";")[0].strip().lower()
    if kind and "html" not in kind and "xml" not in kind and not kind.startswith("text/"):
        raise PageError(f"not a web page (Content-Type {kind})")
    return await asyncio.to_thread(page_article, response, outlet, title, published, author)
