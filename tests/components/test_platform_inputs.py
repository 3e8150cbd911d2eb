"""Numbers, selects, texts, dates and times, scenes, events, updates and notify entities."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import aiohttp
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from ..testbed.bed import TestBed
from .conftest import add_entry, call_local, local_entity_id, remote_state, wait_for

PLATFORMS = ("number", "select", "text", "date", "time", "datetime")
PLATFORMS += ("scene", "event", "update", "notify")
REMOTE_DOMAINS = {*PLATFORMS, "input_number", "input_select", "input_text", "input_datetime"}
# Their state is the local time of the last activation / event / message seen by this link.
LOCAL_TIME_STATES = {"scene", "event", "notify"}


async def wait_remote(
    testbed: TestBed, entity_id: str, predicate: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Poll the remote until its state of `entity_id` satisfies `predicate`."""
    async with asyncio.timeout(10):
        while not predicate(state := await remote_state(testbed, entity_id)):
            await asyncio.sleep(0.05)
    return state


async def remote_service(testbed: TestBed, domain: str, service: str, **data: Any) -> None:
    """Call a service directly on the remote."""
    await testbed.remote.async_rest("POST", f"/api/services/{domain}/{service}", data)


def count_state_changes(hass: HomeAssistant, entity_id: str) -> list[str]:
    """Collect every new state string of `entity_id` (state changes only, not attributes)."""
    seen: list[str] = []

    @callback
    def _changed(event: Event[EventStateChangedData]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if event.data["entity_id"] == entity_id and new and (not old or old.state != new.state):
            seen.append(new.state)

    hass.bus.async_listen(EVENT_STATE_CHANGED, _changed)
    return seen


async def settled(
    hass: HomeAssistant, testbed: TestBed, entry: MockConfigEntry, remote_entity_id: str
) -> None:
    """Wait until the mirror has applied the remote's current state of an entity."""
    coordinator = entry.runtime_data
    remote = await remote_state(testbed, remote_entity_id)
    updated = dt_util.parse_datetime(remote["last_updated"])
    assert updated is not None
    mirror = coordinator.mirrors[coordinator.key_for(remote_entity_id)]
    await wait_for(lambda: mirror.state.last_updated >= updated.timestamp() - 0.001)
    await coordinator.async_wait_idle()
    await hass.async_block_till_done()


@asynccontextmanager
async def remote_events(testbed: TestBed, event_type: str) -> AsyncIterator[Any]:
    """A websocket to the remote subscribed to `event_type`."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{testbed.remote.url}/api/websocket") as ws,
    ):
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": testbed.remote.token})
        assert (await ws.receive_json())["type"] == "auth_ok"
        await ws.send_json({"id": 1, "type": "subscribe_events", "event_type": event_type})
        assert (await ws.receive_json())["success"]
        yield ws


def assert_same(local: Any, remote: dict[str, Any], *names: str) -> None:
    """Attributes the local entity must report exactly as the remote does."""
    for name in names:
        assert local.attributes.get(name) == remote["attributes"].get(name), name


async def test_number_and_input_number_set_value(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    for remote_id, low, high in (
        ("number.volume", 17, 18),
        ("number.temperature_setting", 20, 21),
        ("input_number.thermostat_offset", 1.5, 2.0),
    ):
        number = local_entity_id(hass, mirrored, remote_id)
        before = await remote_state(testbed, remote_id)
        target = low if float(before["state"]) != low else high
        await call_local(hass, "number", "set_value", number, value=target)
        remote = await remote_state(testbed, remote_id)
        assert float(remote["state"]) == target
        await wait_for(lambda n=number, t=target: float(hass.states.get(n).state) == t)
        local = hass.states.get(number)
        assert local.state == remote["state"]
        assert_same(local, remote, "min", "max", "step", "mode", "unit_of_measurement")
        assert_same(local, remote, "device_class", "friendly_name")
        await call_local(hass, "number", "set_value", number, value=float(before["state"]))


async def test_select_and_input_select(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    for remote_id in ("select.speed", "input_select.house_mode"):
        select = local_entity_id(hass, mirrored, remote_id)
        before = await remote_state(testbed, remote_id)
        options = before["attributes"]["options"]
        assert hass.states.get(select).attributes["options"] == options
        target = next(option for option in options if option != before["state"])
        await call_local(hass, "select", "select_option", select, option=target)
        assert (await remote_state(testbed, remote_id))["state"] == target
        await wait_for(lambda s=select, t=target: hass.states.get(s).state == t)
        # Resolved locally from the mirrored options, then sent as select_option.
        await call_local(hass, "select", "select_last", select)
        assert (await remote_state(testbed, remote_id))["state"] == options[-1]
        await wait_for(lambda s=select, last=options[-1]: hass.states.get(s).state == last)
        await call_local(hass, "select", "select_option", select, option=before["state"])


async def test_text_and_input_text(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    for remote_id in ("text.text", "input_text.greeting"):
        text = local_entity_id(hass, mirrored, remote_id)
        before = await remote_state(testbed, remote_id)
        target = "Good night" if before["state"] != "Good night" else "Good day"
        await call_local(hass, "text", "set_value", text, value=target)
        assert (await remote_state(testbed, remote_id))["state"] == target
        await wait_for(lambda t=text, v=target: hass.states.get(t).state == v)
        assert_same(hass.states.get(text), before, "min", "max", "pattern", "mode")
        await call_local(hass, "text", "set_value", text, value=before["state"])
    # The mirrored limits are checked locally before anything is sent.
    short = local_entity_id(hass, mirrored, "text.text_with_1_to_5_characters")
    lower = local_entity_id(hass, mirrored, "text.text_with_only_lower_case_characters")
    assert hass.states.get(lower).attributes["pattern"] == "[a-z]+"
    assert hass.states.get(short).attributes["max"] == 5
    with pytest.raises(ValueError, match="too long"):
        await call_local(hass, "text", "set_value", short, value="too long")
    with pytest.raises(ValueError, match="pattern"):
        await call_local(hass, "text", "set_value", lower, value="UPPER")
    password = hass.states.get(local_entity_id(hass, mirrored, "text.password"))
    assert password.attributes["mode"] == "password"


@pytest.mark.parametrize(
    ("remote_id", "platform", "field", "first", "second"),
    [
        ("date.date", "date", "date", "2031-02-03", "2031-02-04"),
        ("input_datetime.alarm_date", "date", "date", "2031-02-03", "2031-02-04"),
        ("time.time", "time", "time", "07:08:09", "07:08:10"),
        ("input_datetime.alarm_time", "time", "time", "07:08:09", "07:08:10"),
        (
            "datetime.date_and_time",
            "datetime",
            "datetime",
            "2031-02-03T04:05:06+00:00",
            "2031-02-03T04:05:07+00:00",
        ),
    ],
)
async def test_dates_and_times(
    hass: HomeAssistant,
    testbed: TestBed,
    mirrored: MockConfigEntry,
    remote_id: str,
    platform: str,
    field: str,
    first: str,
    second: str,
) -> None:
    entity = local_entity_id(hass, mirrored, remote_id)
    assert entity.startswith(f"{platform}.")
    target = first if (await remote_state(testbed, remote_id))["state"] != first else second
    await call_local(hass, platform, "set_value", entity, **{field: target})
    assert (await remote_state(testbed, remote_id))["state"] == target
    await wait_for(lambda: hass.states.get(entity).state == target)


async def test_input_datetime_with_date_and_time(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    entity = local_entity_id(hass, mirrored, "input_datetime.next_visit")
    assert entity.startswith("datetime.")
    before = await remote_state(testbed, "input_datetime.next_visit")
    minute = 8 if before["attributes"]["minute"] != 8 else 9
    # A naive local value is this side's wall clock (US/Pacific in tests); the remote runs UTC.
    await call_local(hass, "datetime", "set_value", entity, datetime=f"2031-07-01 10:{minute}:00")
    expected = datetime(2031, 7, 1, 10, minute, tzinfo=dt_util.get_default_time_zone())
    remote = await remote_state(testbed, "input_datetime.next_visit")
    assert remote["state"] == dt_util.as_utc(expected).strftime("%Y-%m-%d %H:%M:%S")
    assert remote["attributes"]["timestamp"] == expected.timestamp()
    # The remote state is its naive local time; the local state is the same instant in ISO.
    utc = dt_util.as_utc(expected).isoformat()
    await wait_for(lambda: hass.states.get(entity).state == utc)


async def test_scene_activation_both_ways(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    scene = local_entity_id(hass, mirrored, "scene.evening")
    await remote_service(
        testbed, "input_text", "set_value", entity_id="input_text.scene_note", value="day"
    )
    before = await remote_state(testbed, "scene.evening")
    changes = count_state_changes(hass, scene)
    await call_local(hass, "scene", "turn_on", scene, transition=1)
    assert (await remote_state(testbed, "input_text.scene_note"))["state"] == "evening"
    assert (await remote_state(testbed, "scene.evening"))["state"] != before["state"]
    await settled(hass, testbed, mirrored, "scene.evening")
    assert len(changes) == 1  # the remote's echo of our own activation is not a second one
    # Activated on the remote: the local scene records an activation too.
    await remote_service(testbed, "scene", "turn_on", entity_id="scene.evening")
    await wait_for(lambda: len(changes) == 2)
    assert dt_util.parse_datetime(changes[1]) is not None


async def test_event_fires_on_remote_events_only(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    event = local_entity_id(hass, mirrored, "event.push_button_press")
    remote = await remote_state(testbed, "event.push_button_press")
    local = hass.states.get(event)
    assert_same(local, remote, "event_types", "device_class", "friendly_name")
    changes = count_state_changes(hass, event)
    await testbed.remote.async_rest("POST", "/api/events/demo_button_pressed")
    await wait_for(lambda: len(changes) == 1)
    assert hass.states.get(event).attributes["event_type"] == "pressed"
    # Event data beyond the type arrives as attributes of the local event.
    attributes = {**remote["attributes"], "event_type": "pressed", "button": "left"}
    stamp = dt_util.utcnow().isoformat()
    await testbed.remote.async_set_states(
        [{"entity_id": "event.push_button_press", "state": stamp, "attributes": attributes}]
    )
    await wait_for(lambda: len(changes) == 2)
    assert hass.states.get(event).attributes["button"] == "left"
    # Only a new timestamp is a new event: a change of the data alone is not.
    attributes["button"] = "right"
    await testbed.remote.async_set_states(
        [{"entity_id": "event.push_button_press", "state": stamp, "attributes": attributes}]
    )
    await settled(hass, testbed, mirrored, "event.push_button_press")
    assert len(changes) == 2


async def test_notify_send_message_with_title(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    notify = local_entity_id(hass, mirrored, "notify.notifier")
    assert hass.states.get(notify).attributes["supported_features"] == 1  # title
    changes = count_state_changes(hass, notify)
    async with remote_events(testbed, "notify") as ws:
        await call_local(hass, "notify", "send_message", notify, message="Hi", title="Door")
        async with asyncio.timeout(10):
            received = await ws.receive_json()
    assert received["event"]["data"] == {"message": "Hi", "title": "Door"}
    await settled(hass, testbed, mirrored, "notify.notifier")
    assert len(changes) == 1  # recorded once, not again for the remote's echo
    await remote_service(
        testbed, "notify", "send_message", entity_id="notify.notifier", message="x"
    )
    await wait_for(lambda: len(changes) == 2)


async def test_update_attributes_and_install(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    for remote in await testbed.remote.async_rest("GET", "/api/states"):
        if remote["entity_id"].startswith("update.demo_"):
            local = hass.states.get(local_entity_id(hass, mirrored, remote["entity_id"]))
            assert local.state == remote["state"]
            assert_same(local, remote, "installed_version", "latest_version", "title")
            assert_same(local, remote, "release_summary", "release_url", "supported_features")
            assert_same(local, remote, "display_precision", "auto_update", "in_progress")
            assert_same(local, remote, "device_class", "friendly_name")
    addon = local_entity_id(hass, mirrored, "update.demo_add_on")
    await call_local(hass, "update", "install", addon, version="1.0.1", backup=True)
    remote = await remote_state(testbed, "update.demo_add_on")
    assert remote["attributes"]["installed_version"] == "1.0.1"
    assert remote["state"] == "off"
    await wait_for(lambda: hass.states.get(addon).state == "off")


async def test_update_progress_and_release_notes(
    hass: HomeAssistant,
    testbed: TestBed,
    mirrored: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    update = local_entity_id(hass, mirrored, "update.demo_update_with_progress")
    client = await hass_ws_client(hass)
    await client.send_json({"id": 1, "type": "update/release_notes", "entity_id": update})
    notes = await client.receive_json()
    assert notes["success"], notes
    assert "Long release notes" in notes["result"]
    # The demo installs in ten steps of 0.5 s; the local entity shows the remote's progress.
    install = hass.async_create_task(call_local(hass, "update", "install", update))
    await wait_for(lambda: hass.states.get(update).attributes["in_progress"] is True)
    await wait_for(lambda: (hass.states.get(update).attributes["update_percentage"] or 0) > 0)
    await install
    remote = await remote_state(testbed, "update.demo_update_with_progress")
    assert remote["attributes"]["installed_version"] == "1.94.2"
    await wait_for(lambda: hass.states.get(update).state == "off")
    assert hass.states.get(update).attributes["in_progress"] is False


async def test_update_skip_both_ways(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    remote_id = "update.demo_living_room_bulb_update"
    update = local_entity_id(hass, mirrored, remote_id)
    assert hass.states.get(update).state == "on"
    await call_local(hass, "update", "skip", update)
    remote = await wait_remote(testbed, remote_id, lambda s: s["state"] == "off")
    assert remote["attributes"]["skipped_version"] == "1.94.2"
    await call_local(hass, "update", "clear_skipped", update)
    remote = await wait_remote(testbed, remote_id, lambda s: s["state"] == "on")
    assert remote["attributes"]["skipped_version"] is None
    await settled(hass, testbed, mirrored, remote_id)
    assert hass.states.get(update).state == "on"
    # Skipped and cleared on the remote: the local entity follows.
    await remote_service(testbed, "update", "skip", entity_id=remote_id)
    await wait_for(lambda: hass.states.get(update).attributes["skipped_version"] == "1.94.2")
    assert hass.states.get(update).state == "off"
    await remote_service(testbed, "update", "clear_skipped", entity_id=remote_id)
    await wait_for(lambda: hass.states.get(update).state == "on")
    await settled(hass, testbed, mirrored, remote_id)
    assert (await remote_state(testbed, remote_id))["attributes"]["skipped_version"] is None


async def test_every_entity_added_with_the_remote_state(
    hass: HomeAssistant, testbed: TestBed, caplog: pytest.LogCaptureFixture
) -> None:
    # An event the remote already shows when the link starts is not fired here.
    await testbed.remote.async_rest("POST", "/api/events/demo_button_pressed")
    await wait_remote(testbed, "event.push_button_press", lambda s: s["state"] != "unknown")
    entry = await add_entry(hass, testbed)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    loggers = {f"homeassistant.components.{p}" for p in PLATFORMS}
    for record in caplog.records:
        if record.name in loggers or record.name.startswith("custom_components.remote_mtls."):
            message = record.getMessage()
            assert "Error adding entity" not in message, message
            assert "Traceback" not in message, message
            assert record.exc_info is None, message
    checked = set()
    for remote in await testbed.remote.async_rest("GET", "/api/states"):
        domain = remote["entity_id"].partition(".")[0]
        if domain not in REMOTE_DOMAINS:
            continue
        local = hass.states.get(local_entity_id(hass, entry, remote["entity_id"]))
        checked.add(domain)
        if domain in LOCAL_TIME_STATES:
            assert local.state == "unknown", remote["entity_id"]
        elif domain == "input_datetime" and local.domain == "datetime":
            # The remote shows its naive local time; the local state is the same instant.
            stamp = dt_util.utc_from_timestamp(remote["attributes"]["timestamp"])
            assert local.state == stamp.isoformat(), remote["entity_id"]
        else:
            assert local.state == remote["state"], remote["entity_id"]
    assert checked == REMOTE_DOMAINS
    await hass.config_entries.async_unload(entry.entry_id)
