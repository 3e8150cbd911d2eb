"""Constants of the Remote Home Assistant (mTLS) integration."""

from typing import Final

DOMAIN: Final = "remote_mtls"
# Entry minor version from which the server is trusted only as the user chose (not by .p12 CAs).
TRUST_EXPLICIT_VERSION: Final = 2

CONF_VERIFY_SSL: Final = "verify_ssl"
CONF_CLIENT_CERTIFICATE: Final = "client_certificate"
CONF_CERTIFICATE_PASSWORD: Final = "certificate_password"  # noqa: S105 (a key name)
CONF_CA_CERTIFICATE: Final = "ca_certificate"
CONF_SECRET_KEY: Final = "secret_key"  # noqa: S105 (a key name)
CONF_CERT_SUBJECT: Final = "certificate_subject"
CONF_CERT_FINGERPRINT: Final = "certificate_fingerprint"
CONF_CERT_NOT_AFTER: Final = "certificate_not_after"
CONF_INSTANCE_UUID: Final = "instance_uuid"  # announced by zeroconf (links made from discovery)

P12_ACCEPT: Final = ".p12,.pfx"
MAX_P12_SIZE: Final = 1024 * 1024

# Options: what to mirror.
CONF_INCLUDE_DOMAINS: Final = "include_domains"
CONF_EXCLUDE_DOMAINS: Final = "exclude_domains"
CONF_INCLUDE_ENTITIES: Final = "include_entities"
CONF_EXCLUDE_ENTITIES: Final = "exclude_entities"
CONF_AREAS: Final = "areas"
CONF_LABELS: Final = "labels"
CONF_EVENT_TYPES: Final = "event_types"
CONF_MIRROR_DEVICES: Final = "mirror_devices"
CONF_MAX_ENTITIES: Final = "max_entities"
CONF_EXCLUDED_DEVICES: Final = "excluded_devices"  # remote device ids deleted here by the user
CONF_STATISTICS_DAYS: Final = "statistics_days"  # how far back statistics are imported; 0: all

# A remote entity that disappears is removed after this grace period (a remote rename
# removes and re-adds it; the local entity then follows the new id instead).
REMOVAL_GRACE: Final = 1.0
# Remote changes are written in batches of this size, yielding to the event loop in between.
WRITE_BATCH: Final = 250
# Pause between batches: lets the local websocket writers send what the batch produced.
BATCH_PAUSE: Final = 0.005

# Key added to the data of remote events fired locally (entry id and remote context id).
ORIGIN_MARKER: Final = "remote_mtls_origin"
