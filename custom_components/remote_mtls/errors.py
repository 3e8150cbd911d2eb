"""One mapping from the client's error reasons to this integration's translation keys."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import CommandError, CommandTimeout, NotConnected, RemoteError
from .const import DOMAIN

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
    "redirect",
    "message_too_large",
    "proxy_not_trusted",
    "host_not_served",
}


def safe_description(err: RemoteError) -> str:
    """Reason code and detail, for repairs, sensors and diagnostics: never a host or a port."""
    return f"{err.reason} ({err.detail})" if err.detail else err.reason


def form_error(err: RemoteError) -> str:
    """Return the config-flow error key for a client error."""
    return err.reason if err.reason in FORM_ERRORS else "unknown"


# Remote command error codes that mean "your request was wrong", not "the remote failed".
VALIDATION_CODES: Final = frozenset({"service_validation_error", "invalid_format", "not_found"})


@contextmanager
def translated_errors(service: str) -> Iterator[None]:
    """Turn the client's errors into translated Home Assistant errors (the one error path)."""
    try:
        yield
    except NotConnected as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="not_connected"
        ) from err
    except CommandTimeout as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_timeout",
            translation_placeholders={"service": service},
        ) from err
    except CommandError as err:
        placeholders = {"service": service, "message": str(err)}
        if err.code in VALIDATION_CODES:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="remote_rejected",
                translation_placeholders=placeholders,
            ) from err
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="remote_failed",
            translation_placeholders=placeholders,
        ) from err
    except RemoteError as err:  # the link itself failed (REST): its reason, never its address
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="remote_failed",
            translation_placeholders={"service": service, "message": safe_description(err)},
        ) from err
