"""Odd and hostile remote data: mirrored, or skipped with one log line; never a dead coordinator."""

from __future__ import annotations

from collections.abc import AsyncIterator
import logging
import time
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.remote_mtls.api import WebSocketSession
from custom_components.remote_mtls.const import DOMAIN

from ..testbed.bed import TestBed
from .health import wait_until
from .hostile import MIRRORABLE, USABLE_AGAIN, WRONG_TYPES, about

pytestmark = pytest.mark.slow

CASES = [*WRONG_TYPES, *MIRRORABLE]


@pytest.fixture
async def hostile_remote(testbed: TestBed) -> AsyncIterator[TestBed]:
    """The remote, cleaned of every odd entity afterwards (the bed is shared)."""
    yield testbed
    await testbed.remote.async_rest(
        "POST",
        "/api/services/testbed/remove_states",
        {"entity_ids": [c["entity_id"] for c in CASES]},
    )


def local_id(hass: HomeAssistant, entry: MockConfigEntry, remote_id: str) -> str | None:
    """The local entity of a remote one, if it was added."""
    coordinator = entry.runtime_data
    key = coordinator._key_by_entity_id.get(remote_id)
    if key is None:
        return None
    mirror = coordinator.mirrors[key]
    return er.async_get(hass).async_get_entity_id(
        mirror.platform, DOMAIN, f"{entry.entry_id}-{key}"
    )


async def toggle_and_follow(hass: HomeAssistant, entry: MockConfigEntry, bed: TestBed) -> None:
    """A normal remote entity still updates its mirror (the coordinator is alive)."""
    await bed.remote.async_rest(
        "POST", "/api/services/input_boolean/toggle", {"entity_id": "input_boolean.porch"}
    )
    remote = (await bed.remote.async_rest("GET", "/api/states/input_boolean.porch"))["state"]
    porch = local_id(hass, entry, "input_boolean.porch")
    assert porch is not None
    await wait_until(lambda: hass.states.get(porch).state == remote, 10)


