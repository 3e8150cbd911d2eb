"""A mirrored device's own triggers, conditions and actions, run on the real remote.

The test bed's remote has a "Garden remote" (tests/testbed/remote_config/custom_components/
testbed): button presses are integration events of its device, belonging to no entity; it has
a battery condition and a set-battery action, both with an extra field.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
import shutil
from typing import Any
from unittest.mock import patch

from homeassistant.components.device_automation import (
    DeviceAutomationType,
    async_get_device_automations,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.remote_mtls.const import DOMAIN
from custom_components.remote_mtls.link_manager import STATUS_INTERVAL

from ..testbed.bed import TestBed
from .conftest import loaded_link, local_entity_id, remote_state, wait_for

BATTERY = "sensor.garden_remote_battery"
BLUEPRINT = Path(__file__).parents[2] / "blueprints/automation/remote_mtls/remote_button.yaml"


@pytest.fixture
async def linked(hass: HomeAssistant, restore_testbed: TestBed) -> AsyncIterator[MockConfigEntry]:
    """A loaded link; the remote control's battery back at 80 afterwards."""
    async with loaded_link(hass, restore_testbed) as entry:
        yield entry
    await set_remote_battery(restore_testbed, 80)


async def set_remote_battery(bed: TestBed, level: float) -> None:
    """Run the remote device's own action on the remote directly."""
    device_id = await remote_device_id(bed)
    await bed.remote.async_ws_command(
        {
            "type": "execute_script",
            "sequence": [
                {"domain": "testbed", "device_id": device_id, "type": "set_battery", "level": level}
            ],
        }
    )


async def remote_device_id(bed: TestBed) -> str:
    """The remote control's device id on the remote."""
    devices = await bed.remote.async_ws_command({"type": "config/device_registry/list"})
    return next(d["id"] for d in devices if d["name"] == "Garden remote")


def garden_remote(hass: HomeAssistant, entry: MockConfigEntry) -> dr.DeviceEntry:
    """The local mirror of the remote control's device."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return next(d for d in devices if d.name == "Garden remote")


async def automations(
    hass: HomeAssistant, kind: DeviceAutomationType, device_id: str
) -> list[dict[str, Any]]:
    """The device's automations of a kind that this integration offers."""
    found = (await async_get_device_automations(hass, kind, [device_id]))[device_id]
    return [item for item in found if item["domain"] == DOMAIN]


def without_metadata(item: dict[str, Any]) -> dict[str, Any]:
    """An automation as the editor saves it."""
    return {key: value for key, value in item.items() if key != "metadata"}


async def test_remote_device_automations_are_listed_with_their_extra_fields(
    hass: HomeAssistant, linked: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    device = garden_remote(hass, linked)

    triggers = await automations(hass, DeviceAutomationType.TRIGGER, device.id)
    assert sorted(t["subtype"] for t in triggers) == ["button_1", "button_2"]
    assert {(t["type"], t["remote_domain"], t["device_id"]) for t in triggers} == {
        ("short_press", "testbed", device.id)
    }
    conditions = await automations(hass, DeviceAutomationType.CONDITION, device.id)
    assert [(c["type"], c["remote_domain"]) for c in conditions] == [("battery_below", "testbed")]
    actions = await automations(hass, DeviceAutomationType.ACTION, device.id)
    assert [(a["type"], a["remote_domain"]) for a in actions] == [("set_battery", "testbed")]

    # The battery sensor's own automations come from the local sensor platform, not twice.
    everything = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, [device.id])
    sensor_triggers = [t for t in everything[device.id] if t["domain"] == "sensor"]
    assert sensor_triggers
    assert not [t for t in triggers if t["remote_domain"] == "sensor"]

    assert await async_setup_component(hass, "device_automation", {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "device_automation/action/capabilities", "action": actions[0]}
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    assert answer["result"]["extra_fields"] == [
        {
            "name": "level",
            "required": True,
            "selector": {"number": {"min": 0.0, "max": 100.0, "step": 1.0, "mode": "slider"}},
        }
    ]


async def test_remote_trigger_fires_once_and_survives_a_reconnect(
    hass: HomeAssistant, linked: MockConfigEntry, restore_testbed: TestBed
) -> None:
    device = garden_remote(hass, linked)
    triggers = await automations(hass, DeviceAutomationType.TRIGGER, device.id)
    button_1 = next(t for t in triggers if t["subtype"] == "button_1")
    fired = async_capture_events(hass, "garden_button")
    from_blueprint = async_capture_events(hass, "garden_button_2")
    blueprints = Path(hass.config.path("blueprints/automation/remote_mtls"))
    await hass.async_add_executor_job(lambda: blueprints.mkdir(parents=True, exist_ok=True))
    await hass.async_add_executor_job(shutil.copy, BLUEPRINT, blueprints)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "use_blueprint": {
                        "path": "remote_mtls/remote_button.yaml",
                        "input": {
                            "remote_device": device.id,
                            "remote_domain": "testbed",
                            "button": "button_2",
                            "press_action": [{"event": "garden_button_2"}],
                        },
                    }
                },
                {
                    "alias": "Garden button 1",
                    "triggers": [without_metadata(button_1)],
                    "actions": [
                        {
                            "event": "garden_button",
                            "event_data": {
                                "subtype": "{{ trigger.subtype }}",
                                "button": "{{ trigger.event.data.button }}",
                                "device": "{{ trigger.device_id }}",
                                "description": "{{ trigger.description }}",
                            },
                        }
                    ],
                },
            ]
        },
    )
    await hass.async_block_till_done()

    async def press(button: str) -> None:
        await restore_testbed.remote.async_rest(
            "POST", "/api/services/testbed/press", {"button": button}
        )

    await press("button_2")
    await press("button_1")
    await wait_for(lambda: len(fired) == 1)
    assert fired[0].data["subtype"] == "button_1"
    assert fired[0].data["button"] == "button_1"  # the remote's own trigger data
    assert fired[0].data["device"] == device.id
    assert fired[0].data["description"].startswith("remote ")
    assert len(from_blueprint) == 1  # the README's blueprint, on button 2

    # The proxy restarts: the trigger is subscribed again, once.
    coordinator = linked.runtime_data
    restore_testbed.nginx.stop()
    await wait_for(lambda: not coordinator.connected, 15)
    await asyncio.to_thread(restore_testbed.nginx.start)
    await wait_for(lambda: coordinator.connected, 30)
    await press("button_1")
    await wait_for(lambda: len(fired) == 2)
    await asyncio.sleep(0.5)
    assert len(fired) == 2


