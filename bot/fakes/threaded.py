"""Serving a fake from a background thread's event loop, for blocking callers (a CLI run, a benchmark, a test)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

Step = Callable[[], Coroutine[Any, Any, object]]


@contextmanager
def loop_in_thread(name: str, start: Step, stop: Step, timeout: float) -> Iterator[asyncio.AbstractEventLoop]:
    """A new event loop running in a daemon thread ``name``, with ``start()`` run on it first and ``stop()`` last
    (each given ``timeout`` seconds); yields the loop, for ``asyncio.run_coroutine_threadsafe``."""
    loop = asyncio.new_event_loop()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_forever()

    thread = threading.Thread(target=serve, name=name, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(start(), loop).result(timeout)
        try:
            yield loop
        finally:
            asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        loop.close()
