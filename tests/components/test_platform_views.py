"""Cameras, images, weather, calendars, to-do lists and device trackers follow the remote."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
import traceback
from typing import Any
import uuid

from homeassistant.components import demo
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from ..testbed.bed import TestBed
from .conftest import call_local, local_entity_id, remote_state, wait_for

DOMAINS = ("camera", "image", "weather", "calendar", "todo", "device_tracker")
STATE_TIME = "%Y-%m-%d %H:%M:%S"
CAMERA_STREAM = 2  # CameraEntityFeature.STREAM: never offered by the mirror


async def _remote_response(testbed: TestBed, service: str, **data: Any) -> Any:
    domain, _, name = service.partition(".")
    result = await testbed.remote.async_rest(
        "POST", f"/api/services/{domain}/{name}?return_response", data
    )
    return result["service_response"][data["entity_id"]]


async def _local_response(hass: HomeAssistant, service: str, entity_id: str, **data: Any) -> Any:
    domain, _, name = service.partition(".")
    response = await hass.services.async_call(
        domain, name, {"entity_id": entity_id, **data}, blocking=True, return_response=True
    )
    return response[entity_id]


async def _ensure_remote_shopping_list(testbed: TestBed) -> None:
    """Add the Shopping list integration on the remote, through its config flow API.

    The demo has no to-do list, and shopping_list's YAML import only opens a form.
    """
    states = await testbed.remote.async_rest("GET", "/api/states")
    if any(state["entity_id"] == "todo.shopping_list" for state in states):
        return
    flow = await testbed.remote.async_rest(
        "POST", "/api/config/config_entries/flow", {"handler": "shopping_list"}
    )
    assert flow["type"] == "form", flow
    result = await testbed.remote.async_rest(
        "POST", f"/api/config/config_entries/flow/{flow['flow_id']}", {}
    )
    assert result["type"] == "create_entry", result
    async with asyncio.timeout(10):
        while True:
            states = await testbed.remote.async_rest("GET", "/api/states")
            if any(state["entity_id"] == "todo.shopping_list" for state in states):
                return
            await asyncio.sleep(0.1)


async def _remote_todo_items(testbed: TestBed) -> list[dict[str, Any]]:
    result = await testbed.remote.async_ws_command(
        {"type": "todo/item/list", "entity_id": "todo.shopping_list"}
    )
    items: list[dict[str, Any]] = result["items"]
    return items


async def _remove_remote_states(testbed: TestBed, *entity_ids: str) -> None:
    await testbed.remote.async_rest(
        "POST", "/api/services/testbed/remove_states", {"entity_ids": list(entity_ids)}
    )


async def _wait_local(hass: HomeAssistant, entry: MockConfigEntry, remote_id: str) -> str:
    """Wait until a remote entity that just appeared has its local entity and state."""

    def _local() -> str | None:
        try:
            entity_id = local_entity_id(hass, entry, remote_id)
        except KeyError, AssertionError:
            return None
        return entity_id if hass.states.get(entity_id) is not None else None

    await wait_for(_local)
    entity_id = _local()
    assert entity_id is not None
    return entity_id


def _same_forecast(local: list[dict[str, Any]], remote: list[dict[str, Any]]) -> bool:
    """Compare forecasts; the demo stamps each answer with the time it was asked."""
    if len(local) != len(remote):
        return False
    for mine, theirs in zip(local, remote, strict=True):
        ours, remote_time = (dt_util.parse_datetime(f["datetime"]) for f in (mine, theirs))
        if ours is None or remote_time is None or abs(ours - remote_time) > timedelta(minutes=1):
            return False
        if {**mine, "datetime": None} != {**theirs, "datetime": None}:
            return False
    return True


def _problems(records: list[Any]) -> list[str]:
    """Log records about these platforms that report a failed add or a traceback."""
    found = []
    for record in records:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        ours = any(f"{domain}." in text or record.name.endswith(domain) for domain in DOMAINS)
        if ours and ("Error adding entit" in text or "Traceback" in text):
            found.append(text)
    return found


async def test_views_added_without_errors_with_remote_states(
    hass: HomeAssistant,
    testbed: TestBed,
    caplog: pytest.LogCaptureFixture,
    mirrored: MockConfigEntry,
) -> None:
    await _ensure_remote_shopping_list(testbed)
    await _wait_local(hass, mirrored, "todo.shopping_list")
    remote_states = await testbed.remote.async_rest("GET", "/api/states")
    ours = [state for state in remote_states if state["entity_id"].split(".")[0] in DOMAINS]
    assert {state["entity_id"].split(".")[0] for state in ours} >= {
        "camera",
        "weather",
        "calendar",
        "todo",
        "device_tracker",
    }  # the remote has no image entity: test_image_follows_remote_state makes one
    for remote in ours:
        local = local_entity_id(hass, mirrored, remote["entity_id"])
        assert local.split(".")[0] == remote["entity_id"].split(".")[0]
        # States are equal for all six platforms; to-do items (and so the count) arrive
        # after the entity is added, hence the wait.
        await wait_for(
            lambda local=local, remote=remote: hass.states.get(local).state == remote["state"]
        )
    assert _problems([*caplog.get_records("setup"), *caplog.records]) == []


async def test_camera_actions_and_still_image(
    hass: HomeAssistant,
    testbed: TestBed,
    mirrored: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    remote_id = "camera.demo_camera_png"
    camera = local_entity_id(hass, mirrored, remote_id)
    remote = await remote_state(testbed, remote_id)
    features = remote["attributes"]["supported_features"]
    assert features & CAMERA_STREAM
    assert hass.states.get(camera).attributes["supported_features"] == features & ~CAMERA_STREAM

    await call_local(hass, "camera", "turn_off", camera)
    assert (await remote_state(testbed, remote_id))["state"] == "idle"
    await wait_for(lambda: hass.states.get(camera).state == "idle")
    await call_local(hass, "camera", "turn_on", camera)
    assert (await remote_state(testbed, remote_id))["state"] == "streaming"
    await wait_for(lambda: hass.states.get(camera).state == "streaming")

    await call_local(hass, "camera", "enable_motion_detection", camera)
    assert (await remote_state(testbed, remote_id))["attributes"]["motion_detection"] is True
    await wait_for(lambda: hass.states.get(camera).attributes.get("motion_detection") is True)
    await call_local(hass, "camera", "disable_motion_detection", camera)
    assert "motion_detection" not in (await remote_state(testbed, remote_id))["attributes"]
    await wait_for(lambda: "motion_detection" not in hass.states.get(camera).attributes)

    # The local camera proxy serves one of the remote demo's PNG frames, as a PNG.
    frames_dir = Path(demo.__file__).parent
    frames = await hass.async_add_executor_job(
        lambda: {(frames_dir / f"demo_{index}.png").read_bytes() for index in range(4)}
    )
    client = await hass_client()
    resp = await client.get(f"/api/camera_proxy/{camera}")
    assert resp.status == 200
    assert resp.content_type == "image/png"
    assert await resp.read() in frames


async def test_image_follows_remote_state(
    hass: HomeAssistant,
    testbed: TestBed,
    mirrored: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The remote has no image platform entity: a state written on the remote stands in.
    remote_id = "image.remote_probe"
    first, second = "2026-11-26T10:00:00+00:00", "2026-11-26T11:30:00+00:00"
    picture = {"entity_picture": "/api/image_proxy/image.remote_probe?token=abc"}
    await testbed.remote.async_set_states(
        [{"entity_id": remote_id, "state": first, "attributes": {"access_token": "abc", **picture}}]
    )
    try:
        image = await _wait_local(hass, mirrored, remote_id)
        local = hass.states.get(image)
        assert local.state == first
        assert local.attributes["access_token"] != "abc"  # the local proxy's own token
        assert local.attributes["entity_picture"].startswith(f"/api/image_proxy/{image}?token=")

        client = await hass_client()
        # The real remote has no image behind that state: its proxy answers 404.
        assert (await client.get(f"/api/image_proxy/{image}")).status == 500

        # Bytes and content type are passed on from the remote's image proxy.
        png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
        asked: list[str] = []

        async def _get_image(path: str) -> tuple[bytes, str | None]:
            asked.append(path)
            return png, "image/png"

        monkeypatch.setattr(mirrored.runtime_data.client, "get_image", _get_image)
        resp = await client.get(f"/api/image_proxy/{image}")
        assert resp.status == 200
        assert resp.content_type == "image/png"
        assert await resp.read() == png
        assert asked == [f"/api/image_proxy/{remote_id}"]

        await testbed.remote.async_set_states(
            [{"entity_id": remote_id, "state": second, "attributes": picture}]
        )
        await wait_for(lambda: hass.states.get(image).state == second)
    finally:
        await _remove_remote_states(testbed, remote_id)


async def test_weather_values_and_forecasts(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    for remote_id in ("weather.demo_weather_south", "weather.demo_weather_north"):
        remote = await remote_state(testbed, remote_id)
        local = hass.states.get(local_entity_id(hass, mirrored, remote_id))
        assert local.state == remote["state"]
        for name, value in remote["attributes"].items():
            assert local.attributes.get(name) == value, name

    remote_id = "weather.demo_weather_north"  # daily, hourly and twice daily
    weather = local_entity_id(hass, mirrored, remote_id)
    for forecast_type in ("daily", "hourly", "twice_daily"):
        remote = await _remote_response(
            testbed, "weather.get_forecasts", entity_id=remote_id, type=forecast_type
        )
        local = await _local_response(hass, "weather.get_forecasts", weather, type=forecast_type)
        assert remote["forecast"]
        assert _same_forecast(local["forecast"], remote["forecast"]), forecast_type


async def test_weather_forecast_subscribers_refresh_on_remote_change(
    hass: HomeAssistant,
    testbed: TestBed,
    mirrored: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    remote_id = "weather.demo_weather_south"
    weather = local_entity_id(hass, mirrored, remote_id)
    original = await remote_state(testbed, remote_id)
    expected = await _remote_response(
        testbed, "weather.get_forecasts", entity_id=remote_id, type="daily"
    )
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "weather/subscribe_forecast", "forecast_type": "daily", "entity_id": weather}
    )
    assert (await client.receive_json())["success"]
    first = await client.receive_json()
    assert first["event"]["type"] == "daily"
    assert _same_forecast(first["event"]["forecast"], expected["forecast"])
    changed = "windy" if original["state"] != "windy" else "fog"
    await testbed.remote.async_set_states(
        [{"entity_id": remote_id, "state": changed, "attributes": original["attributes"]}]
    )
    try:
        await wait_for(lambda: hass.states.get(weather).state == changed)
        refreshed = await client.receive_json()
        assert refreshed["id"] == first["id"]
        assert _same_forecast(refreshed["event"]["forecast"], expected["forecast"])
    finally:
        await testbed.remote.async_set_states(
            [
                {
                    "entity_id": remote_id,
                    "state": original["state"],
                    "attributes": original["attributes"],
                }
            ]
        )
    await wait_for(lambda: hass.states.get(weather).state == original["state"])


def _as_local_state_time(value: str) -> str:
    """Re-express a remote (UTC) state time in the local time zone, as the platform shows it."""
    remote = datetime.strptime(value, STATE_TIME).replace(tzinfo=dt_util.UTC)
    return dt_util.as_local(remote).strftime(STATE_TIME)


async def test_calendar_event_and_events(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    assert str(dt_util.get_default_time_zone()) != "UTC"  # the remote's zone differs
    now = dt_util.now()
    for remote_id in ("calendar.calendar_1", "calendar.calendar_2"):
        calendar = local_entity_id(hass, mirrored, remote_id)
        remote = await remote_state(testbed, remote_id)
        local = hass.states.get(calendar)
        assert local.state == remote["state"]
        assert local.attributes.get("supported_features", 0) == remote["attributes"].get(
            "supported_features", 0
        )
        for name in ("message", "all_day", "location", "description"):
            assert local.attributes[name] == remote["attributes"][name], name
        for name in ("start_time", "end_time"):
            assert local.attributes[name] == _as_local_state_time(remote["attributes"][name])

        window = {
            "start_date_time": now - timedelta(days=1),
            "end_date_time": now + timedelta(days=1),
        }
        remote_events = await _remote_response(
            testbed,
            "calendar.get_events",
            entity_id=remote_id,
            **{key: value.isoformat() for key, value in window.items()},
        )
        local_events = await _local_response(hass, "calendar.get_events", calendar, **window)
        assert len(local_events["events"]) == len(remote_events["events"]) == 1
        for local_event, remote_event in zip(
            local_events["events"], remote_events["events"], strict=True
        ):
            assert local_event["summary"] == remote_event["summary"]
            for name in ("start", "end"):
                assert dt_util.parse_datetime(local_event[name]) == dt_util.parse_datetime(
                    remote_event[name]
                )


async def test_calendar_create_event_is_sent_to_the_remote(
    hass: HomeAssistant,
    testbed: TestBed,
    mirrored: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    # A remote calendar state that claims create/delete/update, with no calendar behind it:
    # the remote itself answers the forwarded command, and its answer comes back.
    remote_id = "calendar.remote_probe"
    await testbed.remote.async_set_states(
        [{"entity_id": remote_id, "state": "off", "attributes": {"supported_features": 7}}]
    )
    try:
        calendar = await _wait_local(hass, mirrored, remote_id)
        assert hass.states.get(calendar).attributes["supported_features"] == 7
        start = dt_util.now() + timedelta(hours=1)
        with pytest.raises(ServiceValidationError) as caught:
            await call_local(
                hass,
                "calendar",
                "create_event",
                calendar,
                summary="Probe",
                start_date_time=start,
                end_date_time=start + timedelta(hours=1),
            )
        assert caught.value.translation_key == "remote_rejected"
        assert caught.value.translation_placeholders == {
            "service": "calendar/event/create",
            "message": "Entity not found",
        }
        # Delete and update through the local calendar API reach the remote the same way.
        client = await hass_ws_client(hass)
        for command in (
            {"type": "calendar/event/delete", "uid": "u1", "recurrence_id": "r1"},
            {
                "type": "calendar/event/update",
                "uid": "u1",
                "recurrence_id": "r1",
                "recurrence_range": "THISANDFUTURE",
                "event": {
                    "summary": "Moved",
                    "dtstart": start.isoformat(),
                    "dtend": (start + timedelta(hours=2)).isoformat(),
                },
            },
        ):
            await client.send_json_auto_id({**command, "entity_id": calendar})
            answer = await client.receive_json()
            assert not answer["success"]
            assert "Entity not found" in answer["error"]["message"]
    finally:
        await _remove_remote_states(testbed, remote_id)


async def test_todo_items_round_trip(
    hass: HomeAssistant,
    testbed: TestBed,
    mirrored: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    remote_id = "todo.shopping_list"
    await _ensure_remote_shopping_list(testbed)
    todo = await _wait_local(hass, mirrored, remote_id)
    remote = await remote_state(testbed, remote_id)
    assert (
        hass.states.get(todo).attributes["supported_features"]
        == remote["attributes"]["supported_features"]
    )
    first, second = f"Milk {uuid.uuid4().hex[:6]}", f"Bread {uuid.uuid4().hex[:6]}"

    async def local_items() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (await _local_response(hass, "todo.get_items", todo))["items"]
        return items

    await call_local(hass, "todo", "add_item", todo, item=first)
    await call_local(hass, "todo", "add_item", todo, item=second)
    remote_items = await _remote_todo_items(testbed)
    uids = {item["summary"]: item["uid"] for item in remote_items}
    assert {first, second} <= set(uids)
    assert await local_items() == remote_items
    await wait_for(
        lambda: (
            hass.states.get(todo).state
            == str(sum(i["status"] == "needs_action" for i in remote_items))
        )
    )

    await call_local(hass, "todo", "update_item", todo, item=first, status="completed")
    await call_local(hass, "todo", "update_item", todo, item=second, rename=f"{second} (brown)")
    remote_items = await _remote_todo_items(testbed)
    by_uid = {item["uid"]: item for item in remote_items}
    assert by_uid[uids[first]]["status"] == "completed"
    assert by_uid[uids[second]]["summary"] == f"{second} (brown)"
    assert await local_items() == remote_items

    # Reordering goes through the local websocket API, as the frontend does it.
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "todo/item/move", "entity_id": todo, "uid": uids[second]}
    )
    assert (await client.receive_json())["success"]
    remote_items = await _remote_todo_items(testbed)
    assert remote_items[0]["uid"] == uids[second]
    assert await local_items() == remote_items

    # A change made on the remote itself reaches the local list.
    third = f"Eggs {uuid.uuid4().hex[:6]}"
    await testbed.remote.async_rest(
        "POST", "/api/services/todo/add_item", {"entity_id": remote_id, "item": third}
    )
    count = (await remote_state(testbed, remote_id))["state"]
    await wait_for(lambda: hass.states.get(todo).state == count)
    assert await local_items() == await _remote_todo_items(testbed)

    await call_local(hass, "todo", "remove_item", todo, item=[first, f"{second} (brown)", third])
    remote_items = await _remote_todo_items(testbed)
    assert not {first, f"{second} (brown)", third} & {item["summary"] for item in remote_items}
    assert await local_items() == remote_items
    assert hass.states.get(todo).state == (await remote_state(testbed, remote_id))["state"]


async def test_gps_trackers_follow_remote(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    names = ("device_tracker.demo_paulus", "device_tracker.demo_home_boy")
    for remote_id in names:
        remote = await remote_state(testbed, remote_id)
        local = hass.states.get(local_entity_id(hass, mirrored, remote_id))
        assert local.state == remote["state"]  # the remote's zones decide, not local ones
        for name in ("source_type", "latitude", "longitude", "gps_accuracy", "battery"):
            assert local.attributes[name] == remote["attributes"][name], name
        entry = er.async_get(hass).async_get(local.entity_id)
        assert entry is not None
        assert entry.entity_category is None  # like the remote (no registry category)

    # Demo trackers move when the remote's demo service randomises them.
    await testbed.remote.async_rest("POST", "/api/services/demo/randomize_device_tracker_data", {})
    remote = await remote_state(testbed, names[0])
    tracker = local_entity_id(hass, mirrored, names[0])
    await wait_for(
        lambda: hass.states.get(tracker).attributes["latitude"] == remote["attributes"]["latitude"]
    )
    local = hass.states.get(tracker)
    assert local.attributes["longitude"] == remote["attributes"]["longitude"]
    assert local.state == remote["state"]


async def test_router_tracker_is_a_scanner(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    remote_id = "device_tracker.router_probe"
    attributes = {
        "source_type": "router",
        "ip": "192.168.1.20",
        "mac": "AA:BB:CC:DD:EE:01",
        "host_name": "probe",
        "friendly_name": "Router probe",
    }
    await testbed.remote.async_set_states(
        [{"entity_id": remote_id, "state": "home", "attributes": attributes}]
    )
    try:
        tracker = await _wait_local(hass, mirrored, remote_id)
        local = hass.states.get(tracker)
        assert local.state == "home"
        for name in ("source_type", "ip", "mac", "host_name"):
            assert local.attributes[name] == attributes[name], name
        entry = er.async_get(hass).async_get(tracker)
        assert entry is not None
        assert entry.disabled_by is None
        assert entry.unique_id == f"{mirrored.entry_id}-{remote_id}"

        await testbed.remote.async_set_states(
            [{"entity_id": remote_id, "state": "not_home", "attributes": attributes}]
        )
        await wait_for(lambda: hass.states.get(tracker).state == "not_home")
    finally:
        await _remove_remote_states(testbed, remote_id)
