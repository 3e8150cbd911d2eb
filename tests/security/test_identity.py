"""A link keeps its remote: Reconfigure cannot re-key it to another Home Assistant."""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from ..components.conftest import Uploader, loaded_link, send
from ..testbed.bed import P12_PASSWORD, TestBed
from .conftest import HostileBed


async def test_reconfigure_to_another_remote_is_refused(
    hass: HomeAssistant, testbed: TestBed, hostile_reset: HostileBed, late_upload: Uploader
) -> None:
    async with loaded_link(hass, testbed) as entry:
        before = (entry.unique_id, dict(entry.data))
        result = await entry.start_reconfigure_flow(hass)
        result = await send(
            hass,
            result,
            {
                "url": hostile_reset.url,
                "verify_ssl": True,
                "access_token": hostile_reset.token,
                "client_certificate": await late_upload(testbed.p12()),
                "certificate_password": P12_PASSWORD,
                "ca_certificate": testbed.ca_pem,
            },
        )
        assert result["type"] == "abort"
        assert result["reason"] == "another_remote"
        assert (entry.unique_id, dict(entry.data)) == before
