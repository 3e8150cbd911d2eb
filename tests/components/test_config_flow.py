"""Config flow against the real remote behind nginx: every step and error, reauth, reconfigure."""

from __future__ import annotations

import json
from typing import Any
import uuid

from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.remote_mtls.const import CONF_SECRET_KEY, DOMAIN
from custom_components.remote_mtls.secret_store import _store, async_load_secrets

from ..testbed.bed import P12_PASSWORD, TestBed
from ..testbed.certs import P12Format, export_p12, new_key
from ..testbed.ports import free_port
from .conftest import Uploader, add_entry, send, send_good_certificate, start


def suggested(result: dict[str, Any], field: str) -> Any:
    """The value a form pre-fills in a field."""
    for key in result["data_schema"].schema:
        if key == field:
            return (key.description or {}).get("suggested_value")
    raise KeyError(field)


async def test_full_flow_through_http_api_like_the_frontend(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, testbed: TestBed, upload: Uploader
) -> None:
    """POST /api/file_upload, then the flow's HTTP endpoints, exactly as the frontend does."""
    client = await hass_client()
    resp = await client.post("/api/config/config_entries/flow", json={"handler": DOMAIN})
    flow = await resp.json()
    assert flow["step_id"] == "user"
    path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    flow = await (
        await client.post(path, json={"url": testbed.url("on"), "verify_ssl": True})
    ).json()
    assert flow["step_id"] == "client_certificate"
    file_id = await upload(testbed.p12())
    flow = await (
        await client.post(
            path,
            json={
                "client_certificate": file_id,
                "certificate_password": P12_PASSWORD,
                "ca_certificate": testbed.ca_pem,
            },
        )
    ).json()
    assert flow["step_id"] == "token", flow
    assert flow["description_placeholders"]["subject"] == "CN=test-client"
    flow = await (await client.post(path, json={"access_token": testbed.token})).json()
    assert flow["type"] == "create_entry", flow
    assert flow["title"] == "Remote Test Home"

    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert entry.unique_id is not None and entry.unique_id.startswith("owner:")  # the remote
    await hass.async_block_till_done()
    assert entry.runtime_data.websocket.connected

    # No secret in the config entry; all of them in the private store.
    stored = json.dumps(entry.as_dict(), default=str)
    key_pem = testbed.pki.client.key_pem().decode()
    for secret in (testbed.token, P12_PASSWORD, key_pem.splitlines()[1]):
        assert secret not in stored
    secrets = await async_load_secrets(hass, entry.data[CONF_SECRET_KEY])
    assert secrets is not None
    assert secrets.token == testbed.token
    assert secrets.password == P12_PASSWORD
    assert "redacted" in repr(secrets)
    assert _store(hass)._private  # written with mode 0600
    # The identity the flow loaded is saved with them (the link's setups need not decrypt the
    # file), its key encrypted with the file's password.
    assert secrets.identity is not None
    assert secrets.identity["key"].startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert key_pem.splitlines()[1] not in json.dumps(secrets.identity)


async def test_remote_without_client_certificate(hass: HomeAssistant, testbed: TestBed) -> None:
    result = await start(hass, testbed.remote.url + "/")
    assert result["step_id"] == "token"
    result = await send(hass, result, {"access_token": "wrong"})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await send(hass, result, {"access_token": testbed.token})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["url"] == testbed.remote.url
    assert result["data"]["certificate_subject"] is None
    await hass.async_block_till_done()

    again = await start(hass, testbed.remote.url)
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"


@pytest.mark.parametrize(
    ("url", "error"),
    [("not a url", "invalid_url"), ("ftp://127.0.0.1", "invalid_url")],
)
async def test_invalid_url(hass: HomeAssistant, url: str, error: str) -> None:
    result = await start(hass, url)
    assert result["errors"] == {"url": error}


async def test_unreachable_then_fixed(hass: HomeAssistant, testbed: TestBed) -> None:
    result = await start(hass, f"https://127.0.0.1:{free_port()}")
    assert result["errors"] == {"base": "cannot_connect"}
    result = await send(hass, result, {"url": testbed.url("on"), "verify_ssl": True})
    assert result["step_id"] == "client_certificate"


