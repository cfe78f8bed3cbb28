"""What gets indexed for an article, and the packed posting blocks: (article id, term count, article length)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from digests.retrieval import terms
from digests.search.tables import MAX_TERM_LENGTH

BLOCK_SIZE = 128
"""Postings in a term's tail block, the one new articles are appended to."""
SEALED_SIZE = 4096
"""Most postings in a sealed block: full tails are merged into the block before them up to this size."""
ENTRY = np.dtype("<i4")
FIELDS = 3
ENTRY_BYTES = ENTRY.itemsize * FIELDS
TERMS_VERSION = 1
"""Bump when :func:`digests.retrieval.terms` or :func:`indexed_text` change; stores then re-index once."""


def indexed_text(title: str, body: str) -> str:
    """The text an article is searched by: the title counts twice, as the answer engine has always weighted it."""
    return f"{title}\n{title}\n{body}"


def term_counts(text: str) -> tuple[Counter[str], int]:
    """Each stemmed term's count in ``text`` and the text's length in terms."""
    words = [w[:MAX_TERM_LENGTH] for w in terms(text)]
    return Counter(words), len(words)


def unpack(data: bytes) -> np.ndarray:
    """A block's postings as an (n, 3) array of article id, term count, article length."""
    return np.frombuffer(data, dtype=ENTRY).reshape(-1, FIELDS)
