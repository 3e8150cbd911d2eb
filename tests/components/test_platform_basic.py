"""Switches, lights, sensors, binary sensors and buttons: local actions reach the remote."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..testbed.bed import TestBed
from .conftest import call_local, local_entity_id, remote_state, wait_for


async def test_input_boolean_mirrors_as_switch(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    switch = local_entity_id(hass, mirrored, "input_boolean.porch")
    assert switch == "switch.porch"
    assert hass.states.get(switch).name == "Porch light switch"
    await call_local(hass, "switch", "turn_on", switch)
    assert (await remote_state(testbed, "input_boolean.porch"))["state"] == "on"
    await wait_for(lambda: hass.states.get(switch).state == "on")
    # The template sensor and binary sensor on the remote follow, and so do their mirrors.
    porch_status = local_entity_id(hass, mirrored, "sensor.porch_status")
    await wait_for(lambda: hass.states.get(porch_status).state == "on")
    await call_local(hass, "switch", "turn_off", switch)
    await wait_for(lambda: hass.states.get(switch).state == "off")
    await wait_for(lambda: hass.states.get(porch_status).state == "off")


async def test_light_colour_and_brightness(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    light = local_entity_id(hass, mirrored, "light.living_room_rgbww_lights")
    await call_local(hass, "light", "turn_on", light, brightness=77, rgb_color=[255, 0, 0])
    remote = await remote_state(testbed, "light.living_room_rgbww_lights")
    assert remote["state"] == "on"
    assert remote["attributes"]["brightness"] == 77
    await wait_for(lambda: hass.states.get(light).attributes.get("brightness") == 77)
    local = hass.states.get(light)
    assert (
        local.attributes["supported_color_modes"] == remote["attributes"]["supported_color_modes"]
    )
    assert local.attributes["color_mode"] == remote["attributes"]["color_mode"]
    await call_local(hass, "light", "turn_off", light)
    await wait_for(lambda: hass.states.get(light).state == "off")


async def test_sensor_keeps_unit_device_class_and_value(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    remote = await remote_state(testbed, "sensor.outside_temperature")
    local = hass.states.get(local_entity_id(hass, mirrored, "sensor.outside_temperature"))
    assert local.state == remote["state"]
    for attribute in ("unit_of_measurement", "device_class", "state_class", "friendly_name"):
        assert local.attributes.get(attribute) == remote["attributes"].get(attribute), attribute


async def test_binary_sensor_follows_remote(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    guests = local_entity_id(hass, mirrored, "binary_sensor.guests_present")
    await call_local(
        hass, "switch", "turn_on", local_entity_id(hass, mirrored, "input_boolean.guest_mode")
    )
    await wait_for(lambda: hass.states.get(guests).state == "on")
    await call_local(
        hass, "switch", "turn_off", local_entity_id(hass, mirrored, "input_boolean.guest_mode")
    )
    await wait_for(lambda: hass.states.get(guests).state == "off")


async def test_button_press_reaches_remote(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    before = (await remote_state(testbed, "button.push"))["state"]
    await call_local(hass, "button", "press", local_entity_id(hass, mirrored, "button.push"))
    assert (await remote_state(testbed, "button.push"))["state"] != before


async def test_unknown_domain_becomes_read_only_sensor(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    remote = await remote_state(testbed, "sun.sun")
    local = hass.states.get(local_entity_id(hass, mirrored, "sun.sun"))
    assert local.entity_id == "sensor.sun"
    assert local.state == remote["state"]
    assert local.attributes["elevation"] == remote["attributes"]["elevation"]


async def test_sensor_values_by_device_class(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    await testbed.remote.async_set_states(
        [
            {
                "entity_id": "sensor.probe_timestamp",
                "state": "2026-11-26T10:00:00+00:00",
                "attributes": {"device_class": "timestamp"},
            },
            {
                "entity_id": "sensor.probe_date",
                "state": "2026-11-26",
                "attributes": {"device_class": "date"},
            },
            {
                "entity_id": "sensor.probe_broken_number",
                "state": "not a number",
                "attributes": {"unit_of_measurement": "W"},
            },
            {"entity_id": "sensor.probe_unknown", "state": "unknown", "attributes": {}},
        ]
    )
    try:
        await wait_for(lambda: hass.states.get("sensor.probe_unknown") is not None)
        assert hass.states.get("sensor.probe_timestamp").state == "2026-11-26T10:00:00+00:00"
        assert hass.states.get("sensor.probe_date").state == "2026-11-26"
        assert hass.states.get("sensor.probe_broken_number").state == "unknown"
        assert hass.states.get("sensor.probe_unknown").state == "unknown"
    finally:
        await testbed.remote.async_rest(
            "POST",
            "/api/services/testbed/remove_states",
            {
                "entity_ids": [
                    "sensor.probe_timestamp",
                    "sensor.probe_date",
                    "sensor.probe_broken_number",
                    "sensor.probe_unknown",
                ]
            },
        )
