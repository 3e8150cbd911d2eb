"""Every platform's entities, states and devices from the recorded remote, as snapshots.

`script/test tests/fast` runs in seconds; after a deliberate change, `--snapshot-update`
rewrites tests/fast/snapshots/ (review the diff). Re-record the remote with
`python -m tests.fast.record` when the test bed's remote changes.
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.remote_mtls.api import RemoteState
from custom_components.remote_mtls.platform_map import PLATFORMS, local_platform

from .conftest import ENTRY_ID, RECORDING

# Attributes the local Home Assistant makes up per run (camera access tokens and their URLs).
LOCAL_VOLATILE = ("access_token", "entity_picture", "entity_picture_local")


def _stable(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: ("<local>" if k in LOCAL_VOLATILE else v) for k, v in attributes.items()}


def _recorded_platforms() -> list[Platform]:
    """The local platforms the recorded remote's entities land on."""
    return sorted(
        {
            local_platform(RemoteState(entity_id, data["s"], data.get("a", {}), 0.0, 0.0))
            for entity_id, data in RECORDING["entities"]["a"].items()
        }
    )


RECORDED_PLATFORMS = _recorded_platforms()


def test_the_recording_covers_most_platforms() -> None:
    """Platforms left out here are covered by the real-bed tier only."""
    assert len(RECORDED_PLATFORMS) >= len(PLATFORMS) - 3, set(PLATFORMS) - set(RECORDED_PLATFORMS)


@pytest.mark.parametrize(
    "platforms", [[p] for p in RECORDED_PLATFORMS], ids=[str(p) for p in RECORDED_PLATFORMS]
)
async def test_platform(
    hass: HomeAssistant, recorded_link: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """Registry entry, state and attributes of each mirrored entity of one platform."""
    entries = er.async_entries_for_config_entry(er.async_get(hass), ENTRY_ID)
    assert entries
    for entity_entry in sorted(entries, key=lambda e: e.entity_id):
        assert entity_entry == snapshot(name=f"{entity_entry.entity_id}-entry")
        if (state := hass.states.get(entity_entry.entity_id)) is not None:
            shown = {
                # A calendar is on while its event runs: that depends on today's clock.
                "state": "<clock>" if entity_entry.domain == "calendar" else state.state,
                "attributes": _stable(dict(state.attributes)),
            }
            assert shown == snapshot(name=f"{entity_entry.entity_id}-state")


async def test_devices(
    hass: HomeAssistant, recorded_link: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """The hub device and every mirrored remote device."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), ENTRY_ID)
    assert len(devices) > 1
    for device in sorted(devices, key=lambda d: (d.name or "", sorted(d.identifiers))):
        assert device == snapshot(name=f"{device.name}")


@pytest.mark.parametrize("platforms", [[Platform.LIGHT]], ids=["light"])
async def test_a_local_action_is_forwarded(
    hass: HomeAssistant, recorded_link: MockConfigEntry
) -> None:
    """Turning the mirror on sends one call_service for the remote entity, with the data."""
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": "light.bed_light", "brightness": 128}, blocking=True
    )
    calls = recorded_link.runtime_data.websocket.service_calls
    assert [(c["domain"], c["service"], c["target"], c["service_data"]) for c in calls] == [
        ("light", "turn_on", {"entity_id": "light.bed_light"}, {"brightness": 128})
    ]
