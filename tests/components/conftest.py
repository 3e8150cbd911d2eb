"""Fixtures for the integration: a test `hass` that reaches the real remote on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.remote_mtls.const import (
    CONF_SECRET_KEY,
    CONF_VERIFY_SSL,
    DOMAIN,
)
from custom_components.remote_mtls.secret_store import Secrets, async_save_secrets

from ..testbed.bed import P12_PASSWORD, TestBed

type Uploader = Callable[[bytes], Awaitable[str]]


@pytest.fixture(autouse=True)
def _integration(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Load custom integrations; allow sockets to 127.0.0.1 (the test bed)."""


@pytest.fixture
async def upload(hass: HomeAssistant, hass_client: ClientSessionGenerator) -> Uploader:
    """Upload a file as the frontend does (POST /api/file_upload); return its file_id."""
    # Routes must exist before the test client freezes the router: the flow API too.
    assert await async_setup_component(hass, "file_upload", {})
    assert await async_setup_component(hass, "config", {})
    client = await hass_client()

    async def _upload(data: bytes, name: str = "client.p12") -> str:
        form = aiohttp.FormData()
        form.add_field("file", data, filename=name, content_type="application/x-pkcs12")
        resp = await client.post("/api/file_upload", data=form)
        assert resp.status == 200, await resp.text()
        return str((await resp.json())["file_id"])

    return _upload


async def add_entry(
    hass: HomeAssistant,
    bed: TestBed,
    *,
    token: str | None = None,
    p12: bytes | None = None,
    url: str | None = None,
    **data: Any,
) -> MockConfigEntry:
    """A config entry as the flow makes it, with its secrets in the private store."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Remote Test Home",
        unique_id=url or bed.url("on"),
        data={
            CONF_URL: url or bed.url("on"),
            CONF_VERIFY_SSL: True,
            CONF_SECRET_KEY: "k1",
            "certificate_subject": "CN=test-client",
            "certificate_fingerprint": None,
            "certificate_not_after": None,
            **data,
        },
    )
    entry.add_to_hass(hass)
    await async_save_secrets(
        hass,
        "k1",
        Secrets(
            token=bed.token if token is None else token,
            p12=(bed.p12() if p12 is None else p12) if url is None else None,
            password=P12_PASSWORD,
            ca_pem=bed.ca_pem,
        ),
    )
    return entry
