"""Remote Home Assistant (mTLS): link a remote Home Assistant behind a client-certificate proxy."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady

from .api import (
    ConnectionFailure,
    ConnectionState,
    IdentityError,
    RemoteClient,
    WebSocketSession,
)
from .api.errors import RemoteError
from .const import CONF_SECRET_KEY, CONF_VERIFY_SSL, DOMAIN
from .errors import AUTH_REASONS
from .link import TlsSettings, async_create_client, async_load_identity
from .secret_store import async_load_secrets, async_remove_secrets


@dataclass
class RemoteLink:
    """What a loaded entry holds: the REST client and the live websocket session."""

    client: RemoteClient
    websocket: WebSocketSession


type RemoteMtlsConfigEntry = ConfigEntry[RemoteLink]


async def async_setup_entry(hass: HomeAssistant, entry: RemoteMtlsConfigEntry) -> bool:
    """Connect to the remote; ask for reauthentication when the remote refuses us."""
    secrets = await async_load_secrets(hass, entry.data[CONF_SECRET_KEY])
    if secrets is None:
        raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="secrets_missing")
    try:
        identity = (
            await async_load_identity(hass, secrets.p12, secrets.password)
            if secrets.p12 is not None
            else None
        )
        client = await async_create_client(
            hass,
            entry.data[CONF_URL],
            secrets.token,
            TlsSettings(identity, entry.data[CONF_VERIFY_SSL], secrets.ca_pem),
        )
        websocket = WebSocketSession(client)
        await websocket.connect()
    except (IdentityError, ConnectionFailure) as err:
        raise _setup_error(err) from err

    @callback
    def _state_changed(state: ConnectionState, _error: ConnectionFailure | None) -> None:
        if state is ConnectionState.AUTH_FAILED:
            entry.async_start_reauth(hass)

    websocket.on_state_change = _state_changed
    entry.runtime_data = RemoteLink(client, websocket)
    entry.async_on_unload(websocket.close)
    return True


def _setup_error(err: RemoteError) -> Exception:
    placeholders = {"error": str(err)}
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
    """Close the websocket (registered with async_on_unload)."""
    return True


async def async_remove_entry(hass: HomeAssistant, entry: RemoteMtlsConfigEntry) -> None:
    """Delete the entry's secrets."""
    await async_remove_secrets(hass, entry.data[CONF_SECRET_KEY])
