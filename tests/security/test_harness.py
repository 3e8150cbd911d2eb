"""The hostile harness itself works: a link mirrors its states, pushes arrive, recorders record."""

from __future__ import annotations

import asyncio
from pathlib import Path
import ssl

import aiohttp
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.remote_mtls.const import CONF_EVENT_TYPES

from ..components.conftest import local_entity_id, wait_for
from ..testbed.bed import TestBed
from .conftest import HostileBed, hostile_linked
from .hostile_remote import Script, ScriptedEntity
from .recorder import NOT_FOUND, Recorder

LIGHT_ATTRIBUTES = {"supported_color_modes": ["onoff"], "color_mode": "onoff"}


@pytest.fixture
def hostile_script(hostile_script: Script) -> Script:
    """Two remote entities before the link comes up."""
    hostile_script.states["sensor.hostile_a"] = ScriptedEntity("1")
    hostile_script.states["light.hostile_b"] = ScriptedEntity("on", LIGHT_ATTRIBUTES)
    return hostile_script


def _state(hass: HomeAssistant, entity_id: str) -> str | None:
    state = hass.states.get(entity_id)
    return state.state if state is not None else None


async def test_link_mirrors_the_hostile_remote(
    hass: HomeAssistant, hostile: HostileBed, hostile_link: MockConfigEntry
) -> None:
    """Scripted states are mirrored through nginx mTLS; set_state changes follow."""
    sensor = local_entity_id(hass, hostile_link, "sensor.hostile_a")
    light = local_entity_id(hass, hostile_link, "light.hostile_b")
    assert sensor.startswith("sensor.") and light.startswith("light.")
    assert _state(hass, sensor) == "1"
    assert _state(hass, light) == "on"
    received = hostile.server.received
    assert received.tokens == [hostile.token]
    upgrade = next(r for r in received.requests if r.path == "/api/websocket")
    assert upgrade.headers.get("X-Forwarded-For") == "127.0.0.1"  # it came through nginx

    assert await hostile.server.async_set_state("sensor.hostile_a", "2") == 1
    await wait_for(lambda: _state(hass, sensor) == "2")
    assert _state(hass, light) == "on"


async def test_send_event_reaches_the_local_bus(hass: HomeAssistant, hostile_reset: HostileBed):
    """An event pushed on the link's event subscription is fired locally."""
    events = async_capture_events(hass, "hostile_ping")
    async with hostile_linked(hass, hostile_reset, options={CONF_EVENT_TYPES: ["hostile_ping"]}):
        assert await hostile_reset.server.async_send_event("hostile_ping", {"n": 1}) == 1
        await wait_for(lambda: events)
    assert events[0].data["n"] == 1
    await wait_for(lambda: hostile_reset.server.connection_count == 0)  # unloading closed it


async def test_nginx_refuses_a_client_without_certificate(hostile_reset: HostileBed) -> None:
    """The hostile remote is only reachable with the client certificate, like the real one."""
    context = ssl.create_default_context(cadata=hostile_reset.testbed.ca_pem)
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{hostile_reset.url}/auth/providers", ssl=context) as resp:
            assert resp.status == 400
    assert hostile_reset.server.received.requests == []


async def test_recorders_record(
    recorder: Recorder, tls_recorder: Recorder, testbed: TestBed, tmp_path: Path
) -> None:
    """Bytes reach the plain recorder; the TLS one records handshakes and client certificates."""
    reader, writer = await asyncio.open_connection("127.0.0.1", recorder.port)
    writer.write(b"GET /leak HTTP/1.1\r\nAuthorization: Bearer secret\r\n\r\n")
    assert await _answer(reader, writer) == NOT_FOUND
    assert b"Bearer secret" in recorder.data

    context = ssl.create_default_context(cadata=testbed.ca_pem)
    reader, writer = await asyncio.open_connection("127.0.0.1", tls_recorder.port, ssl=context)
    writer.write(b"GET /anonymous HTTP/1.1\r\n\r\n")
    assert await _answer(reader, writer) == NOT_FOUND
    context.load_cert_chain(*testbed.pki.client.write(tmp_path, "client"))
    reader, writer = await asyncio.open_connection("127.0.0.1", tls_recorder.port, ssl=context)
    writer.write(b"GET /with-cert HTTP/1.1\r\n\r\n")
    assert await _answer(reader, writer) == NOT_FOUND

    anonymous, with_cert = tls_recorder.connections
    assert anonymous.handshake and anonymous.peercert is None
    assert bytes(anonymous.data).startswith(b"GET /anonymous")
    assert with_cert.handshake and with_cert.peercert is not None
    assert with_cert.peercert["subject"] == ((("commonName", "test-client"),),)
    assert tls_recorder.peercerts == [with_cert.peercert]


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    """Send what was written, read the answer until the listener closes, then close."""
    await writer.drain()
    answer = await reader.read()
    writer.close()
    await writer.wait_closed()
    return answer
