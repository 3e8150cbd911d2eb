"""Typed errors of the remote client; `reason` is a stable, machine-readable key."""

from __future__ import annotations


class RemoteError(Exception):
    """Base of every error this package raises."""

    reason = "unknown"

    def __init__(self, message: str = "", *, detail: str | None = None) -> None:
        """Keep a human message and an optional machine-readable detail."""
        super().__init__(message or self.__class__.__doc__ or self.reason)
        self.detail = detail


class IdentityError(RemoteError):
    """The client certificate file cannot be used."""


class InvalidPkcs12(IdentityError):
    """The file is not a PKCS#12 (.p12/.pfx) bundle."""

    reason = "invalid_p12"


class WrongPassword(IdentityError):
    """The password does not open the PKCS#12 file."""

    reason = "wrong_password"


class NoPrivateKey(IdentityError):
    """The PKCS#12 file holds no private key."""

    reason = "no_private_key"


class NoCertificate(IdentityError):
    """The PKCS#12 file holds no certificate."""

    reason = "no_certificate"


class KeyMismatch(IdentityError):
    """The private key does not belong to the certificate."""

    reason = "key_mismatch"


class CertificateNotYetValid(IdentityError):
    """The client certificate is not valid yet."""

    reason = "cert_not_yet_valid"


class CertificateExpired(IdentityError):
    """The client certificate has expired."""

    reason = "cert_expired"


class InvalidCaCertificate(IdentityError):
    """The CA certificate is not a PEM certificate."""

    reason = "invalid_ca"


class ConnectionFailure(RemoteError):
    """A connection attempt to the remote failed."""


class CannotConnect(ConnectionFailure):
    """The remote cannot be reached (DNS, refused, timeout, connection lost)."""

    reason = "cannot_connect"


class NotHomeAssistant(ConnectionFailure):
    """Something answered, but not a Home Assistant API."""

    reason = "not_home_assistant"


class HttpsRequired(ConnectionFailure):
    """A client certificate can only be presented over https."""

    reason = "https_required"


class CertificateRequired(ConnectionFailure):
    """The server (or its proxy) requires a client certificate and none was sent."""

    reason = "cert_required"


class CertificateRejected(ConnectionFailure):
    """The server (or its proxy) rejected the client certificate."""

    reason = "cert_rejected"


class ServerCertificateUntrusted(ConnectionFailure):
    """The server's certificate could not be verified."""

    reason = "server_cert_untrusted"


class HostnameMismatch(ConnectionFailure):
    """The server's certificate is not valid for the host in the URL."""

    reason = "hostname_mismatch"


class TlsMismatch(ConnectionFailure):
    """No common TLS version or cipher (or https spoken to a plain-HTTP port)."""

    reason = "tls_mismatch"


class RedirectRefused(ConnectionFailure):
    """The remote answered with a redirect; the token and certificate never follow one."""

    reason = "redirect"


class HostNotServed(ConnectionFailure):
    """The proxy serves no site under this host name (Caddy 421, Traefik's default 404)."""

    reason = "host_not_served"


class ProxyNotTrusted(ConnectionFailure):
    """Home Assistant refuses requests forwarded by a proxy it does not trust (400)."""

    reason = "proxy_not_trusted"


class MessageTooLarge(ConnectionFailure):
    """The remote sent a websocket message larger than this client accepts."""

    reason = "message_too_large"


class InvalidToken(ConnectionFailure):
    """The remote rejected the access token."""

    reason = "invalid_auth"


class CommandError(RemoteError):
    """The remote answered a command with an error."""

    reason = "command_failed"

    def __init__(self, message: str, *, code: str = "unknown_error") -> None:
        """Keep the remote's error code and message."""
        super().__init__(message, detail=code)
        self.code = code


class CommandTimeout(RemoteError):
    """The remote did not answer a command in time."""

    reason = "command_timeout"


class NotConnected(RemoteError):
    """The websocket is not connected right now."""

    reason = "not_connected"


class ResponseTooLarge(RemoteError):
    """The remote's answer is larger than this client accepts."""

    reason = "response_too_large"


class UnsafeImage(RemoteError):
    """The remote's image is not a raster image of a known type (HTML, SVG, mismatched type)."""

    reason = "unsafe_image"
