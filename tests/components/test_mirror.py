"""The mirror engine against the real remote: entities, registries, availability."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.remote_mtls.const import DOMAIN

from ..testbed.bed import TestBed
from .conftest import local_entity_id


async def test_every_remote_entity_has_a_local_mirror(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> None:
    remote_states = await testbed.remote.async_rest("GET", "/api/states")
    coordinator = mirrored.runtime_data
    entity_registry = er.async_get(hass)
    local = er.async_entries_for_config_entry(entity_registry, mirrored.entry_id)
    assert len(local) == len(remote_states) == len(coordinator.mirrors)
    for remote in remote_states:
        assert hass.states.get(local_entity_id(hass, mirrored, remote["entity_id"])) is not None
    hub = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, mirrored.entry_id), mirrored.entry_id
    )
    assert hub is not None
    assert hub.name == "Remote Test Home"
