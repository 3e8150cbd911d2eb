"""Attacks by the remote itself (authenticated, hostile), through the real nginx mTLS proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
import logging
import time

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.remote_mtls.api import Timings, WebSocketSession
from custom_components.remote_mtls.const import (
    CONF_EVENT_TYPES,
    CONF_MAX_ENTITIES,
    CONF_SECRET_KEY,
    DOMAIN,
    ORIGIN_MARKER,
)
from custom_components.remote_mtls.limits import MAX_ATTRIBUTES_BYTES
from custom_components.remote_mtls.remote_events import EVENT_BURST
from custom_components.remote_mtls.secret_store import Secrets, async_save_secrets

from ..components.conftest import local_entity_id, mirrored_local_id, wait_for
from .conftest import HostileBed, add_hostile_entry, hostile_linked
from .hostile_remote import RawResponse, ScriptedEntity
from .recorder import Recorder


@asynccontextmanager
async def _one_sensor_linked(
    hass: HomeAssistant, hostile: HostileBed
) -> AsyncIterator[tuple[MockConfigEntry, WebSocketSession, int]]:
    """A link to a remote with one sensor; its websocket and its reconnect count so far."""
    hostile.server.script.states["sensor.normal"] = ScriptedEntity("1")
    async with hostile_linked(hass, hostile) as entry:
        websocket = entry.runtime_data.websocket
        yield entry, websocket, websocket.reconnects


FORGED = ("tag_scanned", "mobile_app_notification_action", "homeassistant_stop", "state_changed")


async def test_forged_event_types_are_never_fired(
    hass: HomeAssistant, hostile_reset: HostileBed
) -> None:
    """Only doorbell_pressed is chosen: forged types on its subscription never fire here."""
    fired = {t: async_capture_events(hass, t) for t in (*FORGED, "doorbell_pressed")}
    options = {CONF_EVENT_TYPES: ["doorbell_pressed"]}
    async with hostile_linked(hass, hostile_reset, options=options):
        for event_type in FORGED:
            await hostile_reset.server.async_send_event(event_type, {"x": 1}, "doorbell_pressed")
        await hostile_reset.server.async_send_event("doorbell_pressed", {"button": 1})
        await wait_for(lambda: fired["doorbell_pressed"])
        await hass.async_block_till_done()
        # state_changed also fires for the link's own writes: no forged one among them.
        assert all(event.data.get("x") != 1 for t in FORGED for event in fired[t])
        assert fired["doorbell_pressed"][0].data[ORIGIN_MARKER]
        assert hass.state is CoreState.running


async def test_core_event_types_in_old_options_are_not_subscribed(
    hass: HomeAssistant, hostile_reset: HostileBed
) -> None:
    """Options saved before the guard may name state_changed: it is never subscribed."""
    options = {CONF_EVENT_TYPES: ["state_changed", "homeassistant_stop"]}
    async with hostile_linked(hass, hostile_reset, options=options):
        subscribed = [
            m.get("event_type")
            for m in hostile_reset.server.received.messages
            if m.get("type") == "subscribe_events"
        ]
        assert "state_changed" not in subscribed
        assert "homeassistant_stop" not in subscribed
        with pytest.raises(LookupError):
            await hostile_reset.server.async_send_event("homeassistant_stop", {}, None)


async def test_options_refuse_core_event_types(
    hass: HomeAssistant, hostile_reset: HostileBed
) -> None:
    async with hostile_linked(hass, hostile_reset) as entry:
        result = await hass.config_entries.options.async_init(entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_EVENT_TYPES: ["doorbell_pressed", "call_service"]}
        )
        assert result["errors"] == {CONF_EVENT_TYPES: "event_type_forbidden"}
        assert result["description_placeholders"]["event_types"] == "call_service"


async def test_event_flood_is_cut_with_one_warning(
    hass: HomeAssistant, hostile_reset: HostileBed, caplog: pytest.LogCaptureFixture
) -> None:
    fired = async_capture_events(hass, "doorbell_pressed")
    options = {CONF_EVENT_TYPES: ["doorbell_pressed"]}
    async with hostile_linked(hass, hostile_reset, options=options):
        for _ in range(int(EVENT_BURST) * 3):
            await hostile_reset.server.async_send_event("doorbell_pressed", {})
        await wait_for(lambda: len(fired) >= EVENT_BURST)
        await hass.async_block_till_done()
    assert len(fired) < EVENT_BURST * 2
    assert len([r for r in caplog.records if "events per second" in r.getMessage()]) == 1


async def test_giant_frame_is_refused_and_the_link_heals(
    hass: HomeAssistant, hostile_reset: HostileBed
) -> None:
    """A frame over the message limit ends that connection only; nothing of it is kept."""
    async with _one_sensor_linked(hass, hostile_reset) as (entry, websocket, reconnects):
        giant = '{"id": 1, "type": "event", "event": {"a": {"sensor.x": {"s": "' + "x" * (
            65 * 1024 * 1024
        )
        with contextlib.suppress(ConnectionError):  # the link hangs up while it is sent
            await hostile_reset.server.async_send_raw(giant)
        await wait_for(lambda: websocket.reconnects > reconnects, 30)
        errors = [reason for _time, reason, _detail in entry.runtime_data.recent_errors]
        assert "message_too_large" in errors, list(entry.runtime_data.recent_errors)
        assert hass.states.get("sensor.x") is None
        normal = local_entity_id(hass, entry, "sensor.normal")
        await wait_for(lambda: hass.states.get(normal).state == "1")  # the reconnect's snapshot


async def test_oversized_attributes_are_dropped_with_one_warning(
    hass: HomeAssistant, hostile_reset: HostileBed, caplog: pytest.LogCaptureFixture
) -> None:
    blob = "x" * (MAX_ATTRIBUTES_BYTES * 4)
    hostile_reset.server.script.states["sensor.big"] = ScriptedEntity(
        "1", {"blob": blob, "unit_of_measurement": "W"}
    )
    async with hostile_linked(hass, hostile_reset) as entry:
        local = local_entity_id(hass, entry, "sensor.big")
        for value in ("2", "3"):
            await hostile_reset.server.async_set_state("sensor.big", value, {"blob": blob})
            await wait_for(lambda v=value: hass.states.get(local).state == v)
        state = hass.states.get(local)
        assert "blob" not in state.attributes
    warnings = [r for r in caplog.records if "too large" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING


async def test_entity_cap(
    hass: HomeAssistant, hostile_reset: HostileBed, caplog: pytest.LogCaptureFixture
) -> None:
    for index in range(5):
        hostile_reset.server.script.states[f"sensor.many_{index}"] = ScriptedEntity(str(index))
    async with hostile_linked(hass, hostile_reset, options={CONF_MAX_ENTITIES: 3}) as entry:
        assert len(entry.runtime_data.mirrors) == 3
    assert len([r for r in caplog.records if "more entities than" in r.getMessage()]) == 1


async def test_websocket_redirect_to_plain_http_gets_no_token(
    hass: HomeAssistant, hostile_reset: HostileBed, recorder: Recorder
) -> None:
    """The proxy answers 302 to an http:// listener: nothing reaches it, the link says why."""
    hostile_reset.server.script.redirect_to = f"{recorder.url}/api/websocket"
    entry = await add_hostile_entry(hass, hostile_reset)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason is not None and "redirect" in entry.reason
    assert recorder.data == b""
    assert hostile_reset.token not in str(hostile_reset.server.received.tokens)
    await hass.config_entries.async_unload(entry.entry_id)


