"""Turn what a connection attempt produced into one typed ConnectionFailure with a reason."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import ssl

import aiohttp

from .errors import (
    CannotConnect,
    CertificateRejected,
    CertificateRequired,
    ConnectionFailure,
    HostnameMismatch,
    HostNotServed,
    InvalidToken,
    NotHomeAssistant,
    ProxyNotTrusted,
    ServerCertificateUntrusted,
    TlsMismatch,
)

# OpenSSL alert / error reasons (ssl.SSLError.reason) and what they mean for us.
CERT_REQUIRED_ALERTS = {"TLSV13_ALERT_CERTIFICATE_REQUIRED", "PEER_DID_NOT_RETURN_A_CERTIFICATE"}
CERT_REJECTED_ALERTS = {
    "TLSV1_ALERT_UNKNOWN_CA": "unknown_ca",
    "SSLV3_ALERT_BAD_CERTIFICATE": "bad_certificate",
    "SSLV3_ALERT_CERTIFICATE_EXPIRED": "certificate_expired",
    "SSLV3_ALERT_CERTIFICATE_REVOKED": "certificate_revoked",
    "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE": "unsupported_certificate",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": "certificate_unknown",
    "TLSV1_ALERT_ACCESS_DENIED": "access_denied",
    "TLSV1_ALERT_DECRYPT_ERROR": "decrypt_error",
}
HANDSHAKE_FAILURE = "SSLV3_ALERT_HANDSHAKE_FAILURE"
TLS_MISMATCH_REASONS = {
    "TLSV1_ALERT_PROTOCOL_VERSION",
    "UNSUPPORTED_PROTOCOL",
    "NO_PROTOCOLS_AVAILABLE",
    "NO_SHARED_CIPHER",
    "NO_CIPHERS_AVAILABLE",
    "WRONG_VERSION_NUMBER",
    "PACKET_LENGTH_TOO_LONG",
    "RECORD_LAYER_FAILURE",
    "TLSV1_ALERT_INSUFFICIENT_SECURITY",
}
# X509_V_ERR_* codes of the server's certificate failing local verification.
X509_HOSTNAME_MISMATCH = 62
X509_IP_MISMATCH = 64
X509_EXPIRED = 10
X509_NOT_YET_VALID = 9
# What nginx writes into its 400 pages.
NGINX_NO_CERT = "No required SSL certificate was sent"
NGINX_BAD_CERT = "The SSL certificate error"
# What Home Assistant itself answers to X-Forwarded-For from a proxy it does not trust.
HA_BAD_REQUEST = "400: Bad Request"
# Traefik's answer when no router matches the host (Home Assistant's own 404 reads differently).
TRAEFIK_NO_ROUTE = "404 page not found"


def _chain(err: BaseException) -> Iterator[BaseException]:
    """Yield the error, its causes/contexts and aiohttp's wrapped errors, each once."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [err]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__]
        for attr in ("certificate_error", "os_error"):
            wrapped = getattr(current, attr, None)
            if isinstance(wrapped, BaseException):
                todo.append(wrapped)


def _ssl_reason(err: ssl.SSLError) -> str:
    if reason := getattr(err, "reason", None):
        return str(reason)
    text = str(err)
    start = text.find("[SSL: ")
    return text[start + 6 : text.find("]", start)] if start >= 0 else ""


def _server_cert_failure(err: ssl.SSLCertVerificationError) -> ConnectionFailure:
    message = err.verify_message or str(err)
    if err.verify_code in (X509_HOSTNAME_MISMATCH, X509_IP_MISMATCH):
        return HostnameMismatch(message, detail="hostname_mismatch")
    if err.verify_code == X509_EXPIRED:
        return ServerCertificateUntrusted(message, detail="expired")
    if err.verify_code == X509_NOT_YET_VALID:
        return ServerCertificateUntrusted(message, detail="not_yet_valid")
    return ServerCertificateUntrusted(message, detail="untrusted")


def diagnose_exception(err: BaseException, *, sent_certificate: bool) -> ConnectionFailure:
    """Classify an exception raised while connecting or reading."""
    if isinstance(err, ConnectionFailure):
        return err
    for item in _chain(err):
        if isinstance(item, aiohttp.ClientError) and not isinstance(
            item, aiohttp.WSServerHandshakeError
        ):
            continue  # aiohttp's SSL errors subclass ssl.SSLError; the wrapped error has the facts
        if isinstance(item, ssl.SSLCertVerificationError):
            return _server_cert_failure(item)
        if isinstance(item, ssl.SSLError):
            reason = _ssl_reason(item)
            if reason in CERT_REQUIRED_ALERTS:
                return CertificateRequired(str(item), detail=reason.lower())
            if reason in CERT_REJECTED_ALERTS:
                return CertificateRejected(str(item), detail=CERT_REJECTED_ALERTS[reason])
            if reason == HANDSHAKE_FAILURE:
                # TLS 1.2 servers answer a missing and a refused certificate alike.
                if sent_certificate:
                    return CertificateRejected(str(item), detail="handshake_failure")
                return CertificateRequired(str(item), detail="handshake_failure")
            if reason in TLS_MISMATCH_REASONS:
                return TlsMismatch(str(item), detail=reason.lower())
        if isinstance(item, aiohttp.WSServerHandshakeError):
            return diagnose_status(item.status, "", sent_certificate=sent_certificate)
    if isinstance(err, TimeoutError | asyncio.TimeoutError):
        return CannotConnect("Timed out", detail="timeout")
    if isinstance(err, aiohttp.ClientConnectorDNSError):
        return CannotConnect(str(err), detail="dns")
    if isinstance(err, aiohttp.ClientConnectorError):
        return CannotConnect(str(err), detail="refused")
    return CannotConnect(str(err) or type(err).__name__, detail="connection")


def diagnose_status(status: int, body: str, *, sent_certificate: bool) -> ConnectionFailure:
    """Classify an HTTP answer that is not what Home Assistant gives an authorised client."""
    if NGINX_NO_CERT in body or ("client certificate" in body.lower() and not sent_certificate):
        return CertificateRequired(f"HTTP {status}: no client certificate was sent", detail="http")
    if NGINX_BAD_CERT in body or "SSL certificate" in body:
        return CertificateRejected(
            f"HTTP {status}: the client certificate was refused", detail="http"
        )
    if status == 400 and not body:
        # A websocket upgrade refused by the proxy carries no body we can read.
        if sent_certificate:
            return CertificateRejected("HTTP 400 from the proxy", detail="http")
        return CertificateRequired("HTTP 400 from the proxy", detail="http")
    if status == 403 and not sent_certificate:
        return CertificateRequired("HTTP 403 without a client certificate", detail="http_403")
    if status == 401:
        return InvalidToken("The access token was rejected")
    if status in (400, 431) and "Header Or Cookie Too Large" in body:
        return InvalidToken("The proxy refused a header this long: the token is not a token")
    if status == 421 or (status == 404 and body.strip() == TRAEFIK_NO_ROUTE):
        return HostNotServed(f"HTTP {status}: no site for this host name", detail=str(status))
    if status == 400 and body.strip() == HA_BAD_REQUEST:
        return ProxyNotTrusted(
            "Home Assistant answered 400 to a forwarded request", detail="forwarded_for"
        )
    if status == 400 and "plain HTTP request was sent to HTTPS port" in body:
        return TlsMismatch("http:// was sent to the proxy's https port", detail="plain_http")
    return NotHomeAssistant(f"HTTP {status} is not a Home Assistant API answer", detail=str(status))
