"""The search tables (created by the Alembic migration): terms, posting blocks, indexed documents, totals."""

from __future__ import annotations

from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table

metadata = MetaData()

MAX_TERM_LENGTH = 100

search_terms = Table(
    "search_terms",
    metadata,
    Column("term", String(MAX_TERM_LENGTH), primary_key=True),
    Column("df", Integer, nullable=False),
    Column("last_block", Integer, nullable=False),
)

search_postings = Table(
    "search_postings",
    metadata,
    Column("term", String(MAX_TERM_LENGTH), primary_key=True),
    Column("block", Integer, primary_key=True),
    Column("low", Integer, nullable=False),
    Column("high", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

search_documents = Table(
    "search_documents",
    metadata,
    Column("article_id", Integer, primary_key=True),
    Column("length", Integer, nullable=False),
)

search_totals = Table(
    "search_totals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("documents", Integer, nullable=False),
    Column("total_length", Integer, nullable=False),
    Column("version", Integer, nullable=False),
)
