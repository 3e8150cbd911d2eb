"""HA-free client for a remote Home Assistant behind a reverse proxy that may require mTLS.

`ClientIdentity` loads a PKCS#12 client certificate, `build_ssl_context` turns it into an
SSLContext, `RemoteClient` speaks REST and `WebSocketSession` keeps a live websocket. Every
failure is a typed `RemoteError` whose `reason` is a stable key.
"""

from .automations import (
    AutomationKind,
    device_automation_capabilities,
    execute_action,
    list_device_automations,
    subscribe_trigger,
    test_condition,
)
from .client import ProbeResult, RemoteClient, normalize_url
from .entities import EntityChanges, EntityStateTracker, RemoteState
from .errors import (
    CannotConnect,
    CertificateExpired,
    CertificateNotYetValid,
    CertificateRejected,
    CertificateRequired,
    CommandError,
    CommandTimeout,
    ConnectionFailure,
    HostnameMismatch,
    HostNotServed,
    HttpsRequired,
    IdentityError,
    InvalidCaCertificate,
    InvalidPkcs12,
    InvalidToken,
    KeyMismatch,
    MessageTooLarge,
    NoCertificate,
    NoPrivateKey,
    NotConnected,
    NotHomeAssistant,
    ProxyNotTrusted,
    RedirectRefused,
    RemoteError,
    ResponseTooLarge,
    ServerCertificateUntrusted,
    TlsMismatch,
    UnsafeImage,
    WrongPassword,
)
from .identity import ClientIdentity, load_ca_certificates
from .images import MAX_IMAGE_BYTES, checked_image
from .instance import remote_instance_id
from .redirects import refuse_redirects
from .registries import (
    RegistryDevice,
    RegistryEntity,
    RegistryName,
    decode_registry,
)
from .tls import build_ssl_context, pem_bundle
from .websocket import ConnectionState, Subscription, Timings, WebSocketSession

__all__ = [
    "MAX_IMAGE_BYTES",
    "AutomationKind",
    "CannotConnect",
    "CertificateExpired",
    "CertificateNotYetValid",
    "CertificateRejected",
    "CertificateRequired",
    "ClientIdentity",
    "CommandError",
    "CommandTimeout",
    "ConnectionFailure",
    "ConnectionState",
    "EntityChanges",
    "EntityStateTracker",
    "HostNotServed",
    "HostnameMismatch",
    "HttpsRequired",
    "IdentityError",
    "InvalidCaCertificate",
    "InvalidPkcs12",
    "InvalidToken",
    "KeyMismatch",
    "MessageTooLarge",
    "NoCertificate",
    "NoPrivateKey",
    "NotConnected",
    "NotHomeAssistant",
    "ProbeResult",
    "ProxyNotTrusted",
    "RedirectRefused",
    "RegistryDevice",
    "RegistryEntity",
    "RegistryName",
    "RemoteClient",
    "RemoteError",
    "RemoteState",
    "ResponseTooLarge",
    "ServerCertificateUntrusted",
    "Subscription",
    "Timings",
    "TlsMismatch",
    "UnsafeImage",
    "WebSocketSession",
    "WrongPassword",
    "build_ssl_context",
    "checked_image",
    "decode_registry",
    "device_automation_capabilities",
    "execute_action",
    "list_device_automations",
    "load_ca_certificates",
    "normalize_url",
    "pem_bundle",
    "refuse_redirects",
    "remote_instance_id",
    "subscribe_trigger",
    "test_condition",
]
