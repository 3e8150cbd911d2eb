"""Setting up, unloading and removing a link against the real remote."""

from __future__ import annotations

import asyncio

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from custom_components.remote_mtls.const import DOMAIN
from custom_components.remote_mtls.secret_store import async_load_secrets

from ..testbed.bed import TestBed
from ..testbed.ports import free_port
from .conftest import add_entry


async def test_setup_unload_remove(hass: HomeAssistant, testbed: TestBed) -> None:
    entry = await add_entry(hass, testbed)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.LOADED
    websocket = entry.runtime_data.websocket
    assert websocket.connected
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert not websocket.connected
    await hass.config_entries.async_remove(entry.entry_id)
    assert await async_load_secrets(hass, "k1") is None


async def test_unreachable_remote_is_retried(hass: HomeAssistant, testbed: TestBed) -> None:
    entry = await add_entry(hass, testbed, url=f"http://127.0.0.1:{free_port()}")
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "Cannot reach" in (entry.reason or "")


async def test_token_revoked_while_connected_starts_reauth(
    hass: HomeAssistant, testbed: TestBed
) -> None:
    token = await testbed.remote.async_ws_command(
        {"type": "auth/long_lived_access_token", "client_name": "revoke-in-ha", "lifespan": 1}
    )
    entry = await add_entry(hass, testbed, token=token)
    assert await hass.config_entries.async_setup(entry.entry_id)
    websocket = entry.runtime_data.websocket
    websocket.timings = type(websocket.timings)(backoff_min=0.05, backoff_max=0.1)
    tokens = await testbed.remote.async_ws_command({"type": "auth/refresh_tokens"})
    token_id = next(t["id"] for t in tokens if t["client_name"] == "revoke-in-ha")
    await testbed.remote.async_ws_command(
        {"type": "auth/delete_refresh_token", "refresh_token_id": token_id}
    )
    async with asyncio.timeout(20):
        while not hass.config_entries.flow.async_progress_by_handler(DOMAIN):
            await asyncio.sleep(0.05)
    flow = hass.config_entries.flow.async_progress_by_handler(DOMAIN)[0]
    assert flow["context"]["source"] == "reauth"
    await hass.config_entries.async_unload(entry.entry_id)
