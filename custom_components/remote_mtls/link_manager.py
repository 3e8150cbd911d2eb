"""The connection side of a link: open it, then follow its state.

Opening: the entry's secrets, identity and TLS context, the first websocket connect, and the
translated setup errors (with the certificate-refused repair). Following: connection state
becomes availability (through the mirror store), repairs, reauthentication, recent errors and
status updates for the link's own entities.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_URL
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .api import (
    ClientIdentity,
    ConnectionFailure,
    ConnectionState,
    HostnameMismatch,
    IdentityError,
    RemoteClient,
    RemoteError,
    ServerCertificateUntrusted,
    WebSocketSession,
    pem_bundle,
)
from .client_factory import TlsSettings, async_create_client
from .const import CONF_SECRET_KEY, CONF_VERIFY_SSL, DOMAIN, TRUST_EXPLICIT_VERSION
from .errors import AUTH_REASONS, CERTIFICATE_REFUSED_REASONS, safe_description
from .issues import (
    CERTIFICATE_REFUSED,
    REMOTE_UNREACHABLE,
    UNREACHABLE_AFTER,
    async_check_entry_issues,
    async_set_issue,
)
from .mirror_store import MirrorStore
from .saved_identity import async_load_saved_identity
from .secret_store import Secrets, async_load_secrets, async_save_secrets

_LOGGER = logging.getLogger(__name__)

ISSUE_CHECK_INTERVAL = timedelta(hours=1)
STATUS_INTERVAL = timedelta(seconds=30)  # the websocket heartbeat measures latency as often


@dataclass(frozen=True, slots=True)
class OpenLink:
    """A connected link: its REST client, its websocket session and its client identity."""

    client: RemoteClient
    websocket: WebSocketSession
    identity: ClientIdentity | None


async def async_open_link(hass: HomeAssistant, entry: ConfigEntry[Any]) -> OpenLink:
    """Connect with the entry's secrets; raise the config entry error that fits a failure."""
    secrets = await async_load_secrets(hass, entry.data[CONF_SECRET_KEY])
    if secrets is None:
        raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="secrets_missing")
    try:
        identity = await async_load_saved_identity(hass, entry.data[CONF_SECRET_KEY], secrets)
        try:
            link = await _async_connect(hass, entry, secrets, identity)
        except ServerCertificateUntrusted:
            if (kept := await _async_keep_trust_of_p12(hass, entry, secrets, identity)) is None:
                raise
            link = kept
    except (IdentityError, ConnectionFailure) as err:
        if err.reason in CERTIFICATE_REFUSED_REASONS:
            async_set_issue(
                hass,
                entry,
                CERTIFICATE_REFUSED,
                True,
                severity=ir.IssueSeverity.ERROR,
                placeholders={"error": safe_description(err)},
            )
        raise _setup_error(err) from err
    async_set_issue(hass, entry, CERTIFICATE_REFUSED, False)
    if entry.minor_version < TRUST_EXPLICIT_VERSION:
        hass.config_entries.async_update_entry(entry, minor_version=TRUST_EXPLICIT_VERSION)
    return link


async def _async_connect(
    hass: HomeAssistant, entry: ConfigEntry[Any], secrets: Secrets, identity: ClientIdentity | None
) -> OpenLink:
    client = await async_create_client(
        hass,
        entry.data[CONF_URL],
        secrets.token,
        TlsSettings(identity, entry.data[CONF_VERIFY_SSL], secrets.ca_pem),
    )
    websocket = WebSocketSession(client)
    await websocket.connect()
    return OpenLink(client, websocket, identity)


async def _async_keep_trust_of_p12(
    hass: HomeAssistant, entry: ConfigEntry[Any], secrets: Secrets, identity: ClientIdentity | None
) -> OpenLink | None:
    """Links made before 0.3 trusted the .p12's CAs for the server without asking.

    When such a link needs them, they become its explicit CA certificate (shown in Reconfigure),
    so nothing the user had stops working; every other link trusts only what it was given.
    """
    if (
        entry.minor_version >= TRUST_EXPLICIT_VERSION
        or secrets.ca_pem
        or identity is None
        or not identity.ca_certificates
    ):
        return None
    explicit = replace(secrets, ca_pem=pem_bundle(identity.ca_certificates))
    try:
        link = await _async_connect(hass, entry, explicit, identity)
    except ServerCertificateUntrusted, HostnameMismatch:
        raise
    except ConnectionFailure:
        # The server was verified with them; what fails now (a token, say) is another matter.
        await _async_save_explicit_ca(hass, entry, explicit)
        raise
    await _async_save_explicit_ca(hass, entry, explicit)
    return link


