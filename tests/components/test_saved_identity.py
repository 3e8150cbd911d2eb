"""A link loads its PKCS#12 once; later setups read the identity saved from it (fast starts)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from unittest.mock import MagicMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.remote_mtls.api import ClientIdentity
from custom_components.remote_mtls.const import CONF_SECRET_KEY, DOMAIN
from custom_components.remote_mtls.saved_identity import DIGEST
from custom_components.remote_mtls.secret_store import (
    Secrets,
    async_load_secrets,
    async_save_secrets,
)

from ..testbed.bed import P12_PASSWORD, TestBed
from ..testbed.certs import P12Format
from .conftest import Uploader, add_entry, send, send_good_certificate, start


@pytest.fixture
def loads_p12() -> Iterator[MagicMock]:
    """Counts the PKCS#12 files decrypted (by setups and flows alike)."""
    with patch.object(ClientIdentity, "from_pkcs12", wraps=ClientIdentity.from_pkcs12) as loads:
        yield loads


async def _secrets(hass: HomeAssistant, key: str) -> Secrets:
    secrets = await async_load_secrets(hass, key)
    assert secrets is not None
    return secrets


async def _set_up_link(hass: HomeAssistant, testbed: TestBed) -> tuple[MockConfigEntry, str]:
    """A link set up once (its identity saved); with its secrets' key."""
    entry = await add_entry(hass, testbed)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry, entry.data[CONF_SECRET_KEY]


async def test_the_p12_is_loaded_once_then_the_saved_identity(
    hass: HomeAssistant, testbed: TestBed, loads_p12: MagicMock
) -> None:
    entry, key = await _set_up_link(hass, testbed)
    saved = (await _secrets(hass, key)).identity
    assert saved is not None and saved[DIGEST]
    identity = entry.runtime_data.identity
    assert identity is not None
    assert saved["key"].startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")  # never in clear
    assert saved["certificate"] == testbed.pki.client.cert_pem().decode()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert loads_p12.call_count == 1
    reloaded = entry.runtime_data.identity
    assert reloaded is not None and reloaded.key_pem() == identity.key_pem()
    assert reloaded.certificate == identity.certificate
    assert (await _secrets(hass, key)).token == testbed.token  # nothing else changed
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_link_made_in_the_flow_starts_without_decrypting_its_file(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader, loads_p12: MagicMock
) -> None:
    result = await send_good_certificate(
        hass, await start(hass, testbed.url("on")), testbed, upload
    )
    result = await send(hass, result, {"access_token": testbed.token})
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert entry.state is ConfigEntryState.LOADED
    assert loads_p12.call_count == 1  # the certificate step; the setup read what it saved
    assert await hass.config_entries.async_reload(entry.entry_id)
    assert loads_p12.call_count == 1
    await hass.config_entries.async_unload(entry.entry_id)


async def test_another_file_or_a_damaged_saved_identity_loads_the_file(
    hass: HomeAssistant, testbed: TestBed
) -> None:
    entry, key = await _set_up_link(hass, testbed)
    rsa_saved = (await _secrets(hass, key)).identity
    assert rsa_saved is not None
    # A new file whose secrets still carry the old saved identity: its digest does not match.
    ec_file = testbed.p12(testbed.pki.client_ec)
    await async_save_secrets(hass, key, replace(await _secrets(hass, key), p12=ec_file))
    assert await hass.config_entries.async_reload(entry.entry_id)
    assert entry.runtime_data.identity is not None
    assert entry.runtime_data.identity.key_type == "EC secp256r1"
    ec_saved = (await _secrets(hass, key)).identity
    assert ec_saved is not None and ec_saved[DIGEST] != rsa_saved[DIGEST]
    # A saved identity that cannot be read: the file is loaded, and saved again.
    damaged = {**ec_saved, "key": "-----BEGIN PRIVATE KEY-----\nnope\n"}
    await async_save_secrets(hass, key, replace(await _secrets(hass, key), identity=damaged))
    assert await hass.config_entries.async_reload(entry.entry_id)
    assert entry.state is ConfigEntryState.LOADED
    saved_again = (await _secrets(hass, key)).identity
    assert saved_again is not None and saved_again["key"] != damaged["key"]
    assert saved_again[DIGEST] == ec_saved[DIGEST]
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_file_without_a_password_is_loaded_at_every_setup(
    hass: HomeAssistant, testbed: TestBed, loads_p12: MagicMock
) -> None:
    """Its key would have to be saved in clear: nothing is saved."""
    entry = await add_entry(hass, testbed)
    key = entry.data[CONF_SECRET_KEY]
    without_password = testbed.p12(fmt=P12Format.NO_PASSWORD, password="")
    await async_save_secrets(
        hass, key, replace(await _secrets(hass, key), p12=without_password, password="")
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_reload(entry.entry_id)
    assert loads_p12.call_count == 2
    assert (await _secrets(hass, key)).identity is None
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_saved_identity_that_expired_is_refused_like_the_file(
    hass: HomeAssistant, testbed: TestBed, freezer: FrozenDateTimeFactory, loads_p12: MagicMock
) -> None:
    entry, _key = await _set_up_link(hass, testbed)
    assert await hass.config_entries.async_unload(entry.entry_id)
    identity = ClientIdentity.from_pkcs12(testbed.p12(), P12_PASSWORD)
    loads_p12.reset_mock()
    freezer.move_to(identity.not_after + timedelta(days=1))
    assert datetime.now(UTC) > identity.not_after
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    # Only the reauthentication form reads the file (to show it); the setup did not.
    assert [call.kwargs for call in loads_p12.call_args_list] == [{"check_validity": False}]
    assert entry.state is ConfigEntryState.SETUP_ERROR  # certificate_expired: reauth
    assert entry.reason is not None and "expired" in entry.reason.lower()
