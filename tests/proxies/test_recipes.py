"""The README's proxy recipes (docs/proxies/), run as they are by nginx, Apache, Caddy, Traefik.

Each recipe is linked through the config flow, mirrors the remote, forwards an action and heals
after its proxy restarts; a missing or a wrong client certificate gives the form error the
README's troubleshooting names, and the answers behind it are the ones the README lists.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import aiohttp
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
import psutil
import pytest

from custom_components.remote_mtls.api import (
    CertificateRejected,
    CertificateRequired,
    ClientIdentity,
    HostNotServed,
    RemoteClient,
    RemoteError,
    build_ssl_context,
)

from ..components.conftest import Uploader, local_entity_id, remote_state, send, start, wait_for
from ..testbed.bed import P12_PASSWORD, TestBed
from ..testbed.certs import Issued
from ..testbed.proxies import RecipeProxy

pytestmark = pytest.mark.slow

GUEST = "input_boolean.guest_mode"
# What each proxy answers a client without a certificate and one with a certificate of an
# unknown CA (RemoteError.detail: "http" is an HTTP 400 page, the others are TLS alerts).
REFUSALS = {
    "nginx": ("http", "http"),
    "apache-vhost": ("tlsv13_alert_certificate_required", "unknown_ca"),
    "apache-location": ("tlsv13_alert_certificate_required", "unknown_ca"),
    "caddy": ("tlsv13_alert_certificate_required", "unknown_ca"),
    "traefik": ("tlsv13_alert_certificate_required", "unknown_ca"),
}


async def send_certificate(
    hass: HomeAssistant, result: dict[str, Any], bed: TestBed, upload: Uploader, p12: bytes
) -> dict[str, Any]:
    """Submit a .p12 with its password and the private CA of the server."""
    return await send(
        hass,
        result,
        {
            "client_certificate": await upload(p12),
            "certificate_password": P12_PASSWORD,
            "ca_certificate": bed.ca_pem,
        },
    )


async def link(hass: HomeAssistant, url: str, bed: TestBed, upload: Uploader) -> ConfigEntry:
    """Walk the config flow as a user does: URL, .p12 + password + CA, token."""
    result = await start(hass, url)
    assert result["step_id"] == "client_certificate", result.get("errors")
    result = await send_certificate(hass, result, bed, upload, bed.p12())
    assert result["step_id"] == "token", result["errors"]
    result = await send(hass, result, {"access_token": bed.token})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done()
    entry = hass.config_entries.async_get_entry(result["result"].entry_id)
    assert entry is not None
    return entry


def local_state(hass: HomeAssistant, entity_id: str) -> str | None:
    """The local state string, or None while the entity has none."""
    state = hass.states.get(entity_id)
    return state.state if state else None


async def toggle_and_check(hass: HomeAssistant, bed: TestBed, local: str) -> None:
    """Toggle the local mirror: the remote changes, and the mirror shows the remote's state."""
    before = (await remote_state(bed, GUEST))["state"]
    await hass.services.async_call("switch", "toggle", {"entity_id": local}, blocking=True)
    after = (await remote_state(bed, GUEST))["state"]
    assert {before, after} == {"on", "off"}
    await wait_for(lambda: local_state(hass, local) == after)


async def test_recipe_links_mirrors_forwards_and_heals(
    hass: HomeAssistant,
    proxy: RecipeProxy,
    testbed: TestBed,
    upload: Uploader,
    fast_timings: None,
) -> None:
    entry = await link(hass, proxy.url(), testbed, upload)
    assert entry.runtime_data.websocket.connected

    local = local_entity_id(hass, entry, GUEST)  # mirrored
    remote = (await remote_state(testbed, GUEST))["state"]
    await wait_for(lambda: local_state(hass, local) == remote)
    await toggle_and_check(hass, testbed, local)  # forwarded through the proxy

    went_unavailable = asyncio.Event()

    @callback
    def _changed(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if event.data["entity_id"] == local and new and new.state == STATE_UNAVAILABLE:
            went_unavailable.set()

    unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, _changed)
    try:
        await asyncio.to_thread(proxy.stop)
        async with asyncio.timeout(10):
            await went_unavailable.wait()
        await asyncio.to_thread(proxy.start)  # the same port
        remote = (await remote_state(testbed, GUEST))["state"]
        await wait_for(lambda: local_state(hass, local) == remote, timeout=20)
    finally:
        unsubscribe()
        if proxy.process is None:
            await asyncio.to_thread(proxy.start)
    assert entry.runtime_data.websocket.reconnects >= 1
    await toggle_and_check(hass, testbed, local)  # and forwarded again after healing
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_missing_then_wrong_certificate(
    hass: HomeAssistant, proxy: RecipeProxy, testbed: TestBed, upload: Uploader
) -> None:
    """The README's troubleshooting: no certificate is cert_required, an unknown CA's is
    cert_rejected. With the server's CA alone the flow must ask below /api too (Apache's
    per-location `SSLVerifyClient` leaves /auth/providers open)."""
    result = await start(hass, proxy.url())
    assert result["step_id"] == "client_certificate", result.get("errors")
    result = await send(hass, result, {"ca_certificate": testbed.ca_pem})
    assert result["errors"] == {"base": "cert_required"}
    untrusted = testbed.p12(testbed.pki.client_untrusted)
    result = await send_certificate(hass, result, testbed, upload, untrusted)
    assert result["errors"] == {"base": "cert_rejected"}
    result = await send_certificate(hass, result, testbed, upload, testbed.p12())
    assert result["step_id"] == "token", result["errors"]


