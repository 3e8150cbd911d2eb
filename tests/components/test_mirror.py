"""The mirror engine against the real remote: entities, registries, availability."""

from __future__ import annotations

import asyncio

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.remote_mtls.api import RegistryEntity, Timings
from custom_components.remote_mtls.const import DOMAIN
from custom_components.remote_mtls.filters import MirrorFilter

from ..testbed.bed import TestBed
from .conftest import (
    add_entry,
    call_local,
    local_entity_id,
    mirrored_entries,
    remote_ids,
    remote_state,
    wait_for,
)


async def test_every_remote_entity_has_a_local_mirror(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    remote_states = await testbed.remote.async_rest("GET", "/api/states")
    coordinator = mirrored.runtime_data
    local = mirrored_entries(hass, mirrored)
    assert len(local) == len(remote_states) == len(coordinator.mirrors)
    for remote in remote_states:
        assert hass.states.get(local_entity_id(hass, mirrored, remote["entity_id"])) is not None
    hub = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, mirrored.entry_id), mirrored.entry_id
    )
    assert hub is not None
    assert hub.name == "Remote Test Home"


async def test_remote_entity_added_then_removed(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    await testbed.remote.async_set_states(
        [
            {
                "entity_id": "sensor.mirror_probe",
                "state": "42",
                "attributes": {"unit_of_measurement": "W"},
            }
        ]
    )
    await wait_for(lambda: hass.states.get("sensor.mirror_probe") is not None)
    assert hass.states.get("sensor.mirror_probe").state == "42"
    await testbed.remote.async_rest(
        "POST", "/api/services/testbed/remove_states", {"entity_ids": ["sensor.mirror_probe"]}
    )
    entity_registry = er.async_get(hass)
    await wait_for(lambda: entity_registry.async_get("sensor.mirror_probe") is None)
    assert hass.states.get("sensor.mirror_probe") is None


async def test_remote_rename_keeps_the_local_entity(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    local = local_entity_id(hass, mirrored, "input_boolean.guest_mode")
    entity_registry = er.async_get(hass)
    registry_id = entity_registry.async_get(local).id
    await testbed.remote.async_ws_command(
        {
            "type": "config/entity_registry/update",
            "entity_id": "input_boolean.guest_mode",
            "new_entity_id": "input_boolean.visitors",
        }
    )
    try:
        coordinator = mirrored.runtime_data
        await wait_for(lambda: "input_boolean.visitors" in remote_ids(coordinator))
        await call_local(hass, "switch", "turn_on", local)
        assert (await remote_state(testbed, "input_boolean.visitors"))["state"] == "on"
        await call_local(hass, "switch", "turn_off", local)
        await asyncio.sleep(1.5)  # past the removal grace: the local entity must survive
        assert entity_registry.async_get(local).id == registry_id
        assert len(mirrored_entries(hass, mirrored)) == len(coordinator.mirrors)
    finally:
        await testbed.remote.async_ws_command(
            {
                "type": "config/entity_registry/update",
                "entity_id": "input_boolean.visitors",
                "new_entity_id": "input_boolean.guest_mode",
            }
        )


async def test_remote_devices_are_mirrored_and_follow_changes(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    devices = await testbed.remote.async_ws_command({"type": "config/device_registry/list"})
    light_entry = next(
        e
        for e in await testbed.remote.async_ws_command({"type": "config/entity_registry/list"})
        if e["entity_id"] == "light.living_room_rgbww_lights"
    )
    remote_device = next(d for d in devices if d["id"] == light_entry["device_id"])
    device_registry = dr.async_get(hass)
    local_light = er.async_get(hass).async_get(
        local_entity_id(hass, mirrored, "light.living_room_rgbww_lights")
    )
    device = device_registry.async_get(local_light.device_id)
    assert device.name == remote_device["name"]
    assert device.manufacturer == remote_device["manufacturer"]
    assert device.model == remote_device["model"]
    hub = device_registry.async_get_device_by_identifier(
        (DOMAIN, mirrored.entry_id), mirrored.entry_id
    )
    assert device.via_device_id == hub.id
    await testbed.remote.async_ws_command({"type": "config/area_registry/create", "name": "Attic"})
    areas = await testbed.remote.async_ws_command({"type": "config/area_registry/list"})
    attic = next(a for a in areas if a["name"] == "Attic")
    await testbed.remote.async_ws_command(
        {
            "type": "config/device_registry/update",
            "device_id": remote_device["id"],
            "name_by_user": "Renamed remotely",
            "area_id": attic["area_id"],
        }
    )
    try:
        await wait_for(lambda: device_registry.async_get(device.id).name == "Renamed remotely")
        await wait_for(lambda: device_registry.async_get(device.id).area_id is not None)
        area = ar.async_get(hass).async_get_area(device_registry.async_get(device.id).area_id)
        assert area.name == "Attic"
    finally:
        await testbed.remote.async_ws_command(
            {
                "type": "config/device_registry/update",
                "device_id": remote_device["id"],
                "name_by_user": None,
                "area_id": remote_device["area_id"],
            }
        )
        await testbed.remote.async_ws_command(
            {"type": "config/area_registry/delete", "area_id": attic["area_id"]}
        )


async def test_link_loss_marks_unavailable_and_recovers_without_duplicates(
    hass: HomeAssistant, restore_testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    coordinator = mirrored.runtime_data
    coordinator.websocket.timings = Timings(
        heartbeat_interval=0.5, pong_timeout=0.5, backoff_min=0.1, backoff_max=0.3
    )
    count = len(mirrored_entries(hass, mirrored))
    porch = local_entity_id(hass, mirrored, "input_boolean.porch")
    restore_testbed.nginx.stop()
    await wait_for(lambda: hass.states.get(porch).state == "unavailable")
    assert all(
        hass.states.get(e.entity_id).state == "unavailable"
        for e in mirrored_entries(hass, mirrored)
    )
    with pytest.raises(HomeAssistantError) as raised:
        await coordinator.async_call_service("input_boolean", "turn_on", {}, {"entity_id": porch})
    assert raised.value.translation_key == "not_connected"
    restore_testbed.nginx.start()
    await wait_for(lambda: hass.states.get(porch).state != "unavailable", timeout=20)
    await wait_for(
        lambda: all(
            hass.states.get(e.entity_id).state != "unavailable"
            for e in mirrored_entries(hass, mirrored)
            if e.entity_id != "sensor.demo_sensor_outside_temperature_unavailable"
        )
    )
    assert len(mirrored_entries(hass, mirrored)) == count
    assert coordinator.websocket.reconnects >= 1


async def test_options_filter_what_crosses_the_link(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(mirrored.entry_id)
    assert result["type"] is FlowResultType.FORM
    schema = result["data_schema"].schema
    areas = next(v for k, v in schema.items() if k == "areas").config["options"]
    assert {"value": "living_room", "label": "Living Room"} in areas

    def offered(field: str) -> list[str]:
        return next(v for k, v in schema.items() if k == field).config["options"]

    # The remote's own entity ids and event types are offered, never a core event type.
    assert "light.bed_light" in offered("include_entities")
    assert "light.bed_light" in offered("exclude_entities")
    assert offered("event_types")
    assert "state_changed" not in offered("event_types")
    assert "call_service" not in offered("event_types")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"include_domains": ["light", "input_boolean"], "exclude_entities": ["light.bed_*"]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert mirrored.state is ConfigEntryState.LOADED
    coordinator = mirrored.runtime_data
    domains = {mirror.domain for mirror in coordinator.mirrors.values()}
    assert domains == {"light", "input_boolean"}
    assert "light.bed_light" not in remote_ids(coordinator)
    assert len(mirrored_entries(hass, mirrored)) == len(coordinator.mirrors)
    assert hass.states.get("light.bed_light") is None

    await _set_remote_area(testbed, "input_boolean.porch", "living_room")
    try:
        result = await hass.config_entries.options.async_init(mirrored.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"areas": ["living_room"], "mirror_devices": False}
        )
        await hass.async_block_till_done()
    finally:
        await _set_remote_area(testbed, "input_boolean.porch", None)
    assert remote_ids(mirrored.runtime_data) == {"input_boolean.porch"}
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), mirrored.entry_id)
    assert [d.identifiers for d in devices] == [{(DOMAIN, mirrored.entry_id)}]


async def _set_remote_area(testbed: TestBed, entity_id: str, area_id: str | None) -> None:
    await testbed.remote.async_ws_command(
        {"type": "config/entity_registry/update", "entity_id": entity_id, "area_id": area_id}
    )


def test_loop_guard_skips_entities_mirrored_from_us() -> None:
    mirror_filter = MirrorFilter()
    assert not mirror_filter.wanted(RegistryEntity("light.x", "x", platform=DOMAIN), None)
    assert mirror_filter.wanted(RegistryEntity("light.x", "x", platform="demo"), None)
    assert mirror_filter.wanted(None, None)


async def test_user_deletes_a_mirrored_device(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    testbed: TestBed,
    mirrored: MockConfigEntry,
) -> None:
    assert await async_setup_component(hass, "config", {})
    device_registry = dr.async_get(hass)
    light = er.async_get(hass).async_get(
        local_entity_id(hass, mirrored, "light.living_room_rgbww_lights")
    )
    client = await hass_ws_client(hass)
    hub = device_registry.async_get_device_by_identifier(
        (DOMAIN, mirrored.entry_id), mirrored.entry_id
    )
    for device_id, allowed in ((hub.id, False), (light.device_id, True)):
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": mirrored.entry_id,
                "device_id": device_id,
            }
        )
        assert (await client.receive_json())["success"] is allowed
    assert device_registry.async_get(light.device_id) is None
    assert er.async_get(hass).async_get(light.entity_id) is None
    # It stays deleted after a reload.
    await hass.config_entries.async_reload(mirrored.entry_id)
    assert "light.living_room_rgbww_lights" not in remote_ids(mirrored.runtime_data)
    assert hass.states.get(light.entity_id) is None