async def test_odd_remote_data_is_mirrored_or_skipped_with_one_log_line(
    hass: HomeAssistant,
    hostile_remote: TestBed,
    link: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    coordinator = link.runtime_data
    await hostile_remote.remote.async_set_states(CASES)

    def _all_added() -> bool:
        ids = [local_id(hass, link, c["entity_id"]) for c in CASES]
        return all(i is not None and hass.states.get(i) is not None for i in ids)

    await wait_until(_all_added, 30)
    await coordinator.async_wait_idle()
    skipped = []
    for item in CASES:
        remote_id = item["entity_id"]
        local = local_id(hass, link, remote_id)
        assert local is not None
        state = hass.states.get(local)
        lines = about(caplog.records, remote_id, local)
        if remote_id == "sensor.odd_blob":  # mirrored without its oversized attribute
            assert len(lines) == 1, [r.getMessage() for r in lines]
        elif state.state == "unavailable":
            skipped.append(remote_id)
            assert len(lines) == 1, (remote_id, [r.getMessage() for r in lines])
        else:
            assert lines == [], (remote_id, [r.getMessage() for r in lines])
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not {c["entity_id"] for c in MIRRORABLE} & set(skipped)
    assert skipped  # the wrong types do reach code that cannot take them

    blob = hass.states.get(local_id(hass, link, "sensor.odd_blob"))
    assert blob.state == "1"
    assert "blob" not in blob.attributes
    unicode_name = hass.states.get(local_id(hass, link, "sensor.odd_unicode"))
    assert unicode_name.name == "Küche 🔥 灯 \u202e ünïcödé"
    unknown = hass.states.get(local_id(hass, link, "zz_unknown_domain.odd_thing"))
    assert unknown.state == "weird"
    assert unknown.attributes["nested"] == [1, {"deep": [None, True]}]
    bits = hass.states.get(local_id(hass, link, "light.odd_future_bits"))
    assert bits.state == "on"

    # The same odd data again: no new log line, and the coordinator keeps working.
    logged = len(caplog.records)
    await hostile_remote.remote.async_set_states(
        [{**c, "attributes": {**c["attributes"], "round": 2}} for c in CASES]
    )
    await toggle_and_follow(hass, link, hostile_remote)
    await coordinator.async_wait_idle()
    assert len(caplog.records) == logged, [r.getMessage() for r in caplog.records[logged:]]

    # Usable data again: the skipped entities come back.
    await hostile_remote.remote.async_set_states(USABLE_AGAIN)
    for item in USABLE_AGAIN:
        local = local_id(hass, link, item["entity_id"])
        await wait_until(lambda local=local: hass.states.get(local).state != "unavailable", 10)
    light = hass.states.get(local_id(hass, link, "light.odd_hs_short"))
    assert light.state == "on"
    assert light.attributes["hs_color"] == (30, 50)
    select = hass.states.get(local_id(hass, link, "select.odd_types"))
    assert select.attributes["options"] == ["a", "b"]
    assert select.state == "a"


def inject(websocket: WebSocketSession, event: dict[str, Any]) -> None:
    """Deliver a subscribe_entities event as if the remote had sent it."""
    subscription = next(
        s for s in websocket._all_subscriptions if s.message["type"] == "subscribe_entities"
    )
    websocket._dispatch({"type": "event", "id": subscription.message_id, "event": event})


async def test_frames_no_home_assistant_would_send(
    hass: HomeAssistant, testbed: TestBed, link: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """A modified or compromised remote: over-long states, malformed entries among good ones."""
    caplog.set_level(logging.WARNING)
    websocket = link.runtime_data.websocket
    now = time.time()
    long_state = "é" * 300
    inject(
        websocket,
        {
            "a": {
                "sensor.odd_long": {"s": long_state, "a": {}, "lc": now},
                "zz_unknown_domain.odd_long_unknown": {"s": long_state, "a": {}, "lc": now},
                "sensor.odd_good_1": {"s": "1", "a": {}, "lc": now},
                "sensor.odd_bad_time": {"s": "1", "a": {}, "lc": "yesterday"},
                "sensor.odd_bad_attributes": {"s": "1", "a": [1, 2], "lc": now},
                "sensor.odd_not_a_dict": ["s", "1"],
                "sensor.odd_good_2": {"s": "2", "a": {}, "lc": now},
            }
        },
    )
    coordinator = link.runtime_data
    await coordinator.async_wait_idle()
    good = [local_id(hass, link, f"sensor.odd_good_{n}") for n in (1, 2)]
    await wait_until(lambda: all(g and hass.states.get(g) for g in good), 10)
    assert [hass.states.get(g).state for g in good] == ["1", "2"]
    for malformed in ("sensor.odd_bad_time", "sensor.odd_bad_attributes", "sensor.odd_not_a_dict"):
        assert local_id(hass, link, malformed) is None
        assert len(about(caplog.records, malformed)) == 1
    long_sensor = local_id(hass, link, "sensor.odd_long")
    await wait_until(lambda: hass.states.get(long_sensor) is not None, 10)
    assert hass.states.get(long_sensor).state == "unavailable"
    assert len(about(caplog.records, "sensor.odd_long", long_sensor)) == 1
    cut = hass.states.get(local_id(hass, link, "zz_unknown_domain.odd_long_unknown"))
    assert cut.state == long_state[:255]

    # A malformed diff leaves the entity as it was; a good one still applies.
    inject(websocket, {"c": {"sensor.odd_good_1": {"+": {"s": "3", "lc": "later"}}}})
    inject(websocket, {"c": {"sensor.odd_good_2": {"+": {"s": "4", "lc": now + 1}}}})
    await coordinator.async_wait_idle()
    await wait_until(lambda: hass.states.get(good[1]).state == "4", 10)
    assert hass.states.get(good[0]).state == "1"
    assert len(about(caplog.records, "sensor.odd_good_1")) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    await toggle_and_follow(hass, link, testbed)
