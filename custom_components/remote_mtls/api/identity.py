"""Client identity from a PKCS#12 (.p12/.pfx) file: certificate, key, chain and their facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from .errors import (
    CertificateExpired,
    CertificateNotYetValid,
    InvalidCaCertificate,
    InvalidPkcs12,
    KeyMismatch,
    NoCertificate,
    NoPrivateKey,
    WrongPassword,
)

type ClientKey = (
    rsa.RSAPrivateKey
    | ec.EllipticCurvePrivateKey
    | ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
)
CLIENT_KEY_TYPES = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
)
PEM_MARKER = b"-----BEGIN"


def _is_self_signed(cert: x509.Certificate) -> bool:
    return cert.issuer == cert.subject


def _public_der(key: ClientKey | x509.Certificate) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return _is_self_signed(cert)


def _find_leaf(key: ClientKey, certs: list[x509.Certificate]) -> x509.Certificate:
    """Find the client certificate that some tools store without linking it to the key."""
    leaves = [cert for cert in certs if not _is_ca(cert)]
    for cert in leaves:
        if _public_der(cert) == _public_der(key):
            return cert
    if leaves:
        raise KeyMismatch()
    raise NoCertificate()


def _load(data: bytes, password: str) -> pkcs12.PKCS12KeyAndCertificates:
    if data.lstrip().startswith(PEM_MARKER):
        raise InvalidPkcs12("This is a PEM file, not a PKCS#12 bundle", detail="pem")
    # An empty password may mean "no password" or "the empty password": try both.
    candidates = [password.encode()] if password else [None, b""]
    error: ValueError | None = None
    for candidate in candidates:
        try:
            return pkcs12.load_pkcs12(data, candidate)
        except ValueError as err:
            error = err
    if error is not None and "Could not deserialize" in str(error):
        raise InvalidPkcs12("The file is not a valid PKCS#12 bundle") from None
    raise WrongPassword() from None


@dataclass(frozen=True, slots=True)
class ClientIdentity:
    """A client certificate with its private key and the certificates that came with it."""

    certificate: x509.Certificate
    key: ClientKey
    intermediates: tuple[x509.Certificate, ...] = ()
    ca_certificates: tuple[x509.Certificate, ...] = ()

    @classmethod
    def from_pkcs12(
        cls, data: bytes, password: str, *, check_validity: bool = True, now: datetime | None = None
    ) -> ClientIdentity:
        """Load a PKCS#12 file; raise a typed IdentityError when it cannot be used."""
        bundle = _load(data, password)
        if bundle.key is None:
            raise NoPrivateKey()
        if not isinstance(bundle.key, CLIENT_KEY_TYPES):
            raise InvalidPkcs12("Unsupported private key type", detail="key_type")
        extra = [item.certificate for item in bundle.additional_certs]
        leaf = bundle.cert.certificate if bundle.cert is not None else _find_leaf(bundle.key, extra)
        extra = [cert for cert in extra if cert != leaf]
        identity = cls(
            certificate=leaf,
            key=bundle.key,
            intermediates=tuple(c for c in extra if not _is_self_signed(c)),
            ca_certificates=tuple(c for c in extra if _is_self_signed(c)),
        )
        if not identity.key_matches:
            raise KeyMismatch()
        if check_validity:
            identity.check_validity(now)
        return identity

    def to_pem_parts(self, password: str) -> dict[str, str]:
        """Return the identity as PEM texts, the key encrypted with `password` (not empty).

        `from_pem_parts` reads them back without the PKCS#12's key derivation and RSA key
        validation (tens of milliseconds holding the GIL per RSA key).
        """
        if not password:
            raise ValueError("the key is never written without a password")
        return {
            "certificate": _pem(self.certificate),
            "intermediates": "".join(_pem(cert) for cert in self.intermediates),
            "ca_certificates": "".join(_pem(cert) for cert in self.ca_certificates),
            "key": self.key_pem(password.encode()).decode(),
        }

    @classmethod
    def from_pem_parts(
        cls,
        parts: Mapping[str, str],
        password: str,
        *,
        check_validity: bool = True,
        now: datetime | None = None,
    ) -> ClientIdentity:
        """Load what `to_pem_parts` wrote, from a PKCS#12 this class loaded and checked before.

        The RSA key is not validated again (it was when the PKCS#12 was loaded); that the key
        belongs to the certificate and the validity dates are checked as for a PKCS#12.
        """
        try:
            key = serialization.load_pem_private_key(
                parts["key"].encode(), password.encode(), unsafe_skip_rsa_key_validation=True
            )
            certificate = x509.load_pem_x509_certificate(parts["certificate"].encode())
            intermediates = _pem_certificates(parts["intermediates"])
            ca_certificates = _pem_certificates(parts["ca_certificates"])
        except KeyError, TypeError, ValueError, AttributeError:
            raise InvalidPkcs12("The saved identity cannot be read", detail="saved") from None
        if not isinstance(key, CLIENT_KEY_TYPES):
            raise InvalidPkcs12("Unsupported private key type", detail="key_type")
        identity = cls(certificate, key, intermediates, ca_certificates)
        if not identity.key_matches:
            raise KeyMismatch()
        if check_validity:
            identity.check_validity(now)
        return identity

    def check_validity(self, now: datetime | None = None) -> None:
        """Raise if the certificate is expired or not valid yet."""
        now = now or datetime.now(UTC)
        if now < self.not_before:
            raise CertificateNotYetValid(f"Valid from {self.not_before.isoformat()}")
        if now > self.not_after:
            raise CertificateExpired(f"Expired on {self.not_after.isoformat()}")

    @property
    def key_matches(self) -> bool:
        """Whether the private key belongs to the certificate."""
        return _public_der(self.key) == _public_der(self.certificate)

    @property
    def subject(self) -> str:
        """Subject as an RFC 4514 string."""
        return self.certificate.subject.rfc4514_string()

    @property
    def issuer(self) -> str:
        """Issuer as an RFC 4514 string."""
        return self.certificate.issuer.rfc4514_string()

    @property
    def fingerprint_sha256(self) -> str:
        """SHA-256 fingerprint as colon-separated upper-case hex."""
        return self.certificate.fingerprint(hashes.SHA256()).hex(":").upper()

    @property
    def not_before(self) -> datetime:
        """Start of validity (UTC)."""
        return self.certificate.not_valid_before_utc

    @property
    def not_after(self) -> datetime:
        """End of validity (UTC)."""
        return self.certificate.not_valid_after_utc

    @property
    def key_type(self) -> str:
        """Human key description, such as 'RSA 2048' or 'EC secp256r1'."""
        if isinstance(self.key, rsa.RSAPrivateKey):
            return f"RSA {self.key.key_size}"
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            return f"EC {self.key.curve.name}"
        return "Ed25519" if isinstance(self.key, ed25519.Ed25519PrivateKey) else "Ed448"

    @property
    def allows_client_auth(self) -> bool:
        """False only when an extendedKeyUsage extension exists without clientAuth."""
        try:
            usage = self.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
        except x509.ExtensionNotFound:
            return True
        return ExtendedKeyUsageOID.CLIENT_AUTH in usage.value

    def chain_pem(self) -> bytes:
        """Leaf followed by the intermediates, PEM (what is sent to the server)."""
        return b"".join(
            cert.public_bytes(serialization.Encoding.PEM)
            for cert in (self.certificate, *self.intermediates)
        )

    def key_pem(self, password: bytes | None = None) -> bytes:
        """Return the private key as PKCS#8 PEM, encrypted when a password is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _pem_certificates(text: str) -> tuple[x509.Certificate, ...]:
    return tuple(x509.load_pem_x509_certificates(text.encode())) if text else ()


def load_ca_certificates(data: bytes | str) -> tuple[x509.Certificate, ...]:
    """Parse one or more PEM CA certificates given by the user."""
    raw = data.encode() if isinstance(data, str) else data
    if not raw.strip():
        return ()
    try:
        return tuple(x509.load_pem_x509_certificates(raw))
    except ValueError:
        raise InvalidCaCertificate() from None
