"""Media players, remotes, sirens, locks, alarm panels, vacuums, lawn mowers on the remote."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import logging
from pathlib import Path
import re
from typing import Any
from unittest.mock import patch

import aiohttp
from homeassistant.components import demo
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import area_registry as ar, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from ..testbed.bed import TestBed
from .conftest import call_local, local_entity_id, remote_state, wait_for

DOMAINS = (
    "alarm_control_panel",
    "lawn_mower",
    "lock",
    "media_player",
    "remote",
    "siren",
    "vacuum",
)
MOWER = "lawn_mower.media_test_mower"
ARTWORK = "media_player.media_test_artwork"
DEMO_PNGS = {(Path(demo.__file__).parent / f"demo_{i}.png").read_bytes() for i in range(4)}


@contextlib.asynccontextmanager
async def remote_service_calls(testbed: TestBed) -> AsyncIterator[list[dict[str, Any]]]:
    """Collect the remote's call_service events (what the remote was asked to do)."""
    calls: list[dict[str, Any]] = []
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{testbed.remote.url}/api/websocket") as ws,
    ):
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": testbed.token})
        assert (await ws.receive_json())["type"] == "auth_ok"
        await ws.send_json({"id": 1, "type": "subscribe_events", "event_type": "call_service"})
        assert (await ws.receive_json())["success"]

        async def _read() -> None:
            async for message in ws:
                data = message.json()
                if data.get("type") == "event":
                    calls.append(data["event"]["data"])

        reader = asyncio.create_task(_read())
        try:
            yield calls
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader


async def received(calls: list[dict[str, Any]], domain: str, service: str) -> dict[str, Any]:
    """Wait for the remote to receive a service call; return its data."""
    await wait_for(lambda: any(c["domain"] == domain and c["service"] == service for c in calls))
    return next(
        c["service_data"] for c in calls if c["domain"] == domain and c["service"] == service
    )


async def remove_remote_states(testbed: TestBed, *entity_ids: str) -> None:
    """Remove states the test wrote on the shared remote."""
    await testbed.remote.async_rest(
        "POST", "/api/services/testbed/remove_states", {"entity_ids": list(entity_ids)}
    )


async def follows(hass: HomeAssistant, testbed: TestBed, local: str, remote: str) -> None:
    """Wait until the local state string equals the remote's (re-read: it may move on)."""
    for _ in range(5):
        expected = (await remote_state(testbed, remote))["state"]
        with contextlib.suppress(TimeoutError):
            await wait_for(lambda e=expected: hass.states.get(local).state == e, timeout=2)
            return
    raise AssertionError(f"{local} is {hass.states.get(local).state}, remote is {expected}")


@pytest.fixture
def kitchen_taken(hass: HomeAssistant) -> None:
    """A local entity already holds media_player.kitchen: the mirror gets another id."""
    er.async_get(hass).async_get_or_create(
        "media_player", "demo", "local-kitchen", suggested_object_id="kitchen"
    )


