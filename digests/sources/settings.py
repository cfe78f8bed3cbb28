"""Fetch settings and HTTP validators: plain values, importable without the HTTP client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

FEED, PAGE, AUTO = "feed", "page", "auto"


@dataclass(frozen=True)
class SourceSpec:
    """A configured source: a feed, an article page, or (for ``ingest``) a URL whose kind is found by content."""

    url: str
    kind: str = FEED
    every: timedelta = timedelta(minutes=15)
    outlet: str | None = None


@dataclass(frozen=True)
class FetchSettings:
    """How politely and how defensively newsdigest fetches."""

    contact: str = ""
    allow_hosts: tuple[str, ...] = ()
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 30.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    concurrency: int = 20
    per_host: int = 4

    @property
    def user_agent(self) -> str:
        from importlib.metadata import PackageNotFoundError, version

        try:
            release = version("newsdigest")
        except PackageNotFoundError:
            release = "dev"
        contact = f"; +{self.contact}" if self.contact else ""
        return f"newsdigest/{release} (news digest bot{contact})"


@dataclass(frozen=True)
class Validators:
    """What the server said identifies its copy: sent back to ask "has it changed?"."""

    etag: str | None = None
    last_modified: str | None = None


