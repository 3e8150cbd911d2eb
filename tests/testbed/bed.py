"""The whole test bed: certificates, a real remote Home Assistant and nginx sites in front of it."""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from dataclasses import dataclass
from pathlib import Path

from .certs import Issued, P12Format, Pki, SeedFiles, export_p12, openssl_seed_recipe
from .nginx import Nginx, Site
from .ports import free_port
from .remote_ha import RemoteHomeAssistant
from .tls_server import CertRequiredServer

P12_PASSWORD = "test-pass"


@dataclass
class TestBed:
    """Everything a test needs to reach the remote through mTLS."""

    __test__ = False

    directory: Path
    pki: Pki
    seed: SeedFiles
    remote: RemoteHomeAssistant
    nginx: Nginx
    tls13_server: CertRequiredServer
    tls12_server: CertRequiredServer

    @property
    def token(self) -> str:
        """Long-lived access token of the remote's owner."""
        return self.remote.token

    def url(self, site: str = "on", path: str = "") -> str:
        """https URL of an nginx site: on, optional, untrusted_server, wrong_host, seed."""
        return self.nginx.url(site, path)

    def p12(
        self,
        issued: Issued | None = None,
        fmt: P12Format = P12Format.MODERN,
        password: str = P12_PASSWORD,
    ) -> bytes:
        """A PKCS#12 of a client certificate (default: the good one) with the root CA inside.

        Like the README's recipe (`-certfile ca.crt`): the CA then also verifies the server.
        """
        return export_p12(issued or self.pki.client, password, fmt, include_ca=self.pki.root.cert)

    @property
    def ca_pem(self) -> str:
        """The test root CA (the private CA a user would give)."""
        return self.pki.root.cert_pem().decode()


@contextlib.contextmanager
def running_testbed(directory: Path) -> Iterator[TestBed]:
    """Create certificates, start the remote HA and nginx; stop everything on exit."""
    pki = Pki.create()
    seed = openssl_seed_recipe(directory / "seed", password=P12_PASSWORD)
    good = pki.write_server_files(directory / "certs")
    untrusted = pki.write_server_files(directory / "certs", pki.server_untrusted, "untrusted")
    wrong_host = pki.write_server_files(directory / "certs", pki.server_wrong_host, "wrong_host")
    remote = RemoteHomeAssistant(directory / "remote")
    nginx = Nginx(
        prefix=directory / "nginx",
        upstream=remote.port,
        sites={
            "on": Site(good.cert, good.key, good.client_ca),
            "optional": Site(good.cert, good.key, good.client_ca, verify="optional"),
            "untrusted_server": Site(untrusted.cert, untrusted.key, good.client_ca),
            "wrong_host": Site(wrong_host.cert, wrong_host.key, good.client_ca),
            "seed": Site(seed.server_crt, seed.server_key, seed.ca_crt),
        },
    )
    tls13 = CertRequiredServer(good.cert, good.key, good.client_ca, free_port())
    tls12 = CertRequiredServer(good.cert, good.key, good.client_ca, free_port(), tls12=True)
    try:
        remote.setup()
        nginx.start()
        tls13.start()
        tls12.start()
        yield TestBed(directory, pki, seed, remote, nginx, tls13, tls12)
    finally:
        for server in (tls12, tls13):
            server.stop()
        nginx.stop()
        remote.stop()
