"""Keeping the search tables up to date: index articles as they are stored, remove them, catch up a store."""

from __future__ import annotations

import logging
import struct
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import Any

import numpy as np
from sqlalchemy import Connection, bindparam, column, delete, func, insert, select, table, tuple_, update
from sqlalchemy import text as sql
from sqlalchemy.dialects import postgresql, sqlite

from digests.search.postings import (
    BLOCK_SIZE,
    ENTRY,
    ENTRY_BYTES,
    FIELDS,
    SEALED_SIZE,
    TERMS_VERSION,
    indexed_text,
    term_counts,
    unpack,
)
from digests.search.tables import search_documents, search_postings, search_terms, search_totals

logger = logging.getLogger(__name__)

BATCH = 1000
"""Articles indexed per round when catching up: bounds memory whatever the store's size."""
CHUNK = 2000
"""Terms per ``IN (...)`` list, under every backend's limit on bound parameters."""

articles = table("articles", column("id"), column("title"), column("body"))


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def upsert(connection: Connection) -> Any:
    """The dialect's INSERT that supports ON CONFLICT."""
    return (postgresql if connection.dialect.name == "postgresql" else sqlite).insert


def ensure_totals(connection: Connection) -> None:
    statement = upsert(connection)(search_totals).values(id=1, documents=0, total_length=0, version=TERMS_VERSION)
    connection.execute(statement.on_conflict_do_nothing(index_elements=["id"]))


def index_documents(connection: Connection, documents: Iterable[tuple[int, str]]) -> int:
    """Index ``(article id, text)`` pairs inside the caller's transaction; already indexed ids are skipped.

    Returns how many were indexed. Terms are locked in sorted order, so concurrent writers cannot deadlock.
    """
    ensure_totals(connection)
    counts: dict[int, tuple[Counter[str], int]] = {}
    for article_id, text in documents:
        counts[article_id] = term_counts(text)
    if not counts:
        return 0
    claim = upsert(connection)(search_documents).on_conflict_do_nothing(index_elements=["article_id"])
    claimed = set(
        connection.scalars(
            claim.values([{"article_id": i, "length": n} for i, (_, n) in counts.items()]).returning(
                search_documents.c.article_id
            )
        )
    )
    postings: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    total = 0
    for article_id in sorted(claimed):
        term_count, length = counts[article_id]
        total += length
        for term, count in term_count.items():
            postings[term].append((article_id, count, length))
    if not postings:
        return len(claimed)
    ordered = sorted(postings)
    if is_postgres(connection):  # one statement with arrays: far less per-row work than executemany
        connection.execute(UPSERT_TERMS_PG, {"terms": ordered, "dfs": [len(postings[t]) for t in ordered]})
    else:
        statement = upsert(connection)(search_terms)
        statement = statement.on_conflict_do_update(
            index_elements=["term"], set_={"df": search_terms.c.df + statement.excluded.df}
        )
        connection.execute(statement, [{"term": t, "df": len(postings[t]), "last_block": 0} for t in ordered])
    append_postings(connection, ordered, postings)
    connection.execute(
        update(search_totals)
        .where(search_totals.c.id == 1)
        .values(
            documents=search_totals.c.documents + len(claimed),
            total_length=search_totals.c.total_length + total,
        )
    )
    return len(claimed)


Postings = dict[str, list[tuple[int, int, int]]]


