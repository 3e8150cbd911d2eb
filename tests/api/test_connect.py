"""REST through real nginx sites and CERT_REQUIRED servers: success and every diagnosed failure."""

from __future__ import annotations

import os
import ssl

from aiohttp import web
import pytest

from custom_components.remote_mtls.api import (
    CannotConnect,
    CertificateRejected,
    CertificateRequired,
    ClientIdentity,
    HostnameMismatch,
    HttpsRequired,
    InvalidToken,
    NotHomeAssistant,
    ServerCertificateUntrusted,
    TlsMismatch,
    build_ssl_context,
    normalize_url,
)

from ..testbed.bed import P12_PASSWORD, TestBed
from ..testbed.ports import free_port
from ..testbed.tls_server import GOOD_TOKEN
from .conftest import ClientFactory, identity_of


@pytest.mark.parametrize("max_tls", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
async def test_good_certificate_reaches_api(
    testbed: TestBed, make_client: ClientFactory, max_tls: ssl.TLSVersion
) -> None:
    client = make_client(testbed.url("on"), identity_of(testbed), max_tls=max_tls)
    assert await client.get_api_status() == "API running."
    assert "state_changed" in await client.event_types()


async def test_path_prefix(testbed: TestBed, make_client: ClientFactory) -> None:
    client = make_client(testbed.url("on", "/ha/"), identity_of(testbed))
    assert client.url.endswith("/ha")
    assert await client.get_api_status() == "API running."


async def test_intermediate_issued_certificate(
    testbed: TestBed, make_client: ClientFactory
) -> None:
    identity = identity_of(testbed, testbed.pki.client_via_intermediate)
    assert identity.intermediates
    client = make_client(testbed.url("on"), identity)
    assert await client.get_api_status() == "API running."


async def test_ec_certificate(testbed: TestBed, make_client: ClientFactory) -> None:
    client = make_client(testbed.url("on"), identity_of(testbed, testbed.pki.client_ec))
    assert await client.get_api_status() == "API running."


async def test_seed_recipe_connects(testbed: TestBed, make_client: ClientFactory) -> None:
    seed = testbed.seed
    identity = ClientIdentity.from_pkcs12(seed.client_p12.read_bytes(), seed.password)
    # The recipe's CA has no keyUsage: Python's strict check is relaxed for it alone.
    client = make_client(testbed.url("seed"), identity, ca_pem=seed.ca_crt.read_text())
    assert await client.get_api_status() == "API running."


async def test_ca_inside_the_p12_is_not_trusted_silently(
    testbed: TestBed, make_client: ClientFactory
) -> None:
    seed = testbed.seed
    identity = ClientIdentity.from_pkcs12(seed.client_p12.read_bytes(), seed.password)
    assert identity.ca_certificates  # the recipe puts its CA in the p12
    client = make_client(testbed.url("seed"), identity, ca_pem="")
    with pytest.raises(ServerCertificateUntrusted):
        await client.get_api_status()


def test_trust_is_only_what_was_given(testbed: TestBed) -> None:
    """A private CA is trusted alone, relaxed; without one the system store stays strict."""
    private = build_ssl_context(None, ca_pem=testbed.ca_pem)
    assert private.cert_store_stats()["x509_ca"] == 1
    assert not private.verify_flags & ssl.VERIFY_X509_STRICT
    assert private.check_hostname
    assert private.verify_mode is ssl.CERT_REQUIRED
    system = build_ssl_context(None)
    assert system.verify_flags & ssl.VERIFY_X509_STRICT
    assert system.check_hostname


async def test_key_never_written_in_clear_without_memfd(
    testbed: TestBed, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "memfd_create")
    client = make_client(testbed.url("on"), identity_of(testbed))
    assert await client.get_api_status() == "API running."


@pytest.mark.parametrize("site", ["on", "optional"])
async def test_nginx_without_certificate(
    testbed: TestBed, make_client: ClientFactory, site: str
) -> None:
    client = make_client(testbed.url(site))
    with pytest.raises(CertificateRequired):
        await client.get_api_status()
    assert (await client.probe()).certificate_required


@pytest.mark.parametrize("issued", ["client_untrusted", "client_expired"])
@pytest.mark.parametrize("site", ["on", "optional"])
async def test_nginx_rejects_certificate(
    testbed: TestBed, make_client: ClientFactory, issued: str, site: str
) -> None:
    identity = identity_of(testbed, getattr(testbed.pki, issued), check_validity=False)
    client = make_client(testbed.url(site), identity)
    with pytest.raises(CertificateRejected):
        await client.get_api_status()


@pytest.mark.parametrize("server", ["tls13_server", "tls12_server"])
async def test_tls_alerts(testbed: TestBed, make_client: ClientFactory, server: str) -> None:
    url = getattr(testbed, server).url
    with pytest.raises(CertificateRequired):
        await make_client(url, token=GOOD_TOKEN).get_api_status()
    assert (await make_client(url).probe()).certificate_required
    untrusted = identity_of(testbed, testbed.pki.client_untrusted)
    with pytest.raises(CertificateRejected) as rejected:
        await make_client(url, untrusted, token=GOOD_TOKEN).get_api_status()
    assert rejected.value.detail in ("unknown_ca", "handshake_failure")
    expired = identity_of(testbed, testbed.pki.client_expired, check_validity=False)
    with pytest.raises(CertificateRejected) as rejected:
        await make_client(url, expired, token=GOOD_TOKEN).get_api_status()
    assert rejected.value.detail in ("certificate_expired", "handshake_failure")
    good = make_client(url, identity_of(testbed), token=GOOD_TOKEN)
    assert await good.get_api_status() == "API running."


async def test_server_untrusted(testbed: TestBed, make_client: ClientFactory) -> None:
    client = make_client(testbed.url("untrusted_server"), identity_of(testbed))
    with pytest.raises(ServerCertificateUntrusted):
        await client.get_api_status()
    insecure = make_client(
        testbed.url("untrusted_server"), identity_of(testbed), verify_server=False
    )
    assert await insecure.get_api_status() == "API running."


async def test_hostname_mismatch(testbed: TestBed, make_client: ClientFactory) -> None:
    with pytest.raises(HostnameMismatch):
        await make_client(testbed.url("wrong_host"), identity_of(testbed)).get_api_status()


async def test_invalid_token(testbed: TestBed, make_client: ClientFactory) -> None:
    client = make_client(testbed.url("on"), identity_of(testbed), token="not-a-token")
    with pytest.raises(InvalidToken):
        await client.get_api_status()


async def test_probe_without_certificate_requirement(
    testbed: TestBed, make_client: ClientFactory
) -> None:
    result = await make_client(testbed.remote.url).probe()
    assert not result.certificate_required


async def test_cannot_connect(make_client: ClientFactory) -> None:
    with pytest.raises(CannotConnect) as err:
        await make_client(f"https://127.0.0.1:{free_port()}").probe()
    assert err.value.reason == "cannot_connect"


async def test_https_to_plain_http_port(testbed: TestBed, make_client: ClientFactory) -> None:
    url = testbed.remote.url.replace("http://", "https://")
    with pytest.raises(TlsMismatch):
        await make_client(url).probe()


async def test_not_home_assistant(make_client: ClientFactory) -> None:
    async def page(_request: web.Request) -> web.Response:
        return web.Response(text="<html>router login</html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        with pytest.raises(NotHomeAssistant):
            await make_client(f"http://127.0.0.1:{port}").probe()
        with pytest.raises(NotHomeAssistant):
            await make_client(f"http://127.0.0.1:{port}").get_api_status()
    finally:
        await runner.cleanup()


async def test_https_required_with_certificate(
    testbed: TestBed, make_client: ClientFactory
) -> None:
    with pytest.raises(HttpsRequired):
        make_client(testbed.remote.url, identity_of(testbed))


async def test_camera_image_through_the_certificate(
    testbed: TestBed, make_client: ClientFactory
) -> None:
    client = make_client(testbed.url("on"), identity_of(testbed))
    image, content_type = await client.get_image("/api/camera_proxy/camera.demo_camera")
    assert content_type in ("image/jpeg", "image/png")
    assert image[:2] == b"\xff\xd8" or image[:4] == b"\x89PNG"


def test_normalize_url() -> None:
    assert normalize_url("HTTPS://Example.COM:443/ha/") == "https://example.com/ha"
    assert normalize_url("http://example.com:8123") == "http://example.com:8123"
    assert normalize_url("https://[::1]:8443") == "https://[::1]:8443"
    with pytest.raises(ValueError):
        normalize_url("ftp://example.com")
    with pytest.raises(ValueError):
        normalize_url("example.com")
    assert P12_PASSWORD
