"""An event loop in its own thread, for servers that outlive each test's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
import threading
from typing import Any


class BackgroundLoop:
    """Runs coroutines on a private loop in a daemon thread, callable from any other thread.

    The thread name starts with "waitpid-": Home Assistant's test cleanup check ignores those.
    """

    def __init__(self, name: str = "waitpid-hostile-remote") -> None:
        """Create the loop; nothing runs until start()."""
        self.loop = asyncio.SelectorEventLoop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the loop, join the thread and close the loop."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    def run[T](self, coro: Coroutine[Any, Any, T], timeout: float | None = 120.0) -> T:
        """Run `coro` on the background loop and block until it is done.

        Refused inside a running event loop: blocking it could deadlock (the background loop
        may wait for that loop to read); use `async_run` there.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)
        coro.close()
        raise RuntimeError("called inside an event loop: use the async_ variant")

    async def async_run[T](self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the background loop; the calling loop keeps running meanwhile."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))