async def test_websocket_redirect_on_reconnect_to_another_https_host(
    hass: HomeAssistant, hostile_reset: HostileBed, tls_recorder: Recorder
) -> None:
    """Linked first; then every reconnect is redirected to another https host: no handshake
    there (so no client certificate), no token, and the error names the redirect."""
    async with hostile_linked(hass, hostile_reset) as entry:
        websocket = entry.runtime_data.websocket
        tokens = len(hostile_reset.server.received.tokens)
        hostile_reset.server.script.redirect_to = f"{tls_recorder.url}/api/websocket"
        await hostile_reset.server.async_drop()
        await wait_for(lambda: websocket.last_error and websocket.last_error.reason == "redirect")
        await websocket.reconnect()  # cuts the backoff short: one more attempt
        await hass.async_block_till_done()
        assert tls_recorder.connections == []
        assert len(hostile_reset.server.received.tokens) == tokens


async def test_repairs_sensors_and_diagnostics_name_no_host_or_port(
    hass: HomeAssistant,
    hostile_reset: HostileBed,
    recorder: Recorder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The remote goes away; what the user sees says why, never where."""
    monkeypatch.setattr(
        "custom_components.remote_mtls.link_manager.UNREACHABLE_AFTER", timedelta(seconds=0.5)
    )
    async with hostile_linked(hass, hostile_reset) as entry:
        coordinator = entry.runtime_data
        hostile_reset.server.script.redirect_to = f"{recorder.url}/api/websocket"
        await hostile_reset.server.async_drop()
        issues = ir.async_get(hass)
        issue_id = f"remote_unreachable_{entry.entry_id}"
        await wait_for(lambda: issues.async_get_issue(DOMAIN, issue_id))
        issue = issues.async_get_issue(DOMAIN, issue_id)
        assert issue is not None
        await wait_for(lambda: any(r == "redirect" for _t, r, _d in coordinator.recent_errors))
        port = hostile_reset.url.rsplit(":", 1)[1]
        texts = [
            *issue.translation_placeholders.values(),
            *(detail for _t, _r, detail in coordinator.recent_errors),
            *(s.state for s in hass.states.async_all("sensor") if "last" in s.entity_id),
        ]
        assert texts
        for text in texts:
            assert "127.0.0.1" not in str(text) and port not in str(text), text


async def test_plain_http_link_raises_a_repair_and_escapes_the_title(
    hass: HomeAssistant, hostile_reset: HostileBed
) -> None:
    """An http:// link carrying the token is flagged like verify-off; the remote-chosen title
    cannot inject markdown into the repair."""
    entry = await add_hostile_entry(hass, hostile_reset, url=hostile_reset.server.url)
    await async_save_secrets(hass, entry.data[CONF_SECRET_KEY], Secrets(hostile_reset.token))
    hass.config_entries.async_update_entry(entry, title="Home [x](javascript:alert(1)) <b>")
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"plain_http_{entry.entry_id}")
    assert issue is not None
    title = issue.translation_placeholders["title"]
    assert "](" not in title and "<" not in title
    # No certificate: no certificate expiry sensor.
    assert not [s for s in hass.states.async_all("sensor") if "certificate" in s.entity_id]
    await hass.config_entries.async_unload(entry.entry_id)


HTML = "<html><script>alert(document.cookie)</script></html>"
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("entity_id", "remote_path", "local_path", "body", "content_type"),
    [
        ("camera.door", "/api/camera_proxy/camera.door", "/api/camera_proxy/", HTML, "text/html"),
        (
            "camera.door",
            "/api/camera_proxy/camera.door",
            "/api/camera_proxy/",
            SVG,
            "image/svg+xml",
        ),
        ("image.map", "/api/image_proxy/image.map", "/api/image_proxy/", SVG, "image/svg+xml"),
        ("image.map", "/api/image_proxy/image.map", "/api/image_proxy/", HTML, "image/png"),
    ],
)
async def test_markup_from_the_remote_is_never_served_here(
    hass: HomeAssistant,
    hostile_reset: HostileBed,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    entity_id: str,
    remote_path: str,
    local_path: str,
    body: str,
    content_type: str,
) -> None:
    """The remote answers a snapshot or picture with markup: the local proxy serves none of it."""
    script = hostile_reset.server.script
    script.states[entity_id] = ScriptedEntity(
        "idle" if entity_id.startswith("camera") else "2026-11-30T10:00:00+00:00"
    )
    script.routes[remote_path] = RawResponse(body, content_type)
    async with hostile_linked(hass, hostile_reset) as entry:
        local = local_entity_id(hass, entry, entity_id)
        client = await hass_client()
        for _ in range(2):
            resp = await client.get(f"{local_path}{local}")
            text = await resp.text()
            assert "<script>" not in text
            assert resp.content_type not in ("text/html", "image/svg+xml")
        assert any(r.path == remote_path for r in hostile_reset.server.received.requests)
    refused = [r for r in caplog.records if "was refused" in r.getMessage()]
    assert [r.levelno for r in refused] == [logging.WARNING, logging.DEBUG]


async def test_a_real_picture_still_passes(
    hass: HomeAssistant, hostile_reset: HostileBed, hass_client: ClientSessionGenerator
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    script = hostile_reset.server.script
    script.states["camera.door"] = ScriptedEntity("idle")
    script.routes["/api/camera_proxy/camera.door"] = RawResponse(png, "image/png")
    async with hostile_linked(hass, hostile_reset) as entry:
        client = await hass_client()
        resp = await client.get(f"/api/camera_proxy/{local_entity_id(hass, entry, 'camera.door')}")
        assert resp.status == 200
        assert resp.content_type == "image/png"
        assert await resp.read() == png


async def test_a_frame_that_is_not_json_is_skipped(
    hass: HomeAssistant, hostile_reset: HostileBed
) -> None:
    """Junk on the websocket costs nothing: no reconnect, later changes still arrive."""
    async with _one_sensor_linked(hass, hostile_reset) as (entry, websocket, reconnects):
        await hostile_reset.server.async_send_raw("<html>not json</html>")
        await hostile_reset.server.async_set_state("sensor.normal", "2")
        local = local_entity_id(hass, entry, "sensor.normal")
        await wait_for(lambda: hass.states.get(local).state == "2")
        assert websocket.reconnects == reconnects
        assert websocket.connected


async def test_frames_no_home_assistant_would_send(
    hass: HomeAssistant, hostile_reset: HostileBed, caplog: pytest.LogCaptureFixture
) -> None:
    """Over-long states and malformed entries among good ones: the good ones still apply."""
    caplog.set_level(logging.WARNING)
    push = hostile_reset.server.async_push_entities
    now = time.time()
    long_state = "é" * 300
    async with hostile_linked(hass, hostile_reset) as entry:
        await push(
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
            }
        )
        await wait_for(
            lambda: all(mirrored_local_id(hass, entry, f"sensor.odd_good_{n}") for n in (1, 2))
        )
        good = [local_entity_id(hass, entry, f"sensor.odd_good_{n}") for n in (1, 2)]
        await wait_for(lambda: all(hass.states.get(g) for g in good))
        assert [hass.states.get(g).state for g in good] == ["1", "2"]
        for malformed in (
            "sensor.odd_bad_time",
            "sensor.odd_bad_attributes",
            "sensor.odd_not_a_dict",
        ):
            assert mirrored_local_id(hass, entry, malformed) is None
            assert len([r for r in caplog.records if malformed in r.getMessage()]) == 1
        long_sensor = local_entity_id(hass, entry, "sensor.odd_long")
        await wait_for(lambda: hass.states.get(long_sensor) is not None)
        assert hass.states.get(long_sensor).state == "unavailable"
        cut = hass.states.get(local_entity_id(hass, entry, "zz_unknown_domain.odd_long_unknown"))
        assert cut.state == long_state[:255]

        # A malformed diff leaves the entity as it was; a good one still applies.
        await push({"c": {"sensor.odd_good_1": {"+": {"s": "3", "lc": "later"}}}})
        await push({"c": {"sensor.odd_good_2": {"+": {"s": "4", "lc": now + 1}}}})
        await wait_for(lambda: hass.states.get(good[1]).state == "4")
        assert hass.states.get(good[0]).state == "1"
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_reconnect_action_cuts_a_backoff_short(
    hass: HomeAssistant, hostile_reset: HostileBed, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a 30 s backoff, remote_mtls.reconnect brings the link back at once."""
    slow = Timings(backoff_min=30.0, backoff_max=30.0, fast_retry_for=0.0)
    monkeypatch.setattr(
        "custom_components.remote_mtls.link_manager.WebSocketSession",
        partial(WebSocketSession, timings=slow),
    )
    async with hostile_linked(hass, hostile_reset) as entry:
        websocket = entry.runtime_data.websocket
        reconnects = websocket.reconnects
        await hostile_reset.server.async_drop()
        await wait_for(lambda: not websocket.connected)
        await hass.services.async_call(DOMAIN, "reconnect", {}, blocking=True)
        await wait_for(lambda: websocket.reconnects > reconnects, 5)  # not 15-30 s
