"""Ingest-time fact extraction: figures, then actors (groups come from counted figures), then quotes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from digests.actors import extract_actors
from digests.figures import extract_figures
from digests.quotes import extract_quotes


def extract_facts(sentences: Sequence[str]) -> dict[str, Any]:
    """The ``figures``, ``quotes`` and ``actors`` fields of an :class:`~digests.models.Analysis`."""
    figures = extract_figures(sentences)
    actors = extract_actors(sentences, figures)
    quotes = extract_quotes(sentences, actors)
    return {"figures": figures, "quotes": quotes, "actors": actors}
