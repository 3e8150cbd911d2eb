"""Actions against the real remote: call_service (response, errors), fire_event, reconnect."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.remote_mtls.const import CONF_EVENT_TYPES, DOMAIN, ORIGIN_MARKER

from ..testbed.bed import TestBed
from .conftest import add_entry, remote_state, wait_for


async def test_call_service_runs_on_the_remote(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    before = (await remote_state(testbed, "input_boolean.guest_mode"))["state"]
    await hass.services.async_call(
        DOMAIN,
        "call_service",
        {
            "domain": "input_boolean",
            "service": "toggle",
            "target": {"entity_id": "input_boolean.guest_mode"},
        },
        blocking=True,
    )
    after = (await remote_state(testbed, "input_boolean.guest_mode"))["state"]
    assert {before, after} == {"on", "off"}
    await hass.services.async_call(
        DOMAIN,
        "call_service",
        {
            "domain": "input_boolean",
            "service": "turn_off",
            "target": {"entity_id": "input_boolean.guest_mode"},
        },
        blocking=True,
    )


async def test_call_service_returns_the_remote_response(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    response = await hass.services.async_call(
        DOMAIN,
        "call_service",
        {
            "config_entry_id": mirrored.entry_id,
            "domain": "weather",
            "service": "get_forecasts",
            "target": {"entity_id": "weather.demo_weather_south"},
            "data": {"type": "daily"},
        },
        blocking=True,
        return_response=True,
    )
    assert response["weather.demo_weather_south"]["forecast"]


async def test_remote_errors_carry_the_remote_message(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN,
            "call_service",
            {
                "domain": "input_number",
                "service": "set_value",
                "target": {"entity_id": "input_number.thermostat_offset"},
                "data": {"value": 99},
            },
            blocking=True,
        )
    assert raised.value.translation_key == "remote_rejected"
    assert "99" in raised.value.translation_placeholders["message"]
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN, "call_service", {"domain": "nope", "service": "nothing"}, blocking=True
        )
    assert raised.value.translation_placeholders["service"] == "nope.nothing"


async def test_fire_event_and_forwarded_events(hass: HomeAssistant, testbed: TestBed) -> None:
    entry = await add_entry(hass, testbed)
    hass.config_entries.async_update_entry(entry, options={CONF_EVENT_TYPES: ["holiday_arrival"]})
    assert await hass.config_entries.async_setup(entry.entry_id)
    received: list[Event] = []
    hass.bus.async_listen("holiday_arrival", received.append)
    await hass.services.async_call(
        DOMAIN,
        "fire_event",
        {"event_type": "holiday_arrival", "event_data": {"who": "us"}},
        blocking=True,
    )
    await wait_for(lambda: received)
    event = received[0]
    assert event.data["who"] == "us"
    assert event.data[ORIGIN_MARKER]["entry_id"] == entry.entry_id
    assert event.origin.value == "REMOTE"
    # An event that already carries the marker came from a link: it is not fired again.
    await hass.services.async_call(
        DOMAIN,
        "fire_event",
        {"event_type": "holiday_arrival", "event_data": {ORIGIN_MARKER: {"entry_id": "other"}}},
        blocking=True,
    )
    await hass.services.async_call(
        DOMAIN,
        "fire_event",
        {"event_type": "holiday_arrival", "event_data": {"n": 2}},
        blocking=True,
    )
    await wait_for(lambda: len(received) == 2)
    assert received[1].data["n"] == 2
    await hass.config_entries.async_unload(entry.entry_id)


async def test_reconnect_action(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    websocket = mirrored.runtime_data.websocket
    await hass.services.async_call(DOMAIN, "reconnect", {}, blocking=True)
    await wait_for(lambda: websocket.reconnects == 1 and websocket.connected)


async def test_actions_need_a_loaded_link(hass: HomeAssistant, testbed: TestBed) -> None:
    entry = await add_entry(hass, testbed)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            DOMAIN, "reconnect", {"config_entry_id": entry.entry_id}, blocking=True
        )
