"""Certificate factory for tests: CAs, server and client certificates, PKCS#12 files; pure
`cryptography` except for what only the `openssl` CLI does (RC2 or empty-password PKCS#12, the
hand-made seed recipe).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import ipaddress
import os
from pathlib import Path
import shutil
import subprocess
import tempfile
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KeyType = Literal["rsa", "ec"]
Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

DAY = timedelta(days=1)
PEM = serialization.Encoding.PEM


def new_key(key_type: KeyType = "rsa") -> Key:
    """Generate an RSA 2048 or EC P-256 private key."""
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_usage(
    *, digital_signature: bool = False, key_encipherment: bool = False, cert_sign: bool = False
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _builder(
    subject: str,
    issuer: x509.Name,
    key: Key,
    not_before: datetime | None,
    not_after: datetime | None,
    days: int,
) -> x509.CertificateBuilder:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - DAY)
        .not_valid_after(not_after or now + days * DAY)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


@dataclass(frozen=True)
class Issued:
    """A certificate with its private key and the intermediates up to (not including) the root."""

    cert: x509.Certificate
    key: Key
    chain: tuple[x509.Certificate, ...] = ()

    def cert_pem(self) -> bytes:
        """The certificate alone, PEM."""
        return self.cert.public_bytes(PEM)

    def key_pem(self) -> bytes:
        """The private key, unencrypted PKCS#8 PEM."""
        pkcs8, none = serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        return self.key.private_bytes(PEM, pkcs8, none)

    def chain_pem(self) -> bytes:
        """The certificate followed by its intermediates, PEM (what a server sends)."""
        return b"".join(cert.public_bytes(PEM) for cert in (self.cert, *self.chain))

    def write(self, directory: Path, name: str) -> tuple[Path, Path]:
        """Write `name.crt` (chain) and `name.key` (mode 0600); return their paths."""
        directory.mkdir(parents=True, exist_ok=True)
        crt, key = directory / f"{name}.crt", directory / f"{name}.key"
        crt.write_bytes(self.chain_pem())
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as file:
            os.fchmod(file.fileno(), 0o600)
            file.write(self.key_pem())
        return crt, key


@dataclass(frozen=True)
class CertificateAuthority:
    """A root or intermediate CA; `chain` holds the intermediates from this CA up to the root."""

    cert: x509.Certificate
    key: Key
    chain: tuple[x509.Certificate, ...] = ()

    @classmethod
    def create(
        cls, common_name: str, *, key_type: KeyType = "rsa", with_key_usage: bool = True
    ) -> CertificateAuthority:
        """A self-signed root CA, valid for ten years."""
        key = new_key(key_type)
        builder = _builder(common_name, _name(common_name), key, None, None, 3650).add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
        if with_key_usage:
            builder = builder.add_extension(_key_usage(cert_sign=True), critical=True)
        return cls(builder.sign(key, hashes.SHA256()), key)

    def cert_pem(self) -> bytes:
        """This CA's certificate, PEM."""
        return self.cert.public_bytes(PEM)

    def _sign(self, builder: x509.CertificateBuilder) -> x509.Certificate:
        ski = self.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
        return builder.add_extension(aki, critical=False).sign(self.key, hashes.SHA256())

    def intermediate(self, common_name: str, *, key_type: KeyType = "rsa") -> CertificateAuthority:
        """A CA signed by this one (path length 0)."""
        key = new_key(key_type)
        builder = (
            _builder(common_name, self.cert.subject, key, None, None, 3650)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
        )
        cert = self._sign(builder)
        return CertificateAuthority(cert, key, (cert, *self.chain))

    def _leaf(
        self,
        common_name: str,
        key: Key,
        usage: x509.KeyUsage,
        eku: x509.ObjectIdentifier,
        not_before: datetime | None,
        not_after: datetime | None,
    ) -> x509.CertificateBuilder:
        return (
            _builder(common_name, self.cert.subject, key, not_before, not_after, 365)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
        )

    def server(
        self,
        *,
        dns: Sequence[str] = ("localhost",),
        ips: Sequence[str] = ("127.0.0.1",),
        key_type: KeyType = "rsa",
        key: Key | None = None,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
    ) -> Issued:
        """A serverAuth certificate for the given names; CN is the first DNS name."""
        key = key or new_key(key_type)
        usage = _key_usage(
            digital_signature=True, key_encipherment=isinstance(key, rsa.RSAPrivateKey)
        )
        common_name = next(iter((*dns, *ips)), "server")
        builder = self._leaf(
            common_name, key, usage, ExtendedKeyUsageOID.SERVER_AUTH, not_before, not_after
        )
        names: list[x509.GeneralName] = [x509.DNSName(name) for name in dns]
        names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return Issued(self._sign(builder), key, self.chain)

    def client(
        self,
        common_name: str,
        *,
        key_type: KeyType = "rsa",
        key: Key | None = None,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
    ) -> Issued:
        """A clientAuth certificate."""
        key = key or new_key(key_type)
        builder = self._leaf(
            common_name,
            key,
            _key_usage(digital_signature=True),
            ExtendedKeyUsageOID.CLIENT_AUTH,
            not_before,
            not_after,
        )
        return Issued(self._sign(builder), key, self.chain)


