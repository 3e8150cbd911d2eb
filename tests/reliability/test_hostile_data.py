"""Odd and hostile remote data: mirrored, or skipped with one log line; never a dead coordinator."""

from __future__ import annotations

from collections.abc import AsyncIterator
import logging

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..components.conftest import mirrored_local_id
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


async def toggle_and_follow(hass: HomeAssistant, entry: MockConfigEntry, bed: TestBed) -> None:
    """A normal remote entity still updates its mirror (the coordinator is alive)."""
    await bed.remote.async_rest(
        "POST", "/api/services/input_boolean/toggle", {"entity_id": "input_boolean.porch"}
    )
    remote = (await bed.remote.async_rest("GET", "/api/states/input_boolean.porch"))["state"]
    porch = mirrored_local_id(hass, entry, "input_boolean.porch")
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
        ids = [mirrored_local_id(hass, link, c["entity_id"]) for c in CASES]
        return all(i is not None and hass.states.get(i) is not None for i in ids)

    await wait_until(_all_added, 30)
    await coordinator.async_wait_idle()
    skipped = []
    for item in CASES:
        remote_id = item["entity_id"]
        local = mirrored_local_id(hass, link, remote_id)
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

    blob = hass.states.get(mirrored_local_id(hass, link, "sensor.odd_blob"))
    assert blob.state == "1"
    assert "blob" not in blob.attributes
    unicode_name = hass.states.get(mirrored_local_id(hass, link, "sensor.odd_unicode"))
    assert unicode_name.name == "Küche 🔥 灯 \u202e ünïcödé"
    unknown = hass.states.get(mirrored_local_id(hass, link, "zz_unknown_domain.odd_thing"))
    assert unknown.state == "weird"
    assert unknown.attributes["nested"] == [1, {"deep": [None, True]}]
    bits = hass.states.get(mirrored_local_id(hass, link, "light.odd_future_bits"))
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
        local = mirrored_local_id(hass, link, item["entity_id"])
        await wait_until(lambda local=local: hass.states.get(local).state != "unavailable", 10)
    light = hass.states.get(mirrored_local_id(hass, link, "light.odd_hs_short"))
    assert light.state == "on"
    assert light.attributes["hs_color"] == (30, 50)
    select = hass.states.get(mirrored_local_id(hass, link, "select.odd_types"))
    assert select.attributes["options"] == ["a", "b"]
    assert select.state == "a"
