"""A job that runs on request, one run at a time: a request during a run makes one more run after.

A statistics sync and a device condition's question to the remote both work this way: a burst
of requests costs at most the run in flight and one more, never a run per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any


class CoalescedJob:
    """Runs `job` when requested; `create_task` starts the runs (eagerly or not)."""

    def __init__(
        self,
        job: Callable[[], Awaitable[None]],
        create_task: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
    ) -> None:
        """Nothing runs until `request`."""
        self._job = job
        self._create_task = create_task
        self._running = False
        self._again = False
        self._task: asyncio.Task[None] | None = None

    def request(self) -> None:
        """Run now, or once more after the run in flight."""
        if self._running:
            self._again = True
            return
        self._running = True  # before the task: an eager run may finish while it is created
        task = self._create_task(self._runs())
        if not task.done():
            self._task = task

    async def async_wait(self) -> None:
        """Wait until no run is in flight."""
        while (task := self._task) is not None:
            await asyncio.shield(task)

    def cancel(self) -> None:
        """Stop the run in flight."""
        if self._task is not None:
            self._task.cancel()

    async def _runs(self) -> None:
        try:
            while True:
                self._again = False
                await self._job()
                if not self._again:
                    return
        finally:
            self._running = False
            self._task = None
