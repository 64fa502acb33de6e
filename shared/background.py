"""A background loop that drains a queue of due work, then sleeps until woken or the poll interval ends."""

from __future__ import annotations

import asyncio
import contextlib
import logging

log = logging.getLogger("labelops.background")


class DrainingLoop:
    """Subclasses implement `drain_once()`: do up to `batch_size` items, return how many were done.

    A full batch means more may be waiting, so the loop goes again at once; otherwise it waits for
    `wake()` (called after a commit that added work) or `poll_seconds`, whichever comes first.
    """

    def __init__(self, *, name: str, batch_size: int, poll_seconds: float):
        self.name = name
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def drain_once(self) -> int:
        raise NotImplementedError

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                while await self.drain_once() == self.batch_size:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s pass failed", self.name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            self._wake.clear()
