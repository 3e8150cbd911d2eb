"""Remote Home Assistant (mTLS): link a remote Home Assistant behind a client-certificate proxy."""

from __future__ import annotations

from dataclasses import replace
import logging

from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.helpers.typing import ConfigType

from .api import (
    ClientIdentity,
    CommandError,
    CommandTimeout,
    ConnectionFailure,
    HostnameMismatch,
    IdentityError,
    NotConnected,
    RemoteClient,
    ServerCertificateUntrusted,
    WebSocketSession,
    pem_bundle,
)
from .api.errors import RemoteError
from .client_factory import TlsSettings, async_create_client, async_load_identity
from .const import CONF_SECRET_KEY, CONF_VERIFY_SSL, DOMAIN, TRUST_EXPLICIT_VERSION
from .coordinator import RemoteCoordinator, RemoteMtlsConfigEntry
from .errors import AUTH_REASONS, CERTIFICATE_REFUSED_REASONS, safe_description
from .issues import (
    CERTIFICATE_REFUSED,
    async_check_entry_issues,
    async_delete_entry_issues,
    async_set_issue,
)
from .platform_map import PLATFORMS
from .remote_identity import async_migrate_unique_id
from .secret_store import (
    Secrets,
    async_load_secrets,
    async_remove_secrets,
    async_save_secrets,
)
from .services import async_setup_services

_LOGGER = logging.getLogger(__name__)

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions (they exist even while no link is loaded)."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: RemoteMtlsConfigEntry) -> bool:
    """Connect to the remote, mirror its entities; ask for reauthentication when refused."""
    async_check_entry_issues(hass, entry)
    secrets = await async_load_secrets(hass, entry.data[CONF_SECRET_KEY])
    if secrets is None:
        raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="secrets_missing")
    try:
        identity = (
            await async_load_identity(hass, secrets.p12, secrets.password)
            if secrets.p12 is not None
            else None
        )
        try:
            client, websocket = await _async_connect(hass, entry, secrets, identity)
        except ServerCertificateUntrusted:
            if (kept := await _async_keep_trust_of_p12(hass, entry, secrets, identity)) is None:
                raise
            client, websocket = kept
    except (IdentityError, ConnectionFailure) as err:
        if err.reason in CERTIFICATE_REFUSED_REASONS:
            async_set_issue(
                hass,
                entry,
                CERTIFICATE_REFUSED,
                True,
                severity=ir.IssueSeverity.ERROR,
                placeholders={"error": safe_description(err)},
            )
        raise _setup_error(err) from err
    async_set_issue(hass, entry, CERTIFICATE_REFUSED, False)
    if entry.minor_version < TRUST_EXPLICIT_VERSION:
        hass.config_entries.async_update_entry(entry, minor_version=TRUST_EXPLICIT_VERSION)
    entry.async_on_unload(websocket.close)
    coordinator = RemoteCoordinator(hass, entry, client, websocket, identity)
    entry.async_on_unload(coordinator.async_stop)
    try:
        await coordinator.async_start()
    except (CommandError, CommandTimeout, NotConnected, TimeoutError) as err:
        await websocket.close()
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": str(err) or type(err).__name__},
        ) from err
    entry.runtime_data = coordinator
    async_migrate_unique_id(hass, entry, coordinator.remote_id)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await coordinator.async_wait_idle()
    return True


async def _async_connect(
    hass: HomeAssistant,
    entry: RemoteMtlsConfigEntry,
    secrets: Secrets,
    identity: ClientIdentity | None,
) -> tuple[RemoteClient, WebSocketSession]:
    client = await async_create_client(
        hass,
        entry.data[CONF_URL],
        secrets.token,
        TlsSettings(identity, entry.data[CONF_VERIFY_SSL], secrets.ca_pem),
    )
    websocket = WebSocketSession(client)
    await websocket.connect()
    return client, websocket


async def _async_keep_trust_of_p12(
    hass: HomeAssistant,
    entry: RemoteMtlsConfigEntry,
    secrets: Secrets,
    identity: ClientIdentity | None,
) -> tuple[RemoteClient, WebSocketSession] | None:
    """Links made before 0.3 trusted the .p12's CAs for the server without asking.

    When such a link needs them, they become its explicit CA certificate (shown in Reconfigure),
    so nothing the user had stops working; every other link trusts only what it was given.
    """
    if (
        entry.minor_version >= TRUST_EXPLICIT_VERSION
        or secrets.ca_pem
        or identity is None
        or not identity.ca_certificates
    ):
        return None
    explicit = replace(secrets, ca_pem=pem_bundle(identity.ca_certificates))
    try:
        connected = await _async_connect(hass, entry, explicit, identity)
    except ServerCertificateUntrusted, HostnameMismatch:
        raise
    except ConnectionFailure:
        # The server was verified with them; what fails now (a token, say) is another matter.
        await _async_save_explicit_ca(hass, entry, explicit)
        raise
    await _async_save_explicit_ca(hass, entry, explicit)
    return connected


async def _async_save_explicit_ca(
    hass: HomeAssistant, entry: RemoteMtlsConfigEntry, secrets: Secrets
) -> None:
    await async_save_secrets(hass, entry.data[CONF_SECRET_KEY], secrets)
    _LOGGER.info("%s: the CA inside the client certificate file is now its CA", entry.title)


def _setup_error(err: RemoteError) -> Exception:
    placeholders = {"error": safe_description(err)}
    if err.reason in AUTH_REASONS:
        return ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key=err.reason,
            translation_placeholders=placeholders,
        )
    return ConfigEntryNotReady(
        translation_domain=DOMAIN, translation_key=err.reason, translation_placeholders=placeholders
    )


async def async_unload_entry(hass: HomeAssistant, entry: RemoteMtlsConfigEntry) -> bool:
    """Unload the platforms; the websocket closes through async_on_unload."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: RemoteMtlsConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete a mirrored device; it stays away until the link is re-added."""
    return entry.runtime_data.async_forget_device(device)


async def async_remove_entry(hass: HomeAssistant, entry: RemoteMtlsConfigEntry) -> None:
    """Delete the entry's secrets and repair issues."""
    await async_remove_secrets(hass, entry.data[CONF_SECRET_KEY])
    async_delete_entry_issues(hass, entry)
