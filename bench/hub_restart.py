"""Local restart: stop the local Home Assistant, start it again on the same configuration; times
from the start until its API answers (websocket authenticated), until it reports running, and
until every mirror that was available before is available again, as a plain subscriber's
`subscribe_entities` stream shows it. Mirrors whose remote entity is unavailable or gone are
excused (the remote's own states, read right after the start and again every few seconds
while some are missing: the demo's remotes remove entities now and then). The time is when the
last mirror not excused became available.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp

from .clock import now
from .hub_rig import Hub
from .mirror_map import states_and_registry
from .wsclient import WsClient

UNAVAILABLE = "unavailable"
TIMEOUT_S = 120.0
RECHECK_S = 5.0  # the remotes' states are read again this often while some mirrors are missing
RETRY_S = 0.05


class AllAvailable:
    """Resolves when no tracked entity is missing or unavailable in a subscribe_entities stream."""

    def __init__(self, tracked: set[str]) -> None:
        self.tracked = tracked
        self.pending = set(tracked)  # nothing seen yet
        self.available_at: dict[str, float] = {}
        self.done: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    def excuse(self, local_ids: set[str]) -> None:
        """These may stay unavailable (their remote entity is)."""
        self.tracked -= local_ids
        self.pending -= local_ids
        self._check()

    def on_event(self, event: dict[str, Any], arrived: float) -> None:
        """subscribe_entities handler: `a` adds, `c` changes, `r` removes."""
        for entity_id, state in event.get("a", {}).items():
            self._seen(entity_id, state.get("s"), arrived)
        for entity_id, change in event.get("c", {}).items():
            if "s" in (added := change.get("+", {})):
                self._seen(entity_id, added["s"], arrived)
        for entity_id in event.get("r", ()):
            self._seen(entity_id, None, arrived)
        self._check()

    def _seen(self, entity_id: str, state: str | None, arrived: float) -> None:
        if entity_id not in self.tracked:
            return
        if state is None or state == UNAVAILABLE:
            self.pending.add(entity_id)
            self.available_at.pop(entity_id, None)
        elif entity_id in self.pending:
            self.pending.discard(entity_id)
            self.available_at[entity_id] = arrived

    def _check(self) -> None:
        if not self.pending and not self.done.done():
            last = max((self.available_at[entity_id] for entity_id in self.tracked), default=now())
            self.done.set_result(last)


async def _connect(hub: Hub) -> WsClient:
    """Retry until the local API authenticates a websocket client."""
    while True:
        client = hub.homes[0].local_client()
        try:
            await client.connect()
        except aiohttp.ClientError, OSError, RuntimeError:
            await asyncio.sleep(RETRY_S)
            continue
        return client


async def _running(hub: Hub) -> float:
    """When the local Home Assistant reports RUNNING."""
    while True:
        with contextlib.suppress(aiohttp.ClientError, OSError):
            config = await hub.local.async_rest("GET", "/api/config")
            if config.get("state") == "RUNNING":
                return now()
        await asyncio.sleep(RETRY_S)


async def _remote_unavailable(hub: Hub, mappings: list[dict[str, str]]) -> set[str]:
    """Local mirrors whose remote entity is unavailable or gone now."""
    excused: set[str] = set()
    for home, mapping in zip(hub.homes, mappings, strict=True):
        async with home.driver() as driver:
            states, _registry = await states_and_registry(driver)
        excused |= {
            local_id
            for remote_id, local_id in mapping.items()
            if states.get(remote_id, UNAVAILABLE) == UNAVAILABLE
        }
    return excused


async def run(hub: Hub, mappings: list[dict[str, str]]) -> dict[str, Any]:
    """Restart the local Home Assistant once and time it."""
    async with hub.homes[0].local_client(coalesce=True) as local:
        states, _registry = await states_and_registry(local)
    tracked = {
        local_id
        for mapping in mappings
        for local_id in mapping.values()
        if states.get(local_id, UNAVAILABLE) != UNAVAILABLE
    }
    await asyncio.to_thread(hub.local.stop)
    availability = AllAvailable(tracked)
    started = now()
    starting = asyncio.create_task(asyncio.to_thread(hub.local.start))
    availability.excuse(await _remote_unavailable(hub, mappings))
    client = await _connect(hub)
    api = now()
    running = asyncio.create_task(_running(hub))
    drops = 0
    try:
        await starting
        await client.subscribe({"type": "subscribe_entities"}, availability.on_event)
        while not availability.done.done() and now() < started + TIMEOUT_S:
            closed = asyncio.ensure_future(client.wait_closed())
            await asyncio.wait(
                (availability.done, closed),
                timeout=RECHECK_S,
                return_when=asyncio.FIRST_COMPLETED,
            )
            closed.cancel()
            if client.closed_by_server:  # reconnect: the new snapshot carries on
                drops += 1
                await client.close()
                client = await _connect(hub)
                await client.subscribe({"type": "subscribe_entities"}, availability.on_event)
            elif not availability.done.done():
                availability.excuse(await _remote_unavailable(hub, mappings))
        running_at = await asyncio.wait_for(running, TIMEOUT_S)
        drops += not await client.still_connected()
    finally:
        running.cancel()
        await client.close()
    available = availability.done.result() if availability.done.done() else None
    return {
        "tracked_mirrors": len(availability.tracked),
        "api_answers_s": round(api - started, 3),
        "running_s": round(running_at - started, 3),
        "all_available_s": round(available - started, 3) if available is not None else None,
        "all_available_after_api_s": round(available - api, 3) if available is not None else None,
        "still_unavailable": len(availability.pending),
        "still_unavailable_sample": sorted(availability.pending)[:10],
        "last_available": [
            f"{entity_id} {at - started:.2f} s"
            for entity_id, at in sorted(availability.available_at.items(), key=lambda i: -i[1])[:3]
        ],
        "subscriber_drops": drops,
    }