async def test_remote_action_runs_there_and_fails_at_once_while_down(
    hass: HomeAssistant, linked: MockConfigEntry, restore_testbed: TestBed
) -> None:
    device = garden_remote(hass, linked)
    action = (await automations(hass, DeviceAutomationType.ACTION, device.id))[0]
    assert await async_setup_component(
        hass,
        "script",
        {"script": {"low_battery": {"sequence": [{**without_metadata(action), "level": 15}]}}},
    )
    await hass.services.async_call("script", "low_battery", blocking=True)
    assert (await remote_state(restore_testbed, BATTERY))["state"] == "15.0"
    local = local_entity_id(hass, linked, BATTERY)
    await wait_for(lambda: hass.states.get(local).state == "15.0")

    coordinator = linked.runtime_data
    restore_testbed.nginx.stop()
    await wait_for(lambda: not coordinator.connected, 15)
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call("script", "low_battery", blocking=True)
    assert raised.value.translation_key == "not_connected"


async def test_remote_condition_answers_with_the_remote_evaluation(
    hass: HomeAssistant, linked: MockConfigEntry, restore_testbed: TestBed
) -> None:
    device = garden_remote(hass, linked)
    condition = (await automations(hass, DeviceAutomationType.CONDITION, device.id))[0]
    passed = async_capture_events(hass, "battery_is_low")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": "Low battery check",
                "triggers": [{"trigger": "event", "event_type": "check_battery"}],
                "conditions": [{**without_metadata(condition), "level": 20}],
                "actions": [{"event": "battery_is_low"}],
            }
        },
    )
    local = local_entity_id(hass, linked, BATTERY)

    async def check(level: float) -> int:
        await set_remote_battery(restore_testbed, level)
        await wait_for(lambda: hass.states.get(local).state == f"{level:.1f}")
        await hass.async_block_till_done(wait_background_tasks=True)
        before = len(passed)
        hass.bus.async_fire("check_battery")
        await hass.async_block_till_done()
        return len(passed) - before

    assert await check(15) == 1
    assert await check(50) == 0
    assert await check(10) == 1

    # Every status interval the remote is asked again, with nothing changed here.
    websocket = linked.runtime_data.websocket
    with patch.object(websocket, "command", wraps=websocket.command) as command:
        async_fire_time_changed(hass, dt_util.utcnow() + STATUS_INTERVAL)
        await hass.async_block_till_done(wait_background_tasks=True)
    asked = [call.args[0]["type"] for call in command.call_args_list]
    assert asked.count("test_condition") == 1

    # While the link is down the condition is false.
    restore_testbed.nginx.stop()
    await wait_for(lambda: not linked.runtime_data.connected, 15)
    await hass.async_block_till_done(wait_background_tasks=True)
    hass.bus.async_fire("check_battery")
    await hass.async_block_till_done()
    assert len(passed) == 2
