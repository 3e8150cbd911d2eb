"""Secret hygiene: after a link's life at debug log level, no secret anywhere but its store.

Searched for: the access token (and its signature alone), the p12 password, the private
key's PEM lines and DER fragments (PKCS#8 and traditional) and a fragment of the p12 itself.
Searched in: storage (everything but the secret store), the log with tracebacks, states,
diagnostics, flow results and the texts of errors raised to callers.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
import stat
from typing import Any

import aiohttp
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
)
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.remote_mtls.const import CONF_SECRET_KEY, DOMAIN
from custom_components.remote_mtls.secret_store import Secrets, async_save_secrets

from ..components.conftest import Uploader
from ..testbed.bed import P12_PASSWORD, TestBed
from ..testbed.linking import async_link
from ..testbed.remote_ha import RemoteHomeAssistant
from .health import wait_until
from .leaks import hits, log_text, needles

SECRET_STORE = "remote_mtls.secrets"
# Components whose HTTP views must exist before the test client freezes the router.
VIEW_COMPONENTS = ("camera", "calendar", "diagnostics", "image", "media_player", "repairs")


async def flow_step(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_configure(flow_id, data)
    assert result["type"] != "abort" or result["reason"].endswith("_successful"), result
    return result


async def link_through_the_flow(
    hass: HomeAssistant, bed: TestBed, upload: Uploader, p12: bytes, results: list[Any]
) -> ConfigEntry[Any]:
    """The config flow as a user walks it, with one mistake per step."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    flow_id = result["flow_id"]
    results.append(await flow_step(hass, flow_id, {"url": bed.url("on"), "verify_ssl": True}))
    for password in ("wrong-password", P12_PASSWORD):
        certificate = {
            "client_certificate": await upload(p12),
            "certificate_password": password,
            "ca_certificate": bed.ca_pem,
        }
        results.append(await flow_step(hass, flow_id, certificate))
    for token in ("not-the-token", bed.token):
        results.append(await flow_step(hass, flow_id, {"access_token": token}))
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert entry.state is ConfigEntryState.LOADED
    return entry


async def traffic(
    hass: HomeAssistant, entry: ConfigEntry[Any], bed: TestBed, errors: list[str]
) -> None:
    """Calls both ways, a remote refusal, a reconnect."""
    for _ in range(2):
        await hass.services.async_call(
            "switch", "toggle", {"entity_id": "switch.porch"}, blocking=True
        )
    await bed.remote.async_rest(
        "POST", "/api/services/input_boolean/toggle", {"entity_id": "input_boolean.guest_mode"}
    )
    with pytest.raises(HomeAssistantError) as refused:
        await hass.services.async_call(
            DOMAIN,
            "call_service",
            {
                "domain": "input_number",
                "service": "set_value",
                "target": {"entity_id": "input_number.thermostat_offset"},
                "data": {"value": 999},
            },
            blocking=True,
        )
    errors += [str(refused.value), repr(refused.value), str(refused.value.__cause__)]
    websocket = entry.runtime_data.websocket
    await hass.services.async_call(DOMAIN, "reconnect", {}, blocking=True)
    await wait_until(lambda: websocket.connected and websocket.reconnects == 1, 20)


async def reauth_and_reconfigure(
    hass: HomeAssistant, entry: ConfigEntry[Any], bed: TestBed, upload: Uploader, p12: bytes
) -> list[Any]:
    """A reauthentication with a wrong then the right token; a reconfiguration with the file."""
    entry.async_start_reauth(hass)
    await hass.async_block_till_done()
    flow_id = hass.config_entries.flow.async_progress_by_handler(DOMAIN)[0]["flow_id"]
    results = [await flow_step(hass, flow_id, {"access_token": "still-wrong"})]
    results.append(await flow_step(hass, flow_id, {"access_token": bed.token}))
    await hass.async_block_till_done()
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    results.append(
        await flow_step(
            hass,
            result["flow_id"],
            {
                "url": bed.url("on"),
                "verify_ssl": True,
                "client_certificate": await upload(p12),
                "certificate_password": P12_PASSWORD,
            },
        )
    )
    await hass.async_block_till_done()
    return results


