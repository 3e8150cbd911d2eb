"""The demo's certificates: the README's OpenSSL recipe, made once and reused while valid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
import shutil

from cryptography import x509

from tests.testbed.certs import SeedFiles, openssl_seed_recipe

P12_PASSWORD = "demo-pass"  # noqa: S105  (printed by the demo; protects a throw-away key)
MIN_VALIDITY = timedelta(days=1)


def _files(directory: Path) -> SeedFiles:
    """Name the recipe's files in `directory`."""
    return SeedFiles(
        ca_crt=directory / "ca.crt",
        ca_key=directory / "ca.key",
        server_crt=directory / "server.crt",
        server_key=directory / "server.key",
        client_crt=directory / "client.crt",
        client_key=directory / "client.key",
        client_p12=directory / "client.p12",
        password=P12_PASSWORD,
    )


def _usable(files: SeedFiles) -> bool:
    """Tell whether every file exists and the certificates stay valid for a while."""
    paths = (files.ca_crt, files.ca_key, files.server_crt, files.server_key, files.client_p12)
    if not all(path.is_file() for path in paths):
        return False
    soon = datetime.now(UTC) + MIN_VALIDITY
    for crt in (files.ca_crt, files.server_crt, files.client_crt):
        try:
            cert = x509.load_pem_x509_certificate(crt.read_bytes())
        except OSError, ValueError:
            return False
        if cert.not_valid_after_utc < soon:
            return False
    return True


def demo_certificates(directory: Path) -> tuple[SeedFiles, bool]:
    """CA, server and client certificates and client.p12 in `directory`; True if made now."""
    files = _files(directory)
    if _usable(files):
        return files, False
    # Made next to the target and moved in whole, so an interrupted run leaves nothing half-made.
    staging = directory.with_name(f"{directory.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    openssl_seed_recipe(staging, password=P12_PASSWORD)
    shutil.rmtree(directory, ignore_errors=True)
    staging.rename(directory)
    return files, True
