"""BM25 search over the index tables, with the same interface and scores as :class:`digests.retrieval.ArticleIndex`.

Nothing is cached between calls: every process reads the shared tables, so a new article is searchable as soon as
its transaction commits, and no process holds the corpus in memory.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import Connection, Engine, bindparam, func, select

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
            if not found:
                return []
            blocks: dict[str, list[bytes]] = {}
            for term, data in connection.execute(POSTINGS, {"terms": list(found)}):
                blocks.setdefault(term, []).append(data)
        average = total / documents or 1.0
        ids: list[np.ndarray] = []
        parts: list[np.ndarray] = []
        for term in wanted:
            if term not in blocks:
                continue
            entries = unpack(b"".join(blocks[term]))
            freqs, lengths = entries[:, 1].astype(np.float64), entries[:, 2].astype(np.float64)
            norm = K1 * (1 - B + B * lengths / average)
            idf = bm25_idf(documents, found[term])
            parts.append(weights[term] * idf * freqs * (K1 + 1) / (freqs + norm))
            ids.append(entries[:, 0])
        if not ids:
            return []
        every = np.concatenate(ids)
        lowest = int(every.min())
        if int(every.max()) - lowest < 4 * len(every):
            scores = np.bincount(every - lowest, weights=np.concatenate(parts))
            unique = np.arange(lowest, lowest + len(scores))
        else:  # ids spread thinly: sum per distinct id instead of over the whole id range
            unique, inverse = np.unique(every, return_inverse=True)
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
    row = connection.execute(TOTALS).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def frequencies(connection: Connection, terms: Sequence[str]) -> dict[str, int]:
    """Document frequency of each of ``terms`` that the index knows."""
    wanted = list({t[:MAX_TERM_LENGTH] for t in terms})
    return {term: int(df) for term, df in connection.execute(FREQUENCIES, {"terms": wanted})}


FREQUENCIES = select(search_terms.c.term, search_terms.c.df).where(
    search_terms.c.term.in_(bindparam("terms", expanding=True)), search_terms.c.df > 0
)
POSTINGS = (
    select(search_postings.c.term, search_postings.c.data)
    .where(search_postings.c.term.in_(bindparam("terms", expanding=True)))
    .order_by(search_postings.c.term, search_postings.c.block)
)
TOTALS = select(search_totals.c.documents, search_totals.c.total_length).where(search_totals.c.id == 1)
