"""MinHash signatures: stable, serialisable, and near-duplicates told from different stories."""

from __future__ import annotations

from grouping_support import OTHER_STORY, edited_copy, wire_body

from digests.grouping.minhash import (
    BANDS,
    NUM_PERM,
    Signature,
    containment,
    jaccard,
    near_duplicates,
    share_band,
    shingles,
    signature,
)


def sign(text: str) -> Signature:
    found = signature(text)
    assert found is not None
    return found


def test_signature_is_stable_and_survives_storage() -> None:
    first, again = sign(wire_body()), sign(wire_body())
    assert first == again and len(first.hashes) == NUM_PERM
    assert Signature.from_bytes(first.to_bytes(), first.shingles) == first
    assert len(set(first.bands())) == BANDS


def test_layout_and_case_do_not_matter() -> None:
    body = wire_body()
    assert sign(body) == sign(" ".join(body.upper().split()))


def test_an_edited_copy_is_a_near_duplicate_and_another_story_is_not() -> None:
    wire, copy, other = sign(wire_body()), sign(edited_copy(wire_body())), sign(OTHER_STORY)
    assert near_duplicates(wire, copy) and share_band(wire, copy)
    assert jaccard(wire, other) < 0.1
    assert not near_duplicates(wire, other)


def test_a_story_cut_short_is_contained_in_the_full_one() -> None:
    paragraphs = [p for p in wire_body().split("\n") if p.strip()]
    short = "\n".join(paragraphs[: len(paragraphs) // 2])
    full, cut = sign(wire_body()), sign(short)
    assert jaccard(full, cut) < 0.7
    assert containment(full, cut) >= 0.8
    assert near_duplicates(full, cut) and share_band(full, cut)


def test_short_texts_sharing_a_phrase_are_not_one_story() -> None:
    a = sign("Police arrested a man in London on Monday after a car hit a wall.")
    b = sign("Police arrested a man in Leeds on Monday after a fight outside a pub.")
    assert not near_duplicates(a, b)


def test_text_without_words_has_no_signature() -> None:
    assert signature("  — … !! ") is None
    assert shingles("one two") == {b"one two"}
