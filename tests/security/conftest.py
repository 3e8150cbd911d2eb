"""Fixtures: a scripted hostile remote behind a real nginx that requires the client certificate.

The hostile remote and the recorders run on one background loop for the whole session (each
test has its own event loop). `hostile_link` links `hass` to it with the bed's certificate;
to script the remote before the link comes up, override `hostile_script` in a test module:

    @pytest.fixture
    def hostile_script(hostile_script: Script) -> Script:
        hostile_script.states["sensor.x"] = ScriptedEntity("1")
        return hostile_script
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
import uuid

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.remote_mtls.secret_store import Secrets

from ..components.conftest import add_stored_entry, upload  # noqa: F401 (upload: a fixture)
from ..reliability.conftest import late_upload  # noqa: F401
from ..testbed.bed import P12_PASSWORD, TestBed
from ..testbed.certs import ServerFiles
from ..testbed.nginx import Nginx, Site
from ..testbed.sync import sockets_allowed
from .background import BackgroundLoop
from .hostile_remote import HostileRemote, Script
from .recorder import Recorder, client_cert_context

HOSTILE_TOKEN = "hostile-remote-token"


@dataclass
class HostileBed:
    """The hostile remote as the integration sees it: behind nginx with mTLS."""

    url: str  # https URL of its nginx site
    server: HostileRemote
    nginx: Nginx
    testbed: TestBed  # its certificates: p12, ca_pem

    @property
    def token(self) -> str:
        """The token the remote accepts."""
        return self.server.token


@pytest.fixture(autouse=True)
def _integration(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Load custom integrations; allow sockets to 127.0.0.1."""


@pytest.fixture(scope="session")
def hostile_loop() -> Iterator[BackgroundLoop]:
    """The loop every hostile server and recorder runs on."""
    background = BackgroundLoop()
    background.start()
    yield background
    background.stop()


@pytest.fixture(scope="session")
def hostile_certs(testbed: TestBed) -> ServerFiles:
    """The bed's good server certificate and key, and the root CA for client certificates."""
    return testbed.pki.write_server_files(testbed.directory / "hostile_certs")


@pytest.fixture(scope="session")
def hostile(
    testbed: TestBed, hostile_loop: BackgroundLoop, hostile_certs: ServerFiles
) -> Iterator[HostileBed]:
    """The hostile remote and its own nginx (client certificate required), for the session."""
    server = HostileRemote(hostile_loop, HOSTILE_TOKEN)
    files = hostile_certs
    with sockets_allowed():  # Site picks a free port
        server.start()
        nginx = Nginx(
            prefix=testbed.directory / "hostile_nginx",
            upstream=server.port,
            sites={"on": Site(files.cert, files.key, files.client_ca)},
        )
    try:
        with sockets_allowed():
            nginx.start()
        yield HostileBed(nginx.url("on"), server, nginx, testbed)
    finally:
        nginx.stop()
        with sockets_allowed():
            server.stop()


@pytest.fixture
def hostile_reset(hostile: HostileBed) -> HostileBed:
    """The hostile remote with no connection, the default script and nothing received."""
    hostile.server.reset()
    return hostile


@pytest.fixture
def hostile_script(hostile_reset: HostileBed) -> Script:
    """The script `hostile_link` connects with; override it to change the remote first."""
    return hostile_reset.server.script


async def add_hostile_entry(
    hass: HomeAssistant,
    hostile: HostileBed,
    *,
    token: str | None = None,
    p12: bytes | None = None,
    url: str | None = None,
    options: dict[str, Any] | None = None,
    **data: Any,
) -> MockConfigEntry:
    """A config entry for the hostile remote with the bed's p12, password and CA (not set up)."""
    bed = hostile.testbed
    secrets = Secrets(
        token=hostile.token if token is None else token,
        p12=bed.p12() if p12 is None else p12,
        password=P12_PASSWORD,
        ca_pem=bed.ca_pem,
    )
    return await add_stored_entry(
        hass,
        title="Hostile Home",
        url=url or hostile.url,
        secret_key=f"hostile-{uuid.uuid4().hex}",
        secrets=secrets,
        options=options,
        **data,
    )


@asynccontextmanager
async def hostile_linked(
    hass: HomeAssistant, hostile: HostileBed, **kwargs: Any
) -> AsyncIterator[MockConfigEntry]:
    """A loaded link to the hostile remote (kwargs go to add_hostile_entry); unloaded on exit."""
    entry = await add_hostile_entry(hass, hostile, **kwargs)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    try:
        yield entry
    finally:
        await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
async def hostile_link(
    hass: HomeAssistant, hostile: HostileBed, hostile_script: Script
) -> AsyncIterator[MockConfigEntry]:
    """A loaded link to the hostile remote, scripted by `hostile_script`."""
    async with hostile_linked(hass, hostile) as entry:
        yield entry


@pytest.fixture
def recorder(hostile_loop: BackgroundLoop) -> Iterator[Recorder]:
    """A plain-HTTP listener that records every byte it receives."""
    listener = Recorder(hostile_loop)
    listener.start()
    yield listener
    listener.stop()


@pytest.fixture
def tls_recorder(hostile_loop: BackgroundLoop, hostile_certs: ServerFiles) -> Iterator[Recorder]:
    """An HTTPS listener with the bed's server certificate that asks for a client certificate
    and records handshakes, client certificates and decrypted bytes."""
    context = client_cert_context(
        str(hostile_certs.cert), str(hostile_certs.key), str(hostile_certs.client_ca)
    )
    listener = Recorder(hostile_loop, tls=context)
    listener.start()
    yield listener
    listener.stop()
