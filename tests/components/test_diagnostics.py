"""Diagnostics carry what helps and none of the secrets."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.remote_mtls.const import DOMAIN

from ..testbed.bed import P12_PASSWORD, TestBed
from .conftest import local_entity_id


def _secrets(testbed: TestBed) -> list[str]:
    key = testbed.pki.client.key_pem().decode()
    key_body = "".join(key.strip().splitlines()[1:-1])
    return [testbed.token, P12_PASSWORD, key_body[:40], "127.0.0.1", "k1"]


async def test_entry_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    testbed: TestBed,
    mirrored: MockConfigEntry,
) -> None:
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, mirrored)
    text = str(diagnostics)
    for secret in _secrets(testbed):
        assert secret not in text
    assert diagnostics["connection"]["state"] == "connected"
    assert diagnostics["connection"]["tls_version"] in ("TLSv1.3", "TLSv1.2")
    assert diagnostics["certificate"]["subject"] == testbed.pki.client.cert.subject.rfc4514_string()
    assert diagnostics["mirror"]["per_remote_domain"]["light"] == 6
    assert diagnostics["entry"]["data"]["url"] == "**REDACTED**"
    assert diagnostics["remote"]["location_name"] == "**REDACTED**"


async def test_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    testbed: TestBed,
    mirrored: MockConfigEntry,
) -> None:
    light = er.async_get(hass).async_get(
        local_entity_id(hass, mirrored, "light.living_room_rgbww_lights")
    )
    device = dr.async_get(hass).async_get(light.device_id)
    diagnostics = await get_diagnostics_for_device(hass, hass_client, mirrored, device)
    assert diagnostics["hub"] is False
    assert [e["remote_entity_id"] for e in diagnostics["entities"]] == [
        "light.living_room_rgbww_lights"
    ]
    hub = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, mirrored.entry_id), mirrored.entry_id
    )
    hub_diagnostics = await get_diagnostics_for_device(hass, hass_client, mirrored, hub)
    assert hub_diagnostics["hub"] is True
    for secret in _secrets(testbed):
        assert secret not in str(diagnostics) + str(hub_diagnostics)
