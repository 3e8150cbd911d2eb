"""SSL context for one remote: client identity, server trust, TLS >= 1.2.

Building it is blocking (file and key loading): run it in an executor.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
import contextlib
import os
from pathlib import Path
import secrets
import ssl
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .identity import ClientIdentity, load_ca_certificates


def build_ssl_context(
    identity: ClientIdentity | None,
    *,
    verify_server: bool = True,
    ca_pem: str | bytes | None = None,
) -> ssl.SSLContext:
    """Build a dedicated client SSLContext (never one of Home Assistant's shared contexts).

    Server trust is exactly what the caller chose: the system's CAs with Python's strict
    X.509 checks, or, when `ca_pem` is given, only those private CAs. CA certificates inside
    the PKCS#12 are never trusted for the server on their own.
    """
    private_cas = load_ca_certificates(ca_pem or b"")
    if not verify_server:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif private_cas:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # hostname and chain checked
        context.load_verify_locations(cadata=pem_bundle(private_cas))
        # Python >= 3.13 sets VERIFY_X509_STRICT, which rejects a CA made by the classic
        # `openssl req -x509` recipe (no keyUsage). Relaxed only here, where the user's CAs
        # are the only ones trusted; the system store is never loaded into this context.
        context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    else:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # TLS 1.3 servers that ask for the certificate after the handshake (Apache per-location).
    context.post_handshake_auth = True
    if identity is not None:
        _load_identity(context, identity)
    return context


def pem_bundle(certificates: Iterable[x509.Certificate]) -> str:
    """Return certificates as one PEM text (how a CA is given to the link)."""
    return "".join(cert.public_bytes(serialization.Encoding.PEM).decode() for cert in certificates)


def _load_identity(context: ssl.SSLContext, identity: ClientIdentity) -> None:
    """Load leaf + intermediates + key without writing the key to disk in clear."""
    chain = identity.chain_pem()
    if hasattr(os, "memfd_create"):
        with _memfd(chain + identity.key_pem()) as path:
            context.load_cert_chain(path)
        return
    password = secrets.token_bytes(32)
    with _private_tempfile(chain + identity.key_pem(password)) as path:
        context.load_cert_chain(path, password=password)


@contextlib.contextmanager
def _memfd(data: bytes) -> Iterator[str]:
    fd = os.memfd_create("remote_mtls_identity", os.MFD_CLOEXEC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        yield f"/proc/self/fd/{fd}"
    finally:
        os.close(fd)


@contextlib.contextmanager
def _private_tempfile(data: bytes) -> Iterator[str]:
    fd, name = tempfile.mkstemp(prefix="remote_mtls_", suffix=".pem")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        yield name
    finally:
        Path(name).unlink(missing_ok=True)
