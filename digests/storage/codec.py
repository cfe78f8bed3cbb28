"""JSON encoding of an article's analysis for the store."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from digests.models import Actor, Analysis, Figure, Quote


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """Turn an analysis into JSON-ready data."""
    return asdict(analysis)


def known(cls: type[Any], data: dict[str, Any]) -> dict[str, Any]:
    """Only the keys ``cls`` has, so analyses stored by a newer or older version still load."""
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


def analysis_from_dict(data: dict[str, Any]) -> Analysis:
    """Rebuild an analysis stored by :func:`analysis_to_dict`; missing parts default to empty (version 0)."""
    return Analysis(
        sentences=tuple(data.get("sentences", ())),
        summary=tuple(data.get("summary", ())),
        figures=tuple(
            Figure(**known(Figure, {**f, "qualifiers": tuple(f.get("qualifiers", ()))}))
            for f in data.get("figures", ())
        ),
        quotes=tuple(Quote(**known(Quote, q)) for q in data.get("quotes", ())),
        actors=tuple(Actor(**known(Actor, a)) for a in data.get("actors", ())),
        version=int(data.get("version") or 0),
        summariser=data.get("summariser"),
        summary_sentences=data.get("summary_sentences"),
    )
