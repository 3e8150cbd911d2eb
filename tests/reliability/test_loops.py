"""Two real Home Assistants linking each other stay stable: no entity growth, no event ping-pong."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import contextlib
from pathlib import Path
import time
from typing import Any

import aiohttp
import pytest

from ..testbed.bed import P12_PASSWORD, TestBed
from ..testbed.linking import async_link, async_set_options
from ..testbed.peers import Peers, running_peers
from ..testbed.remote_ha import RemoteHomeAssistant
from ..testbed.sync import sockets_allowed

pytestmark = pytest.mark.slow

CHURN_SECONDS = 30.0


@pytest.fixture(scope="module")
def peers(testbed: TestBed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peers]:
    """Start two peer Home Assistants with this integration installed, behind nginx."""
    directory: Path = tmp_path_factory.mktemp("peers")
    # Free ports are found with sockets.
    with sockets_allowed(), running_peers(directory, testbed.pki, ("b", "c")) as peers:
        yield peers


async def _mirror_count(ha: RemoteHomeAssistant) -> int:
    entries = await ha.async_ws_command({"type": "config/entity_registry/list"})
    return sum(1 for entry in entries if entry["platform"] == "remote_mtls")


async def _entry_states(ha: RemoteHomeAssistant) -> list[str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{ha.url}/api/config/config_entries/entry",
            headers={"Authorization": f"Bearer {ha.token}"},
        ) as resp,
    ):
        entries: list[dict[str, Any]] = await resp.json()
    return [entry["state"] for entry in entries if entry["domain"] == "remote_mtls"]


async def _wait(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.2)


async def _count_events(ha: RemoteHomeAssistant, event_type: str, seconds: float) -> list[Any]:
    """Collect events of one type on `ha` for a while."""
    events: list[Any] = []
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{ha.url}/api/websocket") as ws,
    ):
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": ha.token})
        await ws.receive_json()
        await ws.send_json({"id": 1, "type": "subscribe_events", "event_type": event_type})
        await ws.receive_json()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    message = await ws.receive_json()
                    events.append(message["event"])
    return events


async def test_two_homes_linking_each_other_stay_stable(testbed: TestBed, peers: Peers) -> None:
    b, c = peers.homes["b"], peers.homes["c"]
    p12 = testbed.p12()
    link_b = await async_link(b, peers.url("c"), p12, P12_PASSWORD, c.token)
    link_c = await async_link(c, peers.url("b"), p12, P12_PASSWORD, b.token)
    for ha in (b, c):
        await _wait(lambda ha=ha: _loaded(ha))
    # Both sides see the other's mirrors appear; wait until the counts settle.
    await asyncio.sleep(3)
    counts = (await _mirror_count(b), await _mirror_count(c))
    assert counts[0] > 5 and counts[1] > 5

    deadline = time.monotonic() + CHURN_SECONDS
    flips = 0
    while time.monotonic() < deadline:
        for ha in (b, c):
            await ha.async_rest(
                "POST", "/api/services/input_boolean/toggle", {"entity_id": "input_boolean.lamp"}
            )
            await ha.async_rest(
                "POST",
                "/api/services/input_number/set_value",
                {"entity_id": "input_number.level", "value": flips % 100},
            )
        flips += 1
        assert (await _mirror_count(b), await _mirror_count(c)) == counts
        await asyncio.sleep(0.3)
    # The mirror of b's lamp on c shows b's lamp (state flows across, not back).
    lamp_b = (await b.async_rest("GET", "/api/states/input_boolean.lamp"))["state"]
    await _wait(lambda: _state_is(c, "switch.lamp", lamp_b), timeout=10)

    # Events: forwarded once to the other side, never bounced back.
    await async_set_options(b, link_b, {"event_types": ["peer_ping"]})
    await async_set_options(c, link_c, {"event_types": ["peer_ping"]})
    for ha in (b, c):
        await _wait(lambda ha=ha: _loaded(ha))
    on_b = asyncio.create_task(_count_events(b, "peer_ping", 4))
    on_c = asyncio.create_task(_count_events(c, "peer_ping", 4))
    await asyncio.sleep(0.5)
    await b.async_rest("POST", "/api/events/peer_ping", {"n": 1})
    events_b, events_c = await on_b, await on_c
    assert len(events_b) == 1  # its own; the copy on c carries the origin marker
    assert len(events_c) == 1
    assert "remote_mtls_origin" in events_c[0]["data"]
    assert (await _mirror_count(b), await _mirror_count(c)) == counts


async def _loaded(ha: RemoteHomeAssistant) -> bool:
    states = await _entry_states(ha)
    return bool(states) and all(state == "loaded" for state in states)


async def _state_is(ha: RemoteHomeAssistant, entity_id: str, expected: str) -> bool:
    try:
        state = await ha.async_rest("GET", f"/api/states/{entity_id}")
    except aiohttp.ClientResponseError:
        return False
    return bool(state["state"] == expected)
