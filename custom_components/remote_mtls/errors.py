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
# Identity reasons shown as they are; others fold into a known key.
FORM_ERRORS: Final = frozenset(
    {
        "cannot_connect",
        "not_home_assistant",
        "cert_required",
        "cert_rejected",
        "cert_expired",
        "cert_not_yet_valid",
        "invalid_p12",
        "wrong_password",
        "key_mismatch",
        "no_private_key",
        "no_certificate",
        "invalid_ca",
        "server_cert_untrusted",
        "hostname_mismatch",
        "tls_mismatch",
        "invalid_auth",
        "https_required",
    }
)


def form_error(err: RemoteError) -> str:
    """Return the config-flow error key for a client error."""
    return err.reason if err.reason in FORM_ERRORS else "unknown"