def identity(issued: Issued) -> ClientIdentity:
    """A client identity straight from the test PKI."""
    return ClientIdentity(issued.cert, issued.key, issued.chain)


async def answer(url: str, bed: TestBed, issued: Issued | None) -> str | RemoteError:
    """GET /api/ with the token through the proxy: the API's message, or the diagnosed error."""
    context = build_ssl_context(identity(issued) if issued else None, ca_pem=bed.ca_pem)
    async with aiohttp.ClientSession() as session:
        client = RemoteClient(session, url, bed.token, context, sent_certificate=bool(issued))
        try:
            return await client.get_api_status()
        except RemoteError as err:
            return err


def tls_alert(err: BaseException) -> str | None:
    """The TLS alert behind an error, as OpenSSL names it."""
    current: BaseException | None = err
    while current is not None:
        if isinstance(current, ssl.SSLError) and getattr(current, "reason", None):
            return str(current.reason)
        current = current.__cause__ or current.__context__
    return None


async def test_what_each_proxy_answers(proxy: RecipeProxy, testbed: TestBed) -> None:
    """The exact answers behind the form errors, and what a request by IP gets."""
    required, rejected = REFUSALS[proxy.name]
    missing = await answer(proxy.url(), testbed, None)
    assert isinstance(missing, CertificateRequired), missing
    assert missing.detail == required
    wrong = await answer(proxy.url(), testbed, testbed.pki.client_untrusted)
    assert isinstance(wrong, CertificateRejected), wrong
    assert wrong.detail == rejected
    if proxy.name == "nginx":  # 400 "No required SSL certificate was sent" / "The SSL ..."
        assert str(missing).startswith("HTTP 400")
        assert str(wrong).startswith("HTTP 400")
    else:
        assert tls_alert(missing) == "TLSV13_ALERT_CERTIFICATE_REQUIRED"
        assert tls_alert(wrong) == "TLSV1_ALERT_UNKNOWN_CA"
    assert await answer(proxy.url(), testbed, testbed.pki.client) == "API running."

    by_ip = await answer(proxy.ip_url(), testbed, testbed.pki.client)
    if proxy.name == "caddy":  # strict SNI/Host matching, as soon as client_auth is on
        assert isinstance(by_ip, HostNotServed), by_ip
        assert by_ip.detail == "421"
    elif proxy.name == "traefik":  # no router for Host 127.0.0.1: "404 page not found"
        assert isinstance(by_ip, HostNotServed), by_ip
        assert by_ip.detail == "404"
    else:
        assert by_ip == "API running."


@pytest.mark.parametrize("proxy", ["caddy", "traefik"], indirect=True)
async def test_by_ip_the_form_asks_for_the_host_name(
    hass: HomeAssistant, proxy: RecipeProxy, testbed: TestBed, upload: Uploader
) -> None:
    """Caddy (421) and Traefik (404) serve the site only under its name: back to the URL."""
    result = await start(hass, proxy.ip_url())
    assert result["step_id"] == "client_certificate", result.get("errors")
    result = await send_certificate(hass, result, testbed, upload, testbed.p12())
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "host_not_served"}


def listening(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP listener and UDP socket of the process and its children."""
    parent = psutil.Process(pid)
    return {
        (conn.laddr.ip, conn.laddr.port)
        for process in (parent, *parent.children(recursive=True))
        for conn in process.net_connections(kind="inet")
        if conn.status in (psutil.CONN_LISTEN, psutil.CONN_NONE)
    }


async def test_listens_on_127_0_0_1_only(proxy: RecipeProxy) -> None:
    """One port on 127.0.0.1 (Caddy adds HTTP/3 over UDP there): no :80, no admin API."""
    assert proxy.process is not None
    sockets = await asyncio.to_thread(listening, proxy.process.pid)
    assert sockets == {("127.0.0.1", proxy.port)}