async def test_options_form_without_a_loaded_link(hass: HomeAssistant, testbed: TestBed) -> None:
    entry = await add_entry(hass, testbed)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    schema = result["data_schema"].schema
    assert next(v for k, v in schema.items() if k == "include_domains").config["options"] == []
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"event_types": ["x"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["event_types"] == ["x"]
    assert entry.options["mirror_devices"] is True


async def test_remote_name_change_follows(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    local = local_entity_id(hass, mirrored, "input_boolean.porch")
    await testbed.remote.async_ws_command(
        {
            "type": "config/entity_registry/update",
            "entity_id": "input_boolean.porch",
            "name": "Veranda",
        }
    )
    try:
        await wait_for(lambda: hass.states.get(local).name == "Veranda")
    finally:
        await testbed.remote.async_ws_command(
            {
                "type": "config/entity_registry/update",
                "entity_id": "input_boolean.porch",
                "name": None,
            }
        )
    await wait_for(lambda: hass.states.get(local).name == "Porch light switch")


async def test_devices_switched_off_and_on_come_back_in_their_remote_area(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    coordinator = mirrored.runtime_data
    remote_device = coordinator.registries.entities["light.bed_light"].device_id
    identifier = (DOMAIN, f"{mirrored.entry_id}-{remote_device}")
    device_registry = dr.async_get(hass)
    await testbed.remote.async_ws_command(
        {"type": "config/device_registry/update", "device_id": remote_device, "area_id": "kitchen"}
    )
    try:
        for mirror_devices in (False, True):
            result = await hass.config_entries.options.async_init(mirrored.entry_id)
            result = await hass.config_entries.options.async_configure(
                result["flow_id"], {"mirror_devices": mirror_devices}
            )
            await hass.async_block_till_done()
            device = device_registry.async_get_device_by_identifier(identifier, mirrored.entry_id)
            assert (device is not None) is mirror_devices
        assert device is not None
        area = ar.async_get(hass).async_get_area(device.area_id or "")
        assert area is not None and area.name == "Kitchen"
    finally:
        await testbed.remote.async_ws_command(
            {"type": "config/device_registry/update", "device_id": remote_device, "area_id": None}
        )
