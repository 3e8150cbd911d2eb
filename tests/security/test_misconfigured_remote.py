"""A remote (or its proxy) set up wrong: each answer gets its own message and the right form."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from ..components.conftest import Uploader, send_good_certificate, start
from .conftest import HostileBed
from .hostile_remote import RawResponse


async def _certificate(
    hass: HomeAssistant, hostile: HostileBed, upload: Uploader
) -> dict[str, Any]:
    """Start a flow at the remote and give the certificate, as a user does."""
    result = await start(hass, hostile.url)
    assert result["step_id"] == "client_certificate"  # its nginx wants one
    return await send_good_certificate(hass, result, hostile.testbed, upload)


async def test_remote_that_does_not_trust_its_proxy(
    hass: HomeAssistant, hostile_reset: HostileBed, upload: Uploader
) -> None:
    """Home Assistant answers 400 to forwarded requests from a proxy it does not trust."""
    hostile_reset.server.script.routes["/auth/providers"] = RawResponse(
        "400: Bad Request", "text/plain; charset=utf-8", 400
    )
    result = await _certificate(hass, hostile_reset, upload)
    assert result["step_id"] == "client_certificate"
    assert result["errors"] == {"base": "proxy_not_trusted"}


@pytest.mark.parametrize(
    ("status", "body"), [(421, ""), (404, "404 page not found\n")], ids=["caddy", "traefik"]
)
async def test_proxy_that_serves_no_site_for_this_host(
    hass: HomeAssistant, hostile_reset: HostileBed, upload: Uploader, status: int, body: str
) -> None:
    """Caddy (421) and Traefik (404) reached under a name they do not serve: fix the URL."""
    hostile_reset.server.script.routes["/auth/providers"] = RawResponse(body, "text/plain", status)
    result = await _certificate(hass, hostile_reset, upload)
    assert result["step_id"] == "user"  # only another URL helps: back to the URL form
    assert result["errors"] == {"base": "host_not_served"}
