"""In-process gates: one rule per name, limit and period; callers go in arrival order; keys are independent."""

from __future__ import annotations

import asyncio

from bot.pacing import LocalGates, Window


def test_local_gates_hand_out_one_window_per_rule() -> None:
    gates = LocalGates()
    first = gates.window("discord.channel", 5, 5.2)
    assert gates.window("discord.channel", 5, 5.2) is first
    assert gates.window("discord.bot", 5, 5.2) is not first
    assert gates.window("discord.channel", 4, 5.2) is not first
    assert (first.limit, first.period) == (5, 5.2)


def test_waiters_leave_in_arrival_order_and_keys_do_not_wait_for_each_other() -> None:
    frozen = 1000.0  # a clock that never moves: every slot after the limit's is a full period later
    window = Window(2, 0.02, clock=lambda: frozen)
    finished: list[str] = []

    async def call(name: str, key: str) -> None:
        await window.wait(key)
        finished.append(name)

    async def scenario() -> None:
        await asyncio.gather(*(call(f"a{n}", "a") for n in range(6)), call("b0", "b"))

    asyncio.run(scenario())
    assert [name for name in finished if name.startswith("a")] == [f"a{n}" for n in range(6)]
    assert finished.index("b0") < finished.index("a2")  # key b had a free slot; it did not queue behind key a
