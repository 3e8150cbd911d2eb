"""Reliability tests talk to real processes on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import partial

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.remote_mtls.api import WebSocketSession

from ..components.conftest import Uploader, loaded_link, post_file
from ..testbed.bed import TestBed
from ..testbed.remote_ha import PEER_TEMPLATE_DIR, RemoteHomeAssistant
from ..testbed.sync import sockets_allowed
from .health import FAST


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Allow sockets to 127.0.0.1."""


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteHomeAssistant]:
    """A real Home Assistant process with this integration installed (one per module)."""
    with sockets_allowed():
        ha = RemoteHomeAssistant(
            tmp_path_factory.mktemp("peer") / "peer",
            template=PEER_TEMPLATE_DIR,
            with_integration=True,
        )
        try:
            ha.setup()
            yield ha
        finally:
            ha.stop()


@pytest.fixture
def fast_timings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Links set up in the test use a fast heartbeat and backoff (faults heal in seconds)."""
    monkeypatch.setattr(
        "custom_components.remote_mtls.link_manager.WebSocketSession",
        partial(WebSocketSession, timings=FAST),
    )


@pytest.fixture
async def link(
    hass: HomeAssistant, testbed: TestBed, enable_custom_integrations: None, fast_timings: None
) -> AsyncIterator[MockConfigEntry]:
    """A loaded link to the test bed's remote through nginx mTLS, mirroring everything."""
    async with loaded_link(hass, testbed) as entry:
        yield entry


@pytest.fixture
def late_upload(hass: HomeAssistant, hass_client: ClientSessionGenerator) -> Uploader:
    """Upload a file as the frontend does, starting the HTTP client only at the first upload.

    The test client freezes the router: platforms with HTTP views (camera, media player...)
    must be set up before, so a link can be loaded first and a file uploaded later.
    """
    clients: list[TestClient] = []

    async def _upload(data: bytes) -> str:
        if not clients:
            assert await async_setup_component(hass, "file_upload", {})
            clients.append(await hass_client())
        return await post_file(clients[0], data)

    return _upload
