"""A Home Assistant announced on the network (zeroconf) shows up as discovered."""

from __future__ import annotations

from ipaddress import ip_address
from typing import Any

from homeassistant.config_entries import SOURCE_IGNORE, SOURCE_ZEROCONF
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import instance_id
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.remote_mtls.const import CONF_INSTANCE_UUID, DOMAIN

from ..testbed.bed import TestBed
from .conftest import Uploader, add_entry, send, send_good_certificate

REMOTE_UUID = "0123456789abcdef0123456789abcdef"


def announcement(uuid: str | None = REMOTE_UUID, **properties: Any) -> ZeroconfServiceInfo:
    """What Home Assistant announces (as the zeroconf integration hands it over)."""
    return ZeroconfServiceInfo(
        ip_address=ip_address("127.0.0.1"),
        ip_addresses=[ip_address("127.0.0.1")],
        hostname="remote.local.",
        name="Remote Test Home._home-assistant._tcp.local.",
        port=8123,
        type="_home-assistant._tcp.local.",
        properties={"location_name": "Remote Test Home", "version": "2026.10.4"}
        | ({"uuid": uuid} if uuid else {})
        | properties,
    )


async def discover(hass: HomeAssistant, info: ZeroconfServiceInfo) -> dict[str, Any]:
    """Hand an announcement to the integration, as the zeroconf integration does."""
    return await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=info
    )


async def test_discovered_remote_is_linked_from_its_external_url(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    result = await discover(
        hass, announcement(external_url=testbed.url("on"), internal_url="http://10.0.0.9:8123")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    schema = result["data_schema"].schema
    suggested = {str(key): key.description for key in schema}["url"]
    assert suggested == {"suggested_value": testbed.url("on")}
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flows[0]["context"]["title_placeholders"] == {"name": "Remote Test Home"}

    result = await send(hass, result, {"url": testbed.url("on"), "verify_ssl": True})
    result = await send_good_certificate(hass, result, testbed, upload)
    result = await send(hass, result, {"access_token": testbed.token})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id.startswith("owner:")  # the remote's identity, as for a manual link
    assert entry.data[CONF_INSTANCE_UUID] == REMOTE_UUID
    await hass.async_block_till_done()

    # Announced again, under any address: already linked.
    again = await discover(hass, announcement(internal_url="http://192.0.2.1:8123"))
    assert again == again | {"type": FlowResultType.ABORT, "reason": "already_configured"}
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_remote_linked_by_hand_is_recognised_by_its_address(
    hass: HomeAssistant, testbed: TestBed
) -> None:
    await add_entry(hass, testbed)  # made by hand: its uuid is unknown
    result = await discover(hass, announcement(external_url=testbed.url("on")))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_what_is_not_offered(hass: HomeAssistant) -> None:
    own = await instance_id.async_get(hass)
    assert (await discover(hass, announcement(own)))["reason"] == "own_instance"
    assert (await discover(hass, announcement(None)))["reason"] == (
        "not_home_assistant_announcement"
    )
    MockConfigEntry(
        domain=DOMAIN, source=SOURCE_IGNORE, unique_id=f"zeroconf:{REMOTE_UUID}"
    ).add_to_hass(hass)
    assert (await discover(hass, announcement()))["reason"] == "already_configured"


async def test_without_urls_the_seen_address_is_offered(hass: HomeAssistant) -> None:
    MockConfigEntry(  # another remote, linked by hand: not this one
        domain=DOMAIN, unique_id="owner:another", data={"url": "https://another.example"}
    ).add_to_hass(hass)
    result = await discover(hass, announcement(external_url="ftp://odd", internal_url=None))
    schema = result["data_schema"].schema
    suggested = {str(key): key.description for key in schema}["url"]
    assert suggested == {"suggested_value": "http://127.0.0.1:8123"}
