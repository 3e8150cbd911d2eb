"""Constants of the Remote Home Assistant (mTLS) integration."""

from typing import Final

DOMAIN: Final = "remote_mtls"

CONF_VERIFY_SSL: Final = "verify_ssl"
CONF_CLIENT_CERTIFICATE: Final = "client_certificate"
CONF_CERTIFICATE_PASSWORD: Final = "certificate_password"  # noqa: S105 (a key name)
CONF_CA_CERTIFICATE: Final = "ca_certificate"
CONF_SECRET_KEY: Final = "secret_key"  # noqa: S105 (a key name)
CONF_CERT_SUBJECT: Final = "certificate_subject"
CONF_CERT_FINGERPRINT: Final = "certificate_fingerprint"
CONF_CERT_NOT_AFTER: Final = "certificate_not_after"

P12_ACCEPT: Final = ".p12,.pfx"
MAX_P12_SIZE: Final = 1024 * 1024
