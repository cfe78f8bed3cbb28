"""A throwaway PostgreSQL database for one benchmark run, created beside a server's URL and dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

from digests.storage.store import normalise_database_url


@contextmanager
def throwaway_database(admin_url: str, prefix: str) -> Iterator[str]:
    """The URL of a new database named ``prefix`` plus a random suffix on ``admin_url``'s server."""
    admin = create_engine(normalise_database_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
