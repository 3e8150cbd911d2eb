"""Failure classification for answers and errors the test bed cannot easily produce."""

from __future__ import annotations

import ssl

import aiohttp
import pytest

from custom_components.remote_mtls.api.diagnose import diagnose_exception, diagnose_status
from custom_components.remote_mtls.api.errors import (
    CannotConnect,
    CertificateRejected,
    CertificateRequired,
    HostnameMismatch,
    InvalidToken,
    NotHomeAssistant,
    ServerCertificateUntrusted,
    TlsMismatch,
)


def _verify_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    err = ssl.SSLCertVerificationError(1, message)
    err.verify_code = code
    err.verify_message = message
    return err


@pytest.mark.parametrize(
    ("code", "expected", "detail"),
    [
        (62, HostnameMismatch, "hostname_mismatch"),  # X509_V_ERR_HOSTNAME_MISMATCH
        (64, HostnameMismatch, "hostname_mismatch"),  # X509_V_ERR_IP_ADDRESS_MISMATCH
        (10, ServerCertificateUntrusted, "expired"),  # X509_V_ERR_CERT_HAS_EXPIRED
        (9, ServerCertificateUntrusted, "not_yet_valid"),  # X509_V_ERR_CERT_NOT_YET_VALID
        (20, ServerCertificateUntrusted, "untrusted"),  # unable to get local issuer
    ],
)
def test_server_certificate_failures(code: int, expected: type, detail: str) -> None:
    error = diagnose_exception(_verify_error(code, "verify failed"), sent_certificate=True)
    assert isinstance(error, expected)
    assert error.detail == detail


def test_ssl_reason_read_from_the_text_when_missing() -> None:
    err = ssl.SSLError(1, "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert (_ssl.c:1)")
    assert isinstance(diagnose_exception(err, sent_certificate=False), CertificateRequired)
    unknown = ssl.SSLError(1, "no reason at all")
    assert isinstance(diagnose_exception(unknown, sent_certificate=False), CannotConnect)


def test_wrapped_and_plain_errors() -> None:
    wrapped = aiohttp.ClientOSError(1, "read failed")
    wrapped.__cause__ = ssl.SSLError(1, "[SSL: SSLV3_ALERT_BAD_CERTIFICATE] bad certificate")
    assert isinstance(diagnose_exception(wrapped, sent_certificate=True), CertificateRejected)
    assert isinstance(diagnose_exception(TimeoutError(), sent_certificate=True), CannotConnect)
    assert diagnose_exception(OSError("boom"), sent_certificate=True).detail == "connection"
    already = InvalidToken("no")
    assert diagnose_exception(already, sent_certificate=True) is already


@pytest.mark.parametrize(
    ("status", "body", "sent", "expected"),
    [
        (400, "", False, CertificateRequired),
        (400, "", True, CertificateRejected),
        (403, "Forbidden", False, CertificateRequired),
        (400, "Please present a client certificate", False, CertificateRequired),
        (431, "Request Header Or Cookie Too Large", True, InvalidToken),
        (400, "The plain HTTP request was sent to HTTPS port", True, TlsMismatch),
        (502, "Bad Gateway", True, NotHomeAssistant),
    ],
)
def test_statuses(status: int, body: str, sent: bool, expected: type) -> None:
    assert isinstance(diagnose_status(status, body, sent_certificate=sent), expected)
