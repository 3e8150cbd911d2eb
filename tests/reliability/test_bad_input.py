"""Bad user input through the config flow, beyond tests/components/test_config_flow.py.

That file covers: wrong password, a PEM certificate, a PEM key, an empty file, a zip, 10 MB,
expired / not yet valid / untrusted certificates, key mismatch, no key, only a CA, legacy
RC2 and password-less files, invalid and unreachable URLs, a plain-HTTP non-HA server, an
http URL with a certificate, an untrusted server, a wrong host name and an invalid CA.
Here: the rest of the PKCS#12 matrix, more files that are not PKCS#12, URLs of the wrong
scheme or port, non-HA servers behind the mTLS proxy, and tokens that are not tokens.
Each gives its translated error and the flow goes on with good input.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable, Iterator
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from aiohttp import web
from cryptography.hazmat.primitives import serialization
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.remote_mtls.const import DOMAIN

from ..components.conftest import Uploader, send, start
from ..testbed.bed import P12_PASSWORD, TestBed
from ..testbed.certs import P12Format, export_p12
from ..testbed.nginx import Nginx, Site
from ..testbed.ports import free_port
from ..testbed.sync import sockets_allowed

# Every error the form may show has its text in strings.json.
TRANSLATED = frozenset(
    json.loads(
        (Path(__file__).parents[2] / "custom_components/remote_mtls/strings.json").read_text()
    )["config"]["error"]
)


def ca(bed: TestBed) -> dict[str, str]:
    """The CA field as a user fills it: the bed's server certificates come from its root."""
    return {"ca_certificate": bed.ca_pem}


UNICODE_PASSWORD = "pässwörd-🔑-密码"


def assert_error(result: dict[str, Any], step: str, errors: dict[str, str]) -> None:
    """The same form again, with a translated error."""
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step
    assert result["errors"] == errors
    assert set(errors.values()) <= TRANSLATED


@pytest.fixture
async def flows(
    hass: HomeAssistant, enable_custom_integrations: None, late_upload: Uploader
) -> AsyncIterator[Uploader]:
    """Flows of the test are aborted afterwards; yields the uploader."""
    yield late_upload
    for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN):
        hass.config_entries.flow.async_abort(flow["flow_id"])


# URL step ---------------------------------------------------------------------------------


async def test_urls_of_the_wrong_kind(
    hass: HomeAssistant, testbed: TestBed, flows: Uploader
) -> None:
    proxy = testbed.nginx.sites["on"].port
    cases = [
        (f"http://127.0.0.1:{proxy}", {"base": "tls_mismatch"}),  # http to the TLS port
        (f"https://127.0.0.1:{testbed.remote.port}", {"base": "tls_mismatch"}),  # TLS to http
        ("https://127.0.0.1:99999", {"url": "invalid_url"}),
        ("https://127.0.0.1:0", {"base": "cannot_connect"}),
        ("javascript:alert(1)", {"url": "invalid_url"}),
        ("http://", {"url": "invalid_url"}),
        ("", {"url": "invalid_url"}),
    ]
    for url, errors in cases:
        result = await start(hass, url)
        assert_error(result, "user", errors)
        result = await send(hass, result, {"url": testbed.url("on"), "verify_ssl": True})
        assert result["step_id"] == "client_certificate", url


# Certificate step ---------------------------------------------------------------------------


def pem_bundle(bed: TestBed) -> bytes:
    """A .pem with certificate and key, as many guides produce."""
    return bed.pki.client.cert_pem() + bed.pki.client.key_pem()


def der_certificate(bed: TestBed) -> bytes:
    """A binary .crt/.cer."""
    return bed.pki.client.cert.public_bytes(serialization.Encoding.DER)


def base64_p12(bed: TestBed) -> bytes:
    """A PKCS#12 pasted through base64 (what some password managers export)."""
    return base64.encodebytes(bed.p12())


