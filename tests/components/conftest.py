"""Fixtures for the integration: a test `hass` that reaches the real remote on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
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
        return await post_file(client, data, name)

    return _upload


async def post_file(client: TestClient, data: bytes, name: str = "client.p12") -> str:
    """POST a file to /api/file_upload as the frontend does; return its file_id."""
    form = aiohttp.FormData()
    form.add_field("file", data, filename=name, content_type="application/x-pkcs12")
    resp = await client.post("/api/file_upload", data=form)
    assert resp.status == 200, await resp.text()
    return str((await resp.json())["file_id"])


async def start(hass: HomeAssistant, url: str, verify_ssl: bool = True) -> dict[str, Any]:
    """Start a config flow and submit the URL step."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"url": url, "verify_ssl": verify_ssl}
    )


async def send(hass: HomeAssistant, result: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Submit the flow's current step."""
    return await hass.config_entries.flow.async_configure(result["flow_id"], data)


async def send_good_certificate(
    hass: HomeAssistant, result: dict[str, Any], bed: TestBed, upload: Uploader
) -> dict[str, Any]:
    """Upload the test bed's good .p12 into the current certificate form, with password and CA."""
    return await send(
        hass,
        result,
        {
            "client_certificate": await upload(bed.p12()),
            "certificate_password": P12_PASSWORD,
            "ca_certificate": bed.ca_pem,
        },
    )


async def add_entry(
    hass: HomeAssistant,
    bed: TestBed,
    *,
    token: str | None = None,
    p12: bytes | None = None,
    url: str | None = None,
    secret_key: str = "k1",
    **data: Any,
) -> MockConfigEntry:
    """A config entry as the flow makes it, with its secrets in the private store.

    With another `url`, no certificate unless `p12` is given; links to different remotes need
    their own `secret_key`.
    """
    if p12 is None and url is None:
        p12 = bed.p12()
    secrets = Secrets(
        token=bed.token if token is None else token,
        p12=p12,
        password=P12_PASSWORD,
        ca_pem=bed.ca_pem,
    )
    return await add_stored_entry(
        hass,
        title="Remote Test Home",
        url=url or bed.url("on"),
        secret_key=secret_key,
        secrets=secrets,
        **data,
    )


async def add_stored_entry(
    hass: HomeAssistant,
    *,
    title: str,
    url: str,
    secret_key: str,
    secrets: Secrets,
    options: dict[str, Any] | None = None,
    **data: Any,
) -> MockConfigEntry:
    """A config entry as the flow makes it (not set up), with `secrets` in the private store."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=url,
        options=options or {},
        data={
            CONF_URL: url,
            CONF_VERIFY_SSL: True,
            CONF_SECRET_KEY: secret_key,
            "certificate_subject": "CN=test-client",
            "certificate_fingerprint": None,
            "certificate_not_after": None,
            **data,
        },
    )
    entry.add_to_hass(hass)
    await async_save_secrets(hass, secret_key, secrets)
    return entry


async def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> None:
    """Poll until `predicate()` is truthy (remote changes arrive asynchronously)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


@pytest.fixture
async def mirrored(hass: HomeAssistant, testbed: TestBed) -> AsyncIterator[MockConfigEntry]:
    """A loaded link to the real remote, mirroring everything."""
    async with loaded_link(hass, testbed) as entry:
        yield entry


@asynccontextmanager
async def loaded_link(hass: HomeAssistant, bed: TestBed) -> AsyncIterator[MockConfigEntry]:
    """Set up a link to the test bed's remote; unload it on exit."""
    entry = await add_entry(hass, bed)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)


def remote_ids(coordinator: Any) -> set[str]:
    """The remote entity ids a link mirrors now."""
    return {mirror.entity_id for mirror in coordinator.mirrors.values()}


def mirrored_local_id(
    hass: HomeAssistant, entry: MockConfigEntry, remote_entity_id: str
) -> str | None:
    """The local entity mirroring a remote one; None when it is not mirrored (or not yet)."""
    local: str | None = entry.runtime_data.local_entity_id(remote_entity_id)
    return local


def local_entity_id(hass: HomeAssistant, entry: MockConfigEntry, remote_entity_id: str) -> str:
    """The local entity mirroring a remote entity."""
    entity_id = mirrored_local_id(hass, entry, remote_entity_id)
    assert entity_id is not None, f"{remote_entity_id} is not mirrored"
    return entity_id


async def remote_state(testbed: TestBed, entity_id: str) -> dict[str, Any]:
    """The remote's current state of an entity (read directly, not through the mirror)."""
    state: dict[str, Any] = await testbed.remote.async_rest("GET", f"/api/states/{entity_id}")
    return state


async def call_local(
    hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: Any
) -> None:
    """Call a local service on a mirrored entity and wait for it to finish."""
    await hass.services.async_call(domain, service, {"entity_id": entity_id, **data}, blocking=True)


def mirrored_entries(hass: HomeAssistant, entry: MockConfigEntry) -> list[er.RegistryEntry]:
    """Registry entries of mirrored entities (not the link's own diagnostic entities)."""
    return [
        registry_entry
        for registry_entry in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if registry_entry.unique_id.startswith(f"{entry.entry_id}-")
    ]
