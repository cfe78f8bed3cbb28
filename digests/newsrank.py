"""NewsRank: graph centrality for news, with page furniture left out, a lead prior and a length cap.

Sentences are the nodes of a graph whose edges weigh the stemmed content words two sentences share (counted as
sumy's Reduction counts them) over the sum of their log lengths: Reduction's graph. A sentence is rated by two
centralities on that graph, each scaled to a maximum of 1 and then added: its degree (the sum of its edges,
which is Reduction's rating) and its PageRank (damping 0.85), which also counts how central the sentences it
shares words with are, so a sentence that repeats a side topic at length ranks lower. One matrix product builds
the graph that Reduction builds in Python loops. Then, for news:

* bylines, timestamps, captions, photo references, prompts (:mod:`digests.boilerplate`) and sentences of more
  than 60 words are neither rated nor chosen (unless too few sentences are left);
* news is written as an inverted pyramid, and human highlights restate the lede: a prior for position,
  ``lead_weight * exp(-i / lead_decay)`` for the i-th story sentence, is added to the centrality (scaled to a
  maximum of 1), so the lede wins unless a later sentence is far more central;
* highlights state facts rather than quote people, so a sentence holding a quotation has its score scaled by
  ``1 - quote_penalty``;
* a digest line should be readable at a glance, and raw centrality favours long sentences (they share more
  words with everything), so a sentence of more than ``max_words`` words has its score scaled by
  ``max_words / words``;
* a sentence that mostly repeats one already chosen (a caption or pull quote restating the text: 80% of the
  shorter one's content words in the other) is passed over while others remain;
* a sentence that leans on the one before it (``He``, ``However``, a quotation whose only speaker is ``she``)
  is chosen only with that one (:mod:`digests.readability`).

Only the first ``MAX_CANDIDATES`` story sentences are rated, so time and memory grow linearly with the article.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from sumy.models.dom import ObjectDocumentModel, Sentence
from sumy.summarizers._summarizer import AbstractSummarizer

from digests.boilerplate import is_boilerplate
from digests.readability import QUOTATION, opens_leaning, speakerless_quote, too_long

logger = logging.getLogger(__name__)

LEAD_WEIGHT = 1.5
LEAD_DECAY = 2.0
QUOTE_PENALTY = 0.3
MAX_WORDS = 40
DAMPING = 0.85
PAGERANK_ROUNDS = 30
REPEAT_SHARE = 0.8
# Only the first story sentences are candidates and graph nodes: cost stays linear in the article's length.
MAX_CANDIDATES = 200


class NewsRankSummarizer(AbstractSummarizer):  # type: ignore[misc]
    """A sumy summariser for news articles: ``summarizer(document, count)`` gives sentences in article order."""

    def __init__(
        self,
        stemmer: Callable[[str], str],
        lead_weight: float = LEAD_WEIGHT,
        lead_decay: float = LEAD_DECAY,
        quote_penalty: float = QUOTE_PENALTY,
        max_words: int = MAX_WORDS,
        repeat_share: float = REPEAT_SHARE,
        damping: float = DAMPING,
    ) -> None:
        super().__init__(stemmer)
        self.damping = damping
        self.lead_weight = lead_weight
        self.lead_decay = lead_decay
        self.quote_penalty = quote_penalty
        self.max_words = max_words
        self.repeat_share = repeat_share
        self._stop_words: frozenset[str] = frozenset()

    @property
    def stop_words(self) -> frozenset[str]:
        return self._stop_words

    @stop_words.setter
    def stop_words(self, words: Iterable[str]) -> None:
        self._stop_words = frozenset(map(self.normalize_word, words))

    def __call__(self, document: ObjectDocumentModel, sentences_count: Any) -> tuple[Sentence, ...]:
        sentences: Sequence[Sentence] = document.sentences
        count = int(sentences_count)
        if count <= 0 or not sentences:
            return ()
        texts = [str(sentence) for sentence in sentences]
        story = self.candidates(texts, count)
        words = [self.content_words(sentences[i]) for i in story]
        scores = self.rate([sentences[i] for i in story], words)
        ranked = sorted(range(len(story)), key=lambda k: (-scores[k], k))
        best = self.choose(ranked, story, texts, [set(w) for w in words], count)
        return tuple(sentences[story[k]] for k in sorted(best))

    @staticmethod
    def candidates(texts: Sequence[str], count: int) -> list[int]:
        """The first ``MAX_CANDIDATES`` story sentences (no furniture, not too long), or the first sentences."""
        story: list[int] = []
        for i, text in enumerate(texts):
            if len(story) == MAX_CANDIDATES:
                break
            if not is_boilerplate(text) and not too_long(text):
                story.append(i)
        if len(story) < min(count, len(texts)):
            story = list(range(min(len(texts), max(MAX_CANDIDATES, count))))
        return story

    def choose(
        self, ranked: Sequence[int], story: Sequence[int], texts: Sequence[str], words: Sequence[set[str]], count: int
    ) -> list[int]:
        """The best ``count`` of ``ranked`` that read on their own, passing over repeats of a chosen sentence.

        A sentence that leans on the one before it (a pronoun or connective opener, a quotation whose speaker is
        only a pronoun) waits until that one is chosen (the article's first sentence leans on nothing); whatever
        is still missing is filled in rank order.
        """
        chosen: list[int] = []
        taken: set[int] = set()
        waiting = list(ranked)
        progress = True
        while len(chosen) < count and progress:
            progress = False
            for k in waiting:
                text = texts[story[k]]
                leans = opens_leaning(text) or speakerless_quote(text)
                if leans and story[k] > 0 and story[k] - 1 not in taken:
                    continue
                if any(self.repeats(words[k], words[j]) for j in chosen):
                    continue
                chosen.append(k)
                taken.add(story[k])
                waiting.remove(k)
                progress = True
                break
        for k in waiting:
            if len(chosen) == count:
                break
            chosen.append(k)
        return chosen

    def repeats(self, words: set[str], taken: set[str]) -> bool:
        """True when most of the shorter sentence's content words are in the other one."""
        smaller = min(len(words), len(taken))
        return smaller > 0 and len(words & taken) >= self.repeat_share * smaller

    def rate(self, sentences: Sequence[Sentence], words: Sequence[Sequence[str]]) -> np.ndarray:
        """Degree plus PageRank on Reduction's graph, plus the lead prior, scaled down for long sentences and quotes."""
        counts = self.count_matrix(words)
        logs = np.log(np.maximum(counts.sum(axis=1), 1.0))
        counts = counts[:, (counts > 0).sum(axis=0) >= 2]  # a word of one sentence shares nothing
        # einsum, not BLAS: on small matrices BLAS threads cost far more CPU than the product itself.
        shared = np.einsum("iw,jw->ij", counts, counts)
        np.fill_diagonal(shared, 0.0)
        norm = logs[:, None] + logs[None, :]
        edges = np.divide(shared, norm, out=np.zeros_like(shared), where=norm > 0)
        centrality = self.scaled(self.scaled(edges.sum(axis=1)) + self.scaled(self.pagerank(edges)))
        positions = np.arange(len(sentences), dtype=float)
        prior = self.lead_weight * np.exp(-positions / self.lead_decay)
        lengths = np.array([max(len(sentence.words), 1) for sentence in sentences], dtype=float)
        quoted = np.array([QUOTATION.search(str(sentence)) is not None for sentence in sentences], dtype=bool)
        scores: np.ndarray = (centrality + prior) * np.minimum(1.0, self.max_words / lengths)
        scores = scores * np.where(quoted, 1.0 - self.quote_penalty, 1.0)
        return scores

    def pagerank(self, edges: np.ndarray) -> np.ndarray:
        """PageRank of a weighted graph by power iteration (a sentence sharing nothing links to all alike)."""
        size = len(edges)
        totals = edges.sum(axis=1, keepdims=True)
        walk = np.divide(edges, totals, out=np.full_like(edges, 1.0 / max(size, 1)), where=totals > 0)
        rank = np.full(size, 1.0 / max(size, 1))
        for _ in range(PAGERANK_ROUNDS):
            rank = (1.0 - self.damping) / size + self.damping * np.einsum("i,ij->j", rank, walk)
        return rank

    @staticmethod
    def scaled(values: np.ndarray) -> np.ndarray:
        """Values divided by their maximum (unchanged when that is not positive)."""
        top = values.max(initial=0.0)
        return values / top if top > 0 else values

    def content_words(self, sentence: Sentence) -> list[str]:
        """Stemmed words of a sentence, stop words left out."""
        stem = self._stemmer
        stop_words = self._stop_words
        return [stem(word) for word in (token.lower() for token in sentence.words) if word not in stop_words]

    @staticmethod
    def count_matrix(words: Sequence[Sequence[str]]) -> np.ndarray:
        """Sentence-by-term counts."""
        vocabulary: dict[str, int] = {}
        columns = [vocabulary.setdefault(word, len(vocabulary)) for sentence in words for word in sentence]
        rows = np.repeat(np.arange(len(words)), [len(sentence) for sentence in words])
        width = max(len(vocabulary), 1)
        cells = np.bincount(rows * width + np.asarray(columns, dtype=np.int64), minlength=len(words) * width)
        matrix: np.ndarray = cells.reshape(len(words), width).astype(float)
        return matrix
