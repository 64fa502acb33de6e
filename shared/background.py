"""Background loops a service's lifespan starts and stops: one that drains a queue of due work, then sleeps
until woken or the poll interval ends (`DrainingLoop`), and one that runs a pass at a fixed interval
(`PeriodicLoop`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("labelops.background")


class BackgroundLoop:
    """A named task started with the service and cancelled when it stops; subclasses implement `_run()`."""

    def __init__(self, *, name: str):
        self.name = name
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        raise NotImplementedError


class DrainingLoop(BackgroundLoop):
    """Subclasses implement `drain_once()`: do up to `batch_size` items, return how many were done.

    A full batch means more may be waiting, so the loop goes again at once; otherwise it waits for
    `wake()` (called after a commit that added work) or `poll_seconds`, whichever comes first.
    """

    def __init__(self, *, name: str, batch_size: int, poll_seconds: float):
        super().__init__(name=name)
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    async def drain_once(self) -> int:
        raise NotImplementedError

    def wake(self) -> None:
        self._wake.set()

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


class PeriodicLoop(BackgroundLoop):
    """Runs `work()` at start and then every `every_seconds`. A failed pass is logged and the next one
    still comes, so a database that is briefly away costs one pass, not the loop."""

    def __init__(self, *, name: str, every_seconds: float, work: Callable[[], Awaitable[object]]):
        super().__init__(name=name)
        self.every_seconds = every_seconds
        self._work = work

    async def _run(self) -> None:
        while True:
            try:
                await self._work()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s pass failed", self.name)
            await asyncio.sleep(self.every_seconds)
