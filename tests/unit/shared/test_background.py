"""PeriodicLoop: a pass at start and then at every interval; a failed pass does not end the loop."""

from __future__ import annotations

import asyncio

from shared.background import PeriodicLoop


async def test_a_periodic_loop_runs_at_start_and_again_after_a_failed_pass() -> None:
    # given work whose first pass fails
    passes: list[int] = []
    third_pass = asyncio.Event()

    async def work() -> None:
        passes.append(1)
        if len(passes) == 3:
            third_pass.set()
        if len(passes) == 1:
            raise RuntimeError("database away")

    loop = PeriodicLoop(name="test-loop", every_seconds=0.01, work=work)

    # when the loop runs
    loop.start()
    try:
        # then it comes back after the failure, pass after pass
        await asyncio.wait_for(third_pass.wait(), timeout=2)
    finally:
        await loop.stop()


async def test_a_stopped_periodic_loop_runs_no_more_passes() -> None:
    # given a loop that has run its first pass
    passes: list[int] = []
    first_pass = asyncio.Event()

    async def work() -> None:
        passes.append(1)
        first_pass.set()

    loop = PeriodicLoop(name="test-loop", every_seconds=0.01, work=work)
    loop.start()
    await asyncio.wait_for(first_pass.wait(), timeout=2)

    # when it is stopped
    await loop.stop()
    done = len(passes)
    await asyncio.sleep(0.05)

    # then no pass follows
    assert len(passes) == done
