"""ClientIdentity.from_pkcs12: every p12 flavour loads or fails with its own typed error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa
from cryptography.hazmat.primitives.serialization import pkcs12
import pytest

from custom_components.remote_mtls.api import (
    CertificateExpired,
    CertificateNotYetValid,
    ClientIdentity,
    InvalidCaCertificate,
    InvalidPkcs12,
    KeyMismatch,
    NoCertificate,
    NoPrivateKey,
    WrongPassword,
    load_ca_certificates,
)

from ..testbed.bed import P12_PASSWORD, TestBed
from ..testbed.certs import P12Format, export_p12, new_key


@pytest.mark.parametrize("fmt", list(P12Format))
def test_every_p12_format_loads(testbed: TestBed, fmt: P12Format) -> None:
    password = "" if fmt is P12Format.NO_PASSWORD else P12_PASSWORD
    identity = ClientIdentity.from_pkcs12(testbed.p12(fmt=fmt, password=password), password)
    assert identity.certificate == testbed.pki.client.cert
    assert identity.subject == "CN=test-client"
    assert identity.key_matches


def test_empty_password_p12(testbed: TestBed) -> None:
    data = export_p12(testbed.pki.client, "", P12Format.MODERN)
    assert ClientIdentity.from_pkcs12(data, "").subject == "CN=test-client"


def test_facts(testbed: TestBed) -> None:
    identity = ClientIdentity.from_pkcs12(testbed.p12(), P12_PASSWORD)
    cert = testbed.pki.client.cert
    assert identity.subject == "CN=test-client"
    assert identity.issuer == "CN=Test Root CA"
    assert identity.not_after == cert.not_valid_after_utc
    assert identity.not_before == cert.not_valid_before_utc
    assert identity.key_type == "RSA 2048"
    assert identity.allows_client_auth
    assert len(identity.fingerprint_sha256.split(":")) == 32
    assert identity.intermediates == ()
    ec = ClientIdentity.from_pkcs12(testbed.p12(testbed.pki.client_ec), P12_PASSWORD)
    assert ec.key_type == "EC secp256r1"


def test_server_certificate_does_not_allow_client_auth(testbed: TestBed) -> None:
    identity = ClientIdentity.from_pkcs12(testbed.p12(testbed.pki.server), P12_PASSWORD)
    assert not identity.allows_client_auth


def test_chain_is_split_into_intermediates_and_cas(testbed: TestBed) -> None:
    data = export_p12(
        testbed.pki.client_via_intermediate,
        P12_PASSWORD,
        include_ca=testbed.pki.root.cert,
    )
    identity = ClientIdentity.from_pkcs12(data, P12_PASSWORD)
    assert identity.intermediates == (testbed.pki.intermediate.cert,)
    assert identity.ca_certificates == (testbed.pki.root.cert,)
    assert identity.chain_pem().count(b"BEGIN CERTIFICATE") == 2


def test_wrong_password(testbed: TestBed) -> None:
    with pytest.raises(WrongPassword) as err:
        ClientIdentity.from_pkcs12(testbed.p12(), "not-it")
    assert err.value.reason == "wrong_password"
    with pytest.raises(WrongPassword):
        ClientIdentity.from_pkcs12(testbed.p12(), "")


def test_pem_instead_of_p12(testbed: TestBed) -> None:
    with pytest.raises(InvalidPkcs12) as err:
        ClientIdentity.from_pkcs12(testbed.pki.client.cert_pem(), "")
    assert err.value.detail == "pem"
    assert err.value.reason == "invalid_p12"


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 zip file", b"\x00" * 100, b"hello world"])
def test_not_a_p12(data: bytes) -> None:
    with pytest.raises((InvalidPkcs12, WrongPassword)):
        ClientIdentity.from_pkcs12(data, "pw")
    with pytest.raises(InvalidPkcs12):
        ClientIdentity.from_pkcs12(data, "")


def test_no_private_key(testbed: TestBed) -> None:
    data = pkcs12.serialize_key_and_certificates(
        b"x", None, testbed.pki.client.cert, None, serialization.BestAvailableEncryption(b"pw")
    )
    with pytest.raises((NoPrivateKey, NoCertificate)) as err:
        ClientIdentity.from_pkcs12(data, "pw")
    assert err.value.reason in ("no_private_key", "no_certificate")


def test_no_certificate(testbed: TestBed) -> None:
    data = pkcs12.serialize_key_and_certificates(
        b"x", None, None, [testbed.pki.root.cert], serialization.BestAvailableEncryption(b"pw")
    )
    with pytest.raises(NoPrivateKey):
        ClientIdentity.from_pkcs12(data, "pw")


def test_only_ca_certificates_with_a_key(testbed: TestBed) -> None:
    data = pkcs12.serialize_key_and_certificates(
        b"x",
        new_key("rsa"),
        None,
        [testbed.pki.root.cert],
        serialization.BestAvailableEncryption(b"pw"),
    )
    with pytest.raises(NoCertificate):
        ClientIdentity.from_pkcs12(data, "pw")


def test_key_mismatch(testbed: TestBed) -> None:
    data = pkcs12.serialize_key_and_certificates(
        b"x",
        new_key("rsa"),
        None,
        [testbed.pki.client.cert],
        serialization.BestAvailableEncryption(b"pw"),
    )
    with pytest.raises(KeyMismatch):
        ClientIdentity.from_pkcs12(data, "pw")


def test_unlinked_client_certificate_is_found(testbed: TestBed) -> None:
    client = testbed.pki.client
    data = pkcs12.serialize_key_and_certificates(
        b"x",
        client.key,
        None,
        [testbed.pki.root.cert, client.cert],
        serialization.BestAvailableEncryption(b"pw"),
    )
    identity = ClientIdentity.from_pkcs12(data, "pw")
    assert identity.certificate == client.cert
    assert identity.ca_certificates == (testbed.pki.root.cert,)


def test_expired_and_not_yet_valid(testbed: TestBed) -> None:
    with pytest.raises(CertificateExpired):
        ClientIdentity.from_pkcs12(testbed.p12(testbed.pki.client_expired), P12_PASSWORD)
    with pytest.raises(CertificateNotYetValid):
        ClientIdentity.from_pkcs12(testbed.p12(testbed.pki.client_not_yet_valid), P12_PASSWORD)
    expired = ClientIdentity.from_pkcs12(
        testbed.p12(testbed.pki.client_expired), P12_PASSWORD, check_validity=False
    )
    assert expired.not_after < datetime.now(UTC)
    good = ClientIdentity.from_pkcs12(testbed.p12(), P12_PASSWORD)
    with pytest.raises(CertificateExpired):
        good.check_validity(datetime.now(UTC) + timedelta(days=400))


def test_ca_certificates_from_pem(testbed: TestBed) -> None:
    assert load_ca_certificates(testbed.ca_pem) == (testbed.pki.root.cert,)
    assert load_ca_certificates(b"") == ()
    with pytest.raises(InvalidCaCertificate):
        load_ca_certificates("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")


@pytest.mark.parametrize("issued", ["client", "client_ec", "client_via_intermediate"])
def test_pem_parts_give_back_the_same_identity(testbed: TestBed, issued: str) -> None:
    data = export_p12(getattr(testbed.pki, issued), P12_PASSWORD, include_ca=testbed.pki.root.cert)
    identity = ClientIdentity.from_pkcs12(data, P12_PASSWORD)
    parts = identity.to_pem_parts(P12_PASSWORD)
    assert parts["key"].startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    again = ClientIdentity.from_pem_parts(parts, P12_PASSWORD)
    assert again.certificate == identity.certificate
    assert again.intermediates == identity.intermediates
    assert again.ca_certificates == identity.ca_certificates == (testbed.pki.root.cert,)
    assert again.key_pem() == identity.key_pem()
    assert again.key_matches


def test_pem_parts_are_checked_like_a_p12(testbed: TestBed) -> None:
    identity = ClientIdentity.from_pkcs12(testbed.p12(), P12_PASSWORD)
    parts = identity.to_pem_parts(P12_PASSWORD)
    with pytest.raises(CertificateExpired):
        ClientIdentity.from_pem_parts(
            parts, P12_PASSWORD, now=datetime.now(UTC) + timedelta(days=400)
        )
    other = ClientIdentity.from_pkcs12(testbed.p12(testbed.pki.client_ec), P12_PASSWORD)
    with pytest.raises(KeyMismatch):
        ClientIdentity.from_pem_parts(
            {**parts, "key": other.to_pem_parts(P12_PASSWORD)["key"]}, P12_PASSWORD
        )
    for damaged, password in (
        ({**parts, "key": "nope"}, P12_PASSWORD),
        ({**parts, "certificate": ""}, P12_PASSWORD),
        ({"key": parts["key"]}, P12_PASSWORD),
        (parts, "not-the-password"),
    ):
        with pytest.raises(InvalidPkcs12) as err:
            ClientIdentity.from_pem_parts(damaged, password)
        assert err.value.detail == "saved"
    dsa_key = dsa.generate_private_key(2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(P12_PASSWORD.encode()),
    )
    with pytest.raises(InvalidPkcs12) as err:
        ClientIdentity.from_pem_parts({**parts, "key": dsa_key.decode()}, P12_PASSWORD)
    assert err.value.detail == "key_type"


def test_the_key_is_never_written_without_a_password(testbed: TestBed) -> None:
    identity = ClientIdentity.from_pkcs12(testbed.p12(), P12_PASSWORD)
    with pytest.raises(ValueError, match="password"):
        identity.to_pem_parts("")
