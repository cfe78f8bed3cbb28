"""Shared fixtures: temporary SQLite stores, a throwaway PostgreSQL database, the shared corpora."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from digests.storage import Store

SHARED = Path(os.environ.get("NEWSDIGEST_SHARED", Path(__file__).resolve().parents[2] / "shared"))
POSTGRES_ADMIN_URL = os.environ.get("NEWSDIGEST_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def isolated_working_directory(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs in its own empty folder, so nothing writes a database or cards into the checkout."""
    folder = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(folder)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("NEWSDIGEST_CONFIG", raising=False)
    return folder


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'newsdigest.db'}"


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    opened = Store(sqlite_url)
    yield opened
    opened.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards; skipped when no server answers."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"newsdigest_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        pytest.skip(f"no PostgreSQL server reachable: {error.orig}")
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def corpus(name: str) -> Path:
    """A benchmark corpus from the shared folder, or a clean skip where it is absent."""
    path = SHARED / "corpus" / name
    if not (path / "article").is_dir():
        pytest.skip(f"shared corpus {name} not present")
    return path


@pytest.fixture
def bbc_corpus() -> Path:
    return corpus("bbc-news-summary")


@pytest.fixture
def cnn_corpus() -> Path:
    return corpus("cnn-dailymail-sample")


@pytest.fixture
def cnndm_test_corpus() -> Path:
    return corpus("cnndm-test-dev")
