"""Article search kept in the database: BM25 over the project's stemmed terms, shared by every process."""

from digests.search.index import SearchIndex
from digests.search.postings import indexed_text
from digests.search.writer import catch_up, index_documents, remove_documents

__all__ = ["SearchIndex", "catch_up", "index_documents", "indexed_text", "remove_documents"]
