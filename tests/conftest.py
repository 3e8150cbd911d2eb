"""Session-wide test bed: a real remote Home Assistant behind nginx requiring client certs."""

from __future__ import annotations

from collections.abc import Iterator

from aiohttp.web_urldispatcher import UrlDispatcher
import pytest

from .testbed.bed import TestBed, running_testbed
from .testbed.sync import sockets_allowed


@pytest.fixture(scope="session")
def testbed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestBed]:
    """Certificates, remote HA and nginx, made once per session and always torn down."""
    with sockets_allowed(), running_testbed(tmp_path_factory.mktemp("testbed")) as bed:
        yield bed


@pytest.fixture
def restore_testbed(testbed: TestBed) -> Iterator[TestBed]:
    """For tests that stop nginx or the remote: both run again afterwards."""
    yield testbed
    if testbed.nginx.process is None or testbed.nginx.process.poll() is not None:
        testbed.nginx.start()
    if testbed.remote.process is None or testbed.remote.process.poll() is not None:
        with sockets_allowed():
            testbed.remote.restart()


@pytest.fixture(autouse=True)
def _router_stays_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the test HTTP server's routes open, as Home Assistant's own server does.

    Home Assistant stops aiohttp from freezing its router (http/server.py) so integrations set
    up after the start can register views; the test client would freeze it.
    """
    monkeypatch.setattr(UrlDispatcher, "freeze", lambda self: None)
