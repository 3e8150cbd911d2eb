"""Each proxy recipe of docs/proxies/ runs once per session in front of the test bed's remote."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from unittest.mock import patch

from aiohttp.resolver import AsyncResolver
import pytest
import pytest_socket

from ..components.conftest import upload
from ..reliability.conftest import fast_timings
from ..testbed.bed import TestBed
from ..testbed.proxies import RECIPES, RecipeProxy
from ..testbed.sync import sockets_allowed

__all__ = ["fast_timings", "upload"]

# The name every site answers to: the proxies see it as SNI and Host, as they would see a
# user's host name (Caddy refuses a request by IP with 421, Traefik's Host rule answers 404).
HOST = "localhost"


@pytest.fixture(autouse=True)
def _sockets(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Reach 127.0.0.1; also try ::1, where "localhost" may resolve first (nothing listens
    there: the connection is refused and the client goes on to 127.0.0.1)."""
    pytest_socket.socket_allow_hosts(["127.0.0.1", "::1"])


@pytest.fixture(autouse=True)
async def _resolver(mock_zeroconf_resolver: object) -> AsyncIterator[None]:
    """Home Assistant's sessions resolve host names with c-ares on this test's loop.

    The plugin's stand-in resolver belongs to the session's loop (tests elsewhere dial IPs).
    """
    resolver = AsyncResolver()
    resolver.real_close = resolver.close  # type: ignore[attr-defined]
    with patch("homeassistant.helpers.aiohttp_client._async_make_resolver", return_value=resolver):
        yield
    await resolver.close()


@pytest.fixture(scope="session", params=list(RECIPES))
def proxy(
    request: pytest.FixtureRequest, testbed: TestBed, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RecipeProxy]:
    """One recipe run by its proxy on 127.0.0.1, always stopped at the end."""
    directory = tmp_path_factory.mktemp(request.param)
    certs = directory / "certs"
    with sockets_allowed():
        running = RecipeProxy(  # picks a free port
            RECIPES[request.param],
            directory / "proxy",
            upstream=testbed.remote.port,
            server=testbed.pki.write_server_files(certs),
            host=HOST,
            client=testbed.pki.client.write(certs, "client"),
        )
        try:
            running.start()
            yield running
        finally:
            running.stop()