async def serve(handler: Any) -> tuple[str, web.AppRunner]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return f"http://127.0.0.1:{port}", runner


async def test_not_home_assistant(hass: HomeAssistant) -> None:
    async def page(_request: web.Request) -> web.Response:
        return web.Response(text="<html>router</html>", content_type="text/html", status=404)

    url, runner = await serve(page)
    try:
        result = await start(hass, url)
        assert result["errors"] == {"base": "not_home_assistant"}
    finally:
        await runner.cleanup()


async def test_https_required(hass: HomeAssistant, testbed: TestBed, upload: Uploader) -> None:
    async def forbidden(_request: web.Request) -> web.Response:
        return web.Response(status=403, text="client certificate required")

    url, runner = await serve(forbidden)
    try:
        result = await start(hass, url)
        assert result["step_id"] == "client_certificate"
        result = await send(
            hass,
            result,
            {
                "client_certificate": await upload(testbed.p12()),
                "certificate_password": P12_PASSWORD,
            },
        )
        assert result["errors"] == {"base": "https_required"}
    finally:
        await runner.cleanup()


def p12_without_matching_key(bed: TestBed) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"x",
        new_key("rsa"),
        None,
        [bed.pki.client.cert],
        serialization.BestAvailableEncryption(b"pw"),
    )


def p12_without_key(bed: TestBed) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"x", None, bed.pki.client.cert, None, serialization.BestAvailableEncryption(b"pw")
    )


def p12_only_ca(bed: TestBed) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"x",
        new_key("rsa"),
        None,
        [bed.pki.root.cert],
        serialization.BestAvailableEncryption(b"pw"),
    )


@pytest.mark.parametrize(
    ("make_file", "password", "errors"),
    [
        (
            lambda bed: bed.p12(),
            "wrong",
            {"certificate_password": "wrong_password", "client_certificate": "file_kept"},
        ),
        (lambda bed: bed.pki.client.cert_pem(), "", {"client_certificate": "invalid_p12"}),
        (lambda bed: bed.pki.client.key_pem(), "", {"client_certificate": "invalid_p12"}),
        (lambda bed: b"", "", {"client_certificate": "invalid_p12"}),
        (lambda bed: b"PK\x03\x04" + b"\x00" * 64, "", {"client_certificate": "invalid_p12"}),
        (lambda bed: b"\x00" * (10 * 1024 * 1024), "", {"client_certificate": "invalid_p12"}),
        (
            lambda bed: bed.p12(bed.pki.client_expired),
            P12_PASSWORD,
            {"client_certificate": "cert_expired"},
        ),
        (
            lambda bed: bed.p12(bed.pki.client_not_yet_valid),
            P12_PASSWORD,
            {"client_certificate": "cert_not_yet_valid"},
        ),
        (p12_without_matching_key, "pw", {"client_certificate": "key_mismatch"}),
        (p12_without_key, "pw", {"client_certificate": "no_private_key"}),
        (p12_only_ca, "pw", {"client_certificate": "no_certificate"}),
        (lambda bed: bed.p12(bed.pki.client_untrusted), P12_PASSWORD, {"base": "cert_rejected"}),
    ],
)
async def test_bad_certificates_then_a_good_one(
    hass: HomeAssistant,
    testbed: TestBed,
    upload: Uploader,
    make_file: Any,
    password: str,
    errors: dict[str, str],
) -> None:
    result = await start(hass, testbed.url("on"))
    result = await send(
        hass,
        result,
        {"client_certificate": await upload(make_file(testbed)), "certificate_password": password},
    )
    assert result["step_id"] == "client_certificate"
    assert result["errors"] == errors
    result = await send_good_certificate(hass, result, testbed, upload)
    assert result["step_id"] == "token", result["errors"]