def truncated_p12(bed: TestBed) -> bytes:
    """A download cut short."""
    data = bed.p12()
    return data[: len(data) // 2]


def random_megabyte(_bed: TestBed) -> bytes:
    """Noise of the size of a large bundle."""
    return bytes(range(256)) * 4096


@pytest.mark.parametrize(
    ("make_file", "password", "errors"),
    [
        (pem_bundle, P12_PASSWORD, {"client_certificate": "invalid_p12"}),
        (der_certificate, "", {"client_certificate": "invalid_p12"}),
        (base64_p12, P12_PASSWORD, {"client_certificate": "invalid_p12"}),
        (truncated_p12, P12_PASSWORD, {"client_certificate": "invalid_p12"}),
        (random_megabyte, "", {"client_certificate": "invalid_p12"}),
        (
            lambda bed: bed.p12(),
            "",
            {"certificate_password": "wrong_password", "client_certificate": "file_kept"},
        ),
        (
            lambda bed: bed.p12(fmt=P12Format.TRIPLE_DES),
            "wrong",
            {"certificate_password": "wrong_password", "client_certificate": "file_kept"},
        ),
        (
            lambda bed: bed.p12(fmt=P12Format.LEGACY_RC2),
            "wrong",
            {"certificate_password": "wrong_password", "client_certificate": "file_kept"},
        ),
    ],
    ids=["pem_bundle", "der", "base64", "truncated", "noise", "no_password", "3des", "rc2"],
)
async def test_files_that_are_not_a_usable_p12(
    hass: HomeAssistant,
    testbed: TestBed,
    flows: Uploader,
    make_file: Callable[[TestBed], bytes],
    password: str,
    errors: dict[str, str],
) -> None:
    result = await start(hass, testbed.url("on"))
    result = await send(
        hass,
        result,
        {
            "client_certificate": await flows(make_file(testbed)),
            "certificate_password": password,
            **ca(testbed),
        },
    )
    assert_error(result, "client_certificate", errors)
    result = await send(
        hass,
        result,
        {
            "client_certificate": await flows(testbed.p12()),
            "certificate_password": P12_PASSWORD,
            **ca(testbed),
        },
    )
    assert result["step_id"] == "token", result["errors"]


@pytest.mark.parametrize(
    ("make_file", "password"),
    [
        (lambda bed: bed.p12(fmt=P12Format.TRIPLE_DES), P12_PASSWORD),
        (lambda bed: bed.p12(bed.pki.client_ec), P12_PASSWORD),
        (lambda bed: bed.p12(bed.pki.client_via_intermediate), P12_PASSWORD),
        (lambda bed: bed.p12(password=UNICODE_PASSWORD), UNICODE_PASSWORD),
    ],
    ids=["3des", "ec_key", "intermediate_chain", "unicode_password"],
)
async def test_every_p12_flavour_is_accepted(
    hass: HomeAssistant,
    testbed: TestBed,
    flows: Uploader,
    make_file: Callable[[TestBed], bytes],
    password: str,
) -> None:
    result = await start(hass, testbed.url("on"))
    result = await send(
        hass,
        result,
        {
            "client_certificate": await flows(make_file(testbed)),
            "certificate_password": password,
            **ca(testbed),
        },
    )
    assert result["step_id"] == "token", result["errors"]


async def test_p12_without_its_ca_then_the_ca(
    hass: HomeAssistant, testbed: TestBed, flows: Uploader
) -> None:
    """The server's CA is neither inside the file nor given: asked for, then accepted."""
    result = await start(hass, testbed.url("on"))
    bare = export_p12(testbed.pki.client, P12_PASSWORD)
    result = await send(
        hass,
        result,
        {"client_certificate": await flows(bare), "certificate_password": P12_PASSWORD},
    )
    assert_error(result, "client_certificate", {"base": "server_cert_untrusted"})
    result = await send(
        hass, result, {"ca_certificate": testbed.pki.client.key_pem().decode()}
    )  # a key pasted where the CA goes
    assert_error(result, "client_certificate", {"ca_certificate": "invalid_ca"})
    result = await send(hass, result, {"ca_certificate": testbed.ca_pem})
    assert result["step_id"] == "token", result["errors"]


# Servers that are not Home Assistant, behind the mTLS proxy -------------------------------------


@pytest.fixture(scope="module")
def other_proxy(testbed: TestBed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    """An mTLS nginx site in front of something that is not Home Assistant."""
    directory: Path = tmp_path_factory.mktemp("other_proxy")
    files = testbed.pki.write_server_files(directory / "certs")
    with sockets_allowed():
        nginx = Nginx(
            prefix=directory / "nginx",
            upstream=free_port(),
            sites={"other": Site(files.cert, files.key, files.client_ca)},
        )
        nginx.start()
    try:
        yield nginx
    finally:
        nginx.stop()


async def not_home_assistant(request: web.Request) -> web.StreamResponse:
    """/html: a router's page for every path; anything else: a JSON API that knows no websocket."""
    if request.path.startswith("/html"):
        return web.Response(text="<html>router</html>", content_type="text/html")
    return web.json_response({"message": "API running."})


@pytest.mark.parametrize("path", ["/html", "/json"], ids=["html", "json"])
async def test_non_home_assistant_behind_the_proxy(
    hass: HomeAssistant,
    testbed: TestBed,
    flows: Uploader,
    other_proxy: Nginx,
    path: str,
) -> None:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", not_home_assistant)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", other_proxy.upstream).start()
    try:
        result = await start(hass, other_proxy.url("other", path))
        assert result["step_id"] == "client_certificate"
        certificate = {
            "client_certificate": await flows(testbed.p12()),
            "certificate_password": P12_PASSWORD,
            **ca(testbed),
        }
        result = await send(hass, result, certificate)
        # Not Home Assistant: only another URL can fix it, so the flow goes back to that form.
        assert_error(result, "user", {"base": "not_home_assistant"})
    finally:
        await runner.cleanup()


async def test_right_proxy_wrong_path(
    hass: HomeAssistant, testbed: TestBed, flows: Uploader
) -> None:
    result = await start(hass, testbed.url("on", "/not-ha"))
    result = await send(
        hass,
        result,
        {
            "client_certificate": await flows(testbed.p12()),
            "certificate_password": P12_PASSWORD,
            **ca(testbed),
        },
    )
    # Only the URL can fix this: the flow goes back to the URL form, the certificate kept.
    assert_error(result, "user", {"base": "not_home_assistant"})
    result = await send(hass, result, {"url": testbed.url("on"), "verify_ssl": True})
    assert result["step_id"] == "token", result["errors"]


# Token step ----------------------------------------------------------------------------------


async def to_token_step(hass: HomeAssistant, bed: TestBed, upload: Uploader) -> dict[str, Any]:
    result = await start(hass, bed.url("on"))
    return await send(
        hass,
        result,
        {
            "client_certificate": await upload(bed.p12()),
            "certificate_password": P12_PASSWORD,
            **ca(bed),
        },
    )


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(" ", id="blank"),
        pytest.param("tökën", id="latin1"),
        pytest.param("🔑", id="emoji"),
        pytest.param("not-a-jwt.at.all", id="garbage"),
        pytest.param(
            "x" * 20_000,
            id="20k",
        ),
    ],
)
async def test_tokens_that_are_not_tokens(
    hass: HomeAssistant, testbed: TestBed, flows: Uploader, token: str
) -> None:
    result = await to_token_step(hass, testbed, flows)
    result = await send(hass, result, {"access_token": token})
    assert_error(result, "token", {"base": "invalid_auth"})
    with patch("custom_components.remote_mtls.async_setup_entry", return_value=True):
        result = await send(hass, result, {"access_token": testbed.token})
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    "suffix", ["\n", "\r\nX-Injected: 1", "\x00"], ids=["newline", "header", "nul"]
)
async def test_tokens_with_control_characters(
    hass: HomeAssistant, testbed: TestBed, flows: Uploader, suffix: str
) -> None:
    """A token pasted with its line end: accepted (stripped) or refused, never a crash."""
    result = await to_token_step(hass, testbed, flows)
    with patch("custom_components.remote_mtls.async_setup_entry", return_value=True):
        result = await send(hass, result, {"access_token": testbed.token + suffix})
    assert result["type"] is FlowResultType.CREATE_ENTRY or result["errors"] == {
        "base": "invalid_auth"
    }
