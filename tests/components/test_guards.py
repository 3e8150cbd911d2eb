"""The guards against a hostile remote, one by one, without a network (fast tier)."""

from __future__ import annotations

from typing import Any

from homeassistant.core import Event, HomeAssistant
import pytest

from custom_components.remote_mtls.api import RemoteState
from custom_components.remote_mtls.const import ORIGIN_MARKER
from custom_components.remote_mtls.issues import markdown_escape
from custom_components.remote_mtls.limits import MAX_ATTRIBUTES_BYTES, bounded_state
from custom_components.remote_mtls.remote_events import (
    EVENT_BURST,
    MAX_EVENT_DATA_BYTES,
    EventForwarder,
    forbidden_event_type,
)


def _event(event_type: str, data: Any = None) -> dict[str, Any]:
    return {"event_type": event_type, "data": data or {}, "context": {"id": "c1"}}


@pytest.mark.parametrize(
    "event_type",
    [
        "homeassistant_stop",
        "homeassistant_start",
        "state_changed",
        "call_service",
        "service_registered",
        "entity_registry_updated",
        "device_registry_updated",
        "component_loaded",
        "core_config_updated",
        "recorder_5min_compiled_statistics",
        "config_entry_discovered",
        "user_removed",
    ],
)
def test_core_event_types_are_forbidden(event_type: str) -> None:
    assert forbidden_event_type(event_type)


@pytest.mark.parametrize("event_type", ["doorbell_pressed", "tag_scanned", "zha_event"])
def test_user_event_types_are_allowed(event_type: str) -> None:
    assert not forbidden_event_type(event_type)


async def test_forwarder_fires_only_what_the_subscription_asked_for(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    fired: list[Event] = []
    for event_type in ("doorbell_pressed", "tag_scanned", "homeassistant_stop", "state_changed"):
        hass.bus.async_listen(event_type, fired.append)
    forwarder = EventForwarder(hass, "entry", "Remote")

    forwarder.forward("doorbell_pressed", _event("doorbell_pressed", {"button": 1}))
    for _ in range(3):  # a forged type on a chosen subscription: refused, warned once
        forwarder.forward("doorbell_pressed", _event("tag_scanned"))
    forwarder.forward("homeassistant_stop", _event("homeassistant_stop"))
    forwarder.forward("state_changed", _event("state_changed"))
    forwarder.forward("doorbell_pressed", "not an event")
    await hass.async_block_till_done()

    assert [event.event_type for event in fired] == ["doorbell_pressed"]
    assert fired[0].data["button"] == 1
    assert fired[0].data[ORIGIN_MARKER] == {"entry_id": "entry", "context_id": "c1"}
    warnings = [r for r in caplog.records if "another type" in r.getMessage()]
    assert len(warnings) == 1


async def test_forwarder_drops_oversized_data_and_bounces(hass: HomeAssistant) -> None:
    fired: list[Event] = []
    hass.bus.async_listen("doorbell_pressed", fired.append)
    forwarder = EventForwarder(hass, "entry", "Remote")
    forwarder.forward(
        "doorbell_pressed", _event("doorbell_pressed", {"x": "y" * MAX_EVENT_DATA_BYTES})
    )
    forwarder.forward("doorbell_pressed", _event("doorbell_pressed", {ORIGIN_MARKER: {}}))
    await hass.async_block_till_done()
    assert fired == []


async def test_forwarder_rate_limit_warns_once(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    fired: list[Event] = []
    hass.bus.async_listen("doorbell_pressed", fired.append)
    forwarder = EventForwarder(hass, "entry", "Remote")
    for _ in range(int(EVENT_BURST) * 3):
        forwarder.forward("doorbell_pressed", _event("doorbell_pressed"))
    await hass.async_block_till_done()
    assert int(EVENT_BURST) <= len(fired) < int(EVENT_BURST) * 2
    assert len([r for r in caplog.records if "events per second" in r.getMessage()]) == 1


def test_oversized_attributes_lose_the_biggest_only() -> None:
    state = RemoteState(
        "sensor.big",
        "1",
        {"friendly_name": "Big", "blob": "x" * (MAX_ATTRIBUTES_BYTES + 1), "unit": "W"},
        0.0,
        0.0,
    )
    bounded, dropped = bounded_state(state)
    assert dropped == ["blob"]
    assert dict(bounded.attributes) == {"friendly_name": "Big", "unit": "W"}
    small = RemoteState("sensor.small", "1", {"a": 1}, 0.0, 0.0)
    assert bounded_state(small) == (small, [])


def test_remote_text_is_escaped_for_markdown() -> None:
    hostile = "Home [click](javascript:alert(1)) <img src=x onerror=alert(1)> **bold**"
    escaped = markdown_escape(hostile)
    assert "<" not in escaped
    assert "](" not in escaped
    assert "\\*\\*" in escaped
    assert len(markdown_escape("x" * 1000)) == 200
