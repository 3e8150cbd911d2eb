"""Device automations against the recorded remote: what is offered, what travels, what is refused.

The remote's answers are scripted here (odd and hostile ones included); the real bed proves the
same end to end in tests/components/test_device_automations.py.
"""

from __future__ import annotations

from collections.abc import Callable
import json
import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr, selector
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.remote_mtls import (
    device_action,
    device_condition,
    device_trigger,
    remote_automations,
)
from custom_components.remote_mtls.api import NotConnected, Subscription
from custom_components.remote_mtls.api.automations import (
    MAX_EXTRA_FIELDS,
    MAX_FIELD_BYTES,
    extra_fields,
)
from custom_components.remote_mtls.const import DOMAIN
from custom_components.remote_mtls.remote_automations import fields_schema
from custom_components.remote_mtls.remote_events import EVENT_BURST
from custom_components.remote_mtls.scoped_ids import scoped_id

from .conftest import ENTRY_ID

# A remote Hue button's trigger, in its local form (without platform, domain and device).
HUE_BUTTON_1 = {"remote_domain": "hue", "type": "short_press", "subtype": "button_1"}


class ScriptedRemote:
    """Answers device automation commands; records what was sent."""

    def __init__(self, entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch) -> None:
        self.websocket = entry.runtime_data.websocket
        self.answers: dict[str, Any] = {}
        self.sent: list[dict[str, Any]] = []
        self.fire: Callable[[Any], None] | None = None
        self.unsubscribed = 0
        recorded = self.websocket.command

        async def command(message: dict[str, Any], timeout: float | None = None) -> Any:
            if message["type"] not in self.answers:
                return await recorded(message, timeout)
            self.sent.append(message)
            answer = self.answers[message["type"]]
            if isinstance(answer, Exception):
                raise answer
            return answer

        async def subscribe(message: dict[str, Any], callback: Any, *_: Any) -> Subscription:
            self.sent.append(message)
            self.fire = callback
            return Subscription(self.websocket, message, callback)

        async def unsubscribe(_subscription: Subscription) -> None:
            self.unsubscribed += 1

        monkeypatch.setattr(self.websocket, "command", command)
        monkeypatch.setattr(self.websocket, "subscribe", subscribe)
        monkeypatch.setattr(self.websocket, "unsubscribe", unsubscribe)


@pytest.fixture
def remote(recorded_link: MockConfigEntry, monkeypatch: pytest.MonkeyPatch) -> ScriptedRemote:
    """The recorded remote, with scripted device automation answers."""
    return ScriptedRemote(recorded_link, monkeypatch)


def bed_light(hass: HomeAssistant, entry: MockConfigEntry) -> tuple[str, str, str]:
    """Local device id, remote device id and remote registry id of the demo's bed light."""
    remote_entity = entry.runtime_data.registries.entities["light.bed_light"]
    assert remote_entity.device_id is not None and remote_entity.id is not None
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, scoped_id(ENTRY_ID, remote_entity.device_id)), ENTRY_ID
    )
    assert device is not None
    return device.id, remote_entity.device_id, remote_entity.id


async def test_offered_automations_are_translated_and_filtered(
    hass: HomeAssistant, recorded_link: MockConfigEntry, remote: ScriptedRemote
) -> None:
    local_device, remote_device, registry_id = bed_light(hass, recorded_link)

    def item(domain: str, kind: str, **extra: Any) -> dict[str, Any]:
        base = {"platform": "device", "domain": domain, "device_id": remote_device, "type": kind}
        return base | extra

    remote.answers["device_automation/trigger/list"] = [
        item("light", "turned_on", entity_id=registry_id),  # the local light offers it
        item("hue", "short_press", subtype="button_1", metadata={"secondary": False}),
        item("hue", "scene", entity_id=registry_id),  # names a mirrored entity
        item("zha", "moved", entity_id="light.not_mirrored"),
        item(DOMAIN, "relayed"),  # the remote's own mirror: relaying it could loop
        item("hue", "odd", entity_id=5),
        "junk",
        {"domain": 3, "device_id": remote_device},
    ]
    offered = await device_trigger.async_get_triggers(hass, local_device)

    assert remote.sent == [{"type": "device_automation/trigger/list", "device_id": remote_device}]
    by_type = {t["type"]: t for t in offered}
    assert set(by_type) == {"short_press", "scene", "moved"}
    assert by_type["short_press"] == {
        "platform": "device",
        "domain": DOMAIN,
        "device_id": local_device,
        **HUE_BUTTON_1,
    }
    assert by_type["scene"]["remote_entity_id"] == registry_id
    assert by_type["scene"]["entity_id"] != registry_id  # the local registry id of the mirror
    assert by_type["moved"]["remote_entity_id"] == "light.not_mirrored"
    assert "entity_id" not in by_type["moved"]


