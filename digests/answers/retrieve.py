"""Retrieval: candidate stories from an article index, then evidence units (sentences) within them."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from digests.actors import lowercase_vocabulary
from digests.answers.text import evidence_units, is_furniture
from digests.models import StoredArticle
from digests.retrieval import coverage, rank_sentences, terms
from digests.storage import Store

CACHE_SIZE = 1024
STORIES = 2
EXTRA_HITS = 1  # stories fetched beyond those kept, for the names and sentence checks to reorder
NAME_WEIGHT = 1.0
WINDOW_WEIGHT = 1.0
LOCAL_SHARE = 1.0
WINDOWS = 5  # the best units whose neighbourhoods are checked for the question's words


class Index(Protocol):
    """What the engine needs of an article index (``digests.retrieval.ArticleIndex`` has it)."""

    def search(self, query: Sequence[str], limit: int = 5) -> list[tuple[int, float]]: ...
    def idf(self, term: str) -> float: ...
    def idfs(self, terms: Iterable[str]) -> dict[str, float]: ...
    def document_frequency(self, term: str) -> int: ...
    def contains(self, article_id: int, term: str) -> bool: ...
    def __len__(self) -> int: ...


@dataclass(frozen=True)
class Prepared:
    """An article cut into evidence units, each with its stemmed terms."""

    stored: StoredArticle
    units: tuple[str, ...]
    unit_terms: tuple[tuple[str, ...], ...]
    title_terms: frozenset[str]
    vocabulary: frozenset[str]
    common: frozenset[str]  # words the article writes in lower case
    furniture: tuple[bool, ...]  # bylines, captions, credits: never evidence


@dataclass(frozen=True)
class Story:
    """A candidate story with its evidence units scored for the question."""

    prepared: Prepared
    score: float
    unit_scores: tuple[float, ...]

    @property
    def stored(self) -> StoredArticle:
        return self.prepared.stored

    def best(self, limit: int = 3) -> list[int]:
        """Indices of the best-scoring units, best first (ties: earlier in the article)."""
        order = sorted(range(len(self.unit_scores)), key=lambda i: (-self.unit_scores[i], i))
        return [i for i in order[:limit] if self.unit_scores[i] > 0]


class Retriever:
    """Stories for a question from the index, fetched from the store on demand (a bounded cache)."""

    def __init__(self, store: Store, index: Index) -> None:
        self.store = store
        self.index = index
        self._prepared: OrderedDict[int, Prepared] = OrderedDict()

    def idf(self, query: Sequence[str]) -> dict[str, float]:
        return self.index.idfs(query)

    def forget(self) -> None:
        self._prepared.clear()

    def prepared(self, ids: Sequence[int]) -> dict[int, Prepared]:
        missing = [i for i in ids if i not in self._prepared]
        if missing:
            for stored in self.store.articles(ids=missing):
                units = tuple(u for u in evidence_units(stored.analysis.sentences))
                unit_terms = tuple(tuple(terms(u)) for u in units)
                title = frozenset(terms(stored.article.title))
                vocabulary = title.union(*unit_terms)
                common = lowercase_vocabulary(units)
                furniture = tuple(is_furniture(u) for u in units)
                self._prepared[stored.id] = Prepared(stored, units, unit_terms, title, vocabulary, common, furniture)
            while len(self._prepared) > CACHE_SIZE:
                self._prepared.popitem(last=False)
        return {i: self._prepared[i] for i in ids if i in self._prepared}

    def stories(self, query: Sequence[str], names: Sequence[str] = (), limit: int = STORIES) -> list[Story]:
        """Best stories first: article BM25, the best window of units (a unit with its neighbours) and the share
        of the question's names the story contains."""
        if not query or not len(self.index):
            return []
        hits = self.index.search(query, limit + EXTRA_HITS)
        if not hits:
            return []
        idf = self.idf(query)
        total = sum(idf.values()) or 1.0
        top = hits[0][1] or 1.0
        found = self.prepared([article_id for article_id, _ in hits])
        stories: list[Story] = []
        for article_id, score in hits:
            prepared = found.get(article_id)
            if prepared is None:
                continue
            scores = rank_sentences(query, prepared.unit_terms, idf)
            scores = smoothed([0.0 if f else s for f, s in zip(prepared.furniture, scores, strict=True)])
            local = rank_sentences(query, prepared.unit_terms, local_idf(query, prepared, idf))
            local = smoothed([0.0 if f else s for f, s in zip(prepared.furniture, local, strict=True)])
            best = sorted(range(len(scores)), key=lambda i: -scores[i])[:WINDOWS]
            window = max(
                (
                    coverage(query, {t for near in prepared.unit_terms[max(0, i - 1) : i + 2] for t in near}, idf)
                    for i in best
                ),
                default=0.0,
            )
            combined = score / top + WINDOW_WEIGHT * window + max(scores, default=0.0) / total
            if names:
                combined += NAME_WEIGHT * sum(n in prepared.vocabulary for n in names) / len(names)
            blended = tuple(
                (LOCAL_SHARE * a + (1 - LOCAL_SHARE) * b) * lead_prior(i)
                for i, (a, b) in enumerate(zip(local, scores, strict=True))
            )
            stories.append(Story(prepared, combined, blended))
        stories.sort(key=lambda s: (-s.score, -s.stored.id))
        return stories[:limit]


NEIGHBOUR_WEIGHT = 0.25
LEAD_WEIGHT = 2.0  # the first unit weighs three times a unit far down the story...
LEAD_SPAN = 8.0  # ...and the ninth twice


def lead_prior(position: int) -> float:
    """News writing puts what matters first (the inverted pyramid): a unit's weight falls gently with its place in
    the story, so that of two units matching the question alike, the earlier one is chosen."""
    return 1.0 + LEAD_WEIGHT / (1.0 + position / LEAD_SPAN)


def smoothed(scores: Sequence[float]) -> list[float]:
    """Each unit's score plus a share of its neighbours': a question's words are often split over two sentences."""
    out = []
    for i, score in enumerate(scores):
        if score <= 0:
            out.append(0.0)
            continue
        near = max(scores[i - 1] if i else 0.0, scores[i + 1] if i + 1 < len(scores) else 0.0)
        out.append(score + NEIGHBOUR_WEIGHT * near)
    return out


def local_idf(query: Sequence[str], prepared: Prepared, idf: dict[str, float]) -> dict[str, float]:
    """Corpus idf times in-story rarity: inside a story about Obama, "Obama" no longer tells sentences apart."""
    count = len(prepared.unit_terms) or 1
    weights = {}
    for term in set(query):
        df = sum(term in unit for unit in prepared.unit_terms)
        weights[term] = idf.get(term, 0.0) * math.log(1 + (count - df + 0.5) / (df + 0.5))
    return weights
