"""The link's own diagnostic entities on the hub device."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    get_system_health_info,
)

from custom_components.remote_mtls.api import Timings
from custom_components.remote_mtls.link_manager import STATUS_INTERVAL

from ..testbed.bed import TestBed
from .conftest import add_entry, wait_for


def _entity(hass: HomeAssistant, entry_id: str, key: str) -> str:
    platform = "binary_sensor" if key == "connectivity" else "sensor"
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, "remote_mtls", f"{entry_id}_connection_{key}"
    )
    assert entity_id is not None
    return entity_id


async def test_connection_entities(hass: HomeAssistant, restore_testbed: TestBed) -> None:
    testbed = restore_testbed
    not_after = testbed.pki.client.cert.not_valid_after_utc
    entry = await add_entry(hass, testbed, certificate_not_after=not_after.isoformat())
    # The latency sensor is disabled by default (it changes with every heartbeat): enable it.
    er.async_get(hass).async_get_or_create(
        "sensor", "remote_mtls", f"{entry.entry_id}_connection_latency", config_entry=entry
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data
    link = _entity(hass, entry.entry_id, "connectivity")
    assert hass.states.get(link).state == "on"
    expiry = hass.states.get(_entity(hass, entry.entry_id, "certificate_expiry"))
    assert expiry.state == not_after.isoformat()
    version = hass.states.get(_entity(hass, entry.entry_id, "remote_version"))
    assert version.state == coordinator.remote_config["version"]
    assert version.name == "Remote Test Home Version"
    error = hass.states.get(_entity(hass, entry.entry_id, "last_error"))
    assert error.state == "none"
    registry_entry = er.async_get(hass).async_get(link)
    assert registry_entry.entity_category == "diagnostic"
    assert hass.states.get(link).name == "Remote Test Home Link"

    coordinator.websocket.timings = Timings(
        heartbeat_interval=0.2, pong_timeout=0.5, backoff_min=0.1, backoff_max=0.2
    )
    testbed.nginx.stop()
    await wait_for(lambda: hass.states.get(link).state == "off")
    error = hass.states.get(_entity(hass, entry.entry_id, "last_error"))
    assert error.state == "cannot_connect"
    latency = hass.states.get(_entity(hass, entry.entry_id, "latency"))
    assert latency.state == "unknown"  # no stale round trip while the link is down
    testbed.nginx.start()
    await wait_for(lambda: hass.states.get(link).state == "on", timeout=20)
    await wait_for(lambda: coordinator.websocket.latency is not None, timeout=20)
    async_fire_time_changed(hass, dt_util.utcnow() + STATUS_INTERVAL)  # the next status write
    await hass.async_block_till_done()
    latency = float(hass.states.get(_entity(hass, entry.entry_id, "latency")).state)
    assert 0 < latency < 5000
    await hass.config_entries.async_unload(entry.entry_id)


async def test_system_health(hass: HomeAssistant, testbed: TestBed) -> None:
    assert await async_setup_component(hass, "system_health", {})
    entry = await add_entry(hass, testbed)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    latency = er.async_get(hass).async_get(_entity(hass, entry.entry_id, "latency"))
    assert latency is not None
    assert latency.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    info = await get_system_health_info(hass, "remote_mtls")
    assert info["links"] == 1
    assert info["links_connected"] == 1
    assert info["mirrored_entities"] == len(entry.runtime_data.mirrors)
    assert info["latency_ms"] > 0  # measured when the link connected
    await hass.config_entries.async_unload(entry.entry_id)
