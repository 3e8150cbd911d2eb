"""Fixtures for the HA-free client: real connections to the test bed on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
import ssl

import aiohttp
import pytest

from custom_components.remote_mtls.api import ClientIdentity, RemoteClient, build_ssl_context

from ..testbed.bed import P12_PASSWORD, TestBed
from ..testbed.certs import Issued, P12Format


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Every test here talks to servers on 127.0.0.1."""


def identity_of(bed: TestBed, issued: Issued | None = None, **kwargs: bool) -> ClientIdentity:
    """ClientIdentity of a test-bed client certificate (through a real .p12)."""
    return ClientIdentity.from_pkcs12(bed.p12(issued, P12Format.MODERN), P12_PASSWORD, **kwargs)


type ClientFactory = Callable[..., RemoteClient]


@pytest.fixture
async def make_client(testbed: TestBed) -> AsyncIterator[ClientFactory]:
    """Build RemoteClients on one aiohttp session (closed after the test)."""
    session = aiohttp.ClientSession()

    def factory(
        url: str,
        identity: ClientIdentity | None = None,
        *,
        token: str | None = None,
        ca_pem: str | None = None,
        verify_server: bool = True,
        max_tls: ssl.TLSVersion | None = None,
    ) -> RemoteClient:
        context = build_ssl_context(
            identity,
            verify_server=verify_server,
            ca_pem=testbed.ca_pem if ca_pem is None else ca_pem,
        )
        if max_tls is not None:
            context.maximum_version = max_tls
        return RemoteClient(
            session,
            url,
            testbed.token if token is None else token,
            context,
            sent_certificate=identity is not None,
        )

    yield factory
    await session.close()
