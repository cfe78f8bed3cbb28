"""Alembic environment: runs on the connection the store hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from digests.storage.tables import Base

target_metadata = Base.metadata


def run_migrations() -> None:
    """Migrate on the store's connection, or on ``sqlalchemy.url`` when run from the alembic CLI."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as own_connection:
            context.configure(connection=own_connection, target_metadata=target_metadata)
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
