"""Build the remote client for an entry or a flow: identity and SSL context off the event loop."""

from __future__ import annotations

from dataclasses import dataclass
import ssl

import aiohttp
from homeassistant.const import EVENT_HOMEASSISTANT_CLOSE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from homeassistant.util.hass_dict import HassKey

from .api import ClientIdentity, RemoteClient, build_ssl_context, refuse_redirects
from .const import DOMAIN

LINK_SESSION: HassKey[aiohttp.ClientSession] = HassKey(f"{DOMAIN}_session")


@dataclass(frozen=True, slots=True)
class TlsSettings:
    """What the SSL context is made of."""

    identity: ClientIdentity | None
    verify_server: bool = True
    ca_pem: str | None = None


async def async_load_identity(
    hass: HomeAssistant, p12: bytes, password: str, *, check_validity: bool = True
) -> ClientIdentity:
    """Load a PKCS#12 in the executor (key derivation is slow)."""
    return await hass.async_add_executor_job(
        lambda: ClientIdentity.from_pkcs12(p12, password, check_validity=check_validity)
    )


async def async_ssl_context(hass: HomeAssistant, settings: TlsSettings) -> ssl.SSLContext:
    """Build the entry's own SSLContext in the executor (loads files and keys)."""
    return await hass.async_add_executor_job(
        lambda: build_ssl_context(
            settings.identity, verify_server=settings.verify_server, ca_pem=settings.ca_pem
        )
    )


@callback
def async_link_session(hass: HomeAssistant) -> aiohttp.ClientSession:
    """Return the integration's HTTP session: Home Assistant's, never following redirects."""
    if (session := hass.data.get(LINK_SESSION)) is not None:
        return session
    session = async_create_clientsession(hass, auto_cleanup=False, middlewares=(refuse_redirects,))
    hass.data[LINK_SESSION] = session

    @callback
    def _detach(_event: Event) -> None:
        hass.data.pop(LINK_SESSION, None)
        session.detach()

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_CLOSE, _detach)
    return session


async def async_create_client(
    hass: HomeAssistant, url: str, token: str, settings: TlsSettings
) -> RemoteClient:
    """Create a RemoteClient with this entry's SSL context on the redirect-refusing session."""
    context = await async_ssl_context(hass, settings)
    return RemoteClient(
        async_link_session(hass),
        url,
        token,
        context,
        sent_certificate=settings.identity is not None,
    )
