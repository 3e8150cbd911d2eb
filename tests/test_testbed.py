"""Smoke tests of the test bed itself, with plain aiohttp and ssl (not the integration's code)."""

from __future__ import annotations

from pathlib import Path
import ssl

import aiohttp
import pytest

from .testbed.bed import TestBed

pytestmark = pytest.mark.usefixtures("socket_enabled")


def _client_context(bed: TestBed, tmp_path: Path, with_cert: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(bed.pki.write_ca(tmp_path)))
    if with_cert is not None:
        issued = getattr(bed.pki, with_cert)
        cert, key = issued.write(tmp_path, with_cert)
        context.load_cert_chain(cert, key)
    return context


async def test_client_certificate_reaches_remote_api_and_websocket(
    testbed: TestBed, tmp_path: Path
) -> None:
    context = _client_context(testbed, tmp_path, "client")
    headers = {"Authorization": f"Bearer {testbed.token}"}
    async with aiohttp.ClientSession() as session:
        async with session.get(testbed.url("on", "/api/"), ssl=context, headers=headers) as resp:
            assert resp.status == 200
            assert (await resp.json()) == {"message": "API running."}
        async with session.ws_connect(testbed.url("on", "/api/websocket"), ssl=context) as ws:
            assert (await ws.receive_json())["type"] == "auth_required"
            await ws.send_json({"type": "auth", "access_token": testbed.token})
            assert (await ws.receive_json())["type"] == "auth_ok"


async def test_remote_has_demo_and_helper_entities(testbed: TestBed) -> None:
    states = await testbed.remote.async_rest("GET", "/api/states")
    entity_ids = {state["entity_id"] for state in states}
    assert {
        "input_boolean.porch",
        "sensor.porch_status",
        "binary_sensor.guests_present",
    } <= entity_ids
    assert len({eid.split(".")[0] for eid in entity_ids}) >= 30
    assert sum(eid.startswith("light.") for eid in entity_ids) >= 5


async def test_remote_keeps_http_settings_in_storage_like_ha_2026(testbed: TestBed) -> None:
    """No YAML http: block, so no deprecation repair; proxies on 127.0.0.1 are trusted."""
    issues = await testbed.remote.async_ws_command({"type": "repairs/list_issues"})
    assert not [i for i in issues["issues"] if i["domain"] == "http"], issues
    assert "http:" not in (testbed.remote.config_dir / "configuration.yaml").read_text()


@pytest.mark.parametrize(
    ("cert", "message"),
    [
        (None, "No required SSL certificate was sent"),
        ("client_untrusted", "The SSL certificate error"),
        ("client_expired", "The SSL certificate error"),
    ],
)
async def test_nginx_refuses_without_a_good_certificate(
    testbed: TestBed, tmp_path: Path, cert: str | None, message: str
) -> None:
    context = _client_context(testbed, tmp_path, cert)
    async with aiohttp.ClientSession() as session:
        async with session.get(testbed.url("on", "/api/"), ssl=context) as resp:
            assert resp.status == 400
            assert message in await resp.text()


async def test_nginx_optional_site_answers_403_without_certificate(
    testbed: TestBed, tmp_path: Path
) -> None:
    context = _client_context(testbed, tmp_path, None)
    async with aiohttp.ClientSession() as session:
        async with session.get(testbed.url("optional", "/api/"), ssl=context) as resp:
            assert resp.status == 403


@pytest.mark.parametrize(
    ("server", "alert"),
    [("tls13_server", "TLSV13_ALERT_CERTIFICATE_REQUIRED"), ("tls12_server", "HANDSHAKE_FAILURE")],
)
async def test_python_cert_required_server_sends_a_tls_alert(
    testbed: TestBed, tmp_path: Path, server: str, alert: str
) -> None:
    context = _client_context(testbed, tmp_path, None)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientError) as err:
            async with session.get(f"{getattr(testbed, server).url}/api/", ssl=context):
                pass
    assert alert in repr(err.value) + repr(err.value.__cause__)


async def test_seed_recipe_certificates_work_with_nginx(testbed: TestBed) -> None:
    seed = testbed.seed
    context = ssl.create_default_context(cafile=str(seed.ca_crt))
    context.verify_flags &= ~ssl.VERIFY_X509_STRICT  # the recipe's CA has no keyUsage
    context.load_cert_chain(seed.client_crt, seed.client_key)
    headers = {"Authorization": f"Bearer {testbed.token}"}
    async with aiohttp.ClientSession() as session:
        async with session.get(testbed.url("seed", "/api/"), ssl=context, headers=headers) as resp:
            assert resp.status == 200
