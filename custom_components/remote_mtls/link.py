"""Build the remote client for an entry or a flow: identity and SSL context off the event loop."""

from __future__ import annotations

from dataclasses import dataclass
import ssl

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api import ClientIdentity, RemoteClient, build_ssl_context


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


async def async_create_client(
    hass: HomeAssistant, url: str, token: str, settings: TlsSettings
) -> RemoteClient:
    """Create a RemoteClient on Home Assistant's shared session with this entry's SSL context."""
    context = await async_ssl_context(hass, settings)
    return RemoteClient(
        async_get_clientsession(hass),
        url,
        token,
        context,
        sent_certificate=settings.identity is not None,
    )
