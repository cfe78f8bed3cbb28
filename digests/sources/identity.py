"""The URL an article is stored and recognised under: its canonical form, keeping the scheme it was served on.

Canonicalisation (tracking parameters, fragments, default ports, trailing slashes, ``www.``) is the grouping
package's; the scheme is kept so that a site served only over http still gets a working link.
"""

from __future__ import annotations

from digests.grouping.urls import URLError, canonical_url


def article_url(url: str) -> str:
    """The identity URL of an article found at ``url`` (``url`` itself when it cannot be canonicalised)."""
    try:
        canonical = canonical_url(url)
    except URLError:
        return url
    scheme = url.strip().split(":", 1)[0].lower()
    return f"{scheme}:{canonical.split(':', 1)[1]}" if scheme in ("http", "https") else canonical
