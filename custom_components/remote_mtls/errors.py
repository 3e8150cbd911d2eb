"""One mapping from the client's error reasons to this integration's translation keys."""

from __future__ import annotations

from typing import Final

from .api import RemoteError

# The stored certificate file itself is unusable.
IDENTITY_REASONS: Final = frozenset(
    {
        "invalid_p12",
        "wrong_password",
        "key_mismatch",
        "no_private_key",
        "no_certificate",
        "invalid_ca",
    }
)
# Reasons that need the user (a new token or certificate) rather than a retry.
AUTH_REASONS: Final = IDENTITY_REASONS | {
    "invalid_auth",
    "cert_required",
    "cert_rejected",
    "cert_expired",
    "cert_not_yet_valid",
}
# The remote's proxy (or the certificate's own dates) refuse the client certificate.
CERTIFICATE_REFUSED_REASONS: Final = frozenset(
    {"cert_rejected", "cert_expired", "cert_not_yet_valid", "cert_required"}
)
# Every key with its own form message; any other reason shows as "unknown".
FORM_ERRORS: Final = AUTH_REASONS | {
    "cannot_connect",
    "not_home_assistant",
    "server_cert_untrusted",
    "hostname_mismatch",
    "tls_mismatch",
    "https_required",
}


def form_error(err: RemoteError) -> str:
    """Return the config-flow error key for a client error."""
    return err.reason if err.reason in FORM_ERRORS else "unknown"