async def test_retry_after_wrong_password_keeps_the_file(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    result = await start(hass, testbed.url("on"))
    result = await send(
        hass,
        result,
        {
            "client_certificate": await upload(testbed.p12()),
            "certificate_password": "no",
            "ca_certificate": testbed.ca_pem,
        },
    )
    assert result["errors"] == {
        "certificate_password": "wrong_password",
        "client_certificate": "file_kept",
    }
    result = await send(hass, result, {"certificate_password": P12_PASSWORD})
    assert result["step_id"] == "token"


async def test_file_field_required_until_uploaded(hass: HomeAssistant, testbed: TestBed) -> None:
    result = await start(hass, testbed.url("on"))
    result = await send(
        hass, result, {"client_certificate": str(uuid.uuid4()), "certificate_password": "x"}
    )
    assert result["errors"] == {"client_certificate": "upload_missing"}


async def test_private_ca_for_the_server(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    """The server's certificate comes from a CA only the user knows: asked with the certificate."""
    result = await start(hass, testbed.url("untrusted_server"))
    assert result["step_id"] == "client_certificate"
    file_id = await upload(testbed.p12())
    result = await send(
        hass, result, {"client_certificate": file_id, "certificate_password": P12_PASSWORD}
    )
    assert result["errors"] == {"base": "server_cert_untrusted"}
    result = await send(hass, result, {"ca_certificate": "not a pem"})
    assert result["errors"] == {"ca_certificate": "invalid_ca"}
    untrusted_ca = testbed.pki.untrusted.cert_pem().decode()
    result = await send(hass, result, {"ca_certificate": untrusted_ca})
    assert result["step_id"] == "token"


async def test_hostname_mismatch(hass: HomeAssistant, testbed: TestBed, upload: Uploader) -> None:
    result = await start(hass, testbed.url("wrong_host"))
    assert result["step_id"] == "client_certificate"  # the server's CA is not known yet
    file_id = await upload(testbed.p12())
    result = await send(
        hass,
        result,
        {
            "client_certificate": file_id,
            "certificate_password": P12_PASSWORD,
            "ca_certificate": testbed.ca_pem,
        },
    )
    assert result["errors"] == {"base": "hostname_mismatch"}


async def test_seed_recipe_p12_with_its_ca_inside(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    seed = testbed.seed
    result = await start(hass, testbed.url("seed"))
    assert result["step_id"] == "client_certificate"  # server untrusted until the p12's CA is known
    file_id = await upload(seed.client_p12.read_bytes())
    result = await send(
        hass, result, {"client_certificate": file_id, "certificate_password": seed.password}
    )
    # The p12's own CA signed the server: offered in the CA field, trusted once submitted.
    assert result["errors"] == {"base": "ca_in_certificate_file"}
    offered = suggested(result, "ca_certificate")
    assert offered.strip() == seed.ca_crt.read_text().strip()
    result = await send(hass, result, {"ca_certificate": offered})
    assert result["step_id"] == "token", result["errors"]
    result = await send(hass, result, {"access_token": testbed.token})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_legacy_and_passwordless_p12(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    for data, password in (
        (testbed.p12(fmt=P12Format.LEGACY_RC2), P12_PASSWORD),
        (
            export_p12(
                testbed.pki.client, "", P12Format.NO_PASSWORD, include_ca=testbed.pki.root.cert
            ),
            "",
        ),
    ):
        result = await start(hass, testbed.url("on"))
        result = await send(
            hass,
            result,
            {
                "client_certificate": await upload(data),
                "certificate_password": password,
                "ca_certificate": testbed.ca_pem,
            },
        )
        assert result["step_id"] == "token"
        hass.config_entries.flow.async_abort(result["flow_id"])


async def test_reauth_asks_for_a_token(hass: HomeAssistant, testbed: TestBed) -> None:
    entry = await add_entry(hass, testbed, token="revoked-token")
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert len(flows) == 1
    result = await hass.config_entries.flow.async_configure(flows[0]["flow_id"])
    assert result["step_id"] == "reauth_confirm"
    assert list(result["data_schema"].schema) == ["access_token"]
    result = await send(hass, result, {"access_token": "still-wrong"})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await send(hass, result, {"access_token": testbed.token})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.runtime_data.websocket.connected
    assert (await async_load_secrets(hass, "k1")).token == testbed.token  # type: ignore[union-attr]


async def test_reauth_asks_for_a_certificate(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    entry = await add_entry(hass, testbed, p12=testbed.p12(testbed.pki.client_untrusted))
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert "access_token" not in result["data_schema"].schema
    assert "client_certificate" in result["data_schema"].schema
    result = await send_good_certificate(hass, result, testbed, upload)
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()


async def test_reconfigure_to_a_path_prefix_keeps_the_entry(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    entry = await add_entry(hass, testbed)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await send(hass, result, {"url": "bad url", "verify_ssl": True})
    assert result["errors"] == {"url": "invalid_url"}
    result = await send(
        hass,
        result,
        {"url": testbed.url("untrusted_server"), "verify_ssl": True, "ca_certificate": ""},
    )
    assert result["errors"] == {"base": "server_cert_untrusted"}
    new_url = testbed.url("on", "/ha/")
    result = await send(
        hass,
        result,
        {
            "url": new_url,
            "verify_ssl": True,
            "client_certificate": await upload(testbed.p12(testbed.pki.client_ec)),
            "certificate_password": P12_PASSWORD,
            "ca_certificate": testbed.ca_pem,
        },
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data["url"] == testbed.url("on") + "/ha"
    assert entry.data["certificate_subject"] == "CN=test-client-ec"
    assert entry.runtime_data.websocket.connected


async def test_reauth_certificate_retry_after_wrong_password(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    entry = await add_entry(hass, testbed, p12=testbed.p12(testbed.pki.client_expired))
    result = await entry.start_reauth_flow(hass)
    file_id = await upload(testbed.p12())
    result = await send(
        hass, result, {"client_certificate": file_id, "certificate_password": "nope"}
    )
    assert result["errors"] == {
        "certificate_password": "wrong_password",
        "client_certificate": "file_kept",
    }
    assert "client_certificate" in result["data_schema"].schema
    result = await send(hass, result, {"certificate_password": P12_PASSWORD})
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()


async def test_stored_certificate_unreadable_starts_reauth(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    entry = await add_entry(hass, testbed, p12=testbed.p12(password="other"))
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    result = await hass.config_entries.flow.async_configure(flows[0]["flow_id"])
    assert "client_certificate" in result["data_schema"].schema
    result = await send_good_certificate(hass, result, testbed, upload)
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()


async def test_missing_secrets_are_asked_again(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    entry = await add_entry(hass, testbed)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_SECRET_KEY: "gone"})
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    result = await hass.config_entries.flow.async_configure(flows[0]["flow_id"])
    assert {"client_certificate", "access_token"} <= set(result["data_schema"].schema)
    file_id = await upload(testbed.p12())
    result = await send(
        hass,
        result,
        {
            "client_certificate": file_id,
            "certificate_password": P12_PASSWORD,
            "ca_certificate": testbed.ca_pem,
            "access_token": "x",
        },
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert list(result["data_schema"].schema) == ["access_token"]
    result = await send(hass, result, {"access_token": testbed.token})
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()


async def test_reconfigure_same_url_new_certificate(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    entry = await add_entry(hass, testbed)
    result = await entry.start_reconfigure_flow(hass)
    result = await send(
        hass,
        result,
        {
            "url": testbed.url("on"),
            "verify_ssl": True,
            "client_certificate": await upload(testbed.p12(testbed.pki.client_via_intermediate)),
            "certificate_password": P12_PASSWORD,
        },
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["certificate_subject"] == "CN=test-client-intermediate"
    await hass.async_block_till_done()


async def test_reauth_of_a_link_without_certificate(hass: HomeAssistant, testbed: TestBed) -> None:
    entry = await add_entry(hass, testbed, token="bad", url=testbed.remote.url)
    result = await entry.start_reauth_flow(hass)
    assert list(result["data_schema"].schema) == ["access_token"]
    result = await send(hass, result, {"access_token": testbed.token})
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()


async def test_private_ca_alone_then_certificate_required(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    """After an untrusted server the .p12 is optional: a CA alone may be all the remote needs."""
    result = await start(hass, testbed.url("untrusted_server"))
    assert result["step_id"] == "client_certificate"
    untrusted_ca = testbed.pki.untrusted.cert_pem().decode()
    result = await send(hass, result, {"ca_certificate": untrusted_ca})
    assert result["errors"] == {"base": "cert_required"}  # this proxy wants a certificate too
    result = await send(
        hass,
        result,
        {
            "client_certificate": await upload(testbed.p12()),
            "certificate_password": P12_PASSWORD,
            "ca_certificate": untrusted_ca,
        },
    )
    assert result["step_id"] == "token"


async def test_same_remote_under_another_address_is_already_linked(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    """Linked at the proxy's root, then again through its /ha prefix: one remote, one link."""
    for url, outcome in ((testbed.url("on"), "create_entry"), (testbed.url("on", "/ha"), "abort")):
        result = await start(hass, url)
        result = await send_good_certificate(hass, result, testbed, upload)
        result = await send(hass, result, {"access_token": testbed.token})
        assert result["type"] == outcome, result
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    await hass.async_block_till_done()


async def test_links_made_with_a_url_identity_are_migrated(
    hass: HomeAssistant, testbed: TestBed
) -> None:
    """Links made before 0.3 are keyed by URL; loading one gives it its remote's identity."""
    entry = await add_entry(hass, testbed)
    assert entry.unique_id == testbed.url("on")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.unique_id == entry.runtime_data.remote_id
    assert entry.unique_id.startswith("owner:")
    assert entry.minor_version == 2
    await hass.config_entries.async_unload(entry.entry_id)


async def test_nothing_given_on_the_certificate_step(hass: HomeAssistant, testbed: TestBed) -> None:
    """After an untrusted server the file is optional; giving nothing at all says so."""
    result = await start(hass, testbed.url("untrusted_server"))
    assert result["step_id"] == "client_certificate"
    result = await send(hass, result, {})
    assert result["errors"] == {"client_certificate": "upload_missing"}


async def test_rejected_upload_is_not_kept_in_reconfigure(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    """A PEM is refused; submitting again with the field empty keeps the current certificate."""
    entry = await add_entry(hass, testbed)
    result = await entry.start_reconfigure_flow(hass)
    pem = testbed.pki.client.cert_pem()
    base = {"url": testbed.url("on"), "verify_ssl": True, "ca_certificate": testbed.ca_pem}
    result = await send(hass, result, {**base, "client_certificate": await upload(pem)})
    assert result["errors"] == {"client_certificate": "invalid_p12"}
    assert result["description_placeholders"]["subject"] == "CN=test-client"  # still current
    result = await send(hass, result, base)
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()


async def test_reconfigure_rotates_the_token(hass: HomeAssistant, testbed: TestBed) -> None:
    entry = await add_entry(hass, testbed, token="old-revoked-token")
    result = await entry.start_reconfigure_flow(hass)
    base = {"url": testbed.url("on"), "verify_ssl": True, "ca_certificate": testbed.ca_pem}
    result = await send(hass, result, base)
    assert result["errors"] == {"base": "invalid_auth"}
    result = await send(hass, result, {**base, "access_token": testbed.token})
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    secrets = await async_load_secrets(hass, entry.data[CONF_SECRET_KEY])
    assert secrets is not None and secrets.token == testbed.token


async def test_wrong_path_goes_back_to_the_url(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    """A wrong path prefix shows on the URL form, where it can be fixed; the file is kept."""
    result = await start(hass, testbed.url("on", "/wrong"))
    result = await send_good_certificate(hass, result, testbed, upload)
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "not_home_assistant"}
    result = await send(hass, result, {"url": testbed.url("on", "/ha"), "verify_ssl": True})
    assert result["step_id"] == "token", result["errors"]
