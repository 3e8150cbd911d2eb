"""Remote states a platform cannot take as they are: shown as unknown, never a failed write."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..testbed.bed import TestBed
from .conftest import wait_for

ODD = [
    {"entity_id": "alarm_control_panel.odd_panel", "state": "dancing", "attributes": {}},
    {
        "entity_id": "text.odd_text",
        "state": "far too long",
        "attributes": {"min": 0, "max": 3, "mode": "text", "pattern": None},
    },
    {
        "entity_id": "event.odd_event",
        "state": "2026-11-26T10:00:00.000+00:00",
        "attributes": {"event_type": "press", "event_types": ["press"]},
    },
]


async def test_odd_remote_states(
    hass: HomeAssistant,
    testbed: TestBed,
    mirrored: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await testbed.remote.async_set_states(ODD)
    try:
        await wait_for(lambda: hass.states.get("event.odd_event") is not None)
        assert hass.states.get("alarm_control_panel.odd_panel").state == "unknown"
        assert hass.states.get("text.odd_text").state == "unknown"
        # An event type the entity does not declare: one warning, the entity keeps working.
        await testbed.remote.async_set_states(
            [
                {
                    "entity_id": "event.odd_event",
                    "state": "2026-11-26T11:00:00.000+00:00",
                    "attributes": {"event_type": "spin", "event_types": ["press"]},
                }
            ]
        )
        await wait_for(lambda: "spin" in caplog.text)
        assert hass.states.get("event.odd_event").state != "unavailable"
    finally:
        await testbed.remote.async_rest(
            "POST",
            "/api/services/testbed/remove_states",
            {"entity_ids": [item["entity_id"] for item in ODD]},
        )
