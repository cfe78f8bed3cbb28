"""Start the ops endpoint for a running process when ``[ops] listen`` (or ``$NEWSDIGEST_OPS_LISTEN``) is set."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from bot.ops.metrics import set_leader
from bot.ops.readiness import DatabaseProbe
from bot.ops.server import LEADER, OpsServer, OpsState

if TYPE_CHECKING:
    from bot.app import App
    from bot.channels.registry import ChannelDirectory

logger = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def ops_endpoint(app: App, role: str) -> AsyncIterator[OpsState]:
    """The process's :class:`OpsState`; served over HTTP while the block runs, when configured."""
    state = OpsState(DatabaseProbe(app.store.engine), role=role)
    listen = app.config.ops.listen
    server = OpsServer(state) if listen else None
    if server is not None and listen is not None:
        await server.start(listen)
    try:
        yield state
    finally:
        set_role(state, "stopping")
        if server is not None:
            await server.stop()


def set_role(state: OpsState, role: str) -> None:
    """Record the process's role for ``/readyz`` and ``newsdigest_scheduler_leader``."""
    state.role = role
    set_leader(role == LEADER)


def platform_states(directory: ChannelDirectory) -> dict[str, str]:
    """``connected``, ``reconnecting`` (a passing failure) or ``failed`` (e.g. a rejected token) per platform."""
    states = {name: "connected" for name in directory.platforms}
    for name, failure in directory.failures.items():
        states[name] = "failed" if failure.permanent else "reconnecting"
    return states
