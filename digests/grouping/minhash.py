"""MinHash signatures of article text over word shingles, and the LSH bands that find near-duplicates.

Two outlets running the same wire story differ in wrapping, bylines, a cut paragraph or a reworded sentence;
their word 5-shingles still overlap heavily, while two different stories on the same topic share almost none.
A signature estimates that overlap (Jaccard similarity) from ``NUM_PERM`` minimum hashes (datasketch's
MinHash); its ``BANDS`` bands of ``ROWS`` hashes are the keys under which a store finds candidates without
comparing against every article.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

SHINGLE_WORDS = 5
NUM_PERM = 128
BANDS = 64
ROWS = NUM_PERM // BANDS  # 2 rows a band: a pair offered at Jaccard 0.25 with p 0.98, at 0.02 with p 0.03
MIN_JACCARD = 0.5  # estimated resemblance that makes two texts one story
MIN_CONTAINMENT = 0.8  # or the shorter text almost wholly inside the longer (a wire story cut short)
MIN_CONTAINED_SHINGLES = 40  # ... when the shorter one has at least this many shingles (not a teaser)
MAX_TEXT_CHARS = 200_000  # only this much of a very long text is read
SEED = 1

WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Signature:
    """A text's MinHash values and how many distinct shingles it had."""

    hashes: tuple[int, ...]
    shingles: int

    def to_bytes(self) -> bytes:
        return np.array(self.hashes, dtype="<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, shingles: int) -> Signature:
        return cls(tuple(int(h) for h in np.frombuffer(data, dtype="<u4")), shingles)

    def bands(self) -> list[str]:
        """One key per band: its number and a short hash of its rows (equal keys mean equal bands)."""
        values = np.array(self.hashes, dtype="<u4")
        keys = []
        for band in range(BANDS):
            rows = values[band * ROWS : (band + 1) * ROWS].tobytes()
            keys.append(f"{band:02d}{hashlib.blake2b(rows, digest_size=8).hexdigest()}")
        return keys


def words(text: str) -> list[str]:
    return WORD.findall(text[:MAX_TEXT_CHARS].lower())


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The text's distinct runs of ``size`` words (lower-cased, punctuation ignored); a shorter text is one."""
    tokens = words(text)
    if len(tokens) <= size:
        return {" ".join(tokens).encode("utf-8")} if tokens else set()
    return {" ".join(tokens[i : i + size]).encode("utf-8") for i in range(len(tokens) - size + 1)}


def signature(text: str) -> Signature | None:
    """The text's signature, or None when it has no words."""
    found = shingles(text)
    if not found:
        return None
    from datasketch import MinHash  # imported on first use: it brings scipy, which most commands never need

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch(list(found))
    return Signature(tuple(int(h) for h in minhash.hashvalues), len(found))


def jaccard(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    same = np.count_nonzero(np.array(a.hashes, dtype=np.uint64) == np.array(b.hashes, dtype=np.uint64))
    return float(same) / NUM_PERM


def containment(a: Signature, b: Signature) -> float:
    """Estimated share of the smaller text's shingles found in the other, from Jaccard and the set sizes."""
    similarity = jaccard(a, b)
    common = similarity * (a.shingles + b.shingles) / (1 + similarity)
    return min(1.0, common / max(1, min(a.shingles, b.shingles)))


def near_duplicates(a: Signature, b: Signature) -> bool:
    """Whether the two texts are the same story: similar overall, or the shorter one nearly all in the other."""
    if jaccard(a, b) >= MIN_JACCARD:
        return True
    return min(a.shingles, b.shingles) >= MIN_CONTAINED_SHINGLES and containment(a, b) >= MIN_CONTAINMENT


def share_band(a: Signature, b: Signature) -> bool:
    """Whether an LSH index would offer ``b`` as a candidate for ``a`` (at least one equal band)."""
    return bool(set(a.bands()) & set(b.bands()))
