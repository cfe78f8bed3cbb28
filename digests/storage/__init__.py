"""Persistent storage of articles (SQLite by default, PostgreSQL when configured)."""

from digests.storage.store import Store, default_database_url

__all__ = ["Store", "default_database_url"]
