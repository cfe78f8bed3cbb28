"""Storage faults as one line: which database (password masked), what went wrong and what to do."""

from __future__ import annotations

import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

# (pattern in the driver's message, what happened and what to do); the first match wins.
FAULTS: tuple[tuple[str, str], ...] = (
    (
        r"database or disk is full|no space left on device|could not extend file|disk full",
        "the disk is full; free some space and try again",
    ),
    (
        r"readonly database|read-only|read only",
        "the database is read-only; check the file's permissions or the server's mode",
    ),
    (
        r"database \S+ does not exist",
        "the database does not exist; create it (e.g. createdb) or correct the name in DATABASE_URL",
    ),
    (
        r"password authentication failed|authentication failed|role \S+ does not exist",
        "the server refused the user or password; correct them in DATABASE_URL",
    ),
    (
        r"connection refused|could not connect|could not translate host name|name or service not known"
        r"|timeout expired|timed out|no route to host|network is unreachable|connection to server .* failed",
        "the database server cannot be reached; check that it is running and that DATABASE_URL names it",
    ),
    (
        r"server closed the connection|terminating connection|connection .*(lost|closed|reset)"
        r"|consuming input failed|ssl syscall|broken pipe",
        "the connection to the database was lost; try again (check the server if it keeps happening)",
    ),
    (r"database is locked", "the database is locked by another process; try again in a moment"),
    (
        r"unable to open database file",
        "the database file cannot be opened; check that its folder exists and is writable",
    ),
    (
        r"file is not a database|malformed",
        "the file is not a usable SQLite database; restore it or point DATABASE_URL elsewhere",
    ),
)


class StorageError(RuntimeError):
    """A storage fault worded in one line for the person running newsdigest."""


def masked(url: str) -> str:
    """``url`` with its password hidden, as it may be shown and logged."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", url)


def first_line(error: BaseException) -> str:
    """The driver's own message, one line, without SQLAlchemy's statement and background link."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return text[0].strip() if text else type(original).__name__


def storage_error(error: BaseException, url: str) -> StorageError:
    """A one-line :class:`StorageError` for ``error`` raised while using the database at ``url``."""
    if isinstance(error, StorageError):
        return error
    where = f"database {masked(url)}"
    if isinstance(error, ArgumentError):
        return StorageError(f"{where}: not a database URL; use sqlite:///path/to/file.db or postgresql://user@host/db")
    message = first_line(error)
    for pattern, advice in FAULTS:
        if re.search(pattern, message, re.IGNORECASE):
            return StorageError(f"{where}: {advice} ({message})")
    if isinstance(error, DBAPIError | SQLAlchemyError | OSError):
        return StorageError(f"{where}: {type(getattr(error, 'orig', None) or error).__name__}: {message}")
    return StorageError(f"{where}: {message}")


def is_storage_fault(error: BaseException) -> bool:
    """Whether ``error`` came from the database layer (SQLAlchemy or its driver)."""
    return isinstance(error, StorageError | SQLAlchemyError)
