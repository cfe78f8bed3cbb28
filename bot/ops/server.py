"""The ops endpoint: ``GET /healthz``, ``GET /readyz`` and ``GET /metrics`` on ``[ops] listen`` (aiohttp).

- ``/healthz`` answers 200 from the process's event loop: if the loop is stuck, it does not answer at all.
- ``/readyz`` answers 200 only when the database answers and its schema is at the newest migration, with a JSON
  body naming this process's role (leader, standby or worker), each platform's connection state and the queue
  depth; 503 with the same body and the reason otherwise.
- ``/metrics`` is Prometheus' text format (prometheus-client).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.ops.metrics import QUEUE_DEPTH, REGISTRY
from bot.ops.readiness import DatabaseProbe

logger = logging.getLogger(__name__)

STANDBY, LEADER, WORKER, STARTING = "standby", "leader", "worker", "starting"


@dataclass
class OpsState:
    """What ``/readyz`` reports; the runner updates ``role`` and hands in ``platforms``."""

    probe: DatabaseProbe
    role: str = STARTING
    platforms: Callable[[], Mapping[str, str]] = field(default=lambda: {})
    extra: Callable[[], Mapping[str, Any]] = field(default=lambda: {})


def parse_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


class OpsServer:
    """Serves the three endpoints until :meth:`stop`."""

    def __init__(self, state: OpsState) -> None:
        self.state = state
        self._runner: web.AppRunner | None = None
        self.address: tuple[str, int] | None = None

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics)
        return app

    async def start(self, listen: str) -> tuple[str, int]:
        """Listen on ``HOST:PORT`` (port 0 picks a free one); returns the bound address."""
        host, port = parse_listen(listen)
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        bound = sockets[0].getsockname() if sockets else (host, port)
        self.address = (host, int(bound[1]))
        logger.info("ops endpoint listening on http://%s:%d (/healthz, /readyz, /metrics)", host, self.address[1])
        return self.address

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(self, _: web.Request) -> web.Response:
        check = await asyncio.to_thread(self.state.probe.check)
        body: dict[str, Any] = {
            "ready": check.ready,
            "role": self.state.role,
            "database": check.database,
            "migrations": check.migrations,
            "platforms": dict(self.state.platforms()),
            "queue_depth": check.queue_depth,
            **self.state.extra(),
        }
        if check.reason:
            body["reason"] = check.reason
        return web.Response(
            status=200 if check.ready else 503, text=json.dumps(body), content_type="application/json"
        )

    async def metrics(self, _: web.Request) -> web.Response:
        depth = await asyncio.to_thread(self.state.probe.queue_depth)
        if depth is not None:
            QUEUE_DEPTH.set(depth)
        payload = generate_latest(REGISTRY)
        return web.Response(body=payload, headers={"Content-Type": CONTENT_TYPE_LATEST})
