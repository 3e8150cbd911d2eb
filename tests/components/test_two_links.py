"""Two links on one local Home Assistant to two different remotes (the test bed's remote and a
peer, each behind its own nginx requiring the client certificate) keep apart: entities, states,
devices, forwarded actions and events, and repairs of one link never reach the other."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.storage import Store
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.remote_mtls import link_manager as link_manager_module
from custom_components.remote_mtls.api import Timings
from custom_components.remote_mtls.const import CONF_EVENT_TYPES, DOMAIN, ORIGIN_MARKER
from custom_components.remote_mtls.secret_store import (
    Secrets,
    async_load_secrets,
    async_remove_secrets,
    async_save_secrets,
)

from ..testbed.bed import TestBed
from ..testbed.peers import Peers, running_peers
from ..testbed.remote_ha import RemoteHomeAssistant
from ..testbed.sync import sockets_allowed
from .conftest import add_entry, local_entity_id, mirrored_entries, remote_ids, wait_for

EVENT = "hub_ping"


@pytest.fixture(scope="module")
def second_remote(testbed: TestBed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peers]:
    """A second remote Home Assistant (the peer configuration) behind its own nginx."""
    directory = tmp_path_factory.mktemp("second_remote")
    with (
        sockets_allowed(),
        running_peers(directory, testbed.pki, ("second",), with_integration=False) as peers,
    ):
        yield peers


async def _linked(
    hass: HomeAssistant, bed: TestBed, url: str | None, token: str, secret_key: str
) -> MockConfigEntry:
    entry = await add_entry(hass, bed, url=url, token=token, p12=bed.p12(), secret_key=secret_key)
    hass.config_entries.async_update_entry(entry, options={CONF_EVENT_TYPES: [EVENT]})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def _remote_ids(remote: RemoteHomeAssistant) -> set[str]:
    return {state["entity_id"] for state in await remote.async_rest("GET", "/api/states")}


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def _issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"remote_unreachable_{entry.entry_id}")


async def test_two_links_to_two_remotes_keep_apart(
    hass: HomeAssistant,
    testbed: TestBed,
    second_remote: Peers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(link_manager_module, "UNREACHABLE_AFTER", timedelta(seconds=0.3))
    peer = second_remote.homes["second"]
    first = await _linked(hass, testbed, None, testbed.token, "k1")
    second = await _linked(hass, testbed, second_remote.url("second"), peer.token, "k2")
    assert first.runtime_data.remote_id != second.runtime_data.remote_id

    # Entities: each link mirrors its own remote, and only that.
    on_first, on_second = await _remote_ids(testbed.remote), await _remote_ids(peer)
    mirrors_first, mirrors_second = remote_ids(first.runtime_data), remote_ids(second.runtime_data)
    assert "input_boolean.porch" in mirrors_first
    assert "input_boolean.lamp" in mirrors_second
    assert mirrors_first <= on_first
    assert mirrors_second <= on_second
    assert not mirrors_first & (on_second - on_first)
    assert not mirrors_second & (on_first - on_second)
    entries = {entry.entry_id: mirrored_entries(hass, entry) for entry in (first, second)}
    assert len(entries[second.entry_id]) == len(mirrors_second)
    for entry_id, registry_entries in entries.items():
        assert all(item.unique_id.startswith(f"{entry_id}-") for item in registry_entries)
    first_ids = {item.entity_id for item in entries[first.entry_id]}
    second_ids = {item.entity_id for item in entries[second.entry_id]}
    assert not first_ids & second_ids
    devices = dr.async_get(hass)
    devices_first = dr.async_entries_for_config_entry(devices, first.entry_id)
    devices_second = dr.async_entries_for_config_entry(devices, second.entry_id)
    assert devices_first and devices_second
    assert not {device.id for device in devices_first} & {device.id for device in devices_second}

    # States and forwarded actions: a change on one remote moves only its own mirror.
    porch, lamp = (
        local_entity_id(hass, first, "input_boolean.porch"),
        local_entity_id(hass, second, "input_boolean.lamp"),
    )
    porch_before = _state(hass, porch)
    lamp_before = (await peer.async_rest("GET", "/api/states/input_boolean.lamp"))["state"]
    await hass.services.async_call("switch", "toggle", {"entity_id": lamp}, blocking=True)
    lamp_after = (await peer.async_rest("GET", "/api/states/input_boolean.lamp"))["state"]
    assert {lamp_before, lamp_after} == {"on", "off"}
    await wait_for(lambda: _state(hass, lamp) == lamp_after)
    assert _state(hass, porch) == porch_before
    assert (await testbed.remote.async_rest("GET", "/api/states/input_boolean.porch"))[
        "state"
    ] == porch_before

    # Events: one forwarded copy per remote event, marked with the link it came through.
    received: list[Event] = []
    hass.bus.async_listen(EVENT, received.append)
    await peer.async_rest("POST", f"/api/events/{EVENT}", {"home": "second"})
    await testbed.remote.async_rest("POST", f"/api/events/{EVENT}", {"home": "first"})
    await wait_for(lambda: len(received) >= 2)
    await hass.async_block_till_done()
    origins = {event.data["home"]: event.data[ORIGIN_MARKER]["entry_id"] for event in received}
    assert len(received) == 2
    assert origins == {"first": first.entry_id, "second": second.entry_id}

    # Repairs and availability: the second remote's proxy goes away; only its link notices.
    second.runtime_data.websocket.timings = Timings(backoff_min=0.2, backoff_max=0.4)
    second_remote.nginx.stop()
    try:
        await wait_for(lambda: _issue(hass, second) is not None)
        await wait_for(lambda: _state(hass, lamp) == STATE_UNAVAILABLE)
        assert _issue(hass, first) is None
        assert first.runtime_data.connected
        assert _state(hass, porch) == porch_before
    finally:
        second_remote.nginx.start()
    await wait_for(lambda: _issue(hass, second) is None, timeout=20)
    await wait_for(lambda: _state(hass, lamp) == lamp_after)
    assert _issue(hass, first) is None
    for entry in (first, second):
        await hass.config_entries.async_unload(entry.entry_id)


async def test_links_added_at_once_keep_their_secrets(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Config flows finishing together each save their secrets; none overwrites another."""
    load = Store.async_load

    async def slow_load(store: Store[Any]) -> Any:
        data = await load(store)
        await asyncio.sleep(0.01)  # a slow disk: other flows load meanwhile
        return data

    monkeypatch.setattr(Store, "async_load", slow_load)
    await asyncio.gather(
        *(async_save_secrets(hass, f"k{index}", Secrets(f"token-{index}")) for index in range(10))
    )
    await asyncio.gather(*(async_remove_secrets(hass, f"k{index}") for index in range(0, 10, 2)))
    for index in range(10):
        secrets = await async_load_secrets(hass, f"k{index}")
        assert (secrets.token if secrets else None) == (
            None if index % 2 == 0 else f"token-{index}"
        )
