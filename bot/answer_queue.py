"""A bounded queue for slash-command answers: a few workers, and a refusal at once when the wait would be too long.

Answers are CPU-bound work in threads. Queued without limit, a burst of commands makes every answer late (minutes
under sustained load); here a command is admitted only while its expected time to an answer (its wait behind the
queue and its own run, from the recent time per answer) stays under ``max_wait``, and never past ``capacity``
queued jobs. A job that has nevertheless waited longer than ``max_wait`` when its turn comes is refused then
rather than answered late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
BUSY = "I'm busy answering other requests; please try again in a minute."
WORKERS = 1  # answers are CPU-bound Python: more threads only fight the event loop for the GIL
CAPACITY = 256
MAX_WAIT = 4.0  # seconds from submitting to an answer, leaving room to deliver it within 5 s
FIRST_GUESS = 0.25  # seconds per answer before any has been timed
SMOOTHING = 0.2


class Busy(Exception):
    """The queue refused the job (full, or it waited too long for a worker)."""


class AnswerQueue(Generic[T]):
    """Runs submitted jobs on ``workers`` workers; :meth:`submit` returns a future, or None when refused."""

    def __init__(
        self,
        workers: int = WORKERS,
        capacity: int = CAPACITY,
        max_wait: float = MAX_WAIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.workers = workers
        self.capacity = capacity
        self.max_wait = max_wait
        self.clock = clock
        self.seconds_per_job = FIRST_GUESS
        self.refused = 0
        self._queue: asyncio.Queue[tuple[float, Callable[[], Awaitable[T]], asyncio.Future[T]]] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._running = 0

    @property
    def waiting(self) -> int:
        return self._queue.qsize() if self._queue is not None else 0

    def expected_time(self) -> float:
        """Seconds until a job submitted now would be done: its wait for a worker and its own run, by the recent
        time per job."""
        ahead = self.waiting + max(0, self._running - self.workers + 1)
        return (ahead / self.workers + 1) * self.seconds_per_job

    def full(self) -> bool:
        """Whether a job submitted now would be refused. An idle queue always takes one (which also keeps the time
        per job up to date after a slow spell)."""
        if self.waiting == 0 and self._running < self.workers:
            return False
        return self.waiting >= self.capacity or self.expected_time() > self.max_wait

    def submit(self, job: Callable[[], Awaitable[T]]) -> asyncio.Future[T] | None:
        """Queue ``job``; its result (or error, or :class:`Busy`) arrives on the future. None: refused at once."""
        queue = self._started()
        if self.full():
            self.refused += 1
            return None
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        queue.put_nowait((self.clock(), job, future))
        return future

    def _started(self) -> asyncio.Queue[tuple[float, Callable[[], Awaitable[T]], asyncio.Future[T]]]:
        if self._queue is None:
            self._queue = asyncio.Queue(maxsize=self.capacity)
            self._tasks = [asyncio.create_task(self._work(), name=f"answers-{n}") for n in range(self.workers)]
        return self._queue

    async def _work(self) -> None:
        assert self._queue is not None
        while True:
            queued_at, job, future = await self._queue.get()
            if future.cancelled():
                continue
            if self.clock() - queued_at > self.max_wait:
                self.refused += 1
                future.set_exception(Busy())
                continue
            self._running += 1
            started = self.clock()
            try:
                result = await job()
            except asyncio.CancelledError:
                future.cancel()
                raise
            except Exception as error:
                if not future.done():
                    future.set_exception(error)
            else:
                if not future.done():
                    future.set_result(result)
            finally:
                self._running -= 1
                took = self.clock() - started
                self.seconds_per_job += SMOOTHING * (took - self.seconds_per_job)

    async def close(self) -> None:
        """Stop the workers; jobs still queued are cancelled."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        queue, self._queue = self._queue, None
        while queue is not None and not queue.empty():
            _, _, future = queue.get_nowait()
            future.cancel()