async def test_an_action_goes_back_in_the_remote_form_with_its_extra_fields(
    hass: HomeAssistant, recorded_link: MockConfigEntry, remote: ScriptedRemote
) -> None:
    local_device, remote_device, _ = bed_light(hass, recorded_link)
    remote.answers["execute_script"] = {"context": {"id": "x"}}
    config = {
        "domain": DOMAIN,
        "device_id": local_device,
        "remote_domain": "hue",
        "remote_entity_id": "light.not_mirrored",
        "entity_id": "local-registry-id",
        "type": "flash",
        "duration": 3,
        "alias": "local only",
        "metadata": {},
    }
    await device_action.async_call_action_from_config(hass, config, {}, None)
    assert remote.sent == [
        {
            "type": "execute_script",
            "sequence": [
                {
                    "domain": "hue",
                    "device_id": remote_device,
                    "entity_id": "light.not_mirrored",
                    "type": "flash",
                    "duration": 3,
                }
            ],
        }
    ]
    remote.answers["execute_script"] = NotConnected("down")
    with pytest.raises(Exception) as raised:
        await device_action.async_call_action_from_config(hass, config, {}, None)
    assert getattr(raised.value, "translation_key", None) == "not_connected"


async def test_trigger_firings_are_checked_and_bounded(
    hass: HomeAssistant,
    recorded_link: MockConfigEntry,
    remote: ScriptedRemote,
    caplog: pytest.LogCaptureFixture,
) -> None:
    local_device, remote_device, _ = bed_light(hass, recorded_link)
    runs: list[dict[str, Any]] = []

    async def action(run_variables: dict[str, Any], context: Any = None) -> None:
        runs.append(run_variables["trigger"])

    config = device_trigger.TRIGGER_SCHEMA(
        {"platform": "device", "domain": DOMAIN, "device_id": local_device, **HUE_BUTTON_1}
    )
    stop = await device_trigger.async_attach_trigger(
        hass, config, action, {"trigger_data": {"id": "0", "idx": "0", "alias": None}}
    )
    assert remote.sent[-1]["trigger"]["device_id"] == remote_device
    assert remote.fire is not None

    remote.fire(
        {
            "variables": {
                "trigger": {
                    "platform": "device",
                    "event": {"data": {"b": 1}},
                    "device_id": "theirs",
                    "id": "theirs",
                    "description": "button",
                }
            }
        }
    )
    remote.fire("junk")
    remote.fire({"variables": {"trigger": {"blob": "x" * 70_000}}})
    await hass.async_block_till_done()
    assert len(runs) == 2
    first, oversized = runs
    assert first["event"] == {"data": {"b": 1}}
    assert (first["device_id"], first["id"], first["domain"]) == (local_device, "0", DOMAIN)
    assert (first["type"], first["subtype"]) == ("short_press", "button_1")
    assert first["description"] == "remote button"
    assert "blob" not in oversized

    caplog.set_level(logging.WARNING)
    for _ in range(int(EVENT_BURST) * 2):
        remote.fire({"variables": {"trigger": {}}})
    await hass.async_block_till_done()
    assert len(runs) < 2 + EVENT_BURST + 5
    assert len([r for r in caplog.records if "firings are dropped" in r.getMessage()]) == 1

    stop()
    await hass.async_block_till_done()
    assert remote.unsubscribed == 1


