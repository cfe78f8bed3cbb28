"""Turn configured channel addresses into channel objects, connecting platforms as needed."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.channels.base import Channel, DeliveryError
from bot.channels.console import ConsoleChannel
from bot.pacing import Gates, LocalGates
from bot.platforms import MISSING_SETUP, Platform, platform_from_env

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)


def platform_of(address: str) -> str:
    """``slack`` for ``slack:#news``; ``console`` for ``console``."""
    return address.split(":", 1)[0]


@dataclass
class ConnectFailure:
    """Why a configured platform is not connected, and when a transient failure is next retried."""

    reason: str
    permanent: bool
    attempts: int = 1
    retry_at: float = 0.0  # time.monotonic()


@dataclass(frozen=True)
class ReconnectPolicy:
    """Backoff for reconnecting a platform after a transient failure: ``initial`` doubling up to ``maximum``."""

    initial: float = 5.0
    maximum: float = 300.0

    def delay(self, attempts: int) -> float:
        return float(min(self.maximum, self.initial * 2 ** max(0, attempts - 1)))


class ChannelDirectory:
    """Owns the platform connections a set of channels needs; use ``async with``.

    A configured platform that cannot connect is remembered with its reason: its channels then fail with that
    reason (permanently only when retrying cannot help, e.g. a rejected token), and :meth:`reconnect` tries a
    transient failure again with backoff. Every platform paces its calls through ``gates`` (this process's own
    by default; the database's in worker mode, so the platforms' limits hold across processes).
    """

    def __init__(
        self,
        app: App,
        environ: Mapping[str, str] | None = None,
        console: ConsoleChannel | None = None,
        policy: ReconnectPolicy | None = None,
        gates: Gates | None = None,
    ) -> None:
        self.app = app
        self.environ = environ
        self.console = console or ConsoleChannel()
        self.policy = policy or ReconnectPolicy()
        self.gates = gates or LocalGates()
        self.platforms: dict[str, Platform] = {}
        self.failures: dict[str, ConnectFailure] = {}
        self._serve_commands = False

    async def connect(self, addresses: Iterable[str], serve_commands: bool = False) -> None:
        """Start each platform the addresses need (and, with ``serve_commands``, every configured one)."""
        wanted = {platform_of(a) for a in addresses} - {"console"}
        self._serve_commands = serve_commands
        if serve_commands:
            wanted |= {"slack", "discord"}
        for name in sorted(wanted):
            await self._start(name)

    async def _start(self, name: str) -> bool:
        platform = platform_from_env(name, self.app, self.environ, self.gates)
        if platform is None:
            return False
        try:
            await platform.start(self._serve_commands)
        except DeliveryError as error:
            self._failed(name, error)
            return False
        if self.failures.pop(name, None) is not None:
            logger.info("connected to %s again; its deliveries resume", name)
        self.platforms[name] = platform
        return True

    def _failed(self, name: str, error: DeliveryError) -> None:
        attempts = self.failures[name].attempts + 1 if name in self.failures else 1
        failure = ConnectFailure(error.reason, error.permanent, attempts)
        if error.permanent:
            logger.error("could not connect to %s: %s", name, error.reason)
        else:
            wait = self.policy.delay(attempts)
            failure.retry_at = time.monotonic() + wait
            logger.warning("could not connect to %s: %s; trying again in %.0f s", name, error.reason, wait)
        self.failures[name] = failure

    async def reconnect(self) -> list[str]:
        """Try again each platform whose transient failure is due for a retry; returns those now connected."""
        now = time.monotonic()
        due = [name for name, f in self.failures.items() if not f.permanent and f.retry_at <= now]
        return [name for name in sorted(due) if await self._start(name)]

    def next_reconnect_in(self) -> float | None:
        """Seconds until the next due reconnection attempt, if any platform is waiting for one."""
        waiting = [f.retry_at for f in self.failures.values() if not f.permanent]
        return max(0.0, min(waiting) - time.monotonic()) if waiting else None

    async def close(self) -> None:
        """Stop every started platform."""
        for platform in self.platforms.values():
            await platform.stop()
        self.platforms.clear()

    def channel(self, address: str) -> Channel:
        """The channel for ``address``; raises :class:`DeliveryError` when its platform is unset or unconnected."""
        name = platform_of(address)
        if name == "console":
            return self.console
        platform = self.platforms.get(name)
        if platform is None:
            failure = self.failures.get(name)
            if failure is not None:
                raise DeliveryError(address, failure.reason, permanent=failure.permanent)
            reason = MISSING_SETUP.get(name, f"unknown platform {name!r}")
            raise DeliveryError(address, reason, permanent=True)
        return platform.channel(address)

    async def __aenter__(self) -> ChannelDirectory:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
