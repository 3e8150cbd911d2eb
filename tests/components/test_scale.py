"""Thousands of remote entities: local websocket clients are never dropped while they arrive."""

from __future__ import annotations

import asyncio

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.remote_mtls.api import Timings

from ..testbed.bed import TestBed
from .conftest import add_entry, wait_for

COUNT = 5000
PREFIX = "sensor.scale_"

pytestmark = pytest.mark.slow


async def _receive_new_states(client: object, expected: set[str], timeout: float) -> None:
    """Read state_changed events until every expected entity was seen (or fail if dropped)."""
    async with asyncio.timeout(timeout):
        while expected:
            message = await client.receive_json()  # type: ignore[attr-defined]
            for item in message if isinstance(message, list) else [message]:
                data = item["event"]["data"]
                expected.discard(data["entity_id"])


async def test_plain_websocket_client_stays_connected(
    hass: HomeAssistant, testbed: TestBed, hass_ws_client: WebSocketGenerator
) -> None:
    # Routes must exist before the test client freezes the router.
    assert await async_setup_component(hass, "file_upload", {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "subscribe_events", "event_type": "state_changed"})
    assert (await client.receive_json())["success"]
    await testbed.remote.async_set_states(bulk_count=COUNT, bulk_prefix=PREFIX)
    entity_ids = [f"{PREFIX}{index}" for index in range(COUNT)]
    try:
        # Like a dashboard, the client reads all the time.
        reader = asyncio.create_task(_receive_new_states(client, set(entity_ids), timeout=120))
        entry = await add_entry(hass, testbed)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        coordinator = entry.runtime_data
        assert len(er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)) >= COUNT
        await reader

        # A reconnect rewrites every entity twice (unavailable, then back): still connected.
        coordinator.websocket.timings = Timings(backoff_min=0.05, backoff_max=0.1)
        testbed.nginx.restart()
        await wait_for(lambda: coordinator.websocket.reconnects >= 1, timeout=30)
        await wait_for(lambda: hass.states.get(f"{PREFIX}0").state == "0", timeout=30)
        await client.send_json_auto_id({"type": "ping"})
        while (message := await client.receive_json()).get("type") != "pong":
            assert message["type"] == "event"
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await testbed.remote.async_rest(
            "POST", "/api/services/testbed/remove_states", {"entity_ids": entity_ids}
        )