async def test_condition_keeps_the_remote_answer_and_is_false_when_unsure(
    hass: HomeAssistant,
    recorded_link: MockConfigEntry,
    remote: ScriptedRemote,
    caplog: pytest.LogCaptureFixture,
) -> None:
    local_device, remote_device, _ = bed_light(hass, recorded_link)
    config = {
        "condition": "device",
        "domain": DOMAIN,
        "device_id": local_device,
        "remote_domain": "hue",
        "type": "is_bright",
    }
    remote.answers["test_condition"] = {"result": True}
    check = device_condition.async_condition_from_config(hass, config)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert check(hass, None) is True
    assert remote.sent[-1]["condition"]["device_id"] == remote_device

    for odd in ({"result": "yes"}, NotConnected("down")):
        remote.answers["test_condition"] = odd
        device_condition.async_refresh_conditions(hass, ENTRY_ID)
        await hass.async_block_till_done(wait_background_tasks=True)
        assert check(hass, None) is False
    assert len([r for r in caplog.records if "could not evaluate" in r.getMessage()]) == 1


def test_extra_fields_are_rebuilt_as_the_remote_serialized_them() -> None:
    serialized: list[dict[str, Any]] = [
        {
            "name": "level",
            "required": True,
            "selector": {"number": {"min": 0.0, "max": 9.0, "step": 1.0, "mode": "slider"}},
        },
        {"name": "for", "optional": True, "required": False, "type": "positive_time_period_dict"},
        {"name": "label", "required": False, "optional": True, "type": "string", "default": "x"},
        {"name": "count", "required": True, "type": "integer", "valueMin": 1, "valueMax": 5},
        {"name": "mode", "required": True, "type": "select", "options": [["a", "A"]]},
        {"name": "on", "required": False, "optional": True, "type": "boolean"},
    ]
    odd = [
        {"name": "weird", "required": True, "type": "spaceship"},
        {"name": "bad", "required": True, "selector": {"no_such_selector": {}}},
        {"name": "empty", "required": True, "type": "select", "options": ["a"]},
    ]
    schema = fields_schema([*serialized, *odd])
    rebuilt = probatio.to_field_list(schema, custom_serializer=cv.custom_serializer)
    assert json.loads(json.dumps(rebuilt)) == serialized  # as the websocket sends it
    assert isinstance(next(iter(schema.schema.values())), selector.NumberSelector)


def test_extra_fields_are_bounded() -> None:
    """A remote cannot make the local editor build any number or size of fields."""
    named = [{"name": f"f{index}", "type": "string"} for index in range(MAX_EXTRA_FIELDS + 10)]
    assert extra_fields(named) == named[:MAX_EXTRA_FIELDS]
    huge_select = {"name": "huge", "type": "select", "options": [["a" * 100, "b"]] * 1000}
    assert len(json.dumps(huge_select)) > MAX_FIELD_BYTES
    odd = [huge_select, {"name": "x" * 256}, {"name": ""}, {"name": 3}, "junk"]
    assert extra_fields([*odd, named[0]]) == [named[0]]
    assert extra_fields({"name": "not a list"}) == []


async def test_listing_is_bounded_per_link(
    hass: HomeAssistant,
    recorded_link: MockConfigEntry,
    remote: ScriptedRemote,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Any local user may open the editor; none may make the link ask the remote at will."""
    monkeypatch.setattr(remote_automations, "EDITOR_BURST", 3)
    monkeypatch.setattr(remote_automations, "EDITOR_RATE", 0.001)
    local_device, remote_device, _registry_id = bed_light(hass, recorded_link)
    remote.answers["device_automation/trigger/list"] = [
        {"platform": "device", "domain": "hue", "device_id": remote_device, "type": "press"}
    ]
    offered = [len(await device_trigger.async_get_triggers(hass, local_device)) for _ in range(6)]
    assert offered == [1, 1, 1, 0, 0, 0]
    assert len(remote.sent) == 3
    assert caplog.text.count("device automations are asked for too often") == 1