def append_postings(connection: Connection, ordered: list[str], postings: Postings) -> None:
    """Add each term's new postings to its tail block; a full tail is sealed into the block before it while that
    stays under :data:`SEALED_SIZE`, else it becomes a sealed block of its own.

    An append rewrites one small tail, and a merge (once per :data:`BLOCK_SIZE` postings) one sealed block, so
    the cost per article does not grow with the store; a search reads a long posting list in few rows.
    """
    tails: dict[str, tuple[int, bytes | None, int, int]] = {}
    for part in chunks(ordered):
        for term, block, data, low, high in connection.execute(TAILS, {"terms": list(part)}):
            tails[term] = (block, data, low, high)
    overflowing = [
        (term, tails[term][0] - 1)
        for term in ordered
        if tails[term][0] > 0 and len(tails[term][1] or b"") // ENTRY_BYTES + len(postings[term]) > BLOCK_SIZE
    ]
    sealed: dict[str, bytes] = {}
    for part in chunks(overflowing):
        query = select(search_postings.c.term, search_postings.c.data).where(
            tuple_(search_postings.c.term, search_postings.c.block).in_(list(part))
        )
        sealed.update({term: data for term, data in connection.execute(query)})
    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    for term in ordered:
        tail_block, data, low, high = tails[term]
        added = postings[term]
        if len(data or b"") // ENTRY_BYTES + len(added) <= BLOCK_SIZE:  # the usual case: the tail has room
            ids = [entry[0] for entry in added]
            row = {
                "term": term,
                "block": tail_block,
                "low": min(ids) if data is None else min(low, *ids),
                "high": max(ids) if data is None else max(high, *ids),
                "data": (data or b"") + struct.pack(f"<{len(added) * FIELDS}i", *chain.from_iterable(added)),
            }
            (inserts if data is None else updates).append(row)
            continue
        new = np.asarray(added, dtype=ENTRY).reshape(-1, FIELDS)
        entries = np.concatenate([unpack(data), new]) if data else new
        existing = {tail_block} if data is not None else set()
        previous: tuple[int, np.ndarray] | None = None
        if term in sealed:
            previous = (tail_block - 1, unpack(sealed[term]))
            existing.add(tail_block - 1)
        written: dict[int, np.ndarray] = {}
        while len(entries) > BLOCK_SIZE:
            chunk, entries = entries[:BLOCK_SIZE], entries[BLOCK_SIZE:]
            if previous is not None and len(previous[1]) + len(chunk) <= SEALED_SIZE:
                previous = (previous[0], np.concatenate([previous[1], chunk]))
            else:
                previous = (tail_block, chunk)
                tail_block += 1
            written[previous[0]] = previous[1]
        written[tail_block] = entries
        for block, values in written.items():
            (updates if block in existing else inserts).append(block_row(term, block, values))
        if tail_block != tails[term][0]:
            moved.append({"t": term, "b": tail_block})
    if is_postgres(connection):
        if updates:
            connection.execute(UPDATE_BLOCKS_PG, as_arrays(updates))
        if inserts:
            connection.execute(INSERT_BLOCKS_PG, as_arrays(inserts))
        if moved:
            connection.execute(MOVE_TAILS_PG, {"terms": [m["t"] for m in moved], "blocks": [m["b"] for m in moved]})
        return
    if updates:
        connection.execute(
            UPDATE_BLOCK,
            [
                {"t": u["term"], "b": u["block"], "low_": u["low"], "high_": u["high"], "data_": u["data"]}
                for u in updates
            ],
        )
    if inserts:
        connection.execute(insert(search_postings), inserts)
    if moved:
        connection.execute(MOVE_TAIL, moved)


