"""/readyz: 200 with a current schema, 503 naming the reason when the schema is behind or the database is gone."""

from __future__ import annotations

import asyncio

import aiohttp
from sqlalchemy import create_engine, text

from bot.ops.readiness import DatabaseProbe
from bot.ops.server import OpsServer, OpsState
from digests.storage import Store


async def readyz(state: OpsState) -> tuple[int, dict[str, object]]:
    server = OpsServer(state)
    host, port = await server.start("127.0.0.1:0")
    try:
        async with aiohttp.ClientSession() as session, session.get(f"http://{host}:{port}/readyz") as response:
            return response.status, await response.json()
    finally:
        await server.stop()


def test_readyz_follows_the_schema_and_the_database(store: Store) -> None:
    state = OpsState(DatabaseProbe(store.engine), role="standby", platforms=lambda: {"slack": "connected"})
    status, body = asyncio.run(readyz(state))
    assert status == 200
    assert body == {
        "ready": True,
        "role": "standby",
        "database": "ok",
        "migrations": "current",
        "platforms": {"slack": "connected"},
        "queue_depth": 0,
    }

    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    status, body = asyncio.run(readyz(state))
    assert status == 503 and body["migrations"] == "outdated" and body["queue_depth"] is None
    assert str(body["reason"]).startswith("schema at revision 0001, newest is ")

    gone = create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    status, body = asyncio.run(readyz(OpsState(DatabaseProbe(gone))))
    assert status == 503 and body["database"] == "unreachable" and body["ready"] is False
    assert body["reason"] == "database: OperationalError"
