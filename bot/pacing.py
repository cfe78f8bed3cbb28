"""Pacing for chat platforms: calls that share a key are spaced out so a burst stays within the platform's limits.

A :class:`Gate` is one rule ("5 messages per 5 s per channel"); :class:`Gates` makes them. :class:`LocalGates`
keeps the rules in this process; in worker mode ``bot.jobs.shared_gates`` keeps them in the database, so every
process posting for the same bot shares them.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Protocol

MAX_KEYS = 10_000


class Gate(Protocol):
    """A rate limit: :meth:`wait` returns once a call for ``key`` may go."""

    async def wait(self, key: Hashable) -> None: ...


class Gates(Protocol):
    """Makes gates; gates of the same name, limit and period are one rule, shared by whoever asks for it."""

    def window(self, name: str, limit: int, period: float) -> Gate:
        """At most ``limit`` calls per ``period`` seconds for each key of the rule ``name``."""
        ...


class Window:
    """At most ``limit`` calls per ``period`` seconds for each key (Discord's "5 messages per 5 s per channel";
    ``limit`` 1 spaces calls ``period`` apart).

    A slot is reserved before sleeping, so concurrent callers never share one and go in arrival order. Keys
    whose slots have all passed are forgotten, so memory stays bounded by the keys in use (at most
    :data:`MAX_KEYS`).
    """

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


class LocalGates:
    """Gates kept in this process (one process posting alone: ``newsdigest run`` on its own)."""

    def __init__(self) -> None:
        self._windows: dict[tuple[str, int, float], Window] = {}

    def window(self, name: str, limit: int, period: float) -> Window:
        window = self._windows.get((name, limit, period))
        if window is None:
            window = self._windows[name, limit, period] = Window(limit, period)
        return window
