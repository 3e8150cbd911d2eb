"""Run a coroutine to completion from synchronous fixture code, on a private loop and thread."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
import contextlib
from typing import Any

import pytest_socket


def run_sync[T](coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a short-lived thread, so the test's own loop is never touched."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="waitpid-testbed") as pool:
        return pool.submit(asyncio.run, coro).result()


@contextlib.contextmanager
def sockets_allowed() -> Iterator[None]:
    """Let session fixtures reach 127.0.0.1 (pytest-socket blocks sockets before each test)."""
    pytest_socket.enable_socket()
    try:
        yield
    finally:
        pytest_socket.socket_allow_hosts(["127.0.0.1"])
        pytest_socket.disable_socket(allow_unix_socket=True)
