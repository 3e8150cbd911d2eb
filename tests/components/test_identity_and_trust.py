"""Links made before 0.3: their identity and their server trust are carried over on first load."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest

from custom_components.remote_mtls.api import (
    CommandError,
    NotHomeAssistant,
    ProbeResult,
    remote_instance_id,
)
from custom_components.remote_mtls.const import CONF_SECRET_KEY
from custom_components.remote_mtls.secret_store import (
    Secrets,
    async_load_secrets,
    async_save_secrets,
)

from ..testbed.bed import P12_PASSWORD, TestBed
from .conftest import Uploader, add_entry, send, send_good_certificate, start


async def _without_ca(hass: HomeAssistant, bed: TestBed, token: str) -> Any:
    """An entry as 0.2 stored it: the server verified by the CA inside the .p12 alone."""
    entry = await add_entry(hass, bed)
    assert entry.minor_version == 1
    await async_save_secrets(
        hass, entry.data[CONF_SECRET_KEY], Secrets(token, bed.p12(), P12_PASSWORD, None)
    )
    return entry


async def test_old_link_keeps_the_ca_of_its_p12_as_its_explicit_ca(
    hass: HomeAssistant, testbed: TestBed
) -> None:
    entry = await _without_ca(hass, testbed, testbed.token)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    secrets = await async_load_secrets(hass, entry.data[CONF_SECRET_KEY])
    assert secrets is not None and secrets.ca_pem is not None
    assert secrets.ca_pem.strip() == testbed.ca_pem.strip()
    assert entry.minor_version == 2
    await hass.config_entries.async_unload(entry.entry_id)


async def test_old_link_with_a_revoked_token_keeps_the_ca_and_asks_for_a_token(
    hass: HomeAssistant, testbed: TestBed
) -> None:
    entry = await _without_ca(hass, testbed, "revoked")
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR  # reauthentication started
    secrets = await async_load_secrets(hass, entry.data[CONF_SECRET_KEY])
    assert secrets is not None and secrets.ca_pem is not None  # the server was verified with it


async def test_two_old_links_to_one_remote_keep_their_ids(
    hass: HomeAssistant, testbed: TestBed, caplog: pytest.LogCaptureFixture
) -> None:
    """The first takes the remote's identity; the second cannot, and says so."""
    first = await add_entry(hass, testbed)
    assert await hass.config_entries.async_setup(first.entry_id)
    second = await add_entry(hass, testbed, url=testbed.url("on", "/ha"))
    await async_save_secrets(
        hass,
        second.data[CONF_SECRET_KEY],
        Secrets(testbed.token, testbed.p12(), P12_PASSWORD, testbed.ca_pem),
    )
    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    assert first.unique_id == first.runtime_data.remote_id
    assert second.unique_id == testbed.url("on", "/ha")
    assert "links the same remote Home Assistant as another link" in caplog.text
    for entry in (first, second):
        await hass.config_entries.async_unload(entry.entry_id)


async def test_certificate_wanted_only_past_the_probe(
    hass: HomeAssistant, testbed: TestBed, upload: Uploader
) -> None:
    """A proxy whose probed paths pass without a certificate: the token step finds out."""
    result = await start(hass, testbed.url("on"))  # a private CA: the certificate step
    with patch(
        "custom_components.remote_mtls.api.RemoteClient.probe",
        return_value=ProbeResult(certificate_required=False),
    ):
        result = await send(hass, result, {"ca_certificate": testbed.ca_pem})  # the CA alone
        assert result["step_id"] == "token", result["errors"]
        result = await send(hass, result, {"access_token": testbed.token})
        assert result["step_id"] == "client_certificate", result["errors"]
        assert result["errors"] == {"base": "cert_required"}
        result = await send_good_certificate(hass, result, testbed, upload)
    assert result["step_id"] == "token", result["errors"]


class _Answers:
    """A websocket stand-in answering commands from a table (a remote's point of view)."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers

    async def command(self, message: dict[str, Any]) -> Any:
        answer = self.answers[message["type"]]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.mark.parametrize(
    ("answers", "identity"),
    [
        (
            {"config/auth/list": [{"id": "a", "is_owner": False}, {"id": "o", "is_owner": True}]},
            "owner:o",
        ),
        (
            {
                "config/auth/list": CommandError("Unauthorized", code="unauthorized"),
                "auth/current_user": {"id": "me", "is_admin": False},
            },
            "user:me",
        ),
    ],
    ids=["owner", "token_of_a_user"],
)
async def test_remote_instance_id(answers: dict[str, Any], identity: str) -> None:
    assert await remote_instance_id(_Answers(answers)) == identity  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "current_user",
    [None, {"id": None}, {"id": 5}, {"id": "x" * 65}, {"id": "../../etc"}, {"id": "a b"}],
)
async def test_remote_instance_id_needs_a_user_id(current_user: Any) -> None:
    """Nothing but a short id becomes the link's unique id (the remote chooses it)."""
    answers = {
        "config/auth/list": [{"id": "x" * 1000, "is_owner": True}],
        "auth/current_user": current_user,
    }
    with pytest.raises(NotHomeAssistant, match="who its users are"):
        await remote_instance_id(_Answers(answers))  # type: ignore[arg-type]
