"""The bounded answer queue: refusals at once when full or when the wait would be too long, never a late answer."""

from __future__ import annotations

import asyncio

import pytest

from bot.answer_queue import AnswerQueue, Busy


def test_a_full_queue_refuses_at_once_and_runs_what_it_admitted() -> None:
    async def scenario() -> None:
        queue: AnswerQueue[int] = AnswerQueue(workers=1, capacity=2, max_wait=60)
        gate = asyncio.Event()

        async def job(n: int) -> int:
            await gate.wait()
            return n

        running = queue.submit(lambda: job(0))
        await asyncio.sleep(0)  # a worker takes it
        admitted = [queue.submit(lambda n=n: job(n)) for n in range(1, 5)]  # type: ignore[misc]
        assert admitted[2] is None and admitted[3] is None and queue.refused == 2
        gate.set()
        assert running is not None and await running == 0
        assert [await f for f in admitted[:2] if f is not None] == [1, 2]
        await queue.close()

    asyncio.run(scenario())


def test_the_expected_wait_bounds_admission() -> None:
    async def scenario() -> None:
        queue: AnswerQueue[None] = AnswerQueue(workers=2, capacity=1000, max_wait=1.0)
        queue.seconds_per_job = 0.5  # as timed on earlier answers
        gate = asyncio.Event()
        futures = [queue.submit(gate.wait) for _ in range(2)]  # type: ignore[arg-type]
        await asyncio.sleep(0)  # both workers busy
        futures += [queue.submit(gate.wait) for _ in range(8)]  # type: ignore[arg-type]
        admitted = [f for f in futures if f is not None]
        # done within 1 s at 0.5 s per job on 2 workers: the two that start at once and two behind them
        assert len(admitted) == 4 and queue.refused == 6
        gate.set()
        await asyncio.gather(*admitted)
        await queue.close()

    asyncio.run(scenario())


def test_a_job_that_waited_too_long_is_refused_not_answered_late() -> None:
    now = [0.0]

    async def scenario() -> None:
        queue: AnswerQueue[str] = AnswerQueue(workers=1, capacity=10, max_wait=5, clock=lambda: now[0])
        release = asyncio.Event()

        async def slow() -> str:
            await release.wait()
            now[0] += 30  # this answer took 30 s
            return "first"

        async def quick() -> str:
            return "second"

        first, second = queue.submit(slow), queue.submit(quick)
        assert first is not None and second is not None
        release.set()
        assert await first == "first"
        with pytest.raises(Busy):
            await second
        await queue.close()

    asyncio.run(scenario())


def test_errors_reach_the_caller_and_close_cancels_what_is_left() -> None:
    async def scenario() -> None:
        queue: AnswerQueue[int] = AnswerQueue(workers=1, capacity=10, max_wait=60)

        async def broken() -> int:
            raise ValueError("no")

        failed = queue.submit(broken)
        assert failed is not None
        with pytest.raises(ValueError):
            await failed
        blocker, left = queue.submit(asyncio.Event().wait), queue.submit(broken)  # type: ignore[arg-type]
        await asyncio.sleep(0)
        await queue.close()
        assert left is not None and left.cancelled()
        assert blocker is not None and blocker.cancelled()

    asyncio.run(scenario())
