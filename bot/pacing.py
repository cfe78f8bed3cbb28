"""Pacing for chat platforms: calls that share a key are spaced out so a burst stays within the platform's limits."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Hashable

MAX_KEYS = 10_000


class Spacer:
    """At most one call per ``interval`` seconds for each key; callers queue for their slot in arrival order.

    A slot is reserved before sleeping, so concurrent callers never share one. Keys whose last slot has passed
    are forgotten, so memory stays bounded by the keys in use (and at most :data:`MAX_KEYS`).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._next: dict[Hashable, float] = {}

    async def wait(self, key: Hashable, interval: float) -> None:
        """Return once a call for ``key`` may go: ``interval`` seconds after the previous one's slot."""
        now = self.clock()
        if len(self._next) >= MAX_KEYS:
            self._next = {k: at for k, at in self._next.items() if at > now}
        slot = max(now, self._next.get(key, now))
        self._next[key] = slot + interval
        if slot > now:
            await asyncio.sleep(slot - now)


class Window:
    """At most ``limit`` calls per ``period`` seconds for each key (Discord's "5 messages per 5 s per channel")."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.period = period
        self.clock = clock
        self._slots: dict[Hashable, deque[float]] = {}

    async def wait(self, key: Hashable) -> None:
        """Return once a call for ``key`` keeps the last ``period`` seconds at or under ``limit`` calls."""
        now = self.clock()
        if len(self._slots) >= MAX_KEYS:
            self._slots = {k: q for k, q in self._slots.items() if q and q[-1] > now - self.period}
        slots = self._slots.setdefault(key, deque(maxlen=self.limit))
        slot = now if len(slots) < self.limit else max(now, slots[0] + self.period)
        slots.append(slot)
        if slot > now:
            await asyncio.sleep(slot - now)