async def _async_save_explicit_ca(
    hass: HomeAssistant, entry: ConfigEntry[Any], secrets: Secrets
) -> None:
    await async_save_secrets(hass, entry.data[CONF_SECRET_KEY], secrets)
    _LOGGER.info("%s: the CA inside the client certificate file is now its CA", entry.title)


def _setup_error(err: RemoteError) -> Exception:
    placeholders = {"error": safe_description(err)}
    if err.reason in AUTH_REASONS:
        return ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key=err.reason,
            translation_placeholders=placeholders,
        )
    return ConfigEntryNotReady(
        translation_domain=DOMAIN, translation_key=err.reason, translation_placeholders=placeholders
    )


class LinkManager:
    """Follows one link's connection: availability, repairs, reauth, status, recent errors."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        websocket: WebSocketSession,
        store: MirrorStore,
    ) -> None:
        """Nothing happens until `start`."""
        self.hass = hass
        self.entry = entry
        self.websocket = websocket
        self.store = store
        self.recent_errors: deque[tuple[str, str, str]] = deque(maxlen=10)
        self._status_listeners: list[CALLBACK_TYPE] = []
        self._was_connected = True
        self._unreachable_timer: asyncio.TimerHandle | None = None

    def start(self) -> None:
        """Follow the session's state; check issues hourly and refresh status every 30 s."""
        self.websocket.on_state_change = self._on_connection_state
        self.entry.async_on_unload(
            async_track_time_interval(self.hass, self.notify_status, STATUS_INTERVAL)
        )
        self.entry.async_on_unload(
            async_track_time_interval(self.hass, self._check_issues, ISSUE_CHECK_INTERVAL)
        )

    def stop(self) -> None:
        """Stop the unreachable timer."""
        if self._unreachable_timer is not None:
            self._unreachable_timer.cancel()

    @callback
    def async_add_status_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` when the link goes up or down, and every status interval."""
        self._status_listeners.append(update)
        return lambda: self._status_listeners.remove(update)

    @callback
    def notify_status(self, _now: Any = None) -> None:
        """Tell the link's own entities to write their state."""
        for update in list(self._status_listeners):
            update()

    @callback
    def _check_issues(self, _now: datetime) -> None:
        async_check_entry_issues(self.hass, self.entry)

    @callback
    def _on_connection_state(self, state: ConnectionState, error: ConnectionFailure | None) -> None:
        if state is not ConnectionState.CONNECTED:
            self.store.on_link_lost()
        if error is not None:
            self.recent_errors.append(
                (dt_util.utcnow().isoformat(), error.reason, error.detail or "")
            )
        if state is ConnectionState.AUTH_FAILED:
            self.entry.async_start_reauth(self.hass)
        elif error is not None and error.reason in CERTIFICATE_REFUSED_REASONS:
            async_set_issue(
                self.hass,
                self.entry,
                CERTIFICATE_REFUSED,
                True,
                severity=ir.IssueSeverity.ERROR,
                placeholders={"error": safe_description(error)},
            )
            self.entry.async_start_reauth(self.hass)
        self.notify_status()
        connected = state is ConnectionState.CONNECTED
        if connected == self._was_connected or state is ConnectionState.CLOSED:
            return
        self._was_connected = connected
        if connected:
            _LOGGER.info("Connection to %s restored", self.entry.title)
            if self._unreachable_timer is not None:
                self._unreachable_timer.cancel()
                self._unreachable_timer = None
            async_set_issue(self.hass, self.entry, REMOTE_UNREACHABLE, False)
            async_set_issue(self.hass, self.entry, CERTIFICATE_REFUSED, False)
            return  # entities become available with the fresh snapshot
        _LOGGER.info(
            "Connection to %s lost: %s", self.entry.title, error and safe_description(error)
        )
        self._unreachable_timer = self.hass.loop.call_later(
            UNREACHABLE_AFTER.total_seconds(), self._report_unreachable, dt_util.utcnow()
        )
        self.store.on_link_down()

    @callback
    def _report_unreachable(self, since: datetime) -> None:
        self._unreachable_timer = None
        error = self.websocket.last_error
        async_set_issue(
            self.hass,
            self.entry,
            REMOTE_UNREACHABLE,
            True,
            placeholders={
                "since": since.isoformat(timespec="seconds"),
                "error": safe_description(error) if error else "-",
            },
        )
