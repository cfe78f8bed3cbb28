"""BM25 search over the index tables, with the same interface and scores as :class:`digests.retrieval.ArticleIndex`.

Nothing is cached between calls: every process reads the shared tables, so a new article is searchable as soon as
its transaction commits, and no process holds the corpus in memory.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import Connection, Engine, func, select

from digests.retrieval import K1, B
from digests.search.postings import unpack
from digests.search.tables import MAX_TERM_LENGTH, search_documents, search_postings, search_terms, search_totals
from digests.search.writer import catch_up, is_behind

MAX_QUERY_TERMS = 64
"""Distinct query terms searched; a longer query keeps its first ones."""


def bm25_idf(documents: int, frequency: int) -> float:
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


class SearchIndex:
    """BM25 over whole articles (title twice plus body), read from the database on each call."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def catch_up(self) -> int:
        """Index the stored articles the index lacks (once, for stores made before the index); cheap when current."""
        with self.engine.connect() as connection:
            if not is_behind(connection):
                return 0
        with self.engine.begin() as connection:
            return catch_up(connection)

    def __len__(self) -> int:
        with self.engine.connect() as connection:
            return totals(connection)[0]

    def document_frequency(self, term: str) -> int:
        with self.engine.connect() as connection:
            return frequencies(connection, [term]).get(term[:MAX_TERM_LENGTH], 0)

    def idf(self, term: str) -> float:
        return self.idfs([term])[term]

    def idfs(self, terms: Iterable[str]) -> dict[str, float]:
        """Each term's idf, in one round trip."""
        wanted = list(dict.fromkeys(terms))
        with self.engine.connect() as connection:
            documents = totals(connection)[0]
            found = frequencies(connection, wanted)
        return {t: bm25_idf(documents, found.get(t[:MAX_TERM_LENGTH], 0)) for t in wanted}

    def contains(self, article_id: int, term: str) -> bool:
        """Whether the article's words include ``term``."""
        query = select(search_postings.c.data).where(
            search_postings.c.term == term[:MAX_TERM_LENGTH],
            search_postings.c.low <= article_id,
            search_postings.c.high >= article_id,
        )
        with self.engine.connect() as connection:
            return any(bool((unpack(data)[:, 0] == article_id).any()) for data in connection.scalars(query))

    def newest_id(self) -> int | None:
        """The highest indexed article id."""
        with self.engine.connect() as connection:
            newest = connection.scalar(select(func.max(search_documents.c.article_id)))
        return int(newest) if newest is not None else None

    def search(self, query: Sequence[str], limit: int = 5) -> list[tuple[int, float]]:
        """Best ``limit`` (article id, score) pairs, ties broken by the newer article."""
        weights = Counter(t[:MAX_TERM_LENGTH] for t in query)
        wanted = list(weights)[:MAX_QUERY_TERMS]
        if not wanted or limit <= 0:
            return []
        with self.engine.connect() as connection:
            documents, total = totals(connection)
            if not documents:
                return []
            found = frequencies(connection, wanted)
            blocks: dict[str, list[bytes]] = {}
            rows = connection.execute(
                select(search_postings.c.term, search_postings.c.data).where(search_postings.c.term.in_(list(found)))
            )
            for term, data in rows:
                blocks.setdefault(term, []).append(data)
        average = total / documents or 1.0
        ids: list[np.ndarray] = []
        parts: list[np.ndarray] = []
        for term in wanted:
            if term not in blocks:
                continue
            entries = np.concatenate([unpack(b) for b in blocks[term]]).astype(np.float64)
            freqs, lengths = entries[:, 1], entries[:, 2]
            norm = K1 * (1 - B + B * lengths / average)
            idf = bm25_idf(documents, found[term])
            parts.append(weights[term] * idf * freqs * (K1 + 1) / (freqs + norm))
            ids.append(entries[:, 0].astype(np.int64))
        if not ids:
            return []
        unique, inverse = np.unique(np.concatenate(ids), return_inverse=True)
        scores = np.bincount(inverse, weights=np.concatenate(parts))
        hits = np.nonzero(scores)[0]
        if len(hits) > limit:
            cut = len(hits) - limit
            kth = np.partition(scores[hits], cut)[cut]
            hits = hits[scores[hits] >= kth]
        order = hits[np.lexsort((-unique[hits], -scores[hits]))][:limit]
        return [(int(unique[i]), float(scores[i])) for i in order]


def totals(connection: Connection) -> tuple[int, int]:
    """(documents, total length in terms) of the index."""
    row = connection.execute(select(search_totals.c.documents, search_totals.c.total_length)).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def frequencies(connection: Connection, terms: Sequence[str]) -> dict[str, int]:
    """Document frequency of each of ``terms`` that the index knows."""
    wanted = list({t[:MAX_TERM_LENGTH] for t in terms})
    query = select(search_terms.c.term, search_terms.c.df).where(search_terms.c.term.in_(wanted), search_terms.c.df > 0)
    return {term: int(df) for term, df in connection.execute(query)}