class P12Format(StrEnum):
    """PKCS#12 encryption flavours found in the wild."""

    MODERN = "modern"  # OpenSSL 3 default: PBES2 AES-256-CBC + PBKDF2, HMAC-SHA256 MAC
    LEGACY_RC2 = "legacy_rc2"  # `openssl pkcs12 -export -legacy`: RC2-40 certs, 3DES key, SHA1 MAC
    TRIPLE_DES = "3des"  # PBE-SHA1-3DES for certs and key, SHA1 MAC
    NO_PASSWORD = "no_password"  # no encryption (cryptography still adds an empty-password MAC)


_CLI_ARGS: dict[P12Format, list[list[str]]] = {
    P12Format.MODERN: [["-certpbe", "AES-256-CBC", "-keypbe", "AES-256-CBC", "-macalg", "sha256"]],
    P12Format.TRIPLE_DES: [
        ["-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"]
    ],
    P12Format.LEGACY_RC2: [
        ["-legacy"],
        [
            "-certpbe",
            "PBE-SHA1-RC2-40",
            "-keypbe",
            "PBE-SHA1-3DES",
            "-macalg",
            "sha1",
            "-provider",
            "legacy",
            "-provider",
            "default",
        ],
    ],
}


def openssl_binary() -> str:
    """Path of the `openssl` CLI, or a clear error."""
    found = shutil.which("openssl")
    if found is None:
        raise RuntimeError("the openssl command-line tool is required (apt-get install openssl)")
    return found