def is_postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def as_arrays(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Block rows as one array per column, for the ``unnest`` statements."""
    return {
        "terms": [r["term"] for r in rows],
        "blocks": [r["block"] for r in rows],
        "lows": [r["low"] for r in rows],
        "highs": [r["high"] for r in rows],
        "datas": [r["data"] for r in rows],
    }


# PostgreSQL: a whole article's rows in one statement each. Terms are upserted (and so locked) in the sorted order
# they are given, as with executemany, so concurrent writers cannot deadlock; a term's blocks are only written
# by the transaction holding its term row.
UPSERT_TERMS_PG = sql(
    "INSERT INTO search_terms (term, df, last_block)"
    " SELECT v.term, v.df, 0 FROM unnest(CAST(:terms AS varchar[]), CAST(:dfs AS integer[]))"
    " WITH ORDINALITY AS v(term, df, position) ORDER BY v.position"
    " ON CONFLICT (term) DO UPDATE SET df = search_terms.df + EXCLUDED.df"
)
BLOCK_ARRAYS = (
    "unnest(CAST(:terms AS varchar[]), CAST(:blocks AS integer[]), CAST(:lows AS integer[]),"
    " CAST(:highs AS integer[]), CAST(:datas AS bytea[])) AS v(term, block, low, high, data)"
)
UPDATE_BLOCKS_PG = sql(
    "UPDATE search_postings AS p SET low = v.low, high = v.high, data = v.data"
    f" FROM {BLOCK_ARRAYS} WHERE p.term = v.term AND p.block = v.block"
)
INSERT_BLOCKS_PG = sql(
    "INSERT INTO search_postings (term, block, low, high, data)"
    f" SELECT v.term, v.block, v.low, v.high, v.data FROM {BLOCK_ARRAYS}"
)
MOVE_TAILS_PG = sql(
    "UPDATE search_terms AS t SET last_block = v.block"
    " FROM unnest(CAST(:terms AS varchar[]), CAST(:blocks AS integer[])) AS v(term, block) WHERE t.term = v.term"
)


TAILS = (
    select(
        search_terms.c.term,
        search_terms.c.last_block,
        search_postings.c.data,
        search_postings.c.low,
        search_postings.c.high,
    )
    .outerjoin(
        search_postings,
        (search_postings.c.term == search_terms.c.term) & (search_postings.c.block == search_terms.c.last_block),
    )
    .where(search_terms.c.term.in_(bindparam("terms", expanding=True)))
)
UPDATE_BLOCK = (
    update(search_postings)
    .where(search_postings.c.term == bindparam("t"), search_postings.c.block == bindparam("b"))
    .values(low=bindparam("low_"), high=bindparam("high_"), data=bindparam("data_"))
)
MOVE_TAIL = update(search_terms).where(search_terms.c.term == bindparam("t")).values(last_block=bindparam("b"))


def block_row(term: str, block: int, entries: np.ndarray) -> dict[str, Any]:
    ids = entries[:, 0]
    return {"term": term, "block": block, "low": int(ids.min()), "high": int(ids.max()), "data": entries.tobytes()}


def remove_documents(connection: Connection, documents: Iterable[tuple[int, str]]) -> int:
    """Take ``(article id, the text it was indexed with)`` pairs out of the index; returns how many were there."""
    removed = 0
    for article_id, text in documents:
        statement = delete(search_documents).where(search_documents.c.article_id == article_id)
        gone = connection.execute(statement.returning(search_documents.c.length)).scalar()
        if gone is None:
            continue
        removed += 1
        term_count, _ = term_counts(text)
        ordered = sorted(term_count)
        for part in chunks(ordered):
            connection.execute(
                update(search_terms).where(search_terms.c.term.in_(part)).values(df=search_terms.c.df - 1)
            )
            blocks = connection.execute(
                select(search_postings.c.term, search_postings.c.block, search_postings.c.data)
                .where(search_postings.c.term.in_(part))
                .where(search_postings.c.low <= article_id, search_postings.c.high >= article_id)
                .order_by(search_postings.c.term, search_postings.c.block)
            ).all()
            for term, block, data in blocks:
                entries = unpack(data)
                kept = entries[entries[:, 0] != article_id]
                if len(kept) == len(entries):
                    continue
                where = (search_postings.c.term == term) & (search_postings.c.block == block)
                if len(kept):
                    values = block_row(term, block, kept)
                    connection.execute(update(search_postings).where(where).values(**values))
                else:
                    connection.execute(delete(search_postings).where(where))
        connection.execute(
            update(search_totals)
            .where(search_totals.c.id == 1)
            .values(documents=search_totals.c.documents - 1, total_length=search_totals.c.total_length - gone)
        )
    return removed


def missing_articles(connection: Connection, limit: int) -> list[tuple[int, str]]:
    """Up to ``limit`` stored articles that the index does not hold yet, oldest first."""
    query = (
        select(articles.c.id, articles.c.title, articles.c.body)
        .where(~select(search_documents.c.article_id).where(search_documents.c.article_id == articles.c.id).exists())
        .order_by(articles.c.id)
        .limit(limit)
    )
    return [(i, indexed_text(title, body)) for i, title, body in connection.execute(query)]


def catch_up(connection: Connection, batch: int = BATCH) -> int:
    """Index every stored article the index lacks, ``batch`` at a time; returns how many were indexed.

    An index made by an older :data:`TERMS_VERSION` is emptied and rebuilt first. Each round commits only when
    the caller's transaction does; memory stays bounded by ``batch`` articles.
    """
    ensure_totals(connection)
    version = connection.scalar(select(search_totals.c.version).where(search_totals.c.id == 1))
    if version != TERMS_VERSION:
        logger.info("search index made by terms version %s; rebuilding", version)
        for emptied in (search_postings, search_terms, search_documents):
            connection.execute(delete(emptied))
        connection.execute(
            update(search_totals)
            .where(search_totals.c.id == 1)
            .values(documents=0, total_length=0, version=TERMS_VERSION)
        )
    done = 0
    while True:
        found = missing_articles(connection, batch)
        if not found:
            return done
        done += index_documents(connection, found)
        logger.info("search index caught up %d articles", done)


def is_behind(connection: Connection) -> bool:
    """Whether some stored article is missing from the index or the index was made by other terms."""
    row = connection.execute(select(search_totals.c.documents, search_totals.c.version)).first()
    stored = connection.scalar(select(func.count()).select_from(articles)) or 0
    if row is None:
        return bool(stored)
    return bool(row.version != TERMS_VERSION or row.documents != stored)

