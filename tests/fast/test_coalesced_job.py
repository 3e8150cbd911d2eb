"""CoalescedJob: a burst of requests costs the run in flight and one more, never one per request."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from custom_components.remote_mtls.coalesced_job import CoalescedJob


def _eager(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    return asyncio.get_running_loop().create_task(coro, eager_start=True)


async def test_requests_during_a_run_make_one_more_run() -> None:
    release = asyncio.Event()
    runs = 0

    async def job() -> None:
        nonlocal runs
        runs += 1
        await release.wait()

    coalesced = CoalescedJob(job, _eager)
    coalesced.request()
    for _ in range(5):
        coalesced.request()
    assert runs == 1
    release.set()
    await coalesced.async_wait()
    assert runs == 2
    coalesced.request()  # nothing in flight: runs again
    await coalesced.async_wait()
    assert runs == 3


async def test_a_run_that_finishes_while_it_is_created_leaves_nothing_pending() -> None:
    runs = 0

    async def job() -> None:  # never awaits: an eager task is done before create_task returns
        nonlocal runs
        runs += 1

    coalesced = CoalescedJob(job, _eager)
    coalesced.request()
    coalesced.request()
    await coalesced.async_wait()
    assert runs == 2


async def test_cancel_stops_the_run_in_flight() -> None:
    started = asyncio.Event()

    async def job() -> None:
        started.set()
        await asyncio.Event().wait()

    coalesced = CoalescedJob(job, _eager)
    coalesced.request()
    await started.wait()
    coalesced.cancel()
    await asyncio.sleep(0)
    await coalesced.async_wait()
    started.clear()
    coalesced.request()  # usable again after a cancel
    assert started.is_set()
    coalesced.cancel()
    await asyncio.sleep(0)