async def refused_link(hass: HomeAssistant, bed: TestBed, p12: bytes) -> MockConfigEntry:
    """A second link whose token the remote refuses: a setup error and a reauth flow."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Refused",
        unique_id=bed.url("on", "/ha"),
        data={"url": bed.url("on", "/ha"), "verify_ssl": True, CONF_SECRET_KEY: "refused"},
    )
    entry.add_to_hass(hass)
    await async_save_secrets(
        hass, "refused", Secrets(token="revoked", p12=p12, password=P12_PASSWORD)
    )
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_no_secret_outside_the_store_in_process(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_storage: dict[str, Any],
    testbed: TestBed,
    enable_custom_integrations: None,
    late_upload: Uploader,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    for component in VIEW_COMPONENTS:
        assert await async_setup_component(hass, component, {})
    p12 = testbed.p12()
    results: list[Any] = []
    errors: list[str] = []
    entry = await link_through_the_flow(hass, testbed, late_upload, p12, results)
    await traffic(hass, entry, testbed, errors)
    results += await reauth_and_reconfigure(hass, entry, testbed, late_upload, p12)
    refused = await refused_link(hass, testbed, p12)
    errors += [str(refused.reason), *hass.config_entries.flow.async_progress_by_handler(DOMAIN)]
    coordinator = entry.runtime_data
    errors += [str(error) for error in coordinator.recent_errors]
    hub = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    diagnostics = [
        await get_diagnostics_for_config_entry(hass, hass_client, entry),
        await get_diagnostics_for_device(hass, hass_client, entry, hub),
    ]
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)  # flush delayed storage writes
    await hass.async_block_till_done()

    secrets = needles(testbed, p12)
    haystacks = {
        "storage": json.dumps({k: v for k, v in hass_storage.items() if k != SECRET_STORE}),
        "log": log_text(caplog.records),
        "states": json.dumps([s.as_dict() for s in hass.states.async_all()], default=str),
        "diagnostics": json.dumps(diagnostics, default=str),
        "flow results": json.dumps(results, default=str),
        "errors": json.dumps(errors, default=str),
    }
    assert hits(haystacks, secrets) == []
    # The search finds what is there: every secret sits in the store.
    store = json.dumps(hass_storage[SECRET_STORE])
    assert {n.what for n in secrets if n.text in store} >= {"token", "p12 password", "p12 base64"}
    assert len(caplog.records) > 100  # the run was logged at debug level
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.slow
async def test_no_secret_on_disk_of_a_real_home_assistant(
    testbed: TestBed, peer: RemoteHomeAssistant
) -> None:
    """A real process at debug level links through the UI's API; then its files are read."""
    await peer.async_rest("POST", "/api/services/logger/set_default_level", {"level": "debug"})
    p12 = testbed.p12()
    with pytest.raises(RuntimeError, match="wrong_password"):
        await async_link(peer, testbed.url("on"), p12, "wrong-password", testbed.token)
    entry_id = await async_link(peer, testbed.url("on"), p12, P12_PASSWORD, testbed.token)
    for service, data in (
        ("switch/toggle", {"entity_id": "switch.porch"}),
        ("remote_mtls/reconnect", {}),
        ("switch/toggle", {"entity_id": "switch.porch"}),
    ):
        await peer.async_rest("POST", f"/api/services/{service}", data)
    with pytest.raises(aiohttp.ClientResponseError):
        await peer.async_rest(
            "POST",
            "/api/services/remote_mtls/call_service",
            {
                "domain": "input_number",
                "service": "set_value",
                "target": {"entity_id": "input_number.thermostat_offset"},
                "data": {"value": 999},
            },
        )
    assert entry_id
    peer.stop()  # a clean stop writes everything

    storage = peer.config_dir / ".storage"
    store = storage / SECRET_STORE
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    secrets = needles(testbed, p12)
    files = [path for path in storage.iterdir() if path.name != SECRET_STORE]
    files += [*peer.config_dir.glob("home-assistant.log*"), peer.log_path]
    haystacks = {str(path.relative_to(peer.config_dir)): _read(path) for path in files}
    assert "home-assistant.log" in haystacks
    assert "DEBUG" in haystacks["home-assistant.log"]
    assert hits(haystacks, secrets) == []
    assert {n.what for n in secrets if n.text in store.read_text()} >= {"token", "p12 password"}


def _read(path: Path) -> str:
    return path.read_bytes().decode(errors="replace") if path.is_file() else ""