def _openssl(*args: str, cwd: Path | None = None) -> None:
    result = subprocess.run([openssl_binary(), *args], cwd=cwd, capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed: {result.stderr.decode().strip()}")


def export_p12(
    issued: Issued,
    password: str,
    fmt: P12Format = P12Format.MODERN,
    *,
    name: str = "client",
    include_ca: x509.Certificate | None = None,
    include_chain: bool = True,
) -> bytes:
    """PKCS#12 bytes of a certificate and key (RC2 and empty passwords go through the CLI)."""
    extra = [*(issued.chain if include_chain else ()), *([include_ca] if include_ca else [])]
    if fmt is P12Format.NO_PASSWORD or (password and fmt is not P12Format.LEGACY_RC2):
        encryption: serialization.KeySerializationEncryption = serialization.NoEncryption()
        if fmt is not P12Format.NO_PASSWORD:
            modern = fmt is P12Format.MODERN
            encryption = (
                serialization.PrivateFormat.PKCS12.encryption_builder()
                .kdf_rounds(2048)
                .key_cert_algorithm(
                    pkcs12.PBES.PBESv2SHA256AndAES256CBC
                    if modern
                    else pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC
                )
                .hmac_hash(hashes.SHA256() if modern else hashes.SHA1())
                .build(password.encode())
            )
        return pkcs12.serialize_key_and_certificates(
            name.encode(), issued.key, issued.cert, extra or None, encryption
        )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        Issued(issued.cert, issued.key, tuple(extra)).write(work, "in")
        out = work / "out.p12"
        common = [
            "pkcs12",
            "-export",
            "-in",
            "in.crt",
            "-inkey",
            "in.key",
            "-name",
            name,
            "-out",
            out.name,
            "-passout",
            f"pass:{password}",
        ]
        errors: list[str] = []
        for variant in _CLI_ARGS[fmt]:
            try:
                _openssl(*common, *variant, cwd=work)
            except RuntimeError as err:
                errors.append(str(err))
                continue
            return out.read_bytes()
    raise RuntimeError("\n".join(errors))


@dataclass(frozen=True)
class SeedFiles:
    """Files of the classic hand-made openssl recipe."""

    ca_crt: Path
    ca_key: Path
    server_crt: Path
    server_key: Path
    client_crt: Path
    client_key: Path
    client_p12: Path
    password: str


def openssl_seed_recipe(
    directory: Path, *, password: str = "test-pass", server_ip: str = "127.0.0.1"
) -> SeedFiles:
    """Run the recipe users copy from guides, with the openssl CLI, in `directory`.

    OpenSSL 3's `req -x509` gives the CA basicConstraints CA:TRUE and SKI/AKI but no keyUsage,
    so Python's default VERIFY_X509_STRICT rejects certificates it signs; that is the point.
    The server gets SAN, SKI and AKI; the client is a v1 certificate without extensions.
    The CA key is 2048 bits instead of the usual 4096 to keep tests fast.
    """
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "server.ext").write_text(f"subjectAltName=DNS:localhost,IP:{server_ip}\n")
    sign = ["x509", "-req", "-days", "365", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial"]
    for args in (
        ["genrsa", "-out", "ca.key", "2048"],
        [
            "req",
            "-new",
            "-x509",
            "-days",
            "3650",
            "-key",
            "ca.key",
            "-out",
            "ca.crt",
            "-subj",
            "/CN=My Home CA",
        ],
        ["genrsa", "-out", "server.key", "2048"],
        ["req", "-new", "-key", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
        [*sign, "-in", "server.csr", "-out", "server.crt", "-extfile", "server.ext"],
        ["genrsa", "-out", "client.key", "2048"],
        ["req", "-new", "-key", "client.key", "-out", "client.csr", "-subj", "/CN=my-phone"],
        [*sign, "-in", "client.csr", "-out", "client.crt"],
        [
            "pkcs12",
            "-export",
            "-out",
            "client.p12",
            "-inkey",
            "client.key",
            "-in",
            "client.crt",
            "-certfile",
            "ca.crt",
            "-passout",
            f"pass:{password}",
        ],
    ):
        _openssl(*args, cwd=directory)
    d = directory
    return SeedFiles(
        d / "ca.crt",
        d / "ca.key",
        d / "server.crt",
        d / "server.key",
        d / "client.crt",
        d / "client.key",
        d / "client.p12",
        password,
    )


@dataclass(frozen=True)
class ServerFiles:
    """What an nginx site needs: server chain, server key, CA for client certificates."""

    cert: Path
    key: Path
    client_ca: Path


@dataclass
class Pki:
    """Every certificate the tests use, made once."""

    root: CertificateAuthority
    intermediate: CertificateAuthority
    untrusted: CertificateAuthority
    server: Issued
    client: Issued
    client_via_intermediate: Issued
    client_ec: Issued
    client_expired: Issued
    client_not_yet_valid: Issued
    client_untrusted: Issued
    server_untrusted: Issued
    server_wrong_host: Issued

    @classmethod
    def create(cls) -> Pki:
        """Make the CAs and certificates."""
        root = CertificateAuthority.create("Test Root CA")
        intermediate = root.intermediate("Test Intermediate CA")
        untrusted = CertificateAuthority.create("Untrusted CA")
        now = datetime.now(UTC)
        return cls(
            root=root,
            intermediate=intermediate,
            untrusted=untrusted,
            server=root.server(),
            client=root.client("test-client"),
            client_via_intermediate=intermediate.client("test-client-intermediate"),
            client_ec=root.client("test-client-ec", key_type="ec"),
            client_expired=root.client(
                "test-client-expired", not_before=now - 30 * DAY, not_after=now - DAY
            ),
            client_not_yet_valid=root.client(
                "test-client-future", not_before=now + DAY, not_after=now + 365 * DAY
            ),
            client_untrusted=untrusted.client("test-client-untrusted"),
            server_untrusted=untrusted.server(),
            server_wrong_host=root.server(dns=("wrong.example",), ips=()),
        )

    def write_ca(self, directory: Path, name: str = "ca.crt") -> Path:
        """Write the root CA certificate (what the integration trusts)."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / name
        path.write_bytes(self.root.cert_pem())
        return path

    def write_server_files(
        self, directory: Path, server: Issued | None = None, name: str = "server"
    ) -> ServerFiles:
        """Write a server chain and key (default: `self.server`) and the root as client CA."""
        cert, key = (server or self.server).write(directory, name)
        return ServerFiles(cert, key, self.write_ca(directory, "client_ca.crt"))
