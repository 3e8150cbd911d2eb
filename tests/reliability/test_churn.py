"""200 forwarded service calls while the link drops twice: none runs twice on the remote.

A remote input_number counts executions (`increment`). Every call returns or raises a Home
Assistant error. An error raised before the call was sent ("not connected") surely did not
run; one raised while it was in flight may or may not have run. So the counter must end
between the successes and the successes plus the in-flight errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.remote_mtls.api import NotConnected
from custom_components.remote_mtls.const import DOMAIN

from ..components.conftest import remote_ids
from ..testbed.bed import TestBed
from .health import wait_until

pytestmark = pytest.mark.slow

CALLS = 200
WORKERS = 4
COUNTER = "input_number.churn_counter"
NOT_SENT = "Not connected to the remote"  # NotConnected raised before anything was sent


@dataclass
class Tally:
    """Outcome of every call."""

    successes: int = 0
    not_sent: int = 0
    in_flight: int = 0
    running: int = 0
    errors: list[str] = field(default_factory=list)
    # Set whenever a call starts while another is in flight (a poll can miss such moments).
    overlapping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def done(self) -> int:
        """Calls that returned or raised."""
        return self.successes + self.not_sent + self.in_flight


@pytest.fixture
async def counter(restore_testbed: TestBed) -> AsyncIterator[TestBed]:
    """A remote input_number wide enough to count every call."""
    created = await restore_testbed.remote.async_ws_command(
        {
            "type": "input_number/create",
            "name": "Churn counter",
            "min": 0,
            "max": 100_000,
            "step": 1,
            "mode": "box",
        }
    )
    yield restore_testbed
    await restore_testbed.remote.async_ws_command(
        {"type": "input_number/delete", "input_number_id": created["id"]}
    )


async def remote_count(bed: TestBed) -> float:
    state = await bed.remote.async_rest("GET", f"/api/states/{COUNTER}")
    return float(state["state"])


async def call(hass: HomeAssistant, tally: Tally) -> bool:
    """One forwarded increment; classify how it ended; True on success."""
    tally.running += 1
    if tally.running >= 2:
        tally.overlapping.set()
    try:
        async with asyncio.timeout(30):  # every call ends: it never hangs
            await hass.services.async_call(
                DOMAIN,
                "call_service",
                {
                    "domain": "input_number",
                    "service": "increment",
                    "target": {"entity_id": COUNTER},
                },
                blocking=True,
            )
    except HomeAssistantError as err:
        tally.running -= 1
        tally.errors.append(f"{err.translation_key}: {err.__cause__}")
        cause = err.__cause__
        if isinstance(cause, NotConnected) and str(cause) == NOT_SENT:
            tally.not_sent += 1
        else:
            tally.in_flight += 1
        return False
    tally.running -= 1
    tally.successes += 1
    return True


async def test_calls_under_churn_run_at_most_once(
    hass: HomeAssistant, counter: TestBed, link: MockConfigEntry
) -> None:
    websocket = link.runtime_data.websocket
    await wait_until(lambda: COUNTER in remote_ids(link.runtime_data), 10)
    start = await remote_count(counter)
    tally = Tally()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(CALLS):
        queue.put_nowait(number)

    async def worker() -> None:
        while not queue.empty():
            queue.get_nowait()
            if await call(hass, tally):
                await asyncio.sleep(0.05)  # a steady stream, so the drops land mid-run
            else:  # as a caller would: try again once the link is back
                await wait_until(lambda: websocket.connected, 60)

    async def with_calls_in_flight(ready: Callable[[], bool]) -> None:
        """Wait until `ready` holds while at least two calls are in flight."""
        async with asyncio.timeout(120):
            while not (ready() and tally.running >= 2):
                tally.overlapping.clear()
                await tally.overlapping.wait()

    async def churn() -> list[int]:
        """Drop the link twice mid-run: from this side, then by restarting the proxy."""
        progress = []
        # Each drop waits for calls in flight, so some are cut off mid-way.
        await with_calls_in_flight(lambda: tally.done >= CALLS // 5)
        await hass.services.async_call(DOMAIN, "reconnect", {}, blocking=True)
        progress.append(tally.done)
        await with_calls_in_flight(lambda: websocket.reconnects == 1 and tally.done >= CALLS // 2)
        restart = asyncio.create_task(asyncio.to_thread(counter.nginx.restart))
        await wait_until(lambda: not websocket.connected, 30)
        progress.append(tally.done)  # calls done when the link went down
        await restart
        return progress

    chaos = asyncio.create_task(churn())
    await asyncio.gather(*(worker() for _ in range(WORKERS)))
    progress = await chaos
    assert tally.done == CALLS
    assert all(0 < done < CALLS for done in progress), progress  # both drops hit the run
    await wait_until(lambda: websocket.connected and websocket.reconnects == 2, 30)

    executed = await remote_count(counter) - start
    assert tally.successes <= executed <= tally.successes + tally.in_flight, tally
    # Once the link is back, a call runs exactly once.
    before = await remote_count(counter)
    await call(hass, tally)
    assert await remote_count(counter) == before + 1
