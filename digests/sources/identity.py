"""The URL an article is stored and recognised under.

For now the URL that was fetched (after redirects) or the feed's link; the place to apply URL
canonicalisation (tracking parameters, fragments, http/https, trailing slashes) once it exists.
"""

from __future__ import annotations


def article_url(url: str) -> str:
    """The identity URL of an article found at ``url``."""
    return url