async def test_every_entity_added_with_the_remote_state(
    hass: HomeAssistant,
    testbed: TestBed,
    mirrored: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The demo has no lawn mower: a remote state stands in for one.
    await testbed.remote.async_set_states(
        [{"entity_id": MOWER, "state": "docked", "attributes": {"supported_features": 15}}]
    )
    try:
        await wait_for(lambda: hass.states.get(MOWER) is not None)
        remote = [
            state
            for state in await testbed.remote.async_rest("GET", "/api/states")
            if state["entity_id"].partition(".")[0] in DOMAINS
        ]
        assert {state["entity_id"].partition(".")[0] for state in remote} == set(DOMAINS)
        for state in remote:
            local = local_entity_id(hass, mirrored, state["entity_id"])
            assert local.partition(".")[0] == state["entity_id"].partition(".")[0]
            await follows(hass, testbed, local, state["entity_id"])
    finally:
        await remove_remote_states(testbed, MOWER)
    ours = re.compile(rf"\b({'|'.join(DOMAINS)})\.[a-z0-9_]+|remote_mtls/({'|'.join(DOMAINS)})\.py")
    formatter = logging.Formatter()
    for record in caplog.get_records("setup") + caplog.get_records("call"):
        text = formatter.format(record)
        if "Error adding entity" in text or "Traceback" in text:
            assert not ours.search(text), text


async def test_media_player_controls(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    remote_id = "media_player.walkman"
    player = local_entity_id(hass, mirrored, remote_id)
    remote = await remote_state(testbed, remote_id)
    local = hass.states.get(player)
    for attribute in ("supported_features", "sound_mode_list", "media_artist", "media_track"):
        assert local.attributes.get(attribute) == remote["attributes"].get(attribute), attribute
    await call_local(hass, "media_player", "media_play", player)
    await call_local(hass, "media_player", "volume_set", player, volume_level=0.35)
    await call_local(hass, "media_player", "volume_mute", player, is_volume_muted=True)
    await call_local(hass, "media_player", "select_sound_mode", player, sound_mode="Movie")
    await call_local(hass, "media_player", "shuffle_set", player, shuffle=True)
    await call_local(hass, "media_player", "repeat_set", player, repeat="all")
    await call_local(hass, "media_player", "media_next_track", player)
    remote = await remote_state(testbed, remote_id)
    changed = {
        "volume_level": 0.35,
        "is_volume_muted": True,
        "sound_mode": "Movie",
        "shuffle": True,
        "repeat": "all",
    }
    assert {key: remote["attributes"][key] for key in changed} == changed
    await wait_for(
        lambda: (
            hass.states.get(player).attributes.get("media_track")
            == remote["attributes"]["media_track"]
        )
    )
    local = hass.states.get(player)
    assert {key: local.attributes[key] for key in changed} == changed
    assert local.attributes["media_title"] == remote["attributes"]["media_title"]
    await call_local(hass, "media_player", "media_pause", player)
    await wait_for(lambda: hass.states.get(player).state == "paused")
    await call_local(hass, "media_player", "volume_up", player)
    assert (await remote_state(testbed, remote_id))["attributes"]["volume_level"] > 0.35
    await call_local(hass, "media_player", "volume_mute", player, is_volume_muted=False)
    await call_local(hass, "media_player", "select_sound_mode", player, sound_mode="Music")
    await call_local(hass, "media_player", "shuffle_set", player, shuffle=False)
    await call_local(hass, "media_player", "repeat_set", player, repeat="off")
    await call_local(hass, "media_player", "media_play", player)
    await wait_for(lambda: hass.states.get(player).state == "playing")


async def test_media_player_sources_seek_and_position(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    tv = local_entity_id(hass, mirrored, "media_player.lounge_room")
    remote = await remote_state(testbed, "media_player.lounge_room")
    assert hass.states.get(tv).attributes["source_list"] == remote["attributes"]["source_list"]
    assert hass.states.get(tv).attributes["device_class"] == "tv"
    await call_local(hass, "media_player", "select_source", tv, source="youtube")
    assert (await remote_state(testbed, "media_player.lounge_room"))["attributes"][
        "source"
    ] == "youtube"
    await wait_for(lambda: hass.states.get(tv).attributes.get("source") == "youtube")
    await call_local(hass, "media_player", "select_source", tv, source="dvd")

    youtube = local_entity_id(hass, mirrored, "media_player.living_room")
    await call_local(
        hass,
        "media_player",
        "play_media",
        youtube,
        media={"media_content_type": "movie", "media_content_id": "dQw4w9WgXcQ"},
    )
    await call_local(hass, "media_player", "media_pause", youtube)
    remote = await remote_state(testbed, "media_player.living_room")
    assert remote["attributes"]["media_content_id"] == "dQw4w9WgXcQ"
    await wait_for(lambda: hass.states.get(youtube).state == "paused")
    local = hass.states.get(youtube)
    assert local.attributes["media_content_id"] == "dQw4w9WgXcQ"
    assert local.attributes["media_position"] == remote["attributes"]["media_position"]
    # Paused demo players report no update time; playing ones do, as a datetime.
    await call_local(hass, "media_player", "media_play", youtube)
    await wait_for(
        lambda: hass.states.get(youtube).attributes.get("media_position_updated_at") is not None
    )
    remote = await remote_state(testbed, "media_player.living_room")
    updated_at = hass.states.get(youtube).attributes["media_position_updated_at"]
    assert updated_at == dt_util.parse_datetime(remote["attributes"]["media_position_updated_at"])
    await call_local(hass, "media_player", "turn_off", youtube)
    assert (await remote_state(testbed, "media_player.living_room"))["state"] == "off"
    await wait_for(lambda: hass.states.get(youtube).state == "off")
    await call_local(hass, "media_player", "toggle", youtube)
    await wait_for(lambda: hass.states.get(youtube).state == "playing")


async def test_media_player_grouping_translates_entity_ids(
    hass: HomeAssistant, testbed: TestBed, kitchen_taken: None, mirrored: MockConfigEntry
) -> None:
    walkman = local_entity_id(hass, mirrored, "media_player.walkman")
    kitchen = local_entity_id(hass, mirrored, "media_player.kitchen")
    assert kitchen != "media_player.kitchen"
    await call_local(hass, "media_player", "join", walkman, group_members=[kitchen])
    remote = await remote_state(testbed, "media_player.walkman")
    assert remote["attributes"]["group_members"] == ["media_player.walkman", "media_player.kitchen"]
    await wait_for(
        lambda: hass.states.get(walkman).attributes.get("group_members") == [walkman, kitchen]
    )
    await call_local(hass, "media_player", "unjoin", walkman)
    assert (await remote_state(testbed, "media_player.walkman"))["attributes"][
        "group_members"
    ] == []
    await wait_for(lambda: hass.states.get(walkman).attributes.get("group_members") == [])


async def test_media_player_artwork_through_the_local_proxy(
    hass: HomeAssistant,
    testbed: TestBed,
    mirrored: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    walkman = local_entity_id(hass, mirrored, "media_player.walkman")
    remote_picture = (await remote_state(testbed, "media_player.walkman"))["attributes"][
        "entity_picture"
    ]
    picture = hass.states.get(walkman).attributes["entity_picture"]
    assert picture.startswith(f"/api/media_player_proxy/{walkman}?token=")
    assert picture.endswith(f"&cache={remote_picture.rpartition('&cache=')[2]}")
    assert picture != remote_picture
    # The demo's artwork is on the internet; a camera image on the remote stands in for it.
    await testbed.remote.async_set_states(
        [
            {
                "entity_id": ARTWORK,
                "state": "playing",
                "attributes": {
                    "entity_picture": "/api/camera_proxy/camera.demo_camera_png?token=x&cache=c1"
                },
            }
        ]
    )
    try:
        await wait_for(lambda: hass.states.get(ARTWORK) is not None)
        picture = hass.states.get(ARTWORK).attributes["entity_picture"]
        assert picture.startswith(f"/api/media_player_proxy/{ARTWORK}?token=")
        assert picture.endswith("&cache=c1")
        client = await hass_client()
        first = await client.get(picture)
        assert first.status == 200
        assert first.content_type == "image/png"
        body = await first.read()
        assert body in DEMO_PNGS
        # The same artwork is not fetched again (the demo camera would answer another image).
        assert await (await client.get(picture)).read() == body
    finally:
        await remove_remote_states(testbed, ARTWORK)


async def test_media_player_browse_and_search(
    hass: HomeAssistant,
    testbed: TestBed,
    mirrored: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    browse = local_entity_id(hass, mirrored, "media_player.browse")
    assert (
        hass.states.get(browse).attributes["supported_features"]
        == (await remote_state(testbed, "media_player.browse"))["attributes"]["supported_features"]
    )
    expected = await testbed.remote.async_ws_command(
        {"type": "media_player/browse_media", "entity_id": "media_player.browse"}
    )
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "media_player/browse_media", "entity_id": browse})
    reply = await client.receive_json()
    assert reply["success"], reply
    assert reply["result"]["title"] == expected["title"]
    assert [child["media_content_id"] for child in reply["result"]["children"]] == [
        child["media_content_id"] for child in expected["children"]
    ]

    search = local_entity_id(hass, mirrored, "media_player.search")
    response = await hass.services.async_call(
        "media_player",
        "search_media",
        {"entity_id": search, "search_query": "anything"},
        blocking=True,
        return_response=True,
    )
    results = response[search].as_dict()["result"]
    assert [item["media_content_id"] for item in results] == ["search_result_id"]
    assert results[0]["title"] == "Search result"


async def test_media_player_browse_thumbnails_only_from_remote_results(
    hass: HomeAssistant, mirrored: MockConfigEntry
) -> None:
    browse = local_entity_id(hass, mirrored, "media_player.browse")
    entity = hass.data["media_player"].get_entity(browse)
    remote_url = (
        "/api/media_player_proxy/media_player.browse/browse_media/music/a%2Fb"
        "?token=r&media_image_id=7"
    )
    assert entity._thumbnail(remote_url) == entity.get_browse_image_url("music", "a/b", "7")
    # Other remote paths are unreachable locally; public URLs stay as they are.
    assert entity._thumbnail("/media/local/cover.jpg") is None
    assert entity._thumbnail("https://example.com/x.png") == "https://example.com/x.png"
    client = mirrored.runtime_data.client
    with patch.object(client, "get_image", return_value=(b"thumb", "image/png")) as get_image:
        assert await entity.async_get_browse_image("music", "a/b", "7") == (b"thumb", "image/png")
        get_image.assert_awaited_once_with(remote_url)
        # Only what the remote listed is fetched: no other path on the remote is reachable.
        assert await entity.async_get_browse_image("music", "../../api/config") == (None, None)
        assert get_image.await_count == 1


async def test_remote_control(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    control = local_entity_id(hass, mirrored, "remote.remote_one")
    async with remote_service_calls(testbed) as calls:
        await call_local(hass, "remote", "turn_on", control, activity="TV")
        assert (await remote_state(testbed, "remote.remote_one"))["state"] == "on"
        assert (await received(calls, "remote", "turn_on"))["activity"] == "TV"
        await wait_for(lambda: hass.states.get(control).state == "on")
        await call_local(hass, "remote", "send_command", control, command=["up", "ok"], device="tv")
        remote = await remote_state(testbed, "remote.remote_one")
        assert remote["attributes"]["last_command_sent"] == "ok"
        sent = await received(calls, "remote", "send_command")
        assert sent["command"] == ["up", "ok"]
        assert sent["device"] == "tv"
        await wait_for(lambda: hass.states.get(control).attributes.get("last_command_sent") == "ok")
        # The demo remote cannot learn: the call reaches it and its failure comes back.
        with pytest.raises(HomeAssistantError):
            await call_local(
                hass, "remote", "learn_command", control, command=["mute"], device="tv", timeout=5
            )
        learned = await received(calls, "remote", "learn_command")
        assert (learned["command"], learned["device"], learned["timeout"]) == (["mute"], "tv", 5)
        with pytest.raises(HomeAssistantError):
            await call_local(hass, "remote", "delete_command", control, command=["mute"])
        assert (await received(calls, "remote", "delete_command"))["command"] == ["mute"]
        await call_local(hass, "remote", "toggle", control)
        assert (await remote_state(testbed, "remote.remote_one"))["state"] == "off"
        await wait_for(lambda: hass.states.get(control).state == "off")


async def test_siren_tone_volume_duration(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    siren = local_entity_id(hass, mirrored, "siren.siren_with_all_features")
    remote = await remote_state(testbed, "siren.siren_with_all_features")
    local = hass.states.get(siren)
    assert local.attributes["available_tones"] == remote["attributes"]["available_tones"]
    assert local.attributes["supported_features"] == remote["attributes"]["supported_features"]
    await call_local(hass, "siren", "turn_off", siren)
    assert (await remote_state(testbed, "siren.siren_with_all_features"))["state"] == "off"
    await wait_for(lambda: hass.states.get(siren).state == "off")
    async with remote_service_calls(testbed) as calls:
        await call_local(hass, "siren", "turn_on", siren, tone="fire", volume_level=0.5, duration=3)
        data = await received(calls, "siren", "turn_on")
    assert (data["tone"], data["volume_level"], data["duration"]) == ("fire", 0.5, 3)
    assert (await remote_state(testbed, "siren.siren_with_all_features"))["state"] == "on"
    await wait_for(lambda: hass.states.get(siren).state == "on")
    # A tone the remote does not offer is refused locally.
    with pytest.raises(ValueError, match="Invalid tone"):
        await call_local(hass, "siren", "turn_on", siren, tone="doorbell")


async def test_lock_states_and_open(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    door = local_entity_id(hass, mirrored, "lock.openable_lock")
    assert hass.states.get(door).attributes["supported_features"] == 1
    await call_local(hass, "lock", "unlock", door)
    assert (await remote_state(testbed, "lock.openable_lock"))["state"] == "unlocked"
    await wait_for(lambda: hass.states.get(door).state == "unlocked")
    await call_local(hass, "lock", "open", door)
    assert (await remote_state(testbed, "lock.openable_lock"))["state"] == "open"
    await wait_for(lambda: hass.states.get(door).state == "open")
    await call_local(hass, "lock", "lock", door)
    assert (await remote_state(testbed, "lock.openable_lock"))["state"] == "locked"
    await wait_for(lambda: hass.states.get(door).state == "locked")
    # The poorly installed door jams when locked; the mirror shows the jam.
    poor = local_entity_id(hass, mirrored, "lock.poorly_installed_door")
    with pytest.raises(ServiceValidationError):
        await call_local(hass, "lock", "open", poor)  # not supported by that lock
    await call_local(hass, "lock", "lock", poor)
    assert (await remote_state(testbed, "lock.poorly_installed_door"))["state"] == "jammed"
    await wait_for(lambda: hass.states.get(poor).state == "jammed")
    await call_local(hass, "lock", "unlock", poor)
    await wait_for(lambda: hass.states.get(poor).state == "unlocked")


async def test_alarm_panel_codes(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    panel = local_entity_id(hass, mirrored, "alarm_control_panel.security")
    remote = await remote_state(testbed, "alarm_control_panel.security")
    local = hass.states.get(panel)
    for attribute in ("code_format", "code_arm_required", "supported_features", "changed_by"):
        assert local.attributes[attribute] == remote["attributes"][attribute], attribute
    # The required arm code is checked locally; a wrong code is refused by the remote.
    with pytest.raises(ServiceValidationError):
        await call_local(hass, "alarm_control_panel", "alarm_arm_away", panel)
    with pytest.raises(ServiceValidationError):
        await call_local(hass, "alarm_control_panel", "alarm_arm_away", panel, code="0000")
    await call_local(hass, "alarm_control_panel", "alarm_arm_night", panel, code="1234")
    assert (await remote_state(testbed, "alarm_control_panel.security"))["state"] == "arming"
    await wait_for(lambda: hass.states.get(panel).state == "arming")
    assert hass.states.get(panel).attributes["next_state"] == "armed_night"
    await call_local(hass, "alarm_control_panel", "alarm_trigger", panel, code="1234")
    await follows(hass, testbed, panel, "alarm_control_panel.security")
    await call_local(hass, "alarm_control_panel", "alarm_disarm", panel, code="1234")
    assert (await remote_state(testbed, "alarm_control_panel.security"))["state"] == "disarmed"
    await wait_for(lambda: hass.states.get(panel).state == "disarmed")


async def test_vacuum_commands_and_fan_speed(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    remote_id = "vacuum.demo_vacuum_0_ground_floor"
    vacuum = local_entity_id(hass, mirrored, remote_id)
    remote = await remote_state(testbed, remote_id)
    local = hass.states.get(vacuum)
    for attribute in ("supported_features", "fan_speed_list", "fan_speed"):
        assert local.attributes[attribute] == remote["attributes"][attribute], attribute
    await call_local(hass, "vacuum", "set_fan_speed", vacuum, fan_speed="max")
    assert (await remote_state(testbed, remote_id))["attributes"]["fan_speed"] == "max"
    await wait_for(lambda: hass.states.get(vacuum).attributes["fan_speed"] == "max")
    await call_local(hass, "vacuum", "start", vacuum)
    assert (await remote_state(testbed, remote_id))["state"] == "cleaning"
    await wait_for(lambda: hass.states.get(vacuum).state == "cleaning")
    await call_local(hass, "vacuum", "pause", vacuum)
    await wait_for(lambda: hass.states.get(vacuum).state == "paused")
    async with remote_service_calls(testbed) as calls:
        await call_local(hass, "vacuum", "send_command", vacuum, command="spot", params={"x": 1})
        data = await received(calls, "vacuum", "send_command")
    assert (data["command"], data["params"]) == ("spot", {"x": 1})
    assert (await remote_state(testbed, remote_id))["state"] == "idle"
    await wait_for(lambda: hass.states.get(vacuum).state == "idle")
    await call_local(hass, "vacuum", "clean_spot", vacuum)
    await wait_for(lambda: hass.states.get(vacuum).state == "cleaning")
    await call_local(hass, "vacuum", "stop", vacuum)
    await wait_for(lambda: hass.states.get(vacuum).state == "idle")
    await call_local(hass, "vacuum", "set_fan_speed", vacuum, fan_speed="medium")
    await call_local(hass, "vacuum", "return_to_base", vacuum)
    assert (await remote_state(testbed, remote_id))["state"] == "returning"
    await wait_for(lambda: hass.states.get(vacuum).state == "returning")


async def test_vacuum_segments_and_area_cleaning(
    hass: HomeAssistant,
    testbed: TestBed,
    mirrored: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    remote_id = "vacuum.demo_vacuum_0_ground_floor"
    vacuum = local_entity_id(hass, mirrored, remote_id)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "vacuum/get_segments", "entity_id": vacuum})
    reply = await client.receive_json()
    expected = await testbed.remote.async_ws_command(
        {"type": "vacuum/get_segments", "entity_id": remote_id}
    )
    assert reply["result"] == expected
    segments = reply["result"]["segments"]

    # The remote maps one of its areas to two segments; locally an area maps to the same two.
    remote_area = await testbed.remote.async_ws_command(
        {"type": "config/area_registry/create", "name": "Media test wet rooms"}
    )
    mapping = {remote_area["area_id"]: ["kitchen", "bathroom"]}
    await testbed.remote.async_ws_command(
        {
            "type": "config/entity_registry/update",
            "entity_id": remote_id,
            "options_domain": "vacuum",
            "options": {"area_mapping": mapping, "last_seen_segments": segments},
        }
    )
    try:
        mirror = mirrored.runtime_data.mirrors[mirrored.runtime_data.key_for(remote_id)]
        await wait_for(
            lambda: mirror.registry and mirror.registry.domain_options("vacuum").get("area_mapping")
        )
        areas = ar.async_get(hass)
        wet = areas.async_create("Wet rooms").id
        kitchen = areas.async_create("Just the kitchen").id
        er.async_get(hass).async_update_entity_options(
            vacuum,
            "vacuum",
            {
                "area_mapping": {wet: ["kitchen", "bathroom"], kitchen: ["kitchen"]},
                "last_seen_segments": segments,
            },
        )
        before = (await remote_state(testbed, remote_id))["attributes"]["cleaned_area"]
        async with remote_service_calls(testbed) as calls:
            await call_local(hass, "vacuum", "clean_area", vacuum, cleaning_area_id=[wet])
            data = await received(calls, "vacuum", "clean_area")
        assert data["cleaning_area_id"] == [remote_area["area_id"]]
        remote = await remote_state(testbed, remote_id)
        assert remote["state"] == "cleaning"
        assert remote["attributes"]["cleaned_area"] == pytest.approx(before + 1.4)
        await wait_for(lambda: hass.states.get(vacuum).state == "cleaning")
        # No remote area covers the kitchen alone: refused rather than cleaning more.
        with pytest.raises(ServiceValidationError):
            await call_local(hass, "vacuum", "clean_area", vacuum, cleaning_area_id=[kitchen])
    finally:
        await testbed.remote.async_ws_command(
            {
                "type": "config/entity_registry/update",
                "entity_id": remote_id,
                "options_domain": "vacuum",
                "options": {},
            }
        )
        await testbed.remote.async_ws_command(
            {"type": "config/area_registry/delete", "area_id": remote_area["area_id"]}
        )
    await call_local(hass, "vacuum", "return_to_base", vacuum)


async def test_lawn_mower(hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry) -> None:
    # No demo mower exists: a remote state stands in; its service calls are observed on the
    # remote (nothing there acts on them), its activity changes are written there by hand.
    await testbed.remote.async_set_states(
        [
            {
                "entity_id": MOWER,
                "state": "docked",
                "attributes": {"friendly_name": "Media test mower", "supported_features": 13},
            }
        ]
    )
    try:
        await wait_for(lambda: hass.states.get(MOWER) is not None)
        mower = local_entity_id(hass, mirrored, MOWER)
        local = hass.states.get(mower)
        assert (local.state, local.attributes["supported_features"]) == ("docked", 13)
        async with remote_service_calls(testbed) as calls:
            for service in ("start_mowing", "dock", "stop"):
                await call_local(hass, "lawn_mower", service, mower)
                assert (await received(calls, "lawn_mower", service))["entity_id"] == [MOWER]
        # PAUSE (2) is not among the remote's features: refused locally.
        with pytest.raises(ServiceValidationError):
            await call_local(hass, "lawn_mower", "pause", mower)
        for activity in ("mowing", "paused", "returning", "error", "idle"):
            await testbed.remote.async_set_states(
                [{"entity_id": MOWER, "state": activity, "attributes": {"supported_features": 13}}]
            )
            await wait_for(lambda activity=activity: hass.states.get(mower).state == activity)
        await testbed.remote.async_set_states(
            [{"entity_id": MOWER, "state": "cutting", "attributes": {"supported_features": 13}}]
        )
        await wait_for(lambda: hass.states.get(mower).state == "unknown")
    finally:
        await remove_remote_states(testbed, MOWER)
